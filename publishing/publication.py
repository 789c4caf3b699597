"""Writing what a district publishes: one function for the page, the API and demo."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from district.models import District
from goals.models import Goal, Metric

from .models import Publication, PublishedGoal, PublishedMetric


def publication_of(district: District) -> Publication:
    """The district's publication settings, unsaved defaults when it has none yet."""
    return Publication.objects.filter(district=district).first() or Publication(
        district=district
    )


@transaction.atomic
def set_publication(
    *,
    district: District,
    is_published: bool,
    shows_staff_names: bool,
    introduction: str,
    public_min_n: int | None,
    goals: Iterable[Goal],
    metrics: Iterable[Metric],
    acting_user: AbstractBaseUser | None,
) -> Publication:
    """Set the public dashboard's switch, settings and its published goals and metrics.

    Raises ValidationError (nothing saved) for a public minimum n below the
    district's suppression minimum or a goal or metric of another district.
    """
    district = District.objects.select_for_update().get(pk=district.pk)
    if district.public_min_n != public_min_n:
        district.public_min_n = public_min_n
        district._history_user = acting_user
        district.full_clean()
        district.save(update_fields=["public_min_n"])
    publication = publication_of(district)
    publication.is_published = is_published
    publication.shows_staff_names = shows_staff_names
    publication.introduction = introduction
    publication._history_user = acting_user
    publication.full_clean()
    publication.save()
    _set_rows(PublishedGoal, "goal", district, goals, acting_user)
    _set_rows(PublishedMetric, "metric", district, metrics, acting_user)
    return publication


def _set_rows(model, field: str, district, objects, acting_user) -> None:
    """Make `model`'s rows of `district` name exactly `objects` (row by row: history)."""
    wanted = {obj.pk: obj for obj in objects}
    for row in model.objects.filter(district=district):
        if getattr(row, f"{field}_id") not in wanted:
            row._history_user = acting_user
            row.delete()
        else:
            wanted.pop(getattr(row, f"{field}_id"))
    for obj in wanted.values():
        row = model(district=district, **{field: obj})
        row._history_user = acting_user
        row.full_clean()
        row.save()
