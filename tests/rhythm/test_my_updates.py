"""My updates: what a person owes, on the page and in the API, for each visitor."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.importers import upsert_measurements
from tests.factories import MetricFactory, MetricOwnerFactory

from .conftest import LAST_WEEK, TODAY

PAGE = "/districts/lakeside/my-updates/"
API = "/api/v1/districts/lakeside/my-updates/"


def enter_last_week(rhythm, editor):
    upsert_measurements(
        district=rhythm.metric.district,
        rows=[
            {
                "metric": "attendance_weekly",
                "school_id": s.school_id,
                "period_end": LAST_WEEK,
                "value": 93,
            }
            for s in rhythm.schools
        ],
        acting_user=editor,
    )


def test_the_owner_sees_last_weeks_overdue_items_and_this_weeks_coming_up(
    rhythm, client_for, editor
):
    response = client_for(editor).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    overdue, coming = page.index('<h2 id="group-1">Overdue'), page.index("Coming up")
    assert (
        "Weekly attendance: values for Nov 21 to Nov 27, 2026" in page[overdue:coming]
    )
    assert (
        "Weekly attendance: commentary for Nov 21 to Nov 27, 2026"
        in page[overdue:coming]
    )
    assert "Weekly attendance: values for Nov 28 to Dec 4, 2026" in page[coming:]
    # One click into the entry grid, opened on the period.
    assert (
        f"/districts/lakeside/metrics/{rhythm.metric.pk}/entry/?period_end=2026-12-04&amp;scope=school"
        in page
    )
    assert "<strong>2</strong> items overdue" in page


def test_values_entered_for_every_school_are_done(rhythm, client_for, editor):
    enter_last_week(rhythm, editor)
    body = client_for(editor).get(PAGE).content.decode()
    done = body.index('<h2 id="group-5">Done')
    assert "values for Nov 21 to Nov 27" in body[done:]
    assert "2 of 2 schools reported" in body[done:]


def test_the_api_lists_the_same_items_with_their_states(rhythm, api_client_for, editor):
    enter_last_week(rhythm, editor)
    data = api_client_for(editor).get(API).json()
    assert data["today"] == TODAY.isoformat()
    states = {item["key"]: item["state"] for item in data["items"]}
    metric = rhythm.metric.pk
    assert states == {
        f"value:{metric}:2026-11-27:district": "done",
        f"commentary:{metric}:2026-11-27:district": "overdue",
        f"value:{metric}:2026-12-04:district": "upcoming",
        f"commentary:{metric}:2026-12-04:district": "upcoming",
    }
    assert data["owed_now"] == 1


def test_a_viewer_who_owes_nothing_sees_an_empty_list(
    rhythm, client_for, api_client_for, viewer
):
    assert "Nothing is owed by you" in client_for(viewer).get(PAGE).content.decode()
    assert api_client_for(viewer).get(API).json()["items"] == []


def test_the_outsider_gets_404_and_anonymous_must_log_in(
    rhythm, client_for, api_client_for, outsider
):
    assert client_for(outsider).get(PAGE).status_code == 404
    assert api_client_for(outsider).get(API).status_code == 404
    anonymous = client_for(None).get(PAGE)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")
    assert api_client_for(None).get(API).status_code in (401, 403)


def test_the_home_page_links_my_updates_with_the_count(rhythm, client_for, editor):
    page = client_for(editor).get("/").content.decode()
    assert (
        'href="/districts/lakeside/my-updates/">My updates</a> <strong class="due-count">2 due</strong>'
        in page
    )


def test_nothing_of_another_district_is_owed_here(
    rhythm, other_district, outsider, client_for, editor
):
    from tests.factories import PersonFactory

    foreign = MetricFactory(
        district=other_district,
        name="Hillview attendance",
        frequency="weekly",
        update_owner=PersonFactory(district=other_district, user=outsider),
    )
    assert foreign.pk
    assert "Hillview" not in client_for(editor).get(PAGE).content.decode()
    assert (
        "Weekly attendance"
        not in client_for(outsider)
        .get("/districts/hillview/my-updates/")
        .content.decode()
    )


def test_queries_do_not_grow_with_the_metrics_owed(rhythm, client_for, editor):
    client = client_for(editor)

    def count() -> int:
        client.get(PAGE)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    before = count()
    role = rhythm.metric.owners.get().role
    for _ in range(6):
        metric = MetricFactory(
            district=rhythm.metric.district,
            frequency="weekly",
            update_owner=rhythm.editor_person,
        )
        MetricOwnerFactory(district=metric.district, metric=metric, role=role)
    assert count() == before
