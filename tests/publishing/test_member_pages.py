"""Members' publishing pages: the public dashboard's settings and board packets."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from goals.models import Measurement, Scope
from publishing.models import (
    Packet,
    PacketRender,
    Publication,
    PublishedGoal,
    PublishedMetric,
)


def settings_url(district) -> str:
    return reverse("publishing:settings", args=[district.slug])


def packets_url(district) -> str:
    return reverse("publishing:packets", args=[district.slug])


def publish_form(data, **overrides) -> dict:
    form = {
        "is_published": "on",
        "introduction": "How Lakeside is doing on its goals.",
        "public_min_n": "20",
        "goals": [str(data.joint_goal.pk)],
        "metrics": [str(data.attendance.pk)],
    }
    return form | overrides


def packet_form(data, **overrides) -> dict:
    form = {
        "title": "March board meeting",
        "school_year": "2017-18",
        "goals": [str(data.joint_goal.pk)],
        "commentary": "Attendance is close to its target.",
    }
    return form | overrides


# --- Settings of the public dashboard ---


def test_the_admin_publishes_the_attendance_goal_and_the_public_sees_only_it(
    client, client_for, district_admin, data
):
    Publication.objects.all().delete()
    PublishedGoal.objects.all().delete()
    PublishedMetric.objects.all().delete()
    public_url = reverse("publishing:public-dashboard", args=[data.district.slug])
    assert client.get(public_url).status_code == 404

    response = client_for(district_admin).post(
        settings_url(data.district), publish_form(data)
    )

    assert response.status_code == 302
    page = client.get(public_url).content.decode()
    assert "Student attendance" in page
    assert "How Lakeside is doing on its goals." in page
    for hidden in ("Suspensions", data.cto_goal.statement, "Days with every system"):
        assert hidden not in page
    data.district.refresh_from_db()
    assert data.district.public_min_n == 20
    publication = Publication.objects.get(district=data.district)
    assert publication.history.first().history_user == district_admin


@pytest.mark.parametrize("persona", ["viewer", "editor"])
def test_only_admins_change_what_is_published(
    persona, request, client_for, district_admin, data
):
    user = request.getfixturevalue(persona)
    before = list(PublishedGoal.objects.values_list("goal", flat=True))
    assert client_for(user).get(settings_url(data.district)).status_code == 403
    response = client_for(user).post(
        settings_url(data.district), publish_form(data, goals=[data.cto_goal.pk])
    )
    assert response.status_code == 403
    assert list(PublishedGoal.objects.values_list("goal", flat=True)) == before


def test_outsiders_and_anonymous_visitors_cannot_reach_the_settings(
    client_for, outsider, data
):
    assert client_for(outsider).get(settings_url(data.district)).status_code == 404
    response = client_for(None).get(settings_url(data.district))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"public_min_n": "5"}, "public_min_n"),  # below the district's 10
        ({"public_min_n": "ten"}, "public_min_n"),
        ({"goals": ["999999"]}, "goals"),
        ({"metrics": ["abc"]}, "metrics"),
    ],
)
def test_bad_settings_are_refused_with_nothing_saved(
    overrides, field, client_for, district_admin, data, other_district
):
    before = (
        list(PublishedGoal.objects.values_list("goal", flat=True)),
        Publication.objects.get().introduction,
        data.district.public_min_n,
    )
    response = client_for(district_admin).post(
        settings_url(data.district), publish_form(data, **overrides)
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    data.district.refresh_from_db()
    after = (
        list(PublishedGoal.objects.values_list("goal", flat=True)),
        Publication.objects.get().introduction,
        data.district.public_min_n,
    )
    assert after == before


def test_another_districts_goal_cannot_be_published(
    client_for, district_admin, data, other_district
):
    from tests.factories import GoalFactory

    foreign = GoalFactory(district=other_district)
    response = client_for(district_admin).post(
        settings_url(data.district), publish_form(data, goals=[str(foreign.pk)])
    )
    assert response.status_code == 400
    assert not PublishedGoal.objects.filter(goal=foreign).exists()


# --- Board packets ---


def test_an_admin_issues_a_packet_and_downloads_its_pdf(
    client_for, district_admin, data, django_capture_on_commit_callbacks
):
    admin = client_for(district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(packets_url(data.district), packet_form(data))
    packet = Packet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == packet.get_absolute_url()

    page = admin.get(packet.get_absolute_url())
    text = page.content.decode()
    assert "Download the PDF" in text
    assert "Nothing has changed" in text
    assert packet.content_hash in text
    download = admin.get(reverse("publishing:packet-pdf", args=["lakeside", packet.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-")
    assert "attachment" in download["Content-Disposition"]


def test_the_packet_page_shows_progress_until_the_pdf_is_ready(
    client_for, district_admin, viewer, data
):
    from publishing.packets import issue_packet

    packet = issue_packet(  # not committed in this test: the task has not run
        district=data.district,
        goals=[data.joint_goal],
        school_year="2017-18",
        title="Queued",
        commentary="",
        acting_user=district_admin,
    )
    page = client_for(viewer).get(packet.get_absolute_url())
    assert "The PDF is being made: queued." in page.content.decode()
    assert 'hx-trigger="every 2s"' in page.content.decode()
    fragment = client_for(viewer).get(
        packet.get_absolute_url(), headers={"hx-request": "true"}
    )
    assert fragment.content.decode().lstrip().startswith('<div id="packet-status"')
    pdf_url = reverse("publishing:packet-pdf", args=["lakeside", packet.pk])
    assert client_for(viewer).get(pdf_url).status_code == 404
    PacketRender.objects.filter(packet=packet).update(progress=40, status="rendering")
    assert (
        'value="40"'
        in client_for(viewer).get(packet.get_absolute_url()).content.decode()
    )


def test_after_a_value_is_revised_the_packet_page_lists_the_change(
    client_for, district_admin, viewer, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(district_admin).post(packets_url(data.district), packet_form(data))
    packet = Packet.objects.get()
    Measurement.objects.create(
        district=data.district,
        metric=data.attendance,
        scope=Scope.NETWORK,
        network=data.south,
        period_end=datetime.date(2018, 6, 30),
        value=Decimal("99.5"),
        n=5000,
    )
    text = client_for(viewer).get(packet.get_absolute_url()).content.decode()
    assert "What has changed since" in text
    assert "Student attendance: South" in text
    assert "99.5%" in text


def test_viewers_read_packets_but_only_admins_issue_them(
    client_for, viewer, editor, data
):
    for user in (viewer, editor):
        page = client_for(user).get(packets_url(data.district))
        assert page.status_code == 200
        assert "Issue the packet" not in page.content.decode()
        response = client_for(user).post(packets_url(data.district), packet_form(data))
        assert response.status_code == 403
    assert Packet.objects.count() == 0


def test_outsiders_get_not_found_for_packets(client_for, outsider, data):
    from tests.factories import PacketFactory

    packet = PacketFactory(district=data.district)
    for url in (
        packets_url(data.district),
        packet.get_absolute_url(),
        reverse("publishing:packet-pdf", args=["lakeside", packet.pk]),
    ):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(None).get(url).status_code == 302


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"goals": []}, "__all__"),
        ({"school_year": "1999-00"}, "school_year"),
        ({"goals": ["x"]}, "goals"),
        ({"title": ""}, "title"),
        ({"goal_area": "999999"}, "goal_area"),
    ],
)
def test_bad_packet_requests_are_refused_with_nothing_saved(
    overrides, field, client_for, district_admin, data
):
    response = client_for(district_admin).post(
        packets_url(data.district), packet_form(data, **overrides)
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Packet.objects.count() == 0


def test_the_packet_list_reads_a_fixed_number_of_queries(
    client_for, viewer, data, django_assert_max_num_queries
):
    from tests.factories import PacketFactory

    PacketFactory.create_batch(2, district=data.district)
    client = client_for(viewer)
    client.get(packets_url(data.district))
    with django_assert_max_num_queries(12) as few:
        client.get(packets_url(data.district))
    PacketFactory.create_batch(20, district=data.district)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(packets_url(data.district))
