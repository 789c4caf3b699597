"""Measurement imports: the one way values get into Lanes in bulk.

The CSV command, the browser's CSV upload, the data-entry grid and the bulk API all
call `upsert_measurements`, so every path validates, numbers errors and records
history the same way.
"""

import datetime
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from district.bulk_history import insert_history_records
from district.import_rows import (
    CsvRow,
    ImportResult,
    RowError,
    cell_text,
    lock_district,
    numbered_rows,
    parse_whole_number,
    read_csv,
    row_name,
    row_shape_errors,
    text_length,
    unstorable_text,
)
from district.models import District, Network, School

from .measurement_sql import insert_measurements, update_measurements
from .models import (
    Measurement,
    Metric,
    Scope,
    school_year_end,
    unit_range_error,
    validate_date_in_range,
)
from .periods import closed_message, closed_ranges
from .rollup_sync import values_written

# Columns a measurements file must have; scope and period columns are checked per row
# because either of two columns may give them.
MEASUREMENT_COLUMNS = ("metric", "value")

# Measurement.value is DecimalField(max_digits=14, decimal_places=4): 10 digits before
# the point, 4 after. Values with more decimals are rounded to 4.
VALUE_PLACES = Decimal("0.0001")
VALUE_LIMIT = Decimal(10) ** 10
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class UpsertResult(ImportResult):
    """What `upsert_measurements` wrote, or would write (see `ImportResult`)."""


def read_measurements_csv(file: bytes | str | os.PathLike | IO) -> list[CsvRow]:
    """The rows of a measurements CSV file, ready for `upsert_measurements`.

    The file needs the columns `metric` and `value`, a period (`period_end` or
    `school_year`) and, for school or network values, `school_id` or `network`.
    Raises `district.import_rows.CsvFileError` for a file that cannot be read.
    """
    return read_csv(file, required_columns=MEASUREMENT_COLUMNS)


@dataclass(frozen=True)
class _Planned:
    """A valid row: the measurement it describes.

    `key` is (metric pk, scope, school pk, network pk, period_end): one measurement
    per key, as the unique constraints say.
    """

    number: int
    key: tuple
    metric: Metric
    school_pk: int | None
    network_pk: int | None
    period_end: datetime.date
    value: Decimal
    n: int | None


def upsert_measurements(
    *,
    district: District,
    rows: Iterable[Mapping],
    acting_user,
    skip_invalid: bool = False,
    dry_run: bool = False,
    source: str = "",
    first_row: int = 0,
) -> UpsertResult:
    """Create or update `district`'s measurements from rows; one value per metric, scope, period.

    Each row is a mapping (a CSV row, a form's or a JSON body's dict; values may be
    strings, numbers or None, and None or "" means empty) with these keys:

    - `metric`: the metric's code.
    - the scope: `school_id` (the district's school id) for a school's value,
      `network` (the network's name) for a network's, neither for the district's.
      An explicit `scope` ("school", "network", "district") may say it too; it must
      agree with the ids given.
    - the period: `period_end` (YYYY-MM-DD) or `school_year` ("2014-15", which ends
      on 30 June 2015). Both may be given when they agree.
    - `value`: a finite number in the metric's unit range (`unit_range_error`), with
      at most 10 digits before the point; it is rounded to 4 decimals.
    - `n` (optional): the denominator, a whole number of 0 or more.
    Other keys are ignored.

    Errors name a row: a `CsvRow` (from `read_measurements_csv`) by its line in the
    file, where the header is line 1 and the first data row line 2; any other row by
    its position counted from `first_row` (0 by default, as list indexes are).

    All or nothing: with any invalid row nothing is saved, unless `skip_invalid`, which
    saves the valid rows. `dry_run` saves nothing and reports the counts it would
    produce. A row whose value and n equal the stored ones is unchanged and not
    written, so importing the same rows again writes nothing. Written rows get
    `source`, `entered_by=acting_user` and a history record by `acting_user` with
    `source` as change reason.

    Queries do not grow with the number of rows, apart from one INSERT or UPDATE and
    one history INSERT per 1,000 rows (142 and 333 rows on SQLite): metrics, schools
    and networks are read once, the stored measurements of the rows' metrics and
    periods in one query. `full_clean()` is not called per row, since it would query
    per row; the checks above are the model's checks.
    """
    if len(source) > text_length(Measurement, "source"):
        raise ValueError("The source label is too long.")
    if unstorable_text(source):
        raise ValueError(
            f"The source label cannot be stored: {unstorable_text(source)}"
        )
    # No ordering in these lookups: the models' default orderings join other tables.
    metrics = {
        metric.code: metric
        for metric in Metric.objects.filter(district=district).order_by()
    }
    schools = dict(
        School.objects.filter(district=district)
        .order_by()
        .values_list("school_id", "pk")
    )
    networks = dict(
        Network.objects.filter(district=district).order_by().values_list("name", "pk")
    )
    errors: list[RowError] = []
    # Values dated in a closed period are refused (goals/periods.py).
    closed_periods = closed_ranges(district.pk)
    planned: dict[tuple, _Planned] = {}
    for number, row in numbered_rows(rows, first_row):
        item, problems = _plan_row(number, row, metrics, schools, networks)
        if item is not None and item.key in planned:
            problems.append(
                RowError(
                    number,
                    None,
                    "Same metric, scope and period as on "
                    f"{row_name(planned[item.key].number, row)}; give each value once.",
                )
            )
        if item is not None and not problems:
            closed = closed_message(item.period_end, closed_periods)
            if closed:
                problems.append(RowError(number, "period_end", closed))
        if problems:
            errors.extend(problems)
        elif item is not None:
            planned[item.key] = item

    with transaction.atomic():
        if not dry_run:
            lock_district(district)
        # Tuples, not model instances: building a model instance per stored row is
        # slow at the bulk API's size (docs/benchmarks.md).
        stored_rows = (
            Measurement.objects.filter(
                district=district,
                metric_id__in={item.metric.pk for item in planned.values()},
                period_end__in={item.period_end for item in planned.values()},
            )
            .order_by()
            .values_list(
                "metric_id",
                "scope",
                "school_id",
                "network_id",
                "period_end",
                "pk",
                "value",
                "n",
            )
        )
        stored = {tuple(row[:5]): row[5:] for row in stored_rows}
        to_create, to_update = [], []
        for item in planned.values():
            if item.key not in stored:
                to_create.append(item)
            elif stored[item.key][1:] != (item.value, item.n):
                to_update.append((stored[item.key][0], item))
        saved = not dry_run and (skip_invalid or not errors)
        if saved:
            _write(district, to_create, to_update, acting_user, source)
    return UpsertResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(planned) - len(to_create) - len(to_update),
        skipped=len({error.row for error in errors}),
        errors=tuple(errors),
        saved=saved,
    )


def _plan_row(
    number: int,
    row,
    metrics: dict[str, Metric],
    schools: dict[str, int],
    networks: dict[str, int],
) -> tuple[_Planned | None, list[RowError]]:
    """The measurement a row describes, or None, and the row's problems."""
    problems = row_shape_errors(number, row)
    if problems:
        return None, problems

    def problem(column: str | None, message: str) -> None:
        problems.append(RowError(number, column, message))

    code = cell_text(row, "metric")
    metric = metrics.get(code)
    if not code:
        problem("metric", "Required: the metric's code.")
    elif metric is None:
        problem("metric", f"Unknown metric code {code!r}.")

    scope, school_pk, network_pk = _scope(row, schools, networks, problem)
    period_end = _period_end(row, problem)

    value, message = parse_value(row.get("value"))
    if message:
        problem("value", message)
    elif metric is not None and value is not None:
        out_of_range = unit_range_error(metric.unit, value)
        if out_of_range:
            problem("value", f"{value.normalize():f} is out of range: {out_of_range}")

    n, message = parse_whole_number(row.get("n"))
    if message:
        problem("n", message)

    if problems:
        return None, problems
    # A row without problems has all of these.
    assert metric is not None and period_end is not None and value is not None
    key = (metric.pk, scope, school_pk, network_pk, period_end)
    return _Planned(
        number, key, metric, school_pk, network_pk, period_end, value, n
    ), []


def _scope(
    row: Mapping, schools, networks, problem
) -> tuple[str | None, int | None, int | None]:
    """The row's scope and the pk of its school or network."""
    school_id = cell_text(row, "school_id")
    network_name = cell_text(row, "network")
    stated = cell_text(row, "scope").lower()
    if stated and stated not in Scope.values:
        problem("scope", f"Unknown scope {stated!r}: use school, network or district.")
        return None, None, None
    if school_id and network_name:
        problem(
            None,
            "Give a school id or a network, not both: a value describes one school, "
            "one network or the whole district.",
        )
        return None, None, None
    scope = (
        Scope.SCHOOL if school_id else Scope.NETWORK if network_name else Scope.DISTRICT
    )
    if stated and stated != scope:
        needs = {
            Scope.SCHOOL: "a school_id",
            Scope.NETWORK: "a network",
            Scope.DISTRICT: "no school_id and no network",
        }[Scope(stated)]
        problem("scope", f"Scope {stated} needs {needs}.")
        return None, None, None
    if scope == Scope.SCHOOL:
        if school_id not in schools:
            problem("school_id", f"Unknown school id {school_id!r}.")
        return scope, schools.get(school_id), None
    if scope == Scope.NETWORK:
        if network_name not in networks:
            problem("network", f"Unknown network {network_name!r}.")
        return scope, None, networks.get(network_name)
    return scope, None, None


def _period_end(row: Mapping, problem) -> datetime.date | None:
    """The last day of the row's period, from `period_end` or `school_year`."""
    period_end = year_end = None
    raw = row.get("period_end")
    if isinstance(raw, datetime.date) and not isinstance(raw, datetime.datetime):
        period_end = raw
    elif text := cell_text(row, "period_end"):
        try:
            if not ISO_DATE.match(text):
                raise ValueError(text)
            period_end = datetime.date.fromisoformat(text)
        except ValueError:
            problem("period_end", f"Not a date: {text!r}. Write it as YYYY-MM-DD.")
            return None
    if text := cell_text(row, "school_year"):
        try:
            year_end = school_year_end(text)
        except ValueError:
            problem("school_year", f"Not a school year: {text!r}. Write it as 2014-15.")
            return None
    if period_end and year_end and period_end != year_end:
        problem(
            "period_end",
            f"{period_end} is not the end of school year {cell_text(row, 'school_year')} "
            f"({year_end}); give one of them.",
        )
        return None
    day = period_end or year_end
    if day is None:
        problem(
            "period_end",
            "Required: period_end (YYYY-MM-DD) or school_year (such as 2014-15).",
        )
        return None
    try:
        validate_date_in_range(day)
    except ValidationError as error:
        problem("school_year" if year_end else "period_end", error.messages[0])
        return None
    return day


def parse_value(raw) -> tuple[Decimal | None, str | None]:
    """A measurement value as a Decimal rounded to 4 places, or why it cannot be one."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "Required: a number."
    if isinstance(raw, bool):
        return None, f"Not a number: {raw!r}."
    if isinstance(raw, int | float | Decimal):
        text = repr(raw) if isinstance(raw, float) else str(raw)
    elif isinstance(raw, str):
        text = raw.strip()
    else:
        return None, f"Not a number: {raw!r}."
    if text.lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
        return None, f"Not a finite number: {text!r}."
    if not NUMBER.match(text):
        hint = " Use a point, not a comma, for decimals." if "," in text else ""
        return None, f"Not a number: {text!r}.{hint}"
    value = Decimal(text)
    if value.is_zero() or value.adjusted() < 10:
        value = value.quantize(VALUE_PLACES)
        if abs(value) < VALUE_LIMIT:
            return value, None
    return None, f"Too large: {text!r}. Values have at most 10 digits before the point."


def _write(
    district: District,
    to_create: list[_Planned],
    to_update: list[tuple[int, _Planned]],
    acting_user,
    source: str,
) -> None:
    """Insert and update in batches, then record history for every row written."""
    entered_by = acting_user if getattr(acting_user, "pk", None) else None
    now = timezone.now()
    created = insert_measurements(
        district=district,
        # A key is (metric pk, scope, school pk, network pk, period_end), as NewRow.
        rows=[(*item.key, item.value, item.n) for item in to_create],
        source=source,
        entered_by=entered_by,
        now=now,
    )
    update_measurements(
        district=district,
        rows=[(pk, item.value, item.n) for pk, item in to_update],
        source=source,
        entered_by=entered_by,
        now=now,
    )
    # School values move their networks' and the district's stored rollups; network
    # values the district's (the rollup chain).
    written = [*to_create, *(item for _pk, item in to_update)]
    values_written(
        district.pk,
        {
            (item.metric.pk, item.period_end)
            for item in written
            if item.key[1] == Scope.SCHOOL
        },
        network_pairs={
            (item.metric.pk, item.period_end)
            for item in written
            if item.key[1] == Scope.NETWORK
        },
    )
    for history_type, pks in (("+", created), ("~", [pk for pk, _item in to_update])):
        insert_history_records(
            Measurement,
            pks,
            history_type=history_type,
            user=entered_by,
            reason=source,
            date=now,
        )
