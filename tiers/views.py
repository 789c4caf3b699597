"""Pages of tiered support: tiers and their rules, a school's tier and leadership, and
a network's schools by tier with the supports they receive."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from district.models import AccessLevel, Network, Principal, School
from district.permissions import get_district_access_or_404
from goals.status import judged_on

from .allocations import delete_allocation, remaining_on, save_allocation
from .assignments import (
    adopt_plan,
    is_network_chief_only,
    led_networks,
    override_tier,
    schools_in_charge,
)
from .evaluation import evaluate_plan, tier_order
from .forms import AllocationForm, OverrideForm, PlanForm, RuleForm
from .models import (
    Allocation,
    Support,
    Tier,
    TierAssignment,
    TierPlan,
    TierRule,
    validate_school_year,
)
from .network_support import build_network_support, school_year_bounds


def default_year(district) -> str:
    """The newest school year with tier rules, else the school year running today."""
    newest = (
        TierPlan.objects.filter(district=district)
        .order_by("-school_year")
        .values_list("school_year", flat=True)
        .first()
    )
    if newest:
        return newest
    today = timezone.localdate()
    start = today.year if today.month >= 7 else today.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def chosen_year(request, district) -> tuple[str, str]:
    """The school year asked for in ?year= (else the default), and why it was refused."""
    asked = request.GET.get("year", "").strip()
    if asked:
        try:
            validate_school_year(asked)
        except ValidationError as error:
            return default_year(district), error.messages[0]
        return asked, ""
    return default_year(district), ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def overview(request, slug):
    """The district's tiers and what each means, its tier rules by year, its supports."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    form = PlanForm(district=district)
    status = 200
    if request.method == "POST":
        if not access.can_edit:
            return render_refused(request)
        form = PlanForm(request.POST, district=district)
        if form.is_valid():
            form.instance._history_user = request.user
            plan = form.save()
            return redirect("tiers:plan", district.slug, plan.pk)
        status = 400
    plans = (
        TierPlan.objects.visible_to(request.user)
        .filter(district=district)
        .select_related("default_tier")
        .annotate(rule_count=Count("rules"))
    )
    tiers = Tier.objects.filter(district=district)
    supports = remaining_on(
        Support.objects.filter(district=district), timezone.localdate()
    )
    networks = Network.objects.filter(district=district).select_related("chief")
    return render(
        request,
        "tiers/overview.html",
        {
            "district": district,
            "can_edit": access.can_edit,
            "plans": plans,
            "tiers": tiers,
            "supports": supports,
            "networks": networks,
            "my_networks": led_networks(district=district, user=request.user),
            "form": form,
        },
        status=status,
    )


def render_refused(request, message: str = "", status: int = 403):
    return render(
        request,
        "tiers/refused.html",
        {"message": message or _("Your access level does not allow this.")},
        status=status,
    )


def plan_or_404(request, district, pk):
    return get_object_or_404(
        TierPlan.objects.visible_to(request.user)
        .filter(district=district)
        .select_related("default_tier", "adopted_by"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan(request, slug, pk):
    """A school year's rules, a preview of the tiers they give, and adopting them.

    POST adds a rule at the end of the list (editors).
    """
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    tier_plan = plan_or_404(request, district, pk)
    form = RuleForm(plan=tier_plan)
    status = 200
    if request.method == "POST":
        if not access.can_edit:
            return render_refused(request)
        form = RuleForm(request.POST, plan=tier_plan)
        if form.is_valid():
            form.instance._history_user = request.user
            form.save()
            messages.success(
                request, _("Rule added. The preview below shows its effect.")
            )
            return redirect("tiers:plan", district.slug, tier_plan.pk)
        status = 400
    evaluation = evaluate_plan(tier_plan)
    tiers = {count.tier.pk: count.tier for count in evaluation.counts}
    shown_tier = tiers.get(_int(request.GET.get("tier")))
    placements = [
        p for p in evaluation.placements if shown_tier is None or p.tier == shown_tier
    ]
    adopted = dict(
        TierAssignment.objects.filter(
            district=district, school_year=tier_plan.school_year, is_current=True
        )
        .order_by()
        .values_list("tier_id")
        .annotate(n=Count("pk"))
    )
    return render(
        request,
        "tiers/plan.html",
        {
            "district": district,
            "can_edit": access.can_edit,
            "plan": tier_plan,
            "evaluation": evaluation,
            "counts": tier_order(evaluation.counts),
            "adopted": [
                (tier, adopted.get(tier.pk, 0))
                for tier in sorted(tiers.values(), key=lambda t: t.level)
            ],
            "has_adopted": bool(adopted),
            "placements": placements,
            "shown_tier": shown_tier,
            "form": form,
        },
        status=status,
    )


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def rule_delete(request, slug, pk):
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    rule = get_object_or_404(
        TierRule.objects.editable_by(request.user)
        .filter(district=access.district)
        .select_related("plan"),
        pk=pk,
    )
    tier_plan = rule.plan
    rule._history_user = request.user
    rule.delete()
    messages.success(request, _("Rule removed."))
    return redirect("tiers:plan", access.district.slug, tier_plan.pk)


@login_required
@require_POST
def plan_adopt(request, slug, pk):
    """Adopt the rules: record every school's tier for the year."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    tier_plan = plan_or_404(request, access.district, pk)
    try:
        counts = adopt_plan(plan=tier_plan, acting_user=request.user)
    except ValidationError as error:
        return render_refused(request, " ".join(error.messages), status=400)
    tiers = {tier.pk: tier for tier in Tier.objects.filter(district=access.district)}
    summary = ", ".join(
        f"{tiers[pk].name}: {n}"
        for pk, n in sorted(counts.items(), key=lambda item: tiers[item[0]].level)
    )
    messages.success(
        request,
        _("Tier rules for %(year)s adopted. %(summary)s.")
        % {"year": tier_plan.school_year, "summary": summary},
    )
    return redirect("tiers:plan", access.district.slug, tier_plan.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def school(request, slug, pk):
    """A school: its principals over time, its tier by year and why, its supports.

    POST overrides the school's tier for the year shown (the CSO, or the network
    chief of the school's network), with a reason.
    """
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    the_school = get_object_or_404(
        School.objects.visible_to(request.user)
        .filter(district=district)
        .select_related("network__chief"),
        pk=pk,
    )
    school_year, year_error = chosen_year(request, district)
    form = OverrideForm(district=district)
    status = 400 if year_error else 200
    refusal = ""
    if request.method == "POST" and not year_error:
        if not access.can_edit:
            return render_refused(request)
        form = OverrideForm(request.POST, district=district)
        if form.is_valid():
            try:
                override_tier(
                    school=the_school,
                    school_year=school_year,
                    tier=form.cleaned_data["tier"],
                    reason=form.cleaned_data["reason"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                refusal = " ".join(error.messages)
            else:
                messages.success(
                    request,
                    _("%(school)s is now in %(tier)s for %(year)s.")
                    % {
                        "school": the_school.name,
                        "tier": form.cleaned_data["tier"],
                        "year": school_year,
                    },
                )
                return redirect(
                    f"{request.path}?year={school_year}"  # the page of the year changed
                )
        status = 400
    history = TierAssignment.objects.filter(school=the_school).select_related(
        "tier", "rule", "assigned_by"
    )
    current = next(
        (a for a in history if a.is_current and a.school_year == school_year), None
    )
    principals = Principal.objects.filter(school=the_school).select_related("person")
    allocations = Allocation.objects.filter(school=the_school).select_related(
        "support"
    ) | Allocation.objects.filter(
        school_group__members__school=the_school
    ).select_related("support")
    may_override = (
        access.can_edit
        and schools_in_charge(district=district, user=request.user)
        .filter(pk=the_school.pk)
        .exists()
    )
    return render(
        request,
        "tiers/school.html",
        {
            "district": district,
            "school": the_school,
            "school_year": school_year,
            "year_error": year_error,
            "current": current,
            "history": history,
            "principals": principals,
            "today": timezone.localdate(),
            "allocations": allocations.distinct().order_by("-starts_on", "pk"),
            "form": form,
            "refusal": refusal,
            "may_override": may_override,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def network(request, slug, pk):
    """A network's schools by tier: principal, why the tier, supports received; what
    each support has left. POST allocates a support to chosen schools."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    the_network = get_object_or_404(
        Network.objects.visible_to(request.user)
        .filter(district=district)
        .select_related("chief"),
        pk=pk,
    )
    school_year, year_error = chosen_year(request, district)
    tiers = list(Tier.objects.filter(district=district))
    tier = next((t for t in tiers if str(t.pk) == request.GET.get("tier")), None)
    in_charge = schools_in_charge(district=district, user=request.user).filter(
        network=the_network
    )
    may_allocate = access.can_edit and in_charge.exists()
    if tier is not None:
        # The form offers the tier shown: "a coach for three tier-3 schools".
        in_charge = in_charge.filter(
            tier_assignments__school_year=school_year,
            tier_assignments__is_current=True,
            tier_assignments__tier=tier,
        )
    first, last = school_year_bounds(school_year)
    form = AllocationForm(
        district=district,
        schools=in_charge,
        initial={"starts_on": first, "ends_on": last},
    )
    status = 400 if year_error else 200
    refusal = ""
    if request.method == "POST" and not year_error:
        if not may_allocate:
            return render_refused(request)
        form = AllocationForm(request.POST, district=district, schools=in_charge)
        if form.is_valid():
            try:
                with transaction.atomic():
                    made = [
                        save_allocation(allocation=allocation, acting_user=request.user)
                        for allocation in form.allocations()
                    ]
            except ValidationError as error:
                refusal = " ".join(error.messages)
            else:
                messages.success(
                    request,
                    _("%(support)s allocated to %(count)s schools.")
                    % {"support": form.cleaned_data["support"], "count": len(made)},
                )
                kept = f"&tier={tier.pk}" if tier is not None else ""
                return redirect(f"{request.path}?year={school_year}{kept}")
        status = 400
    support = build_network_support(
        network=the_network,
        school_year=school_year,
        day=judged_on(school_year, today=timezone.localdate()),
        tier=tier,
    )
    return render(
        request,
        "tiers/network.html",
        {
            "district": district,
            "network": the_network,
            "school_year": school_year,
            "year_error": year_error,
            "support": support,
            "tiers": tiers,
            "shown_tier": tier,
            "form": form,
            "refusal": refusal,
            "may_allocate": may_allocate,
            "is_chief_only": is_network_chief_only(
                district=district, user=request.user
            ),
        },
        status=status,
    )


@login_required
@require_POST
def allocation_delete(request, slug, pk):
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    allocation = get_object_or_404(
        Allocation.objects.editable_by(request.user).filter(district=access.district),
        pk=pk,
    )
    try:
        delete_allocation(allocation=allocation, acting_user=request.user)
    except (ValidationError, ProtectedError) as error:
        return render_refused(request, " ".join(getattr(error, "messages", [])), 400)
    messages.success(request, _("Allocation removed."))
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("tiers:overview", access.district.slug)
