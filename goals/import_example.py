"""The import page's example: a few of the district's own stored values, as CSV.

Copied from what is stored, so the example names real metric codes, school ids and
networks, and importing it as shown is valid and changes nothing.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from district.exports import CsvWriter
from district.models import District, Network

from .models import Measurement, Metric, Scope

# Metrics the example draws from, values per metric, metrics looked at to find them.
EXAMPLE_METRICS = 2
SCHOOL_ROWS = 2
METRICS_LOOKED_AT = 6
COLUMNS = ("metric", "school_id", "network", "period_end", "value", "n")


@dataclass(frozen=True)
class MetricCode:
    """A metric as an import names it."""

    code: str
    name: str


@dataclass(frozen=True)
class ImportExample:
    """The example file and what the page says around it."""

    text: str  # header and rows; empty when the district has no values yet
    metrics: tuple[MetricCode, ...]  # every metric's code, for the list on the page
    network_name: str | None  # a network of the district, to show the network column


def plain_number(value: Decimal | None) -> str:
    """A stored decimal as a person writes it: 95.1000 -> "95.1", 100.0000 -> "100"."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _row(measurement: Measurement, code: str) -> list[str]:
    return [
        code,
        measurement.school.school_id if measurement.school else "",
        measurement.network.name if measurement.network else "",
        measurement.period_end.isoformat(),
        plain_number(measurement.value),
        "" if measurement.n is None else str(measurement.n),
    ]


def _latest(metric: Metric, scope: str, limit: int) -> list[Measurement]:
    """The metric's newest stored values of one scope, in a stable order."""
    return list(
        Measurement.objects.filter(metric=metric, scope=scope)
        .select_related("school", "network")
        .order_by("-period_end", "school__school_id", "network__name", "pk")[:limit]
    )


def import_example(district: District) -> ImportExample:
    """A CSV of the newest school values of the district's first metrics with data,
    and its network's and district's own values where it has entered some.

    At most `METRICS_LOOKED_AT` metrics are read, three small queries each.
    """
    metrics = list(Metric.objects.filter(district=district))
    rows: list[list[str]] = []
    used = 0
    for metric in metrics[:METRICS_LOOKED_AT]:
        if used == EXAMPLE_METRICS:
            break
        found = _latest(metric, Scope.SCHOOL, SCHOOL_ROWS)
        found += _latest(metric, Scope.NETWORK, 1)
        found += _latest(metric, Scope.DISTRICT, 1)
        if found:
            used += 1
            rows += [_row(measurement, metric.code) for measurement in found]
    text = ""
    if rows:
        out = io.StringIO()
        writer = CsvWriter(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        # Shown on the page to copy: one line per row, as people type it.
        text = out.getvalue().replace("\r\n", "\n")
    network = Network.objects.filter(district=district).order_by("name", "pk").first()
    return ImportExample(
        text=text,
        metrics=tuple(MetricCode(code=m.code, name=m.name) for m in metrics),
        network_name=network.name if network else None,
    )
