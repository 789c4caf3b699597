"""Setting targets per scope: the targets page, the admin, and pages' query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.models import SchoolGroup, SchoolGroupMember
from goals.models import Metric, Target, TargetKind

from ..admin_pages import add_inline_row, errors, form_data, staff, url
from ..factories import (
    MembershipFactory,
    MetricFactory,
    NetworkFactory,
    SchoolFactory,
    SchoolGroupFactory,
    SchoolGroupMemberFactory,
    TargetFactory,
)
from .district_data import add_schools, build_district_data
from .test_views import PAGES, page_urls

D = datetime.date


@pytest.fixture
def metric(district):
    return MetricFactory(district=district, name="Attendance")


def targets_url(metric):
    return f"/districts/{metric.district.slug}/metrics/{metric.pk}/targets/"


@pytest.fixture
def editor_of_both(editor, other_district):
    MembershipFactory(district=other_district, user=editor, access_level="editor")
    return editor


# --- The targets page ---


@pytest.mark.parametrize("persona", ["editor", "district_admin", "superuser"])
def test_editors_open_the_targets_page(client_for, metric, persona, request):
    NetworkFactory(district=metric.district, name="North")
    response = client_for(request.getfixturevalue(persona)).get(targets_url(metric))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Add a target" in body
    assert "80.0%" in body and "90.0%" in body  # the metric's own baseline and final


def test_a_viewer_may_not_open_the_targets_page(client_for, viewer, metric):
    assert client_for(viewer).get(targets_url(metric)).status_code == 403


def test_another_districts_member_gets_404_on_the_targets_page(
    client_for, outsider, metric
):
    assert client_for(outsider).get(targets_url(metric)).status_code == 404
    target = TargetFactory(district=metric.district, metric=metric)
    delete = f"{targets_url(metric)}{target.pk}/delete/"
    assert client_for(outsider).post(delete).status_code == 404
    assert Target.objects.filter(pk=target.pk).exists()


def test_anonymous_is_sent_to_log_in_from_the_targets_page(client_for, metric):
    response = client_for(None).get(targets_url(metric))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_editor_sets_a_networks_final_target_on_the_page(client_for, editor, metric):
    north = NetworkFactory(district=metric.district, name="North")
    response = client_for(editor).post(
        targets_url(metric),
        {"network": north.pk, "kind": "final", "due_on": "2019-06-30", "value": "85"},
    )
    assert response.status_code == 302
    target = Target.objects.get(metric=metric, network=north)
    assert (target.kind, target.value) == (TargetKind.FINAL, Decimal("85"))
    assert target.history.get().history_user == editor
    page = client_for(editor).get(targets_url(metric)).content.decode()
    assert "Network: North" in page and "85.0%" in page


def test_the_page_refuses_another_districts_network_and_saves_nothing(
    client_for, editor_of_both, metric, other_district
):
    foreign = NetworkFactory(district=other_district)
    response = client_for(editor_of_both).post(
        targets_url(metric),
        {"network": foreign.pk, "kind": "final", "due_on": "2019-06-30", "value": "85"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "interim", "due_on": "2021-06-30", "value": "85"}, "falls between"),
        ({"kind": "interim", "due_on": "not a date", "value": "85"}, "valid date"),
        ({"kind": "interim", "due_on": "2017-06-30", "value": "185"}, "between 0"),
        ({"kind": "final", "due_on": "2019-06-30", "value": "85"}, "set on the metric"),
    ],
)
def test_the_page_explains_a_bad_target_and_saves_nothing(
    client_for, editor, metric, data, message
):
    response = client_for(editor).post(targets_url(metric), data)
    assert response.status_code == 400
    assert "Nothing was saved." in response.content.decode()
    assert message in response.content.decode()
    assert not Target.objects.exists()


def test_an_editor_deletes_a_target_and_history_keeps_it(client_for, editor, metric):
    target = TargetFactory(district=metric.district, metric=metric)
    response = client_for(editor).post(f"{targets_url(metric)}{target.pk}/delete/")
    assert response.status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()
    deletion = Target.history.filter(id=target.pk).latest("history_id")
    assert (deletion.history_type, deletion.history_user) == ("-", editor)


def test_a_viewer_may_not_delete_a_target(client_for, viewer, metric):
    target = TargetFactory(district=metric.district, metric=metric)
    response = client_for(viewer).post(f"{targets_url(metric)}{target.pk}/delete/")
    assert response.status_code == 403
    assert Target.objects.filter(pk=target.pk).exists()


def test_the_metric_page_lists_targets_and_links_editors_to_them(
    client_for, viewer, editor, metric
):
    north = NetworkFactory(district=metric.district, name="North")
    TargetFactory(
        district=metric.district,
        metric=metric,
        network=north,
        kind=TargetKind.FINAL,
        due_on=D(2019, 6, 30),
        value=Decimal("86"),
    )
    page = f"/districts/{metric.district.slug}/metrics/{metric.pk}/"
    seen = client_for(viewer).get(page).content.decode()
    assert "Network: North" in seen and "86.0%" in seen
    assert targets_url(metric) not in seen
    assert targets_url(metric) in client_for(editor).get(page).content.decode()


def test_the_targets_page_reads_a_fixed_number_of_queries(client_for, editor, metric):
    c = client_for(editor)
    c.get(targets_url(metric))
    networks = [NetworkFactory(district=metric.district) for _ in range(2)]
    for network in networks:
        TargetFactory(district=metric.district, metric=metric, network=network)
    with CaptureQueriesContext(connection) as few:
        assert c.get(targets_url(metric)).status_code == 200
    for _ in range(18):
        network = NetworkFactory(district=metric.district)
        TargetFactory(district=metric.district, metric=metric, network=network)
        group = SchoolGroupFactory(district=metric.district)
        TargetFactory(district=metric.district, metric=metric, school_group=group)
    with CaptureQueriesContext(connection) as many:
        assert c.get(targets_url(metric)).status_code == 200
    assert len(many) == len(few)


# --- The admin ---


def test_admin_refuses_a_target_for_another_districts_network(
    client_for, editor_of_both, metric, other_district
):
    foreign = NetworkFactory(district=other_district)
    client = client_for(staff(editor_of_both))
    page = client.get(url(Target, "add"))
    data = form_data(page) | {
        "district": metric.district_id,
        "metric": metric.pk,
        "network": foreign.pk,
        "kind": "final",
        "due_on": "2019-06-30",
        "value": "85",
    }
    response = client.post(url(Target, "add"), data)
    assert response.status_code == 200
    assert "Network must belong to the target's district." in errors(response)
    assert not Target.objects.exists()


def test_admin_inline_on_the_metric_refuses_another_districts_group(
    client_for, editor_of_both, metric, other_district
):
    foreign = SchoolGroupFactory(district=other_district)
    client = client_for(staff(editor_of_both))
    page = client.get(url(Metric, "change", metric.pk))
    data = form_data(page)
    add_inline_row(
        data,
        page,
        Target,
        school_group=foreign.pk,
        kind="final",
        due_on="2019-06-30",
        value="85",
    )
    response = client.post(url(Metric, "change", metric.pk), data)
    assert response.status_code == 200
    assert any("valid choice" in message for message in errors(response))
    assert not Target.objects.exists()


def test_admin_inline_on_the_metric_sets_a_groups_target_with_history(
    client_for, editor, metric
):
    group = SchoolGroupFactory(district=metric.district, name="Tier 1")
    client = client_for(staff(editor))
    page = client.get(url(Metric, "change", metric.pk))
    data = form_data(page)
    add_inline_row(
        data,
        page,
        Target,
        school_group=group.pk,
        kind="final",
        due_on="2019-06-30",
        value="85",
    )
    response = client.post(url(Metric, "change", metric.pk), data)
    assert response.status_code == 302, errors(response)
    target = Target.objects.get(school_group=group)
    assert target.district == metric.district
    assert target.history.get().history_user == editor


def test_admin_inline_on_a_school_group_refuses_another_districts_school(
    client_for, editor_of_both, district, other_district
):
    group = SchoolGroupFactory(district=district)
    foreign = SchoolFactory(district=other_district)
    client = client_for(staff(editor_of_both))
    page = client.get(url(SchoolGroup, "change", group.pk))
    data = form_data(page)
    add_inline_row(data, page, SchoolGroupMember, school=foreign.pk)
    response = client.post(url(SchoolGroup, "change", group.pk), data)
    assert response.status_code == 200
    assert any("valid choice" in message for message in errors(response))
    assert not SchoolGroupMember.objects.exists()


def test_admin_adds_schools_to_a_group_with_history(client_for, editor, district):
    group = SchoolGroupFactory(district=district)
    school = SchoolFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(SchoolGroup, "change", group.pk))
    data = form_data(page)
    add_inline_row(data, page, SchoolGroupMember, school=school.pk)
    response = client.post(url(SchoolGroup, "change", group.pk), data)
    assert response.status_code == 302, errors(response)
    member = SchoolGroupMember.objects.get()
    assert (member.school, member.district) == (school, district)
    assert member.history.get().history_user == editor


# --- Pages keep a fixed number of queries with scoped targets ---


@pytest.mark.parametrize("page", PAGES)
def test_pages_with_scoped_targets_read_a_fixed_number_of_queries(
    client_for, district, editor, page
):
    data = build_district_data(district, schools=20)
    group = SchoolGroupFactory(district=district, name="Tier 1")
    for metric in (data.attendance, data.suspensions):
        TargetFactory(
            district=district,
            metric=metric,
            network=data.north,
            kind=TargetKind.FINAL,
            due_on=D(2019, 6, 30),
            value=metric.target_value,
        )
        TargetFactory(
            district=district,
            metric=metric,
            school_group=group,
            kind=TargetKind.FINAL,
            due_on=D(2019, 6, 30),
            value=metric.target_value,
        )
    for school in data.north.schools.all()[:5]:
        SchoolGroupMemberFactory(district=district, group=group, school=school)
    c = client_for(editor)
    url = page_urls(data)[page]
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        assert c.get(url).status_code == 200
    add_schools(data, 580)
    more = SchoolGroupFactory(district=district, name="Tier 2")
    for school in data.north.schools.all()[5:300]:
        SchoolGroupMemberFactory(district=district, group=more, school=school)
    with CaptureQueriesContext(connection) as large:
        assert c.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
