"""Assertions on database rules: a row that breaks one is refused twice over.

`full_clean()` (forms, the API, imports) names the rule's message, and a direct write
that skips validation is refused by the database itself.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


def constraint_named(model: type[models.Model], rule: str) -> models.BaseConstraint:
    """The constraint of `model` whose name ends with `rule`."""
    matches = [c for c in model._meta.constraints if c.name.endswith(f"_{rule}")]
    assert len(matches) == 1, f"{model.__name__} has no single constraint {rule!r}"
    return matches[0]


def assert_refused(obj: models.Model, rule: str, *, by_full_clean: bool = True) -> None:
    """`obj` breaks the constraint `rule`: validation names its message, the database refuses.

    With `by_full_clean=False` the row is refused by field validation first (an invalid
    choice), so the constraint's own message is checked by validating it directly.
    """
    constraint = constraint_named(type(obj), rule)
    message = str(constraint.get_violation_error_message())

    with pytest.raises(ValidationError) as full:
        obj.full_clean()
    if by_full_clean:
        assert message in full.value.messages

    with pytest.raises(ValidationError) as direct:
        constraint.validate(type(obj), obj)
    assert message in direct.value.messages

    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def clean_messages(obj: models.Model) -> list[str]:
    """The messages `full_clean()` raises for `obj` (failing the test when it passes)."""
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    return error.value.messages
