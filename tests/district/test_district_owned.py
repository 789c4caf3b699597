"""Every district-owned model: history, scoping, and no foreign key across districts.

The models come from the app registry (tests/tenant_models.py), so a new model is
covered as soon as it has a factory.
"""

import pytest
from django.core.exceptions import ValidationError

from district.models import DistrictOwned
from tests.tenant_models import (
    EDITED_MODELS,
    TENANT_MODELS,
    is_derived,
    is_operational,
    label,
    make,
)

OWNED_MODELS = [model for model in EDITED_MODELS if issubclass(model, DistrictOwned)]
# (model, foreign key) for every foreign key from one district-owned row to another.
LINKS = [
    (model, field.name)
    for model in OWNED_MODELS
    for field in model._meta.concrete_fields
    if field.many_to_one
    and field.name != "district"
    and issubclass(field.related_model, DistrictOwned)
]


def test_every_edited_tenant_model_is_district_owned():
    edited = [
        model
        for model in TENANT_MODELS
        if not is_derived(model) and not is_operational(model)
    ]

    assert [label(m) for m in edited if not issubclass(m, DistrictOwned)] == []


@pytest.mark.parametrize("model", OWNED_MODELS, ids=label)
def test_a_row_with_every_link_in_its_district_is_valid(model, district):
    make(model, district).full_clean()


@pytest.mark.parametrize("model", OWNED_MODELS, ids=label)
def test_a_district_owned_model_keeps_history_and_is_scoped(model, district, viewer):
    row = make(model, district)

    assert row.history.count() == 1
    assert model.objects.visible_to(viewer).filter(pk=row.pk).exists()


@pytest.mark.parametrize(
    ("model", "link"), LINKS, ids=[f"{label(m)}.{name}" for m, name in LINKS]
)
def test_a_link_to_another_districts_row_is_refused(
    model, link, district, other_district
):
    row = make(model, district)
    foreign = make(model._meta.get_field(link).related_model, other_district)
    setattr(row, link, foreign)

    with pytest.raises(ValidationError) as error:
        row.full_clean()

    verbose = model._meta.get_field(link).verbose_name
    assert error.value.message_dict[link] == [
        f"{verbose[0].upper()}{verbose[1:]} must belong to the "
        f"{model._meta.verbose_name}'s district."
    ]
