"""A meeting's brief: what its scope's data says, computed, then frozen at the start.

The brief of a series' meeting is computed from the data of the series' scope (the
district, a network, or a partnership's shared goals), in this order:

1. metrics, off track and at risk first (statuses of `goals.status`, values as
   everyone may see them: suppressed values stay hidden, since the brief is shared);
2. for a network, its schools with metrics off track or at risk, off track first;
3. what moved since the series' last meeting (each metric's value then and now);
4. updates overdue from the members of the series (`district.due.due_items`);
5. the series' open action items and the decisions waiting.

`build_brief` returns plain JSON-able data: what a page shows before the meeting is
what `start_meeting` stores in `Meeting.brief`, and a started meeting shows only what
was stored. The number of queries does not grow with schools, metrics or items.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from district.due import due_items
from district.models import Network, Person
from goals.dashboards import MetricCard, build_metric_card, metrics_with_details
from goals.display import format_value
from goals.models import Goal, GoalOwner, Metric
from goals.rollups import district_series
from goals.scorecards import (
    build_network_metrics,
    build_network_scorecard,
    severity,
)
from goals.status import Status

from .action_items import items_with_details, with_owners
from .models import (
    ActionItem,
    Meeting,
    MeetingDecision,
    MeetingSeries,
    PartnershipRole,
    SeriesScope,
    TheoryLink,
)

Brief = dict[str, Any]
BRIEF_VERSION = 1


def shared_goals(partnership) -> QuerySet[Goal]:
    """Goals of a partnership: owned by two or more of its roles, or in its theory."""
    roles = PartnershipRole.objects.filter(partnership=partnership).values("role")
    owned = (
        GoalOwner.objects.filter(role__in=roles)
        .values("goal")
        .annotate(owners=Count("role"))
    )
    return Goal.objects.filter(
        Q(pk__in=owned.filter(owners__gte=2).values("goal"))
        | Q(
            pk__in=TheoryLink.objects.filter(
                statement__partnership=partnership, goal__isnull=False
            ).values("goal")
        )
    )


def district_cards(
    *, district, metrics: Sequence[Metric], as_of: datetime.date
) -> list[MetricCard]:
    """District cards of `metrics` as of a date: one rollup query for them all."""
    series = district_series(
        district=district, metric_ids=[m.pk for m in metrics], until=as_of, newest=2
    )
    return [
        build_metric_card(
            metric,
            series.get(metric.pk, ()),
            as_of=as_of,
            can_see_suppressed=False,
            series_label="District",
        )
        for metric in metrics
    ]


def _text(metric: Metric, value) -> str:
    return format_value(value, unit=metric.unit, decimals=metric.decimals)


def _metric_rows(
    district, cards: Iterable[MetricCard], comparisons: dict[int, str]
) -> list[dict]:
    rows = [
        {
            "metric_id": card.metric.pk,
            "name": card.metric.name,
            "status": Status(card.status.status).value,
            "status_label": str(Status(card.status.status).label),
            "value": card.latest.text,
            "period": card.latest_period,
            "expected": card.expected,
            "target": card.target,
            "district_value": comparisons.get(card.metric.pk, ""),
            "url": reverse(
                "goals:metric-detail",
                kwargs={"slug": district.slug, "pk": card.metric.pk},
            ),
        }
        for card in cards
    ]
    rows.sort(key=lambda row: (severity(Status(str(row["status"]))), str(row["name"])))
    return rows


def _movement(
    now: Iterable[MetricCard], then: Iterable[MetricCard]
) -> list[dict[str, Any]]:
    """Metrics whose value changed between two sets of cards (the same metrics)."""
    before = {card.metric.pk: card.status.value for card in then}
    moved = []
    for card in now:
        was, is_ = before.get(card.metric.pk), card.status.value
        if was is None or is_ is None or was == is_:
            continue
        metric = card.metric
        change = is_ - was
        moved.append(
            {
                "metric_id": metric.pk,
                "name": metric.name,
                "was": _text(metric, was),
                "now": _text(metric, is_),
                "change": ("+" if change > 0 else "")
                + format_value(change, unit="", decimals=metric.decimals),
                "is_better": (change > 0) == (metric.direction != "lower_is_better"),
            }
        )
    return moved


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(series_id=meeting.series_id)
        .filter(starts_at__lt=meeting.starts_at)
        .order_by("-starts_at", "-pk")
        .first()
    )


def scope_standing(
    *,
    district,
    scope: str,
    network: Network | None = None,
    partnership=None,
    user,
    as_of: datetime.date,
    since: datetime.date | None,
) -> dict[str, Any]:
    """Metrics (worst first), a network's schools off track first, and movement."""
    schools: list[dict] = []
    if scope == SeriesScope.NETWORK:
        assert network is not None
        scorecard = build_network_scorecard(
            district=district,
            user=user,
            network=network,
            as_of=as_of,
            can_see_suppressed=False,
        )
        cards = [item.card for item in scorecard.metrics]
        comparisons = {
            item.card.metric.pk: item.district.text for item in scorecard.metrics
        }
        schools = [
            {
                "school_id": ranked.school.school_id,
                "name": ranked.school.name,
                "off_track": ranked.off_track,
                "at_risk": ranked.at_risk,
                "off_track_metrics": [
                    cell_metric.name
                    for cell_metric, cell in zip(
                        scorecard.school_metrics, ranked.cells, strict=True
                    )
                    if cell.status.status == Status.OFF_TRACK
                ],
            }
            for ranked in scorecard.schools
            if ranked.off_track or ranked.at_risk
        ]
        then = (
            [
                item.card
                for item in build_network_metrics(
                    district=district,
                    user=user,
                    network=network,
                    as_of=since,
                    can_see_suppressed=False,
                    charts=False,
                )
            ]
            if since
            else []
        )
    else:
        metrics = Metric.objects.visible_to(user).filter(district=district)
        if scope == SeriesScope.PARTNERSHIP:
            metrics = metrics.filter(goal__in=shared_goals(partnership))
        metric_list = list(metrics_with_details(metrics))
        cards = district_cards(district=district, metrics=metric_list, as_of=as_of)
        comparisons = {}
        then = (
            district_cards(district=district, metrics=metric_list, as_of=since)
            if since
            else []
        )
    return {
        "since": since.isoformat() if since else None,
        "metrics": _metric_rows(district, cards, comparisons),
        "schools": schools,
        "changes": _movement(cards, then) if since else [],
    }


def member_user_ids(series: MeetingSeries) -> list[int]:
    """The Lanes accounts of the series' members, and of its network's chief."""
    people = Q(series_memberships__series=series)
    if series.network_id:
        people |= Q(networks_led=series.network_id)
    return list(
        Person.objects.filter(people, user__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
    )


def open_items(series: MeetingSeries, *, on: datetime.date) -> list[dict]:
    """The series' items not done, with who owes them; overdue ones flagged."""
    items = list(
        items_with_details(
            ActionItem.objects.filter(series=series, done_on__isnull=True)
        ).order_by("due_on", "pk")
    )
    return [
        {
            "id": owned.item.pk,
            "title": owned.item.title,
            "owner": owned.owner_label,
            "due": owned.item.due_on.isoformat(),
            "is_overdue": owned.item.due_on < on,
        }
        for owned in with_owners(items)
    ]


def build_brief(*, meeting: Meeting, user, now: datetime.datetime) -> Brief:
    """The brief of `meeting` computed from the data as it is at `now`."""
    series = meeting.series
    today = timezone.localdate(now)
    last = previous_meeting(meeting)
    since = timezone.localdate(last.starts_at) if last else None
    standing = scope_standing(
        district=series.district,
        scope=series.scope,
        network=series.network,
        partnership=series.partnership,
        user=user,
        as_of=today,
        since=since,
    )
    owner_ids = member_user_ids(series)
    overdue = [
        {
            "title": item.title,
            "kind": item.kind,
            "due": item.due.isoformat(),
            "url": item.url,
            "detail": item.detail,
        }
        for item in due_items(
            district_id=series.district_id, today=today, owner_ids=owner_ids
        )
        if item.state(today) == "overdue" and item.kind != "action_item"
    ]
    decisions = [
        {
            "id": decision.pk,
            "statement": decision.statement,
            "raised_on": timezone.localdate(decision.meeting.starts_at).isoformat(),
        }
        for decision in MeetingDecision.objects.filter(
            meeting__series=series, decided_on__isnull=True
        )
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    ]
    scope_label = str(series.network or series.partnership or series.district)
    return {
        "version": BRIEF_VERSION,
        "computed_at": now.isoformat(),
        "as_of": today.isoformat(),
        "scope": series.scope,
        "scope_label": scope_label,
        **standing,
        "overdue": overdue,
        "action_items": open_items(series, on=today),
        "decisions": decisions,
    }


@transaction.atomic
def start_meeting(
    *, meeting: Meeting, acting_user, now: datetime.datetime | None = None
) -> Meeting:
    """Start `meeting`: freeze its brief as the data stand now. Starting twice is a no-op.

    The brief is computed as everyone may see it, whoever starts the meeting. `now`
    is the moment it starts (the clock's by default).
    """
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.started_at is not None:
        return locked
    now = now or timezone.now()
    locked.brief = build_brief(meeting=locked, user=acting_user, now=now)
    locked.started_at = now
    locked._history_user = acting_user
    locked.save(update_fields=["brief", "started_at"])
    return locked
