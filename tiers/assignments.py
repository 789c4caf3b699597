"""Recording schools' tiers: adopting a plan's rules, overriding one school's tier.

Who may place a school: an editor of the district; a network chief (an editor whose
person leads a network and holds no cabinet role, and who is not a district admin)
only the schools of the networks they lead (`schools_in_charge`). Pages, the API and
the admin all write through `adopt_plan` and `override_tier`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from district.bulk_history import insert_history_records
from district.models import AccessLevel, Membership, Network, School
from roles.models import RoleAssignment, RoleKind

from .evaluation import evaluate_plan
from .models import AssignmentSource, Tier, TierAssignment, TierPlan

OVERRIDE_NEEDS_REASON = _("Say why the tier is overridden.")


def led_networks(*, district, user) -> QuerySet[Network]:
    """The networks of `district` whose chief is `user`'s person."""
    return Network.objects.filter(district=district, chief__user=user)


def is_network_chief_only(*, district, user) -> bool:
    """Whether `user` acts in `district` as a network chief and nothing more.

    True for a person leading a network who holds no current cabinet role and is not
    a district admin; their tier and support decisions reach their own schools only.
    """
    if user.is_superuser or not led_networks(district=district, user=user).exists():
        return False
    if Membership.objects.filter(
        district=district, user=user, access_level=AccessLevel.ADMIN
    ).exists():
        return False
    today = timezone.localdate()
    cabinet = RoleAssignment.objects.filter(
        district=district,
        person__user=user,
        role__kind=RoleKind.CABINET,
        started_on__lte=today,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    return not cabinet.exists()


def schools_in_charge(*, district, user) -> QuerySet[School]:
    """The schools of `district` whose tier and supports `user` may decide."""
    schools = School.objects.editable_by(user).filter(district=district)
    if is_network_chief_only(district=district, user=user):
        return schools.filter(network__in=led_networks(district=district, user=user))
    return schools


@transaction.atomic
def adopt_plan(*, plan: TierPlan, acting_user) -> dict[int, int]:
    """Place every school of the district by `plan`'s rules and record it.

    Each school gets a new current assignment for the plan's school year (the rule,
    or the default tier, and why); earlier assignments of that year stay as history.
    A school whose current tier is an override keeps it.
    Only the district's editors who are not network chiefs only may adopt. Returns
    the count of schools per tier id as recorded, overrides included.
    """
    district = plan.district
    if not TierPlan.objects.editable_by(acting_user).filter(pk=plan.pk).exists():
        raise PermissionDenied
    if is_network_chief_only(district=district, user=acting_user):
        raise ValidationError(
            _("Rules are adopted for the whole district, by the CSO or the cabinet.")
        )
    plan = TierPlan.objects.select_for_update().get(pk=plan.pk)
    evaluation = evaluate_plan(plan)
    now = timezone.now()
    current = TierAssignment.objects.filter(
        district=district, school_year=plan.school_year, is_current=True
    )
    # A school's override stands until someone changes it: the rules place the others.
    overridden = set(
        current.filter(source=AssignmentSource.OVERRIDE).values_list(
            "school_id", flat=True
        )
    )
    replaced = list(
        current.exclude(source=AssignmentSource.OVERRIDE).values_list("pk", flat=True)
    )
    TierAssignment.objects.filter(pk__in=replaced).update(is_current=False)
    record(replaced, history_type="~", user=acting_user, reason="tier rules adopted")
    rows = [
        TierAssignment(
            district=district,
            school=placement.school,
            school_year=plan.school_year,
            tier=placement.tier,
            source=AssignmentSource.RULE
            if placement.rule is not None
            else AssignmentSource.DEFAULT,
            rule=placement.rule,
            explanation=placement.explanation,
            assigned_at=now,
            assigned_by=acting_user,
        )
        for placement in evaluation.placements
        if placement.school.pk not in overridden
    ]
    created = TierAssignment.objects.bulk_create(rows, batch_size=500)
    record(
        [row.pk for row in created],
        history_type="+",
        user=acting_user,
        reason="tier rules adopted",
    )
    plan.adopted_at = now
    plan.adopted_by = acting_user
    plan._history_user = acting_user
    plan.save(update_fields=["adopted_at", "adopted_by"])
    recorded = dict(
        TierAssignment.objects.filter(
            district=district, school_year=plan.school_year, is_current=True
        )
        .order_by()
        .values_list("tier_id")
        .annotate(n=Count("pk"))
    )
    return {
        count.tier.pk: recorded.get(count.tier.pk, 0) for count in evaluation.counts
    }


@transaction.atomic
def override_tier(
    *, school: School, school_year: str, tier: Tier, reason: str, acting_user
) -> TierAssignment:
    """Put `school` in `tier` for `school_year`, saying why; the old tier stays as history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": OVERRIDE_NEEDS_REASON})
    if (
        not schools_in_charge(district=school.district, user=acting_user)
        .filter(pk=school.pk)
        .exists()
    ):
        raise ValidationError(
            _("You may change the tier of the schools of your own networks only.")
        )
    # Lock the school's rows of the year: two overrides at once keep one current row.
    list(
        TierAssignment.objects.select_for_update()
        .filter(school=school, school_year=school_year)
        .values_list("pk", flat=True)
    )
    assignment = TierAssignment(
        district=school.district,
        school=school,
        school_year=school_year,
        tier=tier,
        source=AssignmentSource.OVERRIDE,
        reason=reason,
        assigned_by=acting_user,
    )
    assignment.full_clean(exclude=["is_current"], validate_constraints=False)
    replaced = list(
        TierAssignment.objects.filter(
            school=school, school_year=school_year, is_current=True
        ).values_list("pk", flat=True)
    )
    TierAssignment.objects.filter(pk__in=replaced).update(is_current=False)
    record(replaced, history_type="~", user=acting_user, reason="tier overridden")
    assignment._history_user = acting_user
    assignment.save()
    return assignment


def record(pks: list[int], *, history_type: str, user, reason: str) -> None:
    """History records of assignments written in bulk (`district.bulk_history`)."""
    if pks:
        insert_history_records(
            TierAssignment,
            pks,
            history_type=history_type,
            user=user,
            reason=reason,
            date=timezone.now(),
        )


def current_tiers(*, district, school_year: str) -> QuerySet[TierAssignment]:
    """The current assignment of each placed school of `district` in `school_year`."""
    return TierAssignment.objects.filter(
        district=district, school_year=school_year, is_current=True
    ).select_related("tier", "rule")
