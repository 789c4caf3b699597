"""Packets issued ahead of board meetings and mailed to the meeting's list.

`send_due_packets` is what `manage.py send_board_packets` runs, as often as wanted:
each schedule whose day has come (`Schedule.sends_on`) and that has not been sent
gets one packet, rendered there and then, mailed with the PDF attached, and is
marked sent in the same transaction. A schedule being sent is locked, so two runs at
once send it once; a failure (the mail server down) rolls the packet back and leaves
the schedule for the next run.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.dashboards import default_school_year, school_years

from .models import Packet, RenderStatus, Schedule
from .packets import goal_area, issue_packet
from .tasks import render_packet_now

logger = logging.getLogger(__name__)

# A schedule is sent at most this many days before its meeting (its check constraint).
LONGEST_LEAD = 60


def due_schedules(today: datetime.date) -> list[Schedule]:
    """Unsent schedules whose sending day has come, for meetings not yet past."""
    candidates = Schedule.objects.filter(
        sent_at__isnull=True,
        meets_on__gte=today,
        meets_on__lte=today + datetime.timedelta(days=LONGEST_LEAD),
    ).select_related("district", "goal", "created_by")
    return [schedule for schedule in candidates if schedule.sends_on <= today]


def packet_mail(schedule: Schedule, packet: Packet, pdf: bytes) -> EmailMessage:
    """The mail to the meeting's list, the packet's PDF attached."""
    subject = _("Board packet for the meeting on %(date)s: %(goal)s") % {
        "date": schedule.meets_on.isoformat(),
        "goal": schedule.goal.statement,
    }
    body = _(
        "The board packet for the meeting on %(date)s is attached: %(title)s, "
        "school year %(year)s.\n\nIt shows the data as it stood when issued on "
        "%(issued)s. Its content fingerprint (SHA-256) is %(hash)s.\n"
    ) % {
        "date": schedule.meets_on.isoformat(),
        "title": packet.title,
        "year": packet.school_year,
        "issued": timezone.localtime(packet.issued_at).strftime("%Y-%m-%d %H:%M"),
        "hash": packet.content_hash,
    }
    mail = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=schedule.recipient_list(),
    )
    mail.attach(
        f"{schedule.district.slug}-packet-{packet.pk}.pdf", pdf, "application/pdf"
    )
    return mail


def send_scheduled_packet(*, schedule: Schedule) -> Packet | None:
    """Issue, render and mail the schedule's packet; None when already sent."""
    with transaction.atomic():
        locked = (
            Schedule.objects.select_for_update(of=("self",))
            .select_related("district", "goal", "created_by")
            .filter(pk=schedule.pk, sent_at__isnull=True)
            .first()
        )
        if locked is None:
            return None
        district = locked.district
        packet = issue_packet(
            district=district,
            goals=goal_area(locked.goal),
            school_year=default_school_year(district, school_years(district)),
            title=_("Board meeting on %(date)s: %(goal)s")
            % {"date": locked.meets_on.isoformat(), "goal": locked.goal.statement},
            commentary=locked.commentary,
            acting_user=locked.created_by,
            queue=False,
        )
        render = render_packet_now(packet.pk)
        if render.status != RenderStatus.READY or render.pdf is None:
            raise RuntimeError(f"The packet could not be rendered: {render.error}")
        packet_mail(locked, packet, bytes(render.pdf)).send()
        locked.packet = packet
        locked.sent_at = timezone.now()
        locked._history_user = locked.created_by
        locked.save(update_fields=["packet", "sent_at"])
        return packet


def send_due_packets(today: datetime.date | None = None) -> tuple[int, int]:
    """Send every due schedule's packet: (sent, failed). A failure is logged."""
    today = today or timezone.localdate()
    sent = failed = 0
    for schedule in due_schedules(today):
        try:
            if send_scheduled_packet(schedule=schedule) is not None:
                sent += 1
        except Exception:  # one schedule's failure must not stop the others
            logger.exception("The packet of schedule %s was not sent", schedule.pk)
            failed += 1
    return sent, failed
