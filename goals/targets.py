"""Which target judges a value: the district's, a network's or a school group's.

A target (baseline, interim targets, final target) belongs to the district, to one
network or to one named school group. The district's baseline and final target are the
metric's own fields, its interim targets `Target` rows without a network or group.

A network or school group *has a target* for a metric when at least one `Target` row
of the metric names it. Its trajectory runs from its own baseline (else the metric's),
through its own interim targets only (never the district's), to its own final target
(else the metric's).

Which target applies (`choose_target`, the one place of this rule):

- the district is judged against the district's target;
- a network against its own target, else the district's;
- a school against the target of a school group it belongs to, else its network's,
  else the district's. A school in several groups with a target for the metric takes
  the group first by name.

How a value compares with the trajectory (expected value, status) stays in
`goals.status`.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from district.models import SchoolGroupMember

from .display import value_formatter
from .models import Direction, Target, TargetKind
from .status import Trajectory, build_trajectory, trajectory_of


class TargetScope(models.TextChoices):
    """Whose target judges a value; the labels are what pages show beside it."""

    DISTRICT = "district", _("District target")
    NETWORK = "network", _("Network target")
    SCHOOL_GROUP = "school_group", _("School group target")


@dataclass(frozen=True)
class AppliedTarget:
    """The trajectory a value is judged against, and whose target it is."""

    scope: TargetScope
    trajectory: Trajectory
    name: str = ""  # the network's or school group's name; empty for the district
    scope_id: int | None = None

    @property
    def label(self) -> str:
        """What a page shows beside the expected value: "Network target"."""
        return str(self.scope.label)

    @property
    def description(self) -> str:
        """The label with whose target it is: "School group target (Tier 1)"."""
        return f"{self.label} ({self.name})" if self.name else self.label


@dataclass(frozen=True)
class MetricTargets:
    """One metric's targets: the district's and each network's and school group's."""

    district: AppliedTarget
    networks: dict[int, AppliedTarget] = field(default_factory=dict)
    school_groups: dict[int, AppliedTarget] = field(default_factory=dict)


def metric_targets(metric) -> MetricTargets:
    """Every scope's trajectory of `metric`, from its prefetched `targets`.

    `goals.dashboards.metrics_with_details` prefetches the targets of all metrics in
    one query, so no page reads targets per network or per school.
    """
    by_network: dict[int, list[Target]] = {}
    by_group: dict[int, list[Target]] = {}
    for target in metric.targets.all():
        if target.network_id is not None:
            by_network.setdefault(target.network_id, []).append(target)
        elif target.school_group_id is not None:
            by_group.setdefault(target.school_group_id, []).append(target)

    def applied(scope: TargetScope, scope_id: int, rows: list[Target]) -> AppliedTarget:
        points: dict[str, list[Target]] = {kind: [] for kind in TargetKind}
        for row in rows:
            points[row.kind].append(row)
        baseline = points[TargetKind.BASELINE][:1]
        final = points[TargetKind.FINAL][:1]
        trajectory = build_trajectory(
            baseline_on=baseline[0].due_on if baseline else metric.baseline_on,
            baseline_value=baseline[0].value if baseline else metric.baseline_value,
            target_on=final[0].due_on if final else metric.target_on,
            target_value=final[0].value if final else metric.target_value,
            interim=[(row.due_on, row.value) for row in points[TargetKind.INTERIM]],
        )
        owner = rows[0].network or rows[0].school_group
        return AppliedTarget(
            scope=scope,
            trajectory=trajectory,
            name=owner.name if owner is not None else "",
            scope_id=scope_id,
        )

    # The district's own interim targets are read by `trajectory_of`.
    district = AppliedTarget(
        scope=TargetScope.DISTRICT, trajectory=trajectory_of(metric)
    )
    networks = {
        network_id: applied(TargetScope.NETWORK, network_id, rows)
        for network_id, rows in by_network.items()
    }
    groups = {
        group_id: applied(TargetScope.SCHOOL_GROUP, group_id, rows)
        for group_id, rows in by_group.items()
    }
    return MetricTargets(district=district, networks=networks, school_groups=groups)


def choose_target(
    targets: MetricTargets,
    *,
    network_id: int | None = None,
    school_group_ids: Iterable[int] = (),
) -> AppliedTarget:
    """The target that judges a value of a school, a network or the district.

    For the district pass nothing; for a network its id; for a school its network's
    id and the ids of the school groups it belongs to. The precedence is in this
    module's docstring.
    """
    groups = [
        targets.school_groups[group_id]
        for group_id in school_group_ids
        if group_id in targets.school_groups
    ]
    if groups:
        return min(groups, key=lambda target: (target.name, target.scope_id))
    if network_id is not None and network_id in targets.networks:
        return targets.networks[network_id]
    return targets.district


def school_group_ids(*, district, network_id: int) -> dict[int, tuple[int, ...]]:
    """The school groups of a network's schools: school id -> group ids (one query)."""
    members = SchoolGroupMember.objects.filter(
        district=district, school__network_id=network_id
    )
    groups: dict[int, list[int]] = {}
    for school_id, group_id in members.values_list("school_id", "group_id"):
        groups.setdefault(school_id, []).append(group_id)
    return {school_id: tuple(ids) for school_id, ids in groups.items()}


@dataclass(frozen=True)
class TargetRow:
    """A point of some scope's trajectory, as the metric's target table lists it."""

    scope: str  # "District", "Network: Network 3", "School group: Tier 1"
    kind: str
    on: str
    value: str
    target: Target | None  # None: the metric's own baseline or final target


def target_rows(metric) -> tuple[TargetRow, ...]:
    """Every target point of `metric`, the district's first, then by scope and date.

    The district's baseline and final target are the metric's own fields; the other
    rows come from the prefetched `targets`.
    """
    text = value_formatter(unit=metric.unit, decimals=metric.decimals)
    district = str(_("District"))
    rows = [
        (
            (0, "", metric.baseline_on),
            TargetRow(
                district,
                str(TargetKind.BASELINE.label),
                metric.baseline_on.isoformat(),
                text(metric.baseline_value),
                None,
            ),
        ),
        (
            (0, "", metric.target_on),
            TargetRow(
                district,
                str(TargetKind.FINAL.label),
                metric.target_on.isoformat(),
                text(metric.target_value),
                None,
            ),
        ),
    ]
    for target in metric.targets.all():
        if target.network_id is not None:
            order, scope = 1, _("Network: %(name)s") % {"name": target.network.name}
        elif target.school_group_id is not None:
            order = 2
            scope = _("School group: %(name)s") % {"name": target.school_group.name}
        else:
            order, scope = 0, district
        rows.append(
            (
                (order, str(scope), target.due_on),
                TargetRow(
                    str(scope),
                    str(target.get_kind_display()),
                    target.due_on.isoformat(),
                    text(target.value),
                    target,
                ),
            )
        )
    return tuple(row for _key, row in sorted(rows, key=lambda item: item[0]))


def is_eased(
    *,
    direction: str,
    before: tuple[Decimal, datetime.date],
    after: tuple[Decimal, datetime.date],
) -> bool:
    """Whether a target moved from `before` to `after` (value, date) asks for less.

    Less ambitious: a lower value where higher is better, a higher one where lower
    is better; or the same value by a later date.
    """
    (old_value, old_on), (new_value, new_on) = before, after
    if old_value is None or new_value is None:
        return False
    if direction == Direction.LOWER_IS_BETTER:
        less = Decimal(new_value) > Decimal(old_value)
    else:
        less = Decimal(new_value) < Decimal(old_value)
    later = old_on is not None and new_on is not None and new_on > old_on
    return less or later


def refuse_unexplained_easing(
    *,
    direction: str,
    before: tuple,
    after: tuple,
    stored_reason: str,
    reason: str,
    field: str,
) -> None:
    """Raise ValidationError when a target is eased without a new reason.

    The one rule for eased targets (district interims, network and school group
    targets, and the metric's own final target). The reason stays with the target
    and in its history; the next easing needs a reason of its own.
    """
    if not is_eased(direction=direction, before=before, after=after):
        return
    if not (reason or "").strip() or reason.strip() == (stored_reason or "").strip():
        raise ValidationError(
            {
                field: _(
                    "This makes the target less ambitious (a value further from "
                    "the goal or a later date): say why."
                )
            },
            code="eased_without_reason",
        )
