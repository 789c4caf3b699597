"""Coverage: whether enough of a metric's population reported for a period to count.

Every stored rollup knows how many units of the metric's population reported against
how many were expected (`goals.rollups`; units are schools, or networks for a district
value rolled up from network values). The rules, decided once here for the pages and
the API alike:

- A period is *partial* when fewer than the coverage threshold (a percent: the
  metric's own, else the district's, 80 by default) of the expected units reported.
  A value entered for the scope itself (an official figure) is never partial, nor is
  a rollup that expects nobody (its coverage is unknown).
- A partial period is never taken silently as the latest value: the headline (latest
  value, change, status) stays on the latest complete period, and a newer partial
  period is shown beside it as *in progress*, with its coverage in words ("17 of 612
  schools reported"). Charts mark partial periods by their shape and in their table.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .rollups import RollupValue


@dataclass(frozen=True)
class Coverage:
    """How many units of the population reported for one value, and whether enough did."""

    reported: int
    expected: int
    from_networks: bool
    is_partial: bool

    @property
    def text(self) -> str:
        """ "17 of 612 schools reported", or "3 of 17 networks reported"."""
        if self.from_networks:
            units = ngettext("network", "networks", self.expected)
        else:
            units = ngettext("school", "schools", self.expected)
        return _("%(reported)s of %(expected)s %(units)s reported") % {
            "reported": f"{self.reported:,}",
            "expected": f"{self.expected:,}",
            "units": units,
        }


def is_partial(item: RollupValue, *, threshold: int) -> bool:
    """Whether fewer than `threshold` percent of the expected units reported for `item`."""
    if item.is_entered or not item.expected:
        return False
    return item.reported * 100 < threshold * item.expected


def stored_complete(rollups):
    """The stored rollups (a Rollup queryset) that are complete: `is_partial` in SQL."""
    threshold = Coalesce(
        F("metric__coverage_threshold"), F("district__coverage_threshold")
    )
    return rollups.alias(
        share=F("reported") * 100, needed=threshold * F("expected")
    ).filter(Q(expected=0) | Q(share__gte=F("needed")))


def coverage_of(item: RollupValue | None, *, threshold: int) -> Coverage | None:
    """The coverage of one value, or None when nobody is expected (or no value)."""
    if item is None or not item.expected:
        return None
    return Coverage(
        reported=item.reported,
        expected=item.expected,
        from_networks=item.from_networks,
        is_partial=is_partial(item, threshold=threshold),
    )


def complete_and_in_progress(
    series: Sequence[RollupValue], *, threshold: int
) -> tuple[tuple[RollupValue, ...], RollupValue | None]:
    """The complete values of a series, and its newest value when that one is partial."""
    complete = tuple(
        item for item in series if not is_partial(item, threshold=threshold)
    )
    newest = series[-1] if series else None
    if newest is not None and is_partial(newest, threshold=threshold):
        return complete, newest
    return complete, None
