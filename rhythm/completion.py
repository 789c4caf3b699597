"""Completion: per person and role, the updates in on time, late and missing.

Each period of the school year whose due date has passed owes two updates per metric
(its values and the district's commentary, rhythm/updates.py), credited to whoever
owed them on the due date. An update is on time when done by its due date, late when
done after it, missing when not done. "This period" is each metric's latest period
past due.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from district.models import District, Person
from goals.models import Metric, MetricOwner
from goals.periods import grace_days_of, periods_of_year
from goals.update_owners import update_owners

from .updates import period_reports


@dataclass
class Tally:
    on_time: int = 0
    late: int = 0
    missing: int = 0

    def add(self, done_on: datetime.date | None, due_on: datetime.date) -> None:
        if done_on is None:
            self.missing += 1
        elif done_on <= due_on:
            self.on_time += 1
        else:
            self.late += 1

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.missing


@dataclass(frozen=True)
class CompletionRow:
    """One person (or nobody) in one role: their updates this period and this year."""

    person_id: int | None
    person: str
    role: str
    this_period: Tally
    year: Tally


def build_completion(
    *, district: District, today: datetime.date
) -> list[CompletionRow]:
    """Rows worst first: most missing this period, then this year, then most late."""
    metrics = list(
        Metric.objects.filter(district=district)
        .select_related("district")
        .order_by("pk")
    )
    periods = {
        metric.pk: [
            period
            for period in periods_of_year(
                metric.frequency, day=today, grace_days=grace_days_of(metric)
            )
            if period.due_on < today
        ]
        for metric in metrics
    }
    owners = update_owners(
        metrics, days={p.due_on for ps in periods.values() for p in ps}
    )
    roles: dict[int, str] = {}
    for metric_id, code in (
        MetricOwner.objects.filter(district=district)
        .order_by("metric_id", "role__kind", "role__sort_order", "role__code", "pk")
        .values_list("metric_id", "role__code")
    ):
        roles.setdefault(metric_id, code)
    reports = period_reports(
        metrics, {p.ends_on for ps in periods.values() for p in ps}
    )
    tallies: dict[tuple[int | None, str], tuple[Tally, Tally]] = {}
    for metric in metrics:
        judged = periods[metric.pk]
        for index, period in enumerate(judged):
            owner = owners[metric.pk, period.due_on]
            key = (owner.person_id, roles.get(metric.pk, ""))
            this_period, year = tallies.setdefault(key, (Tally(), Tally()))
            report = reports[metric.pk, period.ends_on]
            for done_on in (report.values_done_on, report.commentary_done_on):
                year.add(done_on, period.due_on)
                if index == len(judged) - 1:
                    this_period.add(done_on, period.due_on)
    names = dict(
        Person.objects.filter(
            pk__in={person_id for person_id, _role in tallies if person_id}
        ).values_list("pk", "name")
    )
    rows = [
        CompletionRow(
            person_id=person_id,
            person=names.get(person_id, "") if person_id else "",
            role=role,
            this_period=this_period,
            year=year,
        )
        for (person_id, role), (this_period, year) in tallies.items()
    ]
    return sorted(
        rows,
        key=lambda row: (
            -row.this_period.missing,
            -row.year.missing,
            -row.year.late,
            row.person,
            row.role,
        ),
    )
