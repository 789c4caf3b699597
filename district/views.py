"""Pages of the district app: the home page after login, a district's members, an
object's history, and the admin's "view on site" redirect, scoped."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from .due import due_items
from .forms import AccessLevelForm, MemberAddForm
from .history import history_page
from .members import add_member, remove_member, set_access_level
from .models import AccessLevel, District, DistrictQuerySet, Membership
from .permissions import get_district_or_404, has_level, history_with_access


@login_required
def home(request):
    """The user's districts, with their access level and links to what they can use."""
    levels = Membership.objects.filter(
        user=request.user, district=OuterRef("pk")
    ).values("access_level")[:1]
    districts = (
        District.objects.visible_to(request.user)
        .annotate(
            user_level=Subquery(levels),
            school_count=Count("schools", distinct=True),
        )
        .order_by("name", "pk")
    )
    today = timezone.localdate()
    districts = list(districts)
    for district in districts:
        # What the user owes there, from every app's due source (district/due.py).
        states = [
            item.state(today)
            for item in due_items(
                district_id=district.pk, today=today, owner_ids={request.user.pk}
            )
        ]
        district.owed_now = sum(s in ("overdue", "due", "due soon") for s in states)
        district.overdue = states.count("overdue")
    return render(request, "district/home.html", {"districts": districts})


def render_members(request, district, *, add_form=None, refusal="", refused_pk=None):
    """The members page; `refusal` says why a change was not made (status 400/409)."""
    memberships = list(
        Membership.objects.administered_by(request.user)
        .filter(district=district)
        .select_related("user")
        .order_by("user__username", "pk")
    )
    admin_count = sum(m.access_level == AccessLevel.ADMIN for m in memberships)
    for membership in memberships:
        membership.is_last_admin = (
            membership.access_level == AccessLevel.ADMIN and admin_count == 1
        )
    if add_form is None:
        add_form = MemberAddForm(district=district, acting_user=request.user)
    status = 200
    if refusal:
        status = 409 if getattr(refusal, "code", None) in CONFLICTS else 400
        refusal = " ".join(refusal.messages)
    elif add_form.errors:
        status = 400
    context = {
        "district": district,
        "memberships": memberships,
        "levels": AccessLevel.choices,
        "add_form": add_form,
        "refusal": refusal,
        "refused_pk": refused_pk,
    }
    return render(request, "district/members.html", context, status=status)


# Refusals caused by the current state rather than by the input.
CONFLICTS = {"last_admin", "removed"}


def _member_or_404(request, district, pk) -> Membership:
    return get_object_or_404(
        Membership.objects.administered_by(request.user)
        .filter(district=district)
        .select_related("user"),
        pk=pk,
    )


def _after_change(request, district):
    """Back to the members page, or home when the user may no longer manage them."""
    if has_level(request.user, district, AccessLevel.ADMIN):
        return redirect("district:members", slug=district.slug)
    return redirect("district:home")


@login_required
@require_http_methods(["GET", "POST"])
def members(request, slug):
    """A district's members and their access levels (admins only); add an account."""
    district = get_district_or_404(request.user, slug, level=AccessLevel.ADMIN)
    if request.method != "POST":
        return render_members(request, district)
    form = MemberAddForm(request.POST, district=district, acting_user=request.user)
    if not form.is_valid():
        return render_members(request, district, add_form=form)
    try:
        membership = add_member(
            district=district,
            user=form.cleaned_data["user"],
            access_level=form.cleaned_data["access_level"],
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return render_members(request, district, add_form=form)
    messages.success(
        request,
        _("Added %(user)s to %(district)s as %(level)s.")
        % {
            "user": membership.user.get_username(),
            "district": district.name,
            "level": membership.get_access_level_display().lower(),
        },
    )
    return redirect("district:members", slug=district.slug)


@login_required
@require_POST
def member_level(request, slug, pk):
    """Change one member's access level; the last admin cannot be demoted."""
    district = get_district_or_404(request.user, slug, level=AccessLevel.ADMIN)
    membership = _member_or_404(request, district, pk)
    username = membership.user.get_username()
    form = AccessLevelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(
                _("The level of %(user)s was not changed: %(reasons)s")
                % {"user": username, "reasons": " ".join(form.errors["access_level"])},
                code="invalid",
            )
        membership = set_access_level(
            membership=membership,
            access_level=form.cleaned_data["access_level"],
            acting_user=request.user,
        )
    except ValidationError as error:
        return render_members(request, district, refusal=error, refused_pk=pk)
    messages.success(
        request,
        _("%(user)s is now %(level)s of %(district)s.")
        % {
            "user": username,
            "level": membership.get_access_level_display().lower(),
            "district": district.name,
        },
    )
    return _after_change(request, district)


@login_required
@require_POST
def member_remove(request, slug, pk):
    """Take a member out of the district; the last admin cannot be removed."""
    district = get_district_or_404(request.user, slug, level=AccessLevel.ADMIN)
    membership = _member_or_404(request, district, pk)
    try:
        remove_member(membership=membership, acting_user=request.user)
    except ValidationError as error:
        return render_members(request, district, refusal=error, refused_pk=pk)
    messages.success(
        request,
        _("Removed %(user)s from %(district)s.")
        % {"user": membership.user.get_username(), "district": district.name},
    )
    return _after_change(request, district)


@admin.site.admin_view
def view_on_site(request, content_type_id, object_id):
    """The admin's "View on site" redirect to an object's page, for visible objects only.

    Django's own view looks the object up unscoped, so it would redirect for another
    district's object (to a URL naming that district) and answer 404 for a missing
    one. Here another district's object is missing, like everywhere else.
    """
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        rows = model._default_manager.all() if model is not None else None
        if isinstance(rows, DistrictQuerySet):
            if not rows.visible_to(request.user).filter(pk=object_id).exists():
                raise Http404(
                    _("Content type %(ct_id)s object %(obj_id)s doesn’t exist")
                    % {"ct_id": content_type_id, "obj_id": object_id}
                )
    except (ContentType.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404(str(error)) from error
    return shortcut(request, content_type_id, object_id)


@login_required
@require_safe
def object_history(request, slug, pk, model):
    """One object's history (`model`, by id): deleted objects' history stays readable."""
    district = get_district_or_404(request.user, slug)
    records = (
        history_with_access(model.history.all(), request.user)
        .filter(id=pk, district=district)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    page, rows = history_page(model, records, request.GET.get("page"))
    if not rows:
        raise Http404("No history for this object.")
    latest = page.object_list[0] if page.number == 1 else records.first()
    return render(
        request,
        "district/object_history.html",
        {
            "district": district,
            "kind": model._meta.verbose_name,
            "name": str(latest.instance),
            "is_deleted": latest.history_type == "-",
            "page": page,
            "rows": rows,
        },
    )
