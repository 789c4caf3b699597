"""The tiers as sets of schools other pages filter by (`district.school_sets`)."""

from django.db.models import QuerySet

from district.models import School
from district.school_sets import SchoolSet, SchoolSetSource

from .models import Tier

PREFIX = "tier:"


def tier_choices(*, district, school_year: str) -> list[SchoolSet]:
    """One set per tier of the district (the schools recorded in it that year)."""
    return [
        SchoolSet(key=f"{PREFIX}{tier.pk}", label=tier.name)
        for tier in Tier.objects.filter(district=district)
    ]


def tier_schools(*, district, school_year: str, key: str) -> QuerySet | None:
    """The schools whose current tier in `school_year` is the tier of `key`."""
    if not key.startswith(PREFIX) or not key[len(PREFIX) :].isdigit():
        return None
    return School.objects.filter(
        district=district,
        tier_assignments__school_year=school_year,
        tier_assignments__is_current=True,
        tier_assignments__tier_id=int(key[len(PREFIX) :]),
    )


TIER_SETS = SchoolSetSource(choices=tier_choices, schools=tier_schools)
