"""Board packets: issued from known data, frozen, rendered to PDF, compared later."""

import datetime
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from goals.models import Measurement, Scope
from publishing.models import Packet, PacketRender, RenderStatus
from publishing.packets import changes_since, content_hash, issue_packet
from tests.factories import GoalFactory


def issue(data, user, django_capture_on_commit_callbacks, **kwargs):
    """Issue a packet on the joint goal and run its rendering task (inline in tests)."""
    options = {
        "district": data.district,
        "goals": [data.joint_goal],
        "school_year": "2017-18",
        "title": "Board packet: attendance",
        "commentary": "Attendance rose in both networks.",
        "acting_user": user,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return issue_packet(**(options | kwargs))


def pdf_text(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_an_issued_packet_freezes_the_data_with_its_hash(
    data, district_admin, django_capture_on_commit_callbacks
):
    packet = issue(data, district_admin, django_capture_on_commit_callbacks)

    packet.refresh_from_db()
    assert packet.issued_by == district_admin
    snapshot = packet.snapshot
    assert [g["statement"] for g in snapshot["goals"]] == [data.joint_goal.statement]
    names = [m["name"] for m in snapshot["goals"][0]["metrics"]]
    assert names == ["Student attendance", "Suspensions per 100 students"]
    attendance = snapshot["goals"][0]["metrics"][0]
    assert attendance["latest_period"] == "2017-18"
    assert [s["on"] for s in attendance["series"]] == [
        "2016-06-30",
        "2017-06-30",
        "2018-06-30",
    ]
    assert {row["name"] for row in attendance["networks"]} == {"North", "South"}
    canonical = json.dumps(
        snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert packet.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert packet.history.count() == 1


def test_the_packet_pdf_has_cover_contents_goals_and_page_numbers(
    data, district_admin, django_capture_on_commit_callbacks
):
    packet = issue(data, district_admin, django_capture_on_commit_callbacks)

    render = PacketRender.objects.get(packet=packet)
    assert render.status == RenderStatus.READY
    assert render.progress == 100
    text, pages = pdf_text(bytes(render.pdf))
    assert pages == render.page_count >= 4
    for expected in (
        "Board packet: attendance",
        "Lakeside Unified",
        "Contents",
        "Commentary",
        "Attendance rose in both networks.",
        data.joint_goal.statement,
        "Student attendance",
        "Suspensions per 100 students",
        "Chief Academic Officer",
        "by network",
        "North",
        packet.content_hash,
        f"Page 2 of {pages}",
    ):
        assert expected in text, expected
    attendance = packet.snapshot["goals"][0]["metrics"][0]
    assert attendance["latest"] in text
    assert data.cto_goal.statement not in text
    reader = PdfReader(io.BytesIO(bytes(render.pdf)))
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    assert reader.metadata.title == "Board packet: attendance"


def test_the_snapshot_stays_as_issued_and_the_changes_are_listed(
    data, district_admin, django_capture_on_commit_callbacks
):
    packet = issue(data, district_admin, django_capture_on_commit_callbacks)
    frozen, digest = packet.snapshot, packet.content_hash
    assert changes_since(packet) == []
    before = packet.snapshot["goals"][0]["metrics"][0]["networks"][0]["latest"]

    Measurement.objects.create(
        district=data.district,
        metric=data.attendance,
        scope=Scope.NETWORK,
        network=data.north,
        period_end=datetime.date(2018, 6, 30),
        value=Decimal("71.5"),
        n=5000,
    )

    packet = Packet.objects.get(pk=packet.pk)
    assert packet.snapshot == frozen
    assert packet.content_hash == digest == content_hash(frozen)
    changes = changes_since(packet)
    revised = [c for c in changes if c.subject == "Student attendance: North"]
    assert revised[0].what == "Latest value"
    assert (revised[0].before, revised[0].after) == (before, "71.5%")
    assert any(c.what == "Status" and c.after == "Off track" for c in revised)


def test_a_revised_district_value_is_listed_with_its_period(
    data, district_admin, django_capture_on_commit_callbacks
):
    packet = issue(data, district_admin, django_capture_on_commit_callbacks)
    saw = packet.snapshot["goals"][0]["metrics"][0]["series"][-1]["text"]
    Measurement.objects.create(
        district=data.district,
        metric=data.attendance,
        scope=Scope.DISTRICT,
        period_end=datetime.date(2018, 6, 30),
        value=Decimal("90.2"),
        n=9000,
    )
    changes = changes_since(packet)
    value = next(
        c for c in changes if c.subject == "Student attendance" and "period" in c.what
    )
    assert value.what == "Value for the period ending 2018-06-30"
    assert (value.before, value.after) == (saw, "90.2%")


def test_a_goal_area_brings_its_subgoals(
    data, district_admin, django_capture_on_commit_callbacks
):
    sub = GoalFactory(
        district=data.district,
        parent=data.joint_goal,
        statement="Chronic absence falls",
    )
    packet = issue(
        data,
        district_admin,
        django_capture_on_commit_callbacks,
        goals=[],
        area=data.joint_goal,
    )
    statements = [g["statement"] for g in packet.snapshot["goals"]]
    assert set(statements) == {data.joint_goal.statement, sub.statement}


def test_the_packet_applies_the_public_minimum_n(
    data, district_admin, django_capture_on_commit_callbacks
):
    data.district.public_min_n = 3000
    data.district.save(update_fields=["public_min_n"])
    packet = issue(data, district_admin, django_capture_on_commit_callbacks)
    networks = packet.snapshot["goals"][0]["metrics"][0]["networks"]
    assert {row["latest"] for row in networks} == {"Suppressed (n<3000)"}
    text, _pages = pdf_text(bytes(PacketRender.objects.get(packet=packet).pdf))
    assert "Suppressed (n<3000)" in text


def test_a_failed_rendering_is_recorded_not_raised(
    data, district_admin, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(packet):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("publishing.tasks.render_pdf", broken)
    packet = issue(data, district_admin, django_capture_on_commit_callbacks)
    render = PacketRender.objects.get(packet=packet)
    assert (render.status, render.error, render.pdf) == ("failed", "no fonts", None)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"goals": [], "area": None}, "Choose at least one goal or a goal area."),
    ],
)
def test_a_packet_without_goals_is_refused(
    data, district_admin, django_capture_on_commit_callbacks, bad, message
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        issue(data, district_admin, django_capture_on_commit_callbacks, **bad)
    assert message in error.value.messages
    assert Packet.objects.count() == 0


def test_a_goal_of_another_district_is_refused(
    data, district_admin, other_district, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    foreign = GoalFactory(district=other_district)
    with pytest.raises(ValidationError):
        issue(data, district_admin, django_capture_on_commit_callbacks, goals=[foreign])
    assert Packet.objects.count() == 0


def packets_url(district) -> str:
    return reverse("publishing:packets", args=[district.slug])


def test_freezing_reads_as_many_queries_for_more_goals_and_schools(
    data, django_assert_max_num_queries
):
    from publishing.packets import packet_content
    from tests.goals.district_data import add_schools

    def freeze(goals):
        return packet_content(
            district=data.district,
            goal_ids=[g.pk for g in goals],
            school_year="2017-18",
            as_of=datetime.date(2018, 6, 30),
        )

    with django_assert_max_num_queries(30) as few:
        freeze([data.joint_goal])
    add_schools(data, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        content = freeze([data.joint_goal, data.cto_goal])
    assert len(content["goals"]) == 2
