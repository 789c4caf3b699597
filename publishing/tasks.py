"""Work on packets outside the request: rendering a packet's PDF."""

import logging

import django_tasks

from .models import Packet, PacketRender, RenderStatus
from .pdf import render_pdf

logger = logging.getLogger(__name__)


def _mark(packet_id: int, **fields) -> None:
    PacketRender.objects.filter(packet_id=packet_id).update(**fields)


def render_packet_now(packet_id: int) -> PacketRender:
    """Render the packet's PDF from its snapshot, recording progress as it goes.

    A failure is recorded on the render (shown on the packet's page), not raised.
    """
    _mark(packet_id, status=RenderStatus.RENDERING, progress=10, error="")
    packet = Packet.objects.select_related("district", "issued_by").get(pk=packet_id)
    try:
        _mark(packet_id, progress=40)
        pdf, pages = render_pdf(packet)
    except Exception as error:  # a broken packet must not stop the worker
        logger.exception("Packet %s could not be rendered", packet_id)
        _mark(packet_id, status=RenderStatus.FAILED, progress=100, error=str(error))
    else:
        _mark(
            packet_id,
            status=RenderStatus.READY,
            progress=100,
            pdf=pdf,
            page_count=pages,
        )
    return PacketRender.objects.get(packet_id=packet_id)


@django_tasks.task()
def render_packet(packet_id: int) -> None:
    """Render a packet's PDF (queued by `issue_packet`)."""
    render_packet_now(packet_id)
