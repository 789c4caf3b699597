"""The history of values: who changed which value, from what to what, when, through
which path (grid, import, API, admin), in the metric's unit, filtered and paged."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.write_paths import WritePath, writing_through
from goals.importers import upsert_measurements
from goals.models import Measurement, Scope
from tests.admin_pages import errors, form_data, staff, url
from tests.factories import MetricFactory, NetworkFactory, SchoolFactory

HISTORY = "/districts/lakeside/values/history/"


@pytest.fixture
def places(district):
    north = NetworkFactory(district=district, name="North")
    south = NetworkFactory(district=district, name="South")
    metric = MetricFactory(
        district=district, code="attendance", name="Attendance", min_n=10, decimals=1
    )
    other = MetricFactory(district=district, code="uptime", name="Uptime")
    a = SchoolFactory(district=district, network=north, school_id="610001", name="Ada")
    b = SchoolFactory(district=district, network=south, school_id="610002", name="Bo")
    return {
        "metric": metric,
        "other": other,
        "north": north,
        "south": south,
        "a": a,
        "b": b,
    }


def paths(measurement) -> list[str]:
    return list(
        measurement.history.order_by("history_id").values_list(
            "history_write_path", flat=True
        )
    )


def upsert(district, user, value, *, school="610001", period="2019-06-30", n=None):
    return upsert_measurements(
        district=district,
        rows=[
            {
                "metric": "attendance",
                "school_id": school,
                "period_end": period,
                "value": value,
                "n": n,
            }
        ],
        acting_user=user,
    )


# --- Each write path records itself ---


def test_the_entry_grid_records_its_path(client_for, district, editor, places):
    a = places["a"]
    response = client_for(editor).post(
        f"/districts/lakeside/metrics/{places['metric'].pk}/entry/"
        "?period_end=2019-06-30&scope=school",
        {f"value-{a.pk}": "93.5", f"n-{a.pk}": "300"},
    )
    assert response.status_code == 302
    assert paths(Measurement.objects.get()) == [WritePath.GRID]


def test_the_import_page_records_its_path(client_for, district, editor, places):
    client = client_for(editor)
    upload = SimpleUploadedFile(
        "values.csv",
        b"metric,school_id,period_end,value\nattendance,610001,2019-06-30,93.5\n",
        content_type="text/csv",
    )
    preview = client.post("/districts/lakeside/measurements/import/", {"file": upload})
    token = preview.context["preview"].token
    confirmed = client.post(
        "/districts/lakeside/measurements/import/", {"token": token}
    )
    assert confirmed.status_code == 302
    assert paths(Measurement.objects.get()) == [WritePath.IMPORT]


def test_the_import_command_records_its_path(tmp_path, district, editor, places):
    file = tmp_path / "values.csv"
    file.write_text(
        "metric,school_id,period_end,value\nattendance,610001,2019-06-30,93.5\n"
    )
    call_command(
        "import_measurements",
        "lakeside",
        str(file),
        "--user",
        "editor",
        stdout=io.StringIO(),
    )
    assert paths(Measurement.objects.get()) == [WritePath.IMPORT]


def test_the_api_records_its_path_for_single_and_bulk_writes(
    api_client_for, district, editor, places
):
    client = api_client_for(editor)
    created = client.post(
        "/api/v1/measurements/",
        {
            "district": "lakeside",
            "metric": places["metric"].pk,
            "period_end": "2019-06-30",
            "scope": "school",
            "school": places["a"].pk,
            "value": "93.5",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    changed = client.patch(
        f"/api/v1/measurements/{pk}/", {"value": "94"}, format="json"
    )
    assert changed.status_code == 200
    bulk = client.post(
        "/api/v1/measurements/bulk/",
        {
            "district": "lakeside",
            "rows": [
                {
                    "metric": "attendance",
                    "school_id": "610001",
                    "period_end": "2019-06-30",
                    "value": "95",
                }
            ],
        },
        format="json",
    )
    assert bulk.status_code == 200, bulk.json()
    measurement = Measurement.objects.get()
    assert client.delete(f"/api/v1/measurements/{pk}/").status_code == 204
    assert paths(measurement) == [WritePath.API] * 4


def test_the_admin_records_its_path_when_adding_changing_and_deleting(
    client_for, district, editor, places
):
    client = client_for(staff(editor))
    added = client.post(
        url(Measurement, "add"),
        {
            "district": district.pk,
            "metric": places["metric"].pk,
            "period_end": "2019-06-30",
            "scope": Scope.SCHOOL,
            "school": places["a"].pk,
            "value": "87.5",
        },
    )
    assert added.status_code == 302, errors(added)
    measurement = Measurement.objects.get()
    page = client.get(url(Measurement, "change", measurement.pk))
    changed = client.post(
        url(Measurement, "change", measurement.pk), {**form_data(page), "value": "88"}
    )
    assert changed.status_code == 302, errors(changed)
    deleted = client.post(url(Measurement, "delete", measurement.pk), {"post": "yes"})
    assert deleted.status_code == 302
    assert paths(measurement) == [WritePath.ADMIN] * 3


def test_the_admins_bulk_delete_records_its_path(client_for, district, editor, places):
    upsert(district, editor, "90", school="610001")
    upsert(district, editor, "91", school="610002")
    measurements = list(Measurement.objects.order_by("pk"))
    response = client_for(staff(editor)).post(
        url(Measurement, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [m.pk for m in measurements],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Measurement.objects.exists()
    for measurement in measurements:
        assert paths(measurement) == ["", WritePath.ADMIN]


def test_a_change_outside_any_path_records_none(district, editor, places):
    upsert(district, editor, "93.5")
    with writing_through(WritePath.API):
        pass
    assert paths(Measurement.objects.get()) == [""]


# --- The page ---


def test_the_page_shows_who_changed_what_from_what_to_what_in_the_metrics_unit(
    client_for, api_client_for, district, editor, viewer, places
):
    with writing_through(WritePath.GRID):
        upsert(district, editor, "93.5", n=300)
    measurement = Measurement.objects.get()
    api_client_for(editor).patch(
        f"/api/v1/measurements/{measurement.pk}/", {"value": "94"}, format="json"
    )
    response = client_for(viewer).get(f"{HISTORY}?metric={places['metric'].pk}")
    assert response.status_code == 200
    changes = response.context["page"].changes
    assert [(c.what, c.old.text, c.new.text, c.path, c.user) for c in changes] == [
        ("Changed", "93.5%", "94.0%", "API", "editor"),
        ("Entered", "—", "93.5%", "Entry grid", "editor"),
    ]
    assert changes[0].place == "Ada (610001)"
    assert changes[0].period == "2018-19"
    body = response.content.decode()
    assert "93.5%" in body and "94.0%" in body
    assert "0.0000" not in body and "93.5000" not in body


def test_a_value_below_the_minimum_n_stays_hidden_from_viewers(
    client_for, district, editor, viewer, places
):
    upsert(district, editor, "88.4", n=5)
    upsert(district, editor, "91", n=40)  # changed: the earlier value stays hidden
    seen = client_for(viewer).get(HISTORY)
    texts = [(c.old.text, c.new.text) for c in seen.context["page"].changes]
    assert texts == [("Suppressed (n<10)", "91.0%"), ("—", "Suppressed (n<10)")]
    assert "88.4" not in seen.content.decode()
    assert "n=5" not in seen.content.decode()
    edited = client_for(editor).get(HISTORY)
    assert [c.old.text for c in edited.context["page"].changes] == ["88.4%", "—"]


def test_the_history_filters_by_metric_network_school_and_period(
    client_for, district, editor, viewer, places
):
    upsert(district, editor, "90", school="610001", period="2018-06-30")
    upsert(district, editor, "91", school="610001", period="2019-06-30")
    upsert(district, editor, "92", school="610002", period="2019-06-30")
    upsert_measurements(
        district=district,
        rows=[
            {
                "metric": "attendance",
                "network": "North",
                "period_end": "2019-06-30",
                "value": "89",
            }
        ],
        acting_user=editor,
    )
    upsert_measurements(
        district=district,
        rows=[
            {
                "metric": "uptime",
                "school_id": "610002",
                "period_end": "2019-06-30",
                "value": "99",
            }
        ],
        acting_user=editor,
    )
    client = client_for(viewer)

    def shown(query):
        response = client.get(f"{HISTORY}?{query}")
        assert response.status_code == 200, response.context["form"].errors
        return sorted((c.place, c.new.text) for c in response.context["page"].changes)

    north, metric = places["north"].pk, places["metric"].pk
    assert shown(f"network={north}") == [
        ("Ada (610001)", "90.0%"),
        ("Ada (610001)", "91.0%"),
        ("North", "89.0%"),
    ]
    assert shown("school=610002") == [
        ("Bo (610002)", "92.0%"),
        ("Bo (610002)", "99.0%"),
    ]
    assert shown(f"school=610002&metric={metric}") == [("Bo (610002)", "92.0%")]
    assert shown("period_end=2018-06-30") == [("Ada (610001)", "90.0%")]
    assert len(shown("")) == 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("school=999999", "No school has the id 999999 in this district."),
        ("period_end=2019-02-30", "Enter a date as YYYY-MM-DD."),
        ("metric=abc", "Select a valid choice."),
        ("network=0", "Select a valid choice."),
        ("before=-1", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_bad_filter_is_a_400_with_a_message(
    client_for, viewer, places, query, message
):
    response = client_for(viewer).get(f"{HISTORY}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_history_pages_fifty_changes_at_a_time_newest_first(
    client_for, district, editor, viewer, places
):
    for i in range(60):
        upsert(district, editor, str(80 + i / 10))
    client = client_for(viewer)
    first = client.get(HISTORY)
    changes = first.context["page"].changes
    assert len(changes) == 50 and changes[0].new.text == "85.9%"
    older = re.search(
        r'href="\?([^"]*before=\d+[^"]*)" rel="next"', first.content.decode()
    )
    second = client.get(f"{HISTORY}?{older[1].replace('&amp;', '&')}")
    rest = second.context["page"].changes
    assert [c.new.text for c in rest][-1] == "80.0%"
    assert len(rest) == 10 and second.context["page"].older_than is None
    assert "Newest changes" in second.content.decode()


def test_the_page_reads_as_many_queries_whatever_the_history(
    client_for, district, editor, viewer, places
):
    upsert(district, editor, "90")
    client = client_for(viewer)
    client.get(HISTORY)
    with CaptureQueriesContext(connection) as few:
        client.get(f"{HISTORY}?network={places['north'].pk}")
    for i in range(30):
        upsert(district, editor, str(80 + i), school="610001")
        upsert(district, editor, str(80 + i), school="610002", period="2018-06-30")
    with CaptureQueriesContext(connection) as many:
        client.get(f"{HISTORY}?network={places['north'].pk}")
    assert len(many) == len(few)


def test_other_visitors(client_for, district, editor, outsider, places):
    upsert(district, editor, "90")
    assert client_for(editor).get(HISTORY).status_code == 200
    assert client_for(outsider).get(HISTORY).status_code == 404
    anonymous = client_for(None).get(HISTORY)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_metric_page_and_the_scorecards_link_to_the_history_of_values(
    client_for, district, viewer, places
):
    from tests.factories import RoleFactory

    role = RoleFactory(district=district, code="CSO")
    metric, north = places["metric"], places["north"]
    client = client_for(viewer)
    links = {
        f"/districts/lakeside/metrics/{metric.pk}/": f"{HISTORY}?metric={metric.pk}",
        f"/districts/lakeside/metrics/{metric.pk}/networks/{north.pk}/": (
            f"{HISTORY}?metric={metric.pk}&amp;network={north.pk}"
        ),
        f"/districts/lakeside/networks/{north.pk}/": f"{HISTORY}?network={north.pk}",
        f"/districts/lakeside/roles/{role.pk}/": HISTORY,
        "/districts/lakeside/dashboard/": HISTORY,
    }
    for page, link in links.items():
        assert f'href="{link}"' in client.get(page).content.decode(), page
