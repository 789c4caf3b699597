"""Named sets of a district's schools that pages filter by, offered by the apps above.

The network scorecard (goals) lets a reader show only "Tier 3: intensive" schools,
though goals knows nothing of tiers: an app that knows of such sets registers one
source with `register_school_set_source` from its `AppConfig.ready()`, as the sources
of what a person owes are plugged in (`district.due`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class SchoolSet:
    """A set of schools a page may filter by: a stable key and what readers see."""

    key: str  # "tier:3"
    label: str  # "Tier 3: intensive"


@dataclass(frozen=True)
class SchoolSetSource:
    """The sets of one app: their choices for a school year, and their schools."""

    choices: Callable[..., Iterable[SchoolSet]]  # (*, district, school_year)
    schools: Callable[..., QuerySet | None]  # (*, district, school_year, key)


_sources: list[SchoolSetSource] = []


def register_school_set_source(source: SchoolSetSource) -> None:
    if source not in _sources:
        _sources.append(source)


def school_set_choices(*, district, school_year: str) -> list[SchoolSet]:
    """Every set of `district`'s schools in `school_year`, from every source."""
    return [
        choice
        for source in _sources
        for choice in source.choices(district=district, school_year=school_year)
    ]


def schools_in_set(*, district, school_year: str, key: str) -> QuerySet | None:
    """The schools of the set `key`, or None when no source knows the key."""
    for source in _sources:
        found = source.schools(district=district, school_year=school_year, key=key)
        if found is not None:
            return found
    return None
