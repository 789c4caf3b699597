"""Which schools a metric is about (its population), decided once for every reader.

A metric's population (`Metric.population`) is all the district's schools, the schools
of one category, the schools in networks of one kind (say, only district-run networks,
leaving charter and contract schools out), or a list of schools. Rollups, coverage,
school rankings and "no data" count only the population:

- `in_population()` is the SQL condition on school values (or on schools) that keeps
  those of the population; it runs inside the rollup and ranking queries.
- `population_counts()` counts the population per network and for the district: the
  number of units *expected* to report, stored with every rollup.
- A network with none of the population is *not applicable* for the metric, not
  without data.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from district.models import School

from .models import Metric, Population

PopulationSchool = Metric.population_schools.through


def in_population() -> Q:
    """The condition on school values (Measurement rows) keeping the population's.

    One condition for every metric of a query: each value is tested against its own
    metric's population, inside the query that aggregates or ranks the values.
    """
    listed = PopulationSchool.objects.filter(
        metric_id=OuterRef("metric_id"), school_id=OuterRef("school_id")
    )
    condition: Q = (
        Q(metric__population=Population.ALL)
        | Q(
            metric__population=Population.CATEGORY,
            school__category=F("metric__population_category"),
        )
        | Q(
            metric__population=Population.NETWORK_KIND,
            school__network__kind=F("metric__population_network_kind"),
        )
        | Q(Exists(listed), metric__population=Population.SCHOOLS)
    )
    return condition


def population_counts(
    district_id: int, metrics: Iterable[Metric]
) -> dict[tuple[int, int | None], int]:
    """How many schools of each metric's population each network, and the district, has.

    Keys are (metric pk, network pk) and (metric pk, None) for the district; missing
    keys count zero. Two queries whatever the number of schools or metrics: the
    district's schools counted per (network, network kind, category), and the listed
    schools counted per (metric, network); Python adds up those groups per population.
    """
    metrics = list(metrics)
    counts: dict[tuple[int, int | None], int] = defaultdict(int)
    if not metrics:
        return counts
    groups = list(
        School.objects.filter(district_id=district_id)
        .order_by()
        .values_list("network_id", "network__kind", "category")
        .annotate(schools=Count("pk"))
    )
    listed_ids = [m.pk for m in metrics if m.population == Population.SCHOOLS]
    listed = (
        PopulationSchool.objects.filter(
            metric_id__in=listed_ids, school__district_id=district_id
        )
        .order_by()
        .values_list("metric_id", "school__network_id")
        .annotate(schools=Count("pk"))
        if listed_ids
        else []
    )
    for metric_id, network_id, schools in listed:
        if network_id is not None:
            counts[metric_id, network_id] += schools
        counts[metric_id, None] += schools
    for metric in metrics:
        if metric.population == Population.SCHOOLS:
            continue
        for network_id, kind, category, schools in groups:
            if metric.population == Population.CATEGORY and (
                category != metric.population_category
            ):
                continue
            if metric.population == Population.NETWORK_KIND and (
                kind != metric.population_network_kind
            ):
                continue
            if network_id is not None:
                counts[metric.pk, network_id] += schools
            counts[metric.pk, None] += schools
    return counts


def applicable_networks(
    counts: dict[tuple[int, int | None], int],
) -> dict[int, set[int]]:
    """Per metric, the networks with some of its population (from `population_counts`)."""
    networks: dict[int, set[int]] = defaultdict(set)
    for (metric_id, network_id), schools in counts.items():
        if network_id is not None and schools:
            networks[metric_id].add(network_id)
    return networks


def foreign_schools_error(
    district_id: int | None, schools: Iterable[School]
) -> str | None:
    """Why `schools` cannot be a metric's population in `district_id`, or None."""
    if any(school.district_id != district_id for school in schools):
        return _("The listed schools must belong to the metric's district.")
    return None


def listed_schools(metrics: Iterable[Metric], school_ids: Iterable[int]) -> set:
    """(metric pk, school pk) pairs of listed populations, among `school_ids`. One query."""
    listing = [m.pk for m in metrics if m.population == Population.SCHOOLS]
    if not listing:
        return set()
    return set(
        PopulationSchool.objects.filter(
            metric_id__in=listing, school_id__in=list(school_ids)
        ).values_list("metric_id", "school_id")
    )


def is_in_population(
    metric: Metric, school: School, *, network_kind: str | None, listed: set
) -> bool:
    """Whether `school` is in `metric`'s population: the Python form of `in_population`.

    `network_kind` is the kind of the school's network (None without one); `listed`
    the (metric pk, school pk) pairs of `listed_schools`.
    """
    if metric.population == Population.CATEGORY:
        return school.category == metric.population_category
    if metric.population == Population.NETWORK_KIND:
        return network_kind == metric.population_network_kind
    if metric.population == Population.SCHOOLS:
        return (metric.pk, school.pk) in listed
    return True
