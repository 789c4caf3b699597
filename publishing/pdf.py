"""A packet's PDF, drawn from its frozen snapshot with WeasyPrint.

The PDF shows exactly what was frozen: goals, metrics, charts and tables are drawn
from `Packet.snapshot`, never from the current data. It has a cover, a table of
contents with page numbers, one section per goal, page numbers on every page, and
PDF/UA tags (headings, tables, figures with their text) for screen readers.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from goals.charts import Chart, SeriesValue, build_chart
from goals.status import Status, Trajectory, TrajectoryPoint

from .models import Packet

STYLESHEET = "css/packet.css"


def snapshot_chart(metric: dict, *, as_of: datetime.date) -> Chart | None:
    """The trend chart of one metric of a snapshot, drawn from its frozen numbers."""
    if not metric["trajectory"]:
        return None
    trajectory = Trajectory(
        points=tuple(
            TrajectoryPoint(
                on=datetime.date.fromisoformat(p["on"]),
                value=Decimal(p["value"]),
                kind=p["kind"],
            )
            for p in metric["trajectory"]
        )
    )
    series = [
        SeriesValue(
            on=datetime.date.fromisoformat(s["on"]),
            value=None if s["value"] is None else Decimal(s["value"]),
            text=s["text"],
            partial_note=s["partial"],
        )
        for s in metric["series"]
    ]
    return build_chart(
        metric=SimpleNamespace(
            name=metric["name"], unit=metric["unit"], decimals=metric["decimals"]
        ),
        trajectory=trajectory,
        series=series,
        series_label=_("District"),
        as_of=as_of,
        size="large",
    )


def packet_html(packet: Packet) -> str:
    """The packet as one HTML document, ready for WeasyPrint."""
    snapshot = packet.snapshot
    as_of = datetime.date.fromisoformat(snapshot["as_of"])
    labels = {status.value: str(status.label) for status in Status}
    goals = [
        {
            **goal,
            "status_label": labels[goal["status"]],
            "metrics": [
                {
                    **metric,
                    "status_label": labels[metric["status"]],
                    "chart": snapshot_chart(metric, as_of=as_of),
                    "networks": [
                        {**row, "status_label": labels[row["status"]]}
                        for row in metric["networks"]
                    ],
                }
                for metric in goal["metrics"]
            ],
        }
        for goal in snapshot["goals"]
    ]
    return render_to_string(
        "publishing/packet_pdf.html",
        {"packet": packet, "snapshot": snapshot, "goals": goals},
    )


def render_pdf(packet: Packet) -> tuple[bytes, int]:
    """The packet's PDF and its number of pages."""
    import weasyprint  # loads Pango: only where a PDF is made

    stylesheet = finders.find(STYLESHEET)
    document = weasyprint.HTML(string=packet_html(packet), base_url=None).render(
        stylesheets=[weasyprint.CSS(filename=stylesheet)], pdf_tags=True
    )
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    return pdf, len(document.pages)
