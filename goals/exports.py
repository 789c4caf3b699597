"""Every measurement of a district as CSV, streamed in constant memory.

A large district holds millions of measurements, so the export never builds the file in
memory: rows come from the database in chunks through a server-side cursor
(`iterator(chunk_size=...)`) inside one transaction, are written as CSV text a chunk at
a time, and go out to the client as they are produced (`StreamingHttpResponse`). The
file ends with a trailer line giving its row count (`district.exports.stream_csv`), so
a download cut off midway is recognisable. Names of metrics, schools
and networks are read once up front, so the measurement query joins nothing and starts
streaming at once in primary-key order.

Small-number suppression applies as on every page: a viewer sees no value and no n
where the denominator is below the metric's minimum n, only `suppressed`; an editor
sees the value, marked `below_min_n`.
"""

from collections.abc import Iterator

from district.exports import stream_csv
from district.models import Network, School

from .models import Measurement, Metric
from .status import is_suppressed

# Rows fetched from the database per round trip, and written per yielded text chunk.
CHUNK_ROWS = 2_000

HEADER = [
    "metric",
    "period_end",
    "scope",
    "school_id",
    "school",
    "network",
    "value",
    "n",
    "suppression",
    "source",
    "updated_at",
]


def measurement_csv_chunks(
    *, district, user, can_see_suppressed: bool, metric_code: str | None = None
) -> Iterator[str]:
    """The district's measurements as CSV text, the header first, a chunk at a time.

    The last line is the trailer `# complete: <N> rows` (`district.exports`): a file
    cut off before the end has none. Four queries whatever the number of rows:
    metrics, schools, networks, and the measurements through one server-side cursor,
    all inside the stream's transaction.
    """
    rows = measurement_rows(
        district=district,
        user=user,
        can_see_suppressed=can_see_suppressed,
        metric_code=metric_code,
    )
    return stream_csv(HEADER, rows, chunk_rows=CHUNK_ROWS)


def measurement_rows(
    *, district, user, can_see_suppressed: bool, metric_code: str | None
) -> Iterator[list]:
    """One list of cells per measurement, in primary-key order; lazy (a generator)."""
    metrics = {
        metric.pk: metric
        for metric in Metric.objects.visible_to(user)
        .filter(district=district)
        .select_related("district")
        .order_by()
    }
    schools = {
        pk: (school_id, name, network_id)
        for pk, school_id, name, network_id in School.objects.visible_to(user)
        .filter(district=district)
        .order_by()
        .values_list("pk", "school_id", "name", "network_id")
    }
    networks = dict(
        Network.objects.visible_to(user)
        .filter(district=district)
        .order_by()
        .values_list("pk", "name")
    )
    min_n = {pk: metric.effective_min_n for pk, metric in metrics.items()}
    rows = (
        Measurement.objects.visible_to(user)
        .filter(district=district)
        .order_by("pk")
        .values_list(
            "metric_id",
            "period_end",
            "scope",
            "school_id",
            "network_id",
            "value",
            "n",
            "source",
            "updated_at",
        )
    )
    if metric_code:
        wanted = [pk for pk, metric in metrics.items() if metric.code == metric_code]
        rows = rows.filter(metric_id__in=wanted)

    for (
        metric_id,
        period,
        scope,
        school_pk,
        network_pk,
        value,
        n,
        source,
        at,
    ) in rows.iterator(chunk_size=CHUNK_ROWS):
        school_id, school_name, school_network = schools.get(school_pk, ("", "", None))
        network = networks.get(network_pk or school_network, "")
        suppression = ""
        if is_suppressed(n, min_n[metric_id]):
            if can_see_suppressed:
                suppression = "below_min_n"
            else:
                suppression, value, n = "suppressed", None, None
        yield [
            metrics[metric_id].code,
            period.isoformat(),
            scope,
            school_id,
            school_name,
            network,
            value,
            n,
            suppression,
            source,
            at.isoformat(),
        ]
