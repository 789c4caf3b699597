"""Pages of the routines app: partnerships, meeting series, meetings, coaching packs.

Every page reads through `visible_to` (another district's object is a 404 like a
missing one); every write needs editor access and goes through the app's functions
(`start_meeting`, `add_action_item`, `complete_action_item`) or a model form.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from district.models import AccessLevel, Network, Person
from district.permissions import get_district_access_or_404

from .action_items import (
    add_action_item,
    carried_over,
    complete_action_item,
    raised_in,
    with_owners,
)
from .briefs import build_brief, start_meeting
from .calendar import feed_token, read_token, render_calendar
from .coaching import build_coaching_pack, parse_week
from .forms import (
    ActionItemForm,
    MeetingDecisionForm,
    MeetingDecisionOutcomeForm,
    NotesForm,
)
from .models import ActionItem, Meeting, MeetingDecision, MeetingSeries, Partnership
from .partnerships import build_compact


@login_required
@require_safe
def partnership_list(request, slug):
    access = get_district_access_or_404(request.user, slug)
    partnerships = (
        Partnership.objects.visible_to(request.user)
        .filter(district=access.district)
        .prefetch_related("members__role")
    )
    return render(
        request,
        "routines/partnership_list.html",
        {"district": access.district, "partnerships": partnerships},
    )


@login_required
@require_safe
def partnership_detail(request, slug, pk):
    """A partnership's compact, live from the matrix, or as it stood on `?as_of=`."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    partnership = get_object_or_404(
        Partnership.objects.visible_to(request.user).filter(district=district), pk=pk
    )
    as_of, error = None, ""
    if request.GET.get("as_of"):
        try:
            as_of = datetime.date.fromisoformat(request.GET["as_of"])
        except ValueError:
            error = _("Give the date as YYYY-MM-DD.")
        else:
            if not datetime.date(1990, 1, 1) <= as_of <= datetime.date(2100, 12, 31):
                as_of, error = None, _("Choose a date between 1990 and 2100.")
    compact = build_compact(partnership=partnership, user=request.user, as_of=as_of)
    return render(
        request,
        "routines/partnership_detail.html",
        {
            "district": district,
            "partnership": partnership,
            "compact": compact,
            "as_of": as_of,
            "as_of_text": request.GET.get("as_of", ""),
            "error": error,
            "can_edit": access.can_edit,
        },
        status=400 if error else 200,
    )


@login_required
@require_safe
def series_list(request, slug):
    """The district's meeting series, their next meetings, and my calendar feed."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    series = MeetingSeries.objects.visible_to(request.user).filter(district=district)
    person = Person.objects.filter(district=district, user=request.user).first()
    return render(
        request,
        "routines/series_list.html",
        {
            "district": district,
            "series_list": series.select_related("network", "partnership"),
            "person_feed": reverse(
                "routines:calendar-feed",
                kwargs={"token": feed_token("person", person.pk)},
            )
            if person
            else None,
        },
    )


@login_required
@require_safe
def series_detail(request, slug, pk):
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    series = get_object_or_404(
        MeetingSeries.objects.visible_to(request.user)
        .filter(district=district)
        .select_related("network", "partnership"),
        pk=pk,
    )
    items = list(
        ActionItem.objects.filter(series=series, done_on__isnull=True)
        .select_related("owner_person", "owner_role", "raised_in", "series")
        .order_by("due_on", "pk")
    )
    return render(
        request,
        "routines/series_detail.html",
        {
            "district": district,
            "series": series,
            "meetings": series.meetings.order_by("-starts_at", "-pk"),
            "members": series.members.select_related("person"),
            "open_items": with_owners(items),
            "feed": reverse(
                "routines:calendar-feed",
                kwargs={"token": feed_token("series", series.pk)},
            ),
            "can_edit": access.can_edit,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def series_schedule(request, slug, pk):
    """Add the series' next meeting, one cadence after its latest (or a week from now)."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    series = get_object_or_404(
        MeetingSeries.objects.editable_by(request.user).filter(
            district=access.district
        ),
        pk=pk,
    )
    latest = series.meetings.order_by("-starts_at").first()
    if latest:
        starts_at = series.next_start(latest.starts_at)
    else:
        starts_at = timezone.now().replace(minute=0, second=0, microsecond=0)
        starts_at += datetime.timedelta(days=7)
    meeting = Meeting(district=series.district, series=series, starts_at=starts_at)
    meeting._history_user = request.user
    meeting.full_clean()
    meeting.save()
    messages.success(request, _("Next meeting added."))
    return redirect(meeting)


def meeting_or_404(request, slug, pk, *, level=AccessLevel.VIEWER):
    access = get_district_access_or_404(request.user, slug, level=level)
    queryset = Meeting.objects.with_access(request.user, level).filter(
        district=access.district
    )
    meeting = get_object_or_404(
        queryset.select_related(
            "district", "series", "series__network", "series__partnership"
        ),
        pk=pk,
    )
    return access, meeting


def render_meeting(request, access, meeting, *, forms=None, status=200):
    forms = forms or {}
    brief = meeting.brief
    if brief is None:
        brief = build_brief(meeting=meeting, user=request.user, now=timezone.now())
    previous = (
        Meeting.objects.filter(series=meeting.series, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at")
        .first()
    )
    following = (
        Meeting.objects.filter(series=meeting.series, starts_at__gt=meeting.starts_at)
        .order_by("starts_at")
        .first()
    )
    return render(
        request,
        "routines/meeting_detail.html",
        {
            "district": meeting.district,
            "meeting": meeting,
            "series": meeting.series,
            "brief": brief,
            "carried": with_owners(list(carried_over(meeting))),
            "raised": with_owners(list(raised_in(meeting))),
            "decisions": MeetingDecision.objects.filter(meeting=meeting),
            "previous": previous,
            "following": following,
            "can_edit": access.can_edit,
            "notes_form": forms.get("notes") or NotesForm(instance=meeting),
            "decision_form": forms.get("decision") or MeetingDecisionForm(),
            "item_form": forms.get("item") or ActionItemForm(meeting=meeting),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_safe
def meeting_detail(request, slug, pk):
    """A meeting: its brief (frozen once started), notes, decisions, action items."""
    access, meeting = meeting_or_404(request, slug, pk)
    return render_meeting(request, access, meeting)


@login_required
@require_POST
def meeting_start(request, slug, pk):
    access, meeting = meeting_or_404(request, slug, pk, level=AccessLevel.EDITOR)
    start_meeting(meeting=meeting, acting_user=request.user)
    messages.success(request, _("Meeting started: the brief is frozen as it is now."))
    return redirect(meeting)


@login_required
@require_POST
def meeting_notes(request, slug, pk):
    access, meeting = meeting_or_404(request, slug, pk, level=AccessLevel.EDITOR)
    form = NotesForm(request.POST, instance=meeting)
    if not form.is_valid():
        return render_meeting(
            request, access, meeting, forms={"notes": form}, status=400
        )
    meeting._history_user = request.user
    meeting.save(update_fields=["notes"])
    messages.success(request, _("Notes saved."))
    return redirect(meeting)


@login_required
@require_POST
def meeting_decision(request, slug, pk):
    access, meeting = meeting_or_404(request, slug, pk, level=AccessLevel.EDITOR)
    decision = MeetingDecision(district=meeting.district, meeting=meeting)
    form = MeetingDecisionForm(request.POST, instance=decision)
    if not form.is_valid():
        return render_meeting(
            request, access, meeting, forms={"decision": form}, status=400
        )
    decision._history_user = request.user
    form.save()
    messages.success(request, _("Decision recorded as waiting."))
    return redirect(meeting)


@login_required
@require_POST
def decision_take(request, slug, pk):
    """Record the outcome of a waiting decision; it leaves the next briefs."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    decision = get_object_or_404(
        MeetingDecision.objects.editable_by(request.user)
        .filter(district=access.district)
        .select_related("meeting", "meeting__district"),
        pk=pk,
    )
    form = MeetingDecisionOutcomeForm(request.POST, instance=decision)
    if not form.is_valid():
        messages.error(request, _("Say what was decided."))
        return redirect(decision.meeting)
    decision.decided_on = timezone.localdate()
    decision._history_user = request.user
    form.save()
    messages.success(request, _("Decision taken."))
    return redirect(decision.meeting)


@login_required
@require_POST
def meeting_action_item(request, slug, pk):
    access, meeting = meeting_or_404(request, slug, pk, level=AccessLevel.EDITOR)
    form = ActionItemForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return render_meeting(
            request, access, meeting, forms={"item": form}, status=400
        )
    item = add_action_item(
        acting_user=request.user,
        **{
            "district": meeting.district,
            "series": meeting.series,
            "raised_in": meeting,
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        },
    )
    messages.success(request, _("Action item added: %(title)s.") % {"title": item})
    return redirect(meeting)


@login_required
@require_POST
def action_item_done(request, slug, pk):
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    item = get_object_or_404(
        ActionItem.objects.editable_by(request.user)
        .filter(district=access.district)
        .select_related("raised_in", "series", "district"),
        pk=pk,
    )
    complete_action_item(
        item=item, done_on=timezone.localdate(), acting_user=request.user
    )
    messages.success(request, _("Done: %(title)s.") % {"title": item})
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(item.raised_in or item.series)


@login_required
@require_safe
def coaching_pack(request, slug, pk):
    """A network's weekly coaching pack (`?week=2026-W49`, this week by default)."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    network = get_object_or_404(
        Network.objects.visible_to(request.user).filter(district=district), pk=pk
    )
    today = timezone.localdate()
    error = ""
    year, week, _day = today.isocalendar()
    if request.GET.get("week"):
        try:
            year, week = parse_week(request.GET["week"])
        except ValueError:
            error = _("Give the week as YYYY-Www, for example 2026-W49.")
    if not 1990 <= year <= 2100:
        error = _("Choose a week between 1990 and 2100.")
        year, week, _day = today.isocalendar()
    pack = build_coaching_pack(
        network=network, user=request.user, year=year, week=week, today=today
    )
    monday = pack.monday
    return render(
        request,
        "routines/coaching_pack.html",
        {
            "district": district,
            "network": network,
            "pack": pack,
            "error": error,
            "previous_week": (monday - datetime.timedelta(days=7)).strftime("%G-W%V"),
            "next_week": (monday + datetime.timedelta(days=7)).strftime("%G-W%V"),
            "can_edit": access.can_edit,
            "today": today,
        },
        status=400 if error else 200,
    )


@require_safe
def calendar_feed(request, token):
    """The iCalendar feed a signed token names; no login (calendar programs have none)."""
    found = read_token(token)
    if found is None:
        raise Http404("No such calendar.")
    kind, pk = found
    meetings = Meeting.objects.select_related("series", "district")
    if kind == "series":
        series = MeetingSeries.objects.filter(pk=pk).first()
        if series is None:
            raise Http404("No such calendar.")
        name = series.name
        meetings = meetings.filter(series=series)
    else:
        person = Person.objects.filter(pk=pk).first()
        if person is None:
            raise Http404("No such calendar.")
        name = _("Meetings of %(name)s") % {"name": person.name}
        meetings = meetings.filter(series__members__person=person)
    body = render_calendar(
        name=name,
        meetings=meetings.order_by("starts_at", "pk"),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host().split(":")[0] or "lanes",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response
