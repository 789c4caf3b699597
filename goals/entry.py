"""The data-entry grid: one period's values of one metric for every school or network.

The grid only arranges cells. Validation and saving are `goals.importers.upsert_measurements`,
the one way values enter Lanes: the grid turns its filled cells into import rows, and
the importer's row errors back into messages next to the cells they concern. A grid
with any invalid cell saves nothing.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from district.import_rows import RowError
from district.models import Network, School

from .importers import UpsertResult, upsert_measurements
from .models import Measurement, Metric, Scope

DISTRICT_KEY = "district"


@dataclass
class GridRow:
    """One row of the grid: a school, a network or the district, with its two cells."""

    key: str  # the school's or network's pk, or DISTRICT_KEY; names the inputs
    scope: str
    label: str
    code: str  # school id, network name, or "" for the district
    group: str = ""  # the school's network, for orientation
    stored_value: str = ""
    stored_n: str = ""
    value: str = ""  # what the form shows: submitted text, or the stored value
    n: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def value_name(self) -> str:
        return f"value-{self.key}"

    @property
    def n_name(self) -> str:
        return f"n-{self.key}"

    @property
    def is_filled(self) -> bool:
        return bool(self.value.strip() or self.n.strip())

    def import_row(self, metric: Metric, period_end: datetime.date) -> dict:
        """The row `upsert_measurements` reads for this cell pair."""
        row = {
            "metric": metric.code,
            "period_end": period_end,
            "value": self.value,
            "n": self.n,
        }
        if self.scope == Scope.SCHOOL:
            row["school_id"] = self.code
        elif self.scope == Scope.NETWORK:
            row["network"] = self.code
        return row


def plain(value) -> str:
    """A stored number as the grid shows it: no trailing zeros, no exponent."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def build_grid(
    *,
    district,
    user,
    metric: Metric,
    period_end: datetime.date,
    scope: str,
    network: Network | None = None,
    submitted: Mapping[str, str] | None = None,
) -> list[GridRow]:
    """The grid's rows with the stored values, or the `submitted` texts when given.

    Two queries: the schools (or networks), and the stored values of the period.
    """
    if scope == Scope.SCHOOL:
        schools = School.objects.visible_to(user).filter(district=district)
        if network is not None:
            schools = schools.filter(network=network)
        rows = [
            GridRow(
                key=str(school.pk),
                scope=Scope.SCHOOL,
                label=school.name,
                code=school.school_id,
                group=school.network.name if school.network else "",
            )
            for school in schools.select_related("network").order_by(
                "network__name", "name", "pk"
            )
        ]
    elif scope == Scope.NETWORK:
        rows = [
            GridRow(
                key=str(item.pk), scope=Scope.NETWORK, label=item.name, code=item.name
            )
            for item in Network.objects.visible_to(user)
            .filter(district=district)
            .order_by("-is_geographic", "name", "pk")
        ]
    else:
        rows = [
            GridRow(
                key=DISTRICT_KEY, scope=Scope.DISTRICT, label=district.name, code=""
            )
        ]

    stored = Measurement.objects.filter(
        district=district, metric=metric, period_end=period_end, scope=scope
    ).values_list("school_id", "network_id", "value", "n")
    by_key = {
        str(school_id or network_id or DISTRICT_KEY): (value, n)
        for school_id, network_id, value, n in stored
    }
    for row in rows:
        value, n = by_key.get(row.key, (None, None))
        row.stored_value, row.stored_n = plain(value), "" if n is None else str(n)
        if submitted is None:
            row.value, row.n = row.stored_value, row.stored_n
        else:
            row.value = submitted.get(row.value_name, "").strip()
            row.n = submitted.get(row.n_name, "").strip()
    return rows


def save_grid(
    *,
    district,
    metric: Metric,
    period_end: datetime.date,
    rows: list[GridRow],
    acting_user,
) -> UpsertResult:
    """Save the grid's filled cells together, or nothing when any cell is invalid.

    Empty rows are left out: emptying a cell does not delete a stored value. The
    importer's errors are attached to the rows they name.
    """
    filled = [row for row in rows if row.is_filled]
    result = upsert_measurements(
        district=district,
        rows=[row.import_row(metric, period_end) for row in filled],
        acting_user=acting_user,
        source=_("Entry grid"),
    )
    attach_errors(filled, result.errors)
    return result


def attach_errors(rows: list[GridRow], errors: tuple[RowError, ...]) -> None:
    """Put each row error next to its cell: value, n, or the row as a whole."""
    for error in errors:
        row = rows[error.row]
        column = error.column if error.column in ("value", "n") else "row"
        row.errors.setdefault(column, []).append(error.message)
