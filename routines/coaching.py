"""The weekly coaching pack of one network: for the CSO and the network's chief.

Per network and ISO week: the network's metrics against the district and the target,
its schools off track first, what moved since the last coaching conversation (the
latest meeting of a series of that network before the week ends), the open
commitments (action items of the network's series or linked to the network) and the
notes of the last conversation. The data are judged as of the week's last day, or
today while the week runs.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from district.models import Network

from .action_items import OwnedItem, items_with_details, with_owners
from .briefs import scope_standing
from .models import ActionItem, Meeting, SeriesScope


def week_bounds(year: int, week: int) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of ISO week `week` of `year` (ValueError when there is none)."""
    monday = datetime.date.fromisocalendar(year, week, 1)
    return monday, monday + datetime.timedelta(days=6)


def parse_week(text: str) -> tuple[int, int]:
    """ "2026-W49" as (2026, 49); ValueError for anything else or a week that is not."""
    year_text, sep, week_text = text.partition("-W")
    if not sep or not year_text.isdigit() or not week_text.isdigit():
        raise ValueError(text)
    year, week = int(year_text), int(week_text)
    week_bounds(year, week)
    return year, week


@dataclass(frozen=True)
class CoachingPack:
    network: Network
    week: str  # "2026-W49"
    monday: datetime.date
    sunday: datetime.date
    as_of: datetime.date
    last_conversation: Meeting | None
    standing: dict[str, Any]  # metrics, schools, changes: as in a meeting's brief
    commitments: tuple[OwnedItem, ...]


def build_coaching_pack(
    *, network: Network, user, year: int, week: int, today: datetime.date
) -> CoachingPack:
    monday, sunday = week_bounds(year, week)
    as_of = min(sunday, today)
    last = (
        Meeting.objects.filter(
            series__scope=SeriesScope.NETWORK,
            series__network=network,
            starts_at__lt=timezone.make_aware(
                datetime.datetime.combine(monday, datetime.time.min)
            ),
        )
        .select_related("series")
        .order_by("-starts_at", "-pk")
        .first()
    )
    since = timezone.localdate(last.starts_at) if last else None
    standing = scope_standing(
        district=network.district,
        scope=SeriesScope.NETWORK,
        network=network,
        user=user,
        as_of=as_of,
        since=since,
    )
    items = list(
        items_with_details(
            ActionItem.objects.filter(
                Q(series__network=network) | Q(network=network),
                done_on__isnull=True,
            )
        ).order_by("due_on", "pk")
    )
    return CoachingPack(
        network=network,
        week=f"{year}-W{week:02d}",
        monday=monday,
        sunday=sunday,
        as_of=as_of,
        last_conversation=last,
        standing=standing,
        commitments=tuple(with_owners(items)),
    )
