"""The import page teaches the file: its example is the district's own values and
imports as shown; metric codes appear on the metric, entry and import pages; the
preview names the schools and metrics beside their ids and codes."""

import datetime
import html
import re
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.demo import DISTRICT_SLUG
from goals.import_example import plain_number
from goals.models import Measurement, Scope
from tests.factories import MeasurementFactory, MetricFactory

from .district_data import build_district_data

pytestmark = pytest.mark.django_db

IMPORT_URL = "/districts/lakeside/measurements/import/"
EXAMPLE = re.compile(
    r'<pre class="csv-example" id="csv-example"[^>]*>(.*?)</pre>', re.S
)


@pytest.fixture
def data(district):
    return build_district_data(district, schools=12)


def example_of(response) -> str:
    """The example exactly as the page shows it, as a person would copy it."""
    return html.unescape(EXAMPLE.search(response.content.decode()).group(1))


def upload(client, url, text):
    file = SimpleUploadedFile("example.csv", text.encode(), content_type="text/csv")
    return client.post(url, {"file": file})


def import_as_shown(client, url):
    """Copy the page's example into a file, preview it, confirm it."""
    text = example_of(client.get(url))
    preview = upload(client, url, text)
    assert preview.status_code == 200, preview.content.decode()
    found = preview.context["preview"]
    assert found.errors == ()
    confirmed = client.post(url, {"token": found.token}, follow=True)
    assert confirmed.status_code == 200
    return text, found, confirmed.content.decode()


def test_the_example_is_the_districts_own_values_and_imports_unchanged(
    client_for, data, editor
):
    before = list(Measurement.objects.order_by("pk").values())

    text, preview, page = import_as_shown(client_for(editor), IMPORT_URL)

    lines = text.strip().splitlines()
    assert lines[0] == "metric,school_id,network,period_end,value,n"
    # Real codes and school ids of this district, not invented ones.
    assert {line.split(",")[0] for line in lines[1:]} <= {
        data.attendance.code,
        data.suspensions.code,
        data.uptime.code,
    }
    first = Measurement.objects.get(
        metric__code=lines[1].split(",")[0],
        school__school_id=lines[1].split(",")[1],
        period_end=lines[1].split(",")[3],
    )
    assert lines[1].split(",")[4] == plain_number(first.value)
    assert preview.result.unchanged == len(lines) - 1 >= 4
    assert "Imported example.csv: 0 new, 0 changed, 4 unchanged." in page
    assert list(Measurement.objects.order_by("pk").values()) == before


def test_the_example_shows_a_networks_own_value_when_the_district_has_one(
    client_for, data, editor
):
    MeasurementFactory(
        district=data.district,
        metric=data.attendance,
        scope=Scope.NETWORK,
        school=None,
        network=data.north,
        period_end=datetime.date(2018, 6, 30),
        value=Decimal("94.5000"),
        n=None,
    )

    text, preview, _page = import_as_shown(client_for(editor), IMPORT_URL)

    assert f"{data.attendance.code},,North,2018-06-30,94.5,\n" in text
    assert preview.result.skipped == 0


def test_a_district_without_values_shows_no_example_but_its_codes(
    client_for, district, editor
):
    metric = MetricFactory(district=district, code="reading_pct", name="Reading")

    page = client_for(editor).get(IMPORT_URL).content.decode()

    assert 'id="csv-example"' not in page
    assert "<code>reading_pct</code></td><td>Reading</td>" in page
    assert metric.code in page


def test_the_preview_names_schools_and_metrics_beside_their_ids(
    client_for, data, editor
):
    school = data.north.schools.order_by("school_id")[1]
    text = (
        "metric,school_id,network,period_end,value,n\n"
        f"{data.attendance.code},{school.school_id},,2019-06-30,95.5,300\n"
        f"{data.attendance.code},,North,2019-06-30,95,\n"
    )

    response = upload(client_for(editor), IMPORT_URL, text)

    body = response.content.decode()
    assert f'{school.school_id} <span class="cell-name">{school.name}</span>' in body
    assert (
        f'{data.attendance.code} <span class="cell-name">{data.attendance.name}' in body
    )


def test_an_unknown_id_in_the_preview_gets_no_name_and_a_row_error(
    client_for, data, editor
):
    text = (
        "metric,school_id,network,period_end,value,n\n"
        f"{data.attendance.code},999999,,2019-06-30,95.5,300\n"
    )

    response = upload(client_for(editor), IMPORT_URL, text)

    assert response.status_code == 400
    assert "Unknown school id" in response.content.decode()
    assert "999999 <span" not in response.content.decode()
    assert not Measurement.objects.filter(period_end="2019-06-30").exists()


def test_a_null_character_in_an_id_is_refused_not_a_server_error(
    client_for, data, editor
):
    text = (
        "metric,school_id,network,period_end,value,n\nnone\x00,1\x002,,2019-06-30,9,3\n"
    )

    response = upload(client_for(editor), IMPORT_URL, text)

    assert response.status_code == 400
    assert not Measurement.objects.filter(period_end="2019-06-30").exists()


def test_metric_codes_show_on_the_metric_and_entry_pages(client_for, data, editor):
    code = f"Code <code>{data.attendance.code}</code>"
    metric = f"/districts/lakeside/metrics/{data.attendance.pk}/"

    assert code in client_for(editor).get(metric).content.decode()
    assert code in client_for(editor).get(f"{metric}entry/").content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 403), ("outsider", 404), ("editor", 200), ("district_admin", 200)],
)
def test_only_editors_see_the_example(request, client_for, data, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(IMPORT_URL)

    assert response.status_code == status
    assert ('id="csv-example"' in response.content.decode()) == (status == 200)


def test_anonymous_visitors_are_sent_to_log_in(client_for, data):
    response = client_for(None).get(IMPORT_URL)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_import_page_query_count_does_not_grow_with_the_metrics(
    client_for, data, editor
):
    c = client_for(editor)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert c.get(IMPORT_URL).status_code == 200
        return len(queries)

    for n in range(10):
        MetricFactory(district=data.district, goal=data.joint_goal, code=f"m{n}")
    ten_more = count()
    for n in range(10, 40):
        MetricFactory(district=data.district, goal=data.joint_goal, code=f"m{n}")
    assert count() == ten_more


@time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC))
def test_the_demo_example_imports_as_shown(client_for):
    call_command("load_demo", stdout=StringIO(), password="example-password")
    editor = get_user_model().objects.get(username="editor")

    text, preview, page = import_as_shown(
        client_for(editor), f"/districts/{DISTRICT_SLUG}/measurements/import/"
    )

    assert "attendance," not in text  # the demo's codes, not a made-up one
    assert preview.result.unchanged == len(text.strip().splitlines()) - 1
    assert "0 new, 0 changed" in page
