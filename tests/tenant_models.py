"""Every tenant-owned model, found through the app registry, and a way to make one.

A model is tenant-owned when it has a `district` foreign key. Tests parametrized over
`SCOPED_MODELS` (District and the tenant-owned models) cover a new model without
being told about it; its factory in tests/factories.py is all it needs. Derived
tables (`goals.backup.DERIVED`: stored rollups) are scoped like the others but have
no history and no admin: tests of editing walk `EDITED_MODELS`.
"""

from django.apps import apps
from factory.django import DjangoModelFactory

from district.models import District
from goals.backup import DERIVED, OPERATIONAL

from . import factories

FACTORIES = {
    factory._meta.model: factory
    for factory in vars(factories).values()
    if isinstance(factory, type)
    and issubclass(factory, DjangoModelFactory)
    and factory._meta.model is not None
}


def is_tenant_owned(model) -> bool:
    """A concrete model with a `district` foreign key (history tables excluded)."""
    if hasattr(model, "instance_type"):  # django-simple-history's historical model
        return False
    return any(
        field.name == "district" and field.many_to_one for field in model._meta.fields
    )


def is_derived(model) -> bool:
    """Computed from other tables, never edited by people: no history, no admin."""
    return model._meta.label in DERIVED


def is_operational(model) -> bool:
    """Written by Lanes itself (background jobs, the reminder outbox): no history."""
    return model._meta.label in OPERATIONAL


TENANT_MODELS = [model for model in apps.get_models() if is_tenant_owned(model)]
SCOPED_MODELS = [District, *TENANT_MODELS]
# What people edit: history, a district-scoped admin, versions.
EDITED_MODELS = [
    model
    for model in SCOPED_MODELS
    if not is_derived(model) and not is_operational(model)
]


def label(model) -> str:
    return model._meta.label


def make(model, district):
    """A row of `model` in `district` (the district itself for District)."""
    if model is District:
        return district
    assert model in FACTORIES, f"tests/factories.py needs a factory for {label(model)}"
    return FACTORIES[model](district=district)
