"""Board packets: what the board saw, frozen when issued, and what changed since.

`packet_content` reads the chosen goals as they stand (their published-or-not
metrics alike: the board sees every measure of its goal area) with the public
suppression rule, into plain JSON. `issue_packet` freezes that JSON with its SHA-256
hash, who issued it and when, and queues its PDF. `changes_since` builds the same
content again and lists what differs: values revised, statuses moved, values added
or gone, so a later revision of the data is visible rather than silent.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from district.models import District, Network
from goals.dashboards import (
    build_goal_cards,
    goals_with_details,
    metrics_with_details,
    school_years,
    series_values,
)
from goals.models import Goal, Metric
from goals.populations import population_counts
from goals.rollups import district_series, network_series
from goals.scorecards import rollup_row
from goals.status import Status, judged_on
from goals.targets import choose_target, metric_targets
from goals.views import natural_key

from .models import Packet, PacketRender, Publication
from .public import owner_names, with_public_min_n
from .tasks import render_packet


def goal_area(goal: Goal) -> list[Goal]:
    """A goal area: the goal and its subgoals, in the dashboard's order."""
    return list(
        Goal.objects.filter(district_id=goal.district_id)
        .filter(Q(pk=goal.pk) | Q(parent=goal))
        .order_by("sort_order", "statement", "pk")
    )


def content_hash(content: dict) -> str:
    """The SHA-256 of `content` as canonical JSON: UTF-8, sorted keys, no spaces."""
    text = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _text(value) -> str | None:
    return None if value is None else str(value)


def packet_content(
    *,
    district: District,
    goal_ids: Sequence[int],
    school_year: str,
    as_of: datetime.date,
) -> dict[str, Any]:
    """The chosen goals of `district` for `school_year`, judged as of `as_of`, as
    plain JSON.

    A fixed number of queries whatever the number of goals, metrics and networks.
    """
    metrics = metrics_with_details(Metric.objects.filter(district=district))
    goals = list(
        goals_with_details(
            Goal.objects.filter(district=district, pk__in=goal_ids), metrics
        )
    )
    all_metrics = [m for g in goals for m in g.metrics.all()]
    with_public_min_n(all_metrics, district)
    metric_ids = [m.pk for m in all_metrics]
    by_metric = district_series(district=district, metric_ids=metric_ids, until=as_of)
    by_network = network_series(district=district, metric_ids=metric_ids, until=as_of)
    counts = population_counts(district.pk, all_metrics)
    networks = sorted(
        Network.objects.filter(district=district),
        key=lambda n: (not n.is_geographic, natural_key(n.name)),
    )
    publication = Publication.objects.filter(district=district).first()
    owners = owner_names(
        district,
        goals,
        shows_staff_names=bool(publication and publication.shows_staff_names),
    )
    cards = build_goal_cards(
        goals,
        by_metric,
        as_of=as_of,
        can_see_suppressed=False,
        series_label=_("District"),
    )
    content_goals = []
    for goal_card in cards:
        goal = goal_card.goal
        content_metrics = []
        for card in goal_card.metrics:
            metric = card.metric
            targets = metric_targets(metric)
            rows = [
                rollup_row(
                    network,
                    by_network.get((metric.pk, network.pk), ()),
                    metric=metric,
                    target=choose_target(targets, network_id=network.pk),
                    as_of=as_of,
                    can_see=False,
                    applicable=bool(counts.get((metric.pk, network.pk))),
                )
                for network in networks
            ]
            series = series_values(
                by_metric.get(metric.pk, ()), metric=metric, can_see_suppressed=False
            )
            content_metrics.append(
                {
                    "id": metric.pk,
                    "code": metric.code,
                    "name": metric.name,
                    "description": metric.description,
                    "unit": metric.unit,
                    "decimals": metric.decimals,
                    "min_n": metric.min_n,
                    "status": card.status.status.value,
                    "latest": card.latest.text,
                    "latest_value": _text(card.latest.value),
                    "latest_period": card.latest_period,
                    "expected": card.expected,
                    "baseline": card.baseline,
                    "target": card.target,
                    "change": card.change,
                    "owners": list(owners.get(("metric", metric.pk), ())),
                    "trajectory": [
                        {"on": p.on.isoformat(), "value": str(p.value), "kind": p.kind}
                        for p in card.applied_target.trajectory.points
                    ],
                    "series": [
                        {
                            "on": s.on.isoformat(),
                            "value": _text(s.value),
                            "text": s.text,
                            "partial": s.partial_note,
                        }
                        for s in series
                    ],
                    "networks": [
                        {
                            "id": row.place.pk,
                            "name": row.place.name,
                            "latest": row.latest.text,
                            "period": row.period,
                            "change": row.change,
                            "status": row.status.status.value,
                        }
                        for row in rows
                        if row.status.status != Status.NOT_APPLICABLE
                    ],
                }
            )
        content_goals.append(
            {
                "id": goal.pk,
                "statement": goal.statement,
                "description": goal.description,
                "status": goal_card.status.value,
                "owners": list(owners.get(("goal", goal.pk), ())),
                "metrics": content_metrics,
            }
        )
    return {
        "district": {"name": district.name, "slug": district.slug},
        "school_year": school_year,
        "as_of": as_of.isoformat(),
        "public_min_n": district.effective_public_min_n,
        "goals": content_goals,
    }


def chosen_goals(
    district: District, *, goals: Iterable[Goal], area: Goal | None
) -> list[Goal]:
    """The goals a packet covers: those chosen, and the goal area's, without repeats."""
    chosen = {goal.pk: goal for goal in goals}
    if area is not None:
        chosen |= {goal.pk: goal for goal in goal_area(area)}
    foreign = [g for g in chosen.values() if g.district_id != district.pk]
    if foreign:
        raise ValidationError(_("Every goal must belong to the packet's district."))
    if not chosen:
        raise ValidationError(_("Choose at least one goal or a goal area."))
    return sorted(chosen.values(), key=lambda g: (g.sort_order, g.statement, g.pk))


@transaction.atomic
def issue_packet(
    *,
    district: District,
    goals: Iterable[Goal],
    area: Goal | None = None,
    school_year: str,
    title: str,
    commentary: str,
    acting_user: AbstractBaseUser | None,
    queue: bool = True,
) -> Packet:
    """Freeze the chosen goals as they stand into a packet and queue its PDF.

    The task starts once the packet is committed (`transaction.on_commit`); with
    `queue=False` the caller renders it (`publishing.tasks.render_packet_now`).
    """
    years = school_years(district)
    if school_year not in years:
        raise ValidationError(
            {
                "school_year": _(
                    "Choose one of the school years with values: %(years)s."
                )
                % {"years": ", ".join(years)}
            }
        )
    chosen = chosen_goals(district, goals=goals, area=area)
    as_of = judged_on(school_year, today=timezone.localdate())
    content = packet_content(
        district=district,
        goal_ids=[g.pk for g in chosen],
        school_year=school_year,
        as_of=as_of,
    )
    packet = Packet(
        district=district,
        title=title.strip() or _("Board packet"),
        school_year=school_year,
        as_of=as_of,
        commentary=commentary,
        snapshot=content,
        content_hash=content_hash(content),
        issued_by_id=acting_user.pk
        if acting_user and acting_user.is_authenticated
        else None,
    )
    packet._history_user = acting_user
    packet.full_clean()
    packet.save()
    PacketRender.objects.create(packet=packet)
    if queue:
        transaction.on_commit(lambda: render_packet.enqueue(packet.pk))
    return packet


def render_of(packet: Packet) -> PacketRender:
    """The packet's PDF and its progress.

    Backups keep packets (their snapshots) but not their PDFs: a restored packet
    gets its PDF queued again, drawn from the same snapshot.
    """
    try:
        return packet.render
    except PacketRender.DoesNotExist:
        render, created = PacketRender.objects.get_or_create(packet=packet)
        if created:
            transaction.on_commit(lambda: render_packet.enqueue(packet.pk))
        packet.render = render
        return render


@dataclass(frozen=True)
class Change:
    """One difference between what the board saw and the same packet built now."""

    subject: str  # the goal, metric or "metric: network" it concerns
    what: str
    before: str
    after: str


def _by_id(items: Iterable[dict]) -> dict[int, dict]:
    return {item["id"]: item for item in items}


def compare_content(before: dict, after: dict) -> list[Change]:
    """What differs between two packet contents: values, statuses, rows added or gone."""
    changes: list[Change] = []
    status_label = dict(_status_labels())
    new_goals = _by_id(after["goals"])
    for goal in before["goals"]:
        current = new_goals.get(goal["id"])
        if current is None:
            changes.append(Change(goal["statement"], _("Goal"), _("shown"), _("gone")))
            continue
        if goal["status"] != current["status"]:
            changes.append(
                Change(
                    goal["statement"],
                    _("Goal status"),
                    status_label[goal["status"]],
                    status_label[current["status"]],
                )
            )
        new_metrics = _by_id(current["metrics"])
        for metric in goal["metrics"]:
            now = new_metrics.get(metric["id"])
            if now is None:
                changes.append(
                    Change(metric["name"], _("Metric"), _("shown"), _("gone"))
                )
                continue
            changes.extend(_metric_changes(metric, now, status_label))
        for metric in current["metrics"]:
            if metric["id"] not in _by_id(goal["metrics"]):
                changes.append(
                    Change(metric["name"], _("Metric"), _("absent"), _("added"))
                )
    return changes


def _metric_changes(before: dict, after: dict, status_label) -> list[Change]:
    name = before["name"]
    changes = []
    if before["status"] != after["status"]:
        changes.append(
            Change(
                name,
                _("Status"),
                status_label[before["status"]],
                status_label[after["status"]],
            )
        )
    old_series = {s["on"]: s for s in before["series"]}
    new_series = {s["on"]: s for s in after["series"]}
    for on in sorted(old_series.keys() | new_series.keys()):
        old, new = old_series.get(on), new_series.get(on)
        old_text = old["text"] if old else _("no value")
        new_text = new["text"] if new else _("no value")
        if old_text != new_text:
            changes.append(
                Change(
                    name,
                    _("Value for the period ending %(on)s") % {"on": on},
                    old_text,
                    new_text,
                )
            )
    new_networks = _by_id(after["networks"])
    for row in before["networks"]:
        now = new_networks.get(row["id"])
        subject = f"{name}: {row['name']}"
        if now is None:
            changes.append(Change(subject, _("Network"), _("shown"), _("gone")))
            continue
        if row["latest"] != now["latest"]:
            changes.append(
                Change(subject, _("Latest value"), row["latest"], now["latest"])
            )
        if row["status"] != now["status"]:
            changes.append(
                Change(
                    subject,
                    _("Status"),
                    status_label[row["status"]],
                    status_label[now["status"]],
                )
            )
    return changes


def _status_labels():
    return [(status.value, str(status.label)) for status in Status]


def current_content(packet: Packet) -> dict[str, Any]:
    """The packet's goals built again now, for the same school year and date."""
    return packet_content(
        district=packet.district,
        goal_ids=[goal["id"] for goal in packet.snapshot["goals"]],
        school_year=packet.school_year,
        as_of=packet.as_of,
    )


def changes_since(packet: Packet) -> list[Change]:
    """What changed in the packet's data since it was issued."""
    return compare_content(packet.snapshot, current_content(packet))


def packets_of(district: District) -> QuerySet[Packet]:
    return (
        Packet.objects.filter(district=district)
        .select_related("issued_by", "render")
        .defer("snapshot")
    )
