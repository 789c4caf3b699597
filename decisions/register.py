"""The register of approved tools: every approved decision of a tool kind, with its
conditions, privacy status, approval date and next review; as a page, a CSV file and,
where the district publishes it, a public page without staff names."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from district.models import District

from .models import APPROVED_STATES, Decision


def approved_tools(district: District) -> QuerySet[Decision]:
    """The district's approved tools, by product name."""
    return (
        Decision.objects.filter(
            district=district, kind__is_tool=True, state__in=APPROVED_STATES
        )
        .select_related("kind")
        .order_by("product", "title", "pk")
    )


HEADER = [
    "Product",
    "Vendor",
    "Kind",
    "Conditions",
    "Privacy status",
    "Approved on",
    "Review on",
]


def register_rows(tools: QuerySet[Decision]) -> Iterator[list]:
    """One CSV row per approved tool (no names of people)."""
    for tool in tools.iterator(chunk_size=500):
        yield [
            tool.product or tool.title,
            tool.vendor,
            tool.kind.name,
            tool.conditions or _("none"),
            tool.get_privacy_status_display(),
            tool.decided_on.isoformat() if tool.decided_on else "",
            tool.review_on.isoformat() if tool.review_on else "",
        ]
