"""Members' pages of publishing: settings of the public dashboard, board packets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from district.exports import attachment
from district.models import AccessLevel
from district.permissions import get_district_access_or_404
from goals.dashboards import default_school_year, school_years

from .forms import PacketForm, PublicationForm
from .models import Packet, RenderStatus
from .packets import changes_since, issue_packet, packets_of, render_of
from .publication import publication_of, set_publication


@login_required
@require_http_methods(["GET", "POST"])
def publication_settings(request, slug):
    """Choose whether and what the district publishes (district admins)."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.ADMIN)
    district = access.district
    publication = publication_of(district)
    initial = {
        "is_published": publication.is_published,
        "shows_staff_names": publication.shows_staff_names,
        "introduction": publication.introduction,
        "public_min_n": district.public_min_n,
        "goals": district.published_goals.values_list("goal", flat=True),
        "metrics": district.published_metrics.values_list("metric", flat=True),
    }
    form = PublicationForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        district=district,
    )
    status = 200
    if form.is_valid():
        try:
            set_publication(
                district=district,
                acting_user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Publishing settings saved.")
            return redirect("publishing:settings", slug=district.slug)
    if form.errors:
        status = 400
    return render(
        request,
        "publishing/settings.html",
        {"district": district, "form": form, "publication": publication},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def packet_list(request, slug):
    """The district's board packets; admins issue a new one here."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    years = school_years(district)
    form = None
    status = 200
    if access.is_admin or request.user.is_superuser:
        form = PacketForm(
            request.POST if request.method == "POST" else None,
            initial={"school_year": default_school_year(district, years)},
            district=district,
            years=years,
        )
    if request.method == "POST":
        if form is None:
            get_district_access_or_404(request.user, slug, level=AccessLevel.ADMIN)
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            try:
                packet = issue_packet(
                    district=district,
                    goals=data["goals"],
                    area=data["goal_area"],
                    school_year=data["school_year"],
                    title=data["title"],
                    commentary=data["commentary"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(packet)
        status = 400
    return render(
        request,
        "publishing/packet_list.html",
        {"district": district, "packets": packets_of(district), "form": form},
        status=status,
    )


def scoped_packet_or_404(request, slug, pk) -> Packet:
    district = get_district_access_or_404(request.user, slug).district
    return get_object_or_404(
        Packet.objects.visible_to(request.user)
        .filter(district=district)
        .select_related("district", "issued_by", "render"),
        pk=pk,
    )


@login_required
@require_safe
def packet_detail(request, slug, pk):
    """What the board saw, and beside it what has changed since."""
    packet = scoped_packet_or_404(request, slug, pk)
    render_of(packet)
    context = {"district": packet.district, "packet": packet}
    if request.htmx:
        return render(request, "publishing/_packet_status.html", context)
    context["changes"] = changes_since(packet)
    return render(request, "publishing/packet_detail.html", context)


@login_required
@require_safe
def packet_pdf(request, slug, pk):
    """The packet's PDF, once rendered."""
    packet = scoped_packet_or_404(request, slug, pk)
    render_ = render_of(packet)
    if render_.status != RenderStatus.READY or render_.pdf is None:
        raise Http404("The packet's PDF is not ready.")
    response = HttpResponse(bytes(render_.pdf), content_type="application/pdf")
    return attachment(response, f"{packet.district.slug}-packet-{packet.pk}.pdf")
