"""The dashboard's overview: every network against every metric, worst first.

One table answers "which networks are off track on which metric": a row per network,
a column per metric of the goals shown, each cell the network's latest value, its
status and its gap to the expected value (`goals.scorecards.rollup_row`, the same row
the metric page shows). Rows are ordered by the number of metrics off track, then at
risk, or, for a chosen metric, by that metric's status and gap to the expected value
(`goals.scorecards.worst_first`'s order). A fixed number of queries, whatever the
number of networks, metrics or schools: the networks' latest values (one rollup
query and the values entered for networks) and the population counts.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from district.models import Network

from .models import Metric
from .populations import population_counts
from .rollups import network_series
from .scorecards import ScopeRow, gap_order, rollup_row
from .status import Status
from .targets import choose_target, metric_targets


@dataclass(frozen=True)
class OverviewRow:
    """A network's cells, one per metric, in the overview's column order."""

    network: Network
    cells: tuple[ScopeRow, ...]
    off_track: int
    at_risk: int


@dataclass(frozen=True)
class Overview:
    """Networks by metrics; `sorted_by` is the metric rows are sorted by, if any."""

    metrics: tuple[Metric, ...]
    rows: tuple[OverviewRow, ...]
    sorted_by: Metric | None


def build_overview(
    *,
    district,
    metrics: Sequence[Metric],
    networks: Sequence[Network],
    as_of: datetime.date,
    can_see_suppressed: bool,
    sort: int | None = None,
) -> Overview:
    """The overview of `metrics` (prepared by `metrics_with_details`) by `networks`.

    `networks` come in the order ties keep (the district's natural order); `sort` is
    the pk of the metric to order rows by, else rows with the most metrics off track
    (then at risk) come first.
    """
    metrics = tuple(metrics)
    by_pair = network_series(
        district=district,
        metric_ids=[metric.pk for metric in metrics],
        network_ids=[network.pk for network in networks],
        until=as_of,
        newest=2,
    )
    counts = population_counts(district.pk, metrics)
    targets = {metric.pk: metric_targets(metric) for metric in metrics}
    rows = []
    for network in networks:
        cells = tuple(
            rollup_row(
                network,
                by_pair.get((metric.pk, network.pk), ()),
                metric=metric,
                target=choose_target(targets[metric.pk], network_id=network.pk),
                as_of=as_of,
                can_see=can_see_suppressed,
                applicable=bool(counts.get((metric.pk, network.pk))),
            )
            for metric in metrics
        )
        statuses = [cell.status.status for cell in cells]
        rows.append(
            OverviewRow(
                network=network,
                cells=cells,
                off_track=statuses.count(Status.OFF_TRACK),
                at_risk=statuses.count(Status.AT_RISK),
            )
        )
    column = next((i for i, m in enumerate(metrics) if m.pk == sort), None)
    # Python's sort is stable: ties keep the networks' own order.
    if column is None:
        rows.sort(key=lambda row: (-row.off_track, -row.at_risk))
    else:
        rows.sort(key=lambda row: gap_order(row.cells[column]))
    return Overview(
        metrics=metrics,
        rows=tuple(rows),
        sorted_by=metrics[column] if column is not None else None,
    )
