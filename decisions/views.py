"""Pages of two-key decisions: the list, a decision with its keys and history, the
forms that move it through `decisions.workflow`, the cabinet's page of open decisions,
the register of approved tools (also as CSV, and public where the district says so)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from district.exports import attachment, stream_csv
from district.models import AccessLevel, District
from district.permissions import DistrictAccess, get_district_access_or_404

from . import register as register_module
from .forms import DecisionForm, PolicyForm, ReasonForm, ReviewForm, SubmitForm
from .keys import holders
from .models import Decision, DecisionPolicy, DecisionState, Review
from .timing import decision_waited, open_decisions, review_waited
from .workflow import (
    DRAFT_FIELDS,
    REGISTER_FIELDS,
    create_decision,
    plan_keys,
    policy_of,
    record_review,
    reopen_decision,
    submit_decision,
    update_decision,
    withdraw_decision,
)


def _decision_or_404(access: DistrictAccess, pk) -> Decision:
    return get_object_or_404(
        Decision.objects.filter(district=access.district).select_related(
            "district", "kind", "responsibility", "goal", "requested_by"
        ),
        pk=pk,
    )


def _refusal_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_GET
def decision_list(request, slug):
    """Every decision of the district, newest first, filtered by state."""
    access = get_district_access_or_404(request.user, slug)
    state = request.GET.get("state", "")
    decisions = Decision.objects.filter(district=access.district).select_related(
        "kind", "requested_by"
    )
    if state in DecisionState.values:
        decisions = decisions.filter(state=state)
    else:
        state = ""
    today = timezone.localdate()
    rows = [
        (decision, decision_waited(decision, today=today))
        for decision in decisions.order_by("-pk")[:500]
    ]
    return render(
        request,
        "decisions/list.html",
        {
            "district": access.district,
            "can_edit": access.can_edit,
            "rows": rows,
            "states": DecisionState.choices,
            "state": state,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request, slug):
    """File a request (a draft) on someone's behalf."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    district = access.district
    form = DecisionForm(request.POST or None, district=district)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                decision = create_decision(
                    district=district,
                    acting_user=request.user,
                    **{
                        name: form.cleaned_data[name]
                        for name in (*DRAFT_FIELDS, "privacy_status")
                    },
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Saved “%s” as a draft. Send it for review when it is ready.")
                    % decision.title,
                )
                return redirect(decision)
        status = 400
    return render(
        request,
        "decisions/form.html",
        {"district": district, "form": form, "decision": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request, slug, pk):
    """Change a draft's request, or a decided tool's privacy status."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    decision = _decision_or_404(access, pk)
    form = DecisionForm(
        request.POST or None, instance=decision, district=decision.district
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = (
                DRAFT_FIELDS + REGISTER_FIELDS
                if decision.is_editable
                else REGISTER_FIELDS
            )
            changes = {
                name: form.cleaned_data[name]
                for name in fields
                if name in form.cleaned_data
            }
            try:
                update_decision(
                    decision=Decision.objects.get(pk=decision.pk),
                    acting_user=request.user,
                    changes=changes,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(decision)
        status = 400
    return render(
        request,
        "decisions/form.html",
        {"district": decision.district, "form": form, "decision": decision},
        status=status,
    )


def _detail_context(request, access: DistrictAccess, decision: Decision) -> dict:
    today = timezone.localdate()
    reviews = list(
        decision.reviews.filter(round=decision.round)
        .select_related("role", "reviewed_by")
        .prefetch_related("checks")
    )
    held = holders({review.role_id for review in reviews}, on=today)
    keys = []
    for review in reviews:
        people = held.get(review.role_id, [])
        is_mine = any(person.user_id == request.user.pk for person in people)
        form = None
        if is_mine and review.is_pending and decision.is_open and access.can_edit:
            form = ReviewForm(review=review, prefix=f"review-{review.pk}")
        keys.append(
            {
                "review": review,
                "holders": people,
                "waited": review_waited(review, decision, today=today),
                "form": form,
            }
        )
    declined = next((r for r in reviews if r.verdict == "decline"), None)
    return {
        "district": access.district,
        "can_edit": access.can_edit,
        "decision": decision,
        "keys": keys,
        "plans": plan_keys(decision, on=today) if decision.is_editable else [],
        "declined": declined if decision.state == DecisionState.DECLINED else None,
        "waited": decision_waited(decision, today=today),
        "policy": policy_of(access.district),
        "transitions": decision.transitions.select_related("actor").order_by(
            "-at", "-pk"
        ),
        "submit_form": SubmitForm(),
        "reason_form": ReasonForm(),
        "may_submit": decision.state in (DecisionState.DRAFT, DecisionState.REOPENED),
        "may_withdraw": decision.state
        in (DecisionState.DRAFT, DecisionState.IN_REVIEW, DecisionState.REOPENED),
        "may_reopen": decision.state
        in (
            DecisionState.APPROVED,
            DecisionState.APPROVED_WITH_CONDITIONS,
            DecisionState.DECLINED,
            DecisionState.WITHDRAWN,
        ),
    }


@login_required
@require_GET
def decision_detail(request, slug, pk):
    """A decision: its request, its keys and their reviews, and its history."""
    access = get_district_access_or_404(request.user, slug)
    decision = _decision_or_404(access, pk)
    return render(
        request, "decisions/detail.html", _detail_context(request, access, decision)
    )


def _transition(request, slug, pk, action, form_class):
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    decision = _decision_or_404(access, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(decision)
    try:
        action(
            decision=decision,
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _refusal_messages(request, error)
        context = _detail_context(request, access, decision)
        return render(request, "decisions/detail.html", context, status=409)
    messages.success(
        request,
        _("Done: “%s” is now %s.")
        % (
            decision.title,
            Decision.objects.get(pk=decision.pk).get_state_display().lower(),
        ),
    )
    return redirect(decision)


@login_required
@require_POST
def decision_submit(request, slug, pk):
    """Send a draft for review: its keys are taken from the matrix row now."""
    return _transition(request, slug, pk, submit_decision, SubmitForm)


@login_required
@require_POST
def decision_withdraw(request, slug, pk):
    return _transition(request, slug, pk, withdraw_decision, ReasonForm)


@login_required
@require_POST
def decision_reopen(request, slug, pk):
    return _transition(request, slug, pk, reopen_decision, ReasonForm)


@login_required
@require_POST
def review_record(request, slug, pk):
    """A role holder's checklist and verdict on one key."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    review = get_object_or_404(
        Review.objects.filter(district=access.district).select_related(
            "decision", "role"
        ),
        pk=pk,
    )
    decision = review.decision
    form = ReviewForm(request.POST, review=review, prefix=f"review-{review.pk}")
    error = None
    if form.is_valid():
        try:
            record_review(
                review=review,
                acting_user=request.user,
                verdict=form.cleaned_data["verdict"],
                rationale=form.cleaned_data["rationale"],
                conditions=form.cleaned_data["conditions"],
                checks=form.answers(),
            )
        except ValidationError as refused:
            error = refused
        else:
            decision.refresh_from_db()
            messages.success(
                request,
                _("Your %(role)s review is recorded; the decision is %(state)s.")
                % {
                    "role": review.role.code,
                    "state": decision.get_state_display().lower(),
                },
            )
            return redirect(decision)
    status = 400
    if error is not None:
        _refusal_messages(request, error)
        status = REFUSAL_STATUS.get(getattr(error, "code", None), 400)
    context = _detail_context(request, access, _decision_or_404(access, decision.pk))
    for key in context["keys"]:
        if key["review"].pk == review.pk and key["form"] is not None:
            key["form"] = form
    return render(request, "decisions/detail.html", context, status=status)


# A refused review: not the key's holder (403), or no longer open to review (409).
REFUSAL_STATUS = {"not_holder": 403, "state": 409, "given": 409}


@login_required
@require_GET
def open_list(request, slug):
    """The cabinet's page: decisions in review by age, each key's wait and holder."""
    access = get_district_access_or_404(request.user, slug)
    policy, rows = open_decisions(access.district, today=timezone.localdate())
    return render(
        request,
        "decisions/open.html",
        {"district": access.district, "policy": policy, "rows": rows},
    )


@login_required
@require_GET
def register(request, slug):
    """The register of approved tools."""
    access = get_district_access_or_404(request.user, slug)
    return render(
        request,
        "decisions/register.html",
        {
            "district": access.district,
            "tools": register_module.approved_tools(access.district),
            "policy": policy_of(access.district),
            "is_admin": access.is_admin,
        },
    )


@login_required
@require_GET
def register_csv(request, slug):
    """The register of approved tools as a CSV file."""
    access = get_district_access_or_404(request.user, slug)
    tools = register_module.approved_tools(access.district)
    response = StreamingHttpResponse(
        stream_csv(
            register_module.HEADER,
            register_module.register_rows(tools),
            chunk_rows=500,
        ),
        content_type="text/csv; charset=utf-8",
    )
    return attachment(response, f"{access.district.slug}-approved-tools.csv")


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, slug):
    """The district's target for reviews, review interval and public register."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.ADMIN)
    district = access.district
    policy = DecisionPolicy.objects.filter(district=district).first()
    form = PolicyForm(request.POST or None, instance=policy)
    form.instance.district = district
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.instance._history_user = request.user
            form.save()
            messages.success(request, _("Saved the decision settings."))
            return redirect("decisions:register", slug=district.slug)
        status = 400
    return render(
        request,
        "decisions/policy.html",
        {"district": district, "form": form},
        status=status,
    )


@require_GET
def public_register(request, slug):
    """The published register: approved tools only, no staff names, no login.

    A district that does not publish it answers as a missing one: anonymous visitors
    are sent to log in, members get a 404.
    """
    district = District.objects.filter(slug=slug).first()
    published = (
        district is not None
        and DecisionPolicy.objects.filter(
            district=district, publish_register=True
        ).exists()
    )
    if not published:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("No such register.")
    assert district is not None
    return render(
        request,
        "decisions/public_register.html",
        {"district": district, "tools": register_module.approved_tools(district)},
    )
