"""The entry grid and the CSV import page: access, good and bad input, all or nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.forms import MAX_UPLOAD_BYTES
from goals.models import Measurement, Scope
from tests.factories import MeasurementFactory, MetricFactory

from .district_data import add_schools, build_district_data

JUNE_2019 = datetime.date(2019, 6, 30)


@pytest.fixture
def data(district):
    return build_district_data(district, schools=6)


def entry_url(data, metric=None, *, period_end="2019-06-30", scope="school", extra=""):
    metric = metric or data.attendance
    return (
        f"/districts/lakeside/metrics/{metric.pk}/entry/"
        f"?period_end={period_end}&scope={scope}{extra}"
    )


IMPORT_URL = "/districts/lakeside/measurements/import/"


def schools_of(data):
    return list(data.district.schools.order_by("network__name", "name", "pk"))


def grid_post(data, values):
    """Form data for the grid: {school: (value, n)}."""
    post = {}
    for school, (value, n) in values.items():
        post[f"value-{school.pk}"] = value
        post[f"n-{school.pk}"] = n
    return post


def new_values():
    return Measurement.objects.filter(period_end=JUNE_2019)


@pytest.mark.parametrize("url", ["entry", "import"])
@pytest.mark.parametrize("persona", ["editor", "district_admin", "superuser"])
def test_editors_and_admins_can_open_the_entry_pages(
    client_for, data, url, persona, request
):
    user = request.getfixturevalue(persona)
    target = entry_url(data) if url == "entry" else IMPORT_URL
    assert client_for(user).get(target).status_code == 200


@pytest.mark.parametrize("url", ["entry", "import"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_viewer_is_refused_the_entry_pages(client_for, data, viewer, url, method):
    target = entry_url(data) if url == "entry" else IMPORT_URL
    school = schools_of(data)[1]
    response = getattr(client_for(viewer), method)(
        target, grid_post(data, {school: ("95", "300")})
    )
    assert response.status_code == 403
    assert not new_values().exists()


@pytest.mark.parametrize("url", ["entry", "import"])
def test_outsider_gets_404_on_the_entry_pages(client_for, data, outsider, url):
    target = entry_url(data) if url == "entry" else IMPORT_URL
    assert client_for(outsider).get(target).status_code == 404
    assert client_for(outsider).post(target, {}).status_code == 404


@pytest.mark.parametrize("url", ["entry", "import"])
def test_anonymous_is_sent_to_log_in_from_the_entry_pages(client_for, data, url):
    target = entry_url(data) if url == "entry" else IMPORT_URL
    response = client_for(None).get(target)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_entry_grid_of_another_districts_metric_is_404(
    client_for, data, editor, other_district
):
    foreign = MetricFactory(district=other_district)
    assert client_for(editor).get(entry_url(data, foreign)).status_code == 404


def test_entry_grid_lists_every_school_with_its_stored_value(client_for, data, editor):
    response = client_for(editor).get(entry_url(data, period_end="2018-06-30"))
    rows = response.context["rows"]
    assert [row.label for row in rows] == [s.name for s in schools_of(data)]
    small = next(row for row in rows if row.code == data.small_school.school_id)
    assert (small.value, small.n) == ("94", "4")
    body = response.content.decode()
    assert f'<label class="visually-hidden" for="value-{data.small_school.pk}">' in body


def test_entry_grid_without_a_period_offers_the_latest_school_year(
    client_for, data, editor
):
    response = client_for(editor).get(
        f"/districts/lakeside/metrics/{data.attendance.pk}/entry/"
    )
    assert response.status_code == 200
    assert response.context.get("rows") is None
    assert 'value="2018-06-30"' in response.content.decode()


def test_entry_grid_with_a_bad_period_says_so(client_for, data, editor):
    response = client_for(editor).get(entry_url(data, period_end="30/06/2019"))
    assert response.status_code == 200
    assert response.context.get("rows") is None
    assert "Enter a valid date." in response.content.decode()


def test_editor_saves_a_periods_values_for_several_schools_together(
    client_for, data, editor
):
    first, second, third = schools_of(data)[:3]
    response = client_for(editor).post(
        entry_url(data),
        grid_post(data, {first: ("95.5", "300"), second: ("96", ""), third: ("", "")}),
    )
    assert response.status_code == 302
    saved = {m.school_id: m for m in new_values()}
    assert set(saved) == {first.pk, second.pk}
    assert saved[first.pk].value == Decimal("95.5")
    assert saved[first.pk].n == 300
    assert saved[second.pk].n is None
    assert saved[first.pk].entered_by == editor
    assert saved[first.pk].history.get().history_user == editor
    follow = client_for(editor).get(response.url)
    assert follow.status_code == 200


def test_saving_the_grid_again_changes_an_existing_value(client_for, data, editor):
    school = schools_of(data)[2]
    c = client_for(editor)
    c.post(entry_url(data), grid_post(data, {school: ("90", "100")}))
    c.post(entry_url(data), grid_post(data, {school: ("91.25", "100")}))
    stored = new_values().get(school=school)
    assert stored.value == Decimal("91.25")
    assert stored.history.count() == 2


def test_grid_with_an_invalid_cell_saves_nothing_and_shows_the_error_there(
    client_for, data, editor
):
    good, bad = schools_of(data)[1:3]
    response = client_for(editor).post(
        entry_url(data), grid_post(data, {good: ("95", "300"), bad: ("101", "300")})
    )
    assert response.status_code == 400
    assert not new_values().exists()
    row = next(r for r in response.context["rows"] if r.key == str(bad.pk))
    assert "A percent lies between 0 and 100." in " ".join(row.errors["value"])
    body = response.content.decode()
    assert f'id="value-{bad.pk}-error"' in body
    assert f'aria-describedby="value-{bad.pk}-error"' in body
    assert "Nothing was saved." in body
    # What was typed stays in the cells.
    assert f'name="value-{good.pk}" value="95"' in body
    assert f'name="value-{bad.pk}" value="101"' in body


@pytest.mark.parametrize(
    ("value", "n", "column", "message"),
    [
        ("abc", "10", "value", "Not a number"),
        ("9,5", "10", "value", "Use a point, not a comma"),
        ("", "10", "value", "Required: a number."),
        ("95", "-1", "n", ""),
        ("95", "1.5", "n", ""),
    ],
)
def test_grid_reports_each_kind_of_bad_cell(
    client_for, data, editor, value, n, column, message
):
    school = schools_of(data)[1]
    response = client_for(editor).post(
        entry_url(data), grid_post(data, {school: (value, n)})
    )
    assert response.status_code == 400
    row = next(r for r in response.context["rows"] if r.key == str(school.pk))
    assert column in row.errors
    assert message in " ".join(row.errors[column])
    assert not new_values().exists()


def test_counts_may_be_negative_never(client_for, data, editor):
    school = schools_of(data)[1]
    response = client_for(editor).post(
        entry_url(data, data.uptime), grid_post(data, {school: ("-3", "")})
    )
    assert response.status_code == 400
    assert not new_values().exists()


def test_network_grid_saves_network_values(client_for, data, editor):
    response = client_for(editor).post(
        entry_url(data, scope="network"),
        {f"value-{data.north.pk}": "93.5", f"n-{data.north.pk}": "4000"},
    )
    assert response.status_code == 302
    stored = new_values().get()
    assert (stored.scope, stored.network, stored.value) == (
        Scope.NETWORK,
        data.north,
        Decimal("93.5"),
    )


def test_district_grid_saves_the_district_value(client_for, data, editor):
    response = client_for(editor).post(
        entry_url(data, scope="district"), {"value-district": "94", "n-district": ""}
    )
    assert response.status_code == 302
    stored = new_values().get()
    assert (stored.scope, stored.school, stored.network) == (Scope.DISTRICT, None, None)


def test_grid_can_be_limited_to_one_networks_schools(client_for, data, editor):
    response = client_for(editor).get(
        entry_url(data, extra=f"&network={data.north.pk}")
    )
    assert {row.group for row in response.context["rows"]} == {"North"}


def test_grid_for_600_schools_saves_in_one_post_with_constant_queries(
    client_for, data, editor
):
    c = client_for(editor)
    c.get(entry_url(data))
    with CaptureQueriesContext(connection) as small:
        c.get(entry_url(data))
    add_schools(data, 594)
    with CaptureQueriesContext(connection) as large:
        response = c.get(entry_url(data))
    assert len(large) == len(small)
    rows = response.context["rows"]
    assert len(rows) == 600
    post = {row.value_name: "95" for row in rows} | {row.n_name: "200" for row in rows}
    assert c.post(entry_url(data), post).status_code == 302
    assert new_values().count() == 600


def csv_upload(text, name="values.csv", content_type="text/csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type=content_type)


def good_csv(data):
    a, b = schools_of(data)[1:3]
    return (
        "metric,school_id,network,period_end,value,n\n"
        f"attendance,{a.school_id},,2019-06-30,95.5,300\n"
        f"attendance,{b.school_id},,2019-06-30,96,310\n"
        "attendance,,North,2019-06-30,95.7,\n"
    )


def test_upload_previews_without_saving_then_confirm_saves(client_for, data, editor):
    c = client_for(editor)
    response = c.post(IMPORT_URL, {"file": csv_upload(good_csv(data))})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.result.created, preview.result.skipped) == (3, 0)
    assert preview.token
    assert not new_values().exists()
    body = response.content.decode()
    assert "Preview of values.csv" in body
    assert "Import 3 rows" in body

    confirmed = c.post(IMPORT_URL, {"token": preview.token})
    assert confirmed.status_code == 302
    assert new_values().count() == 3
    stored = new_values().get(scope=Scope.NETWORK)
    assert stored.source == "CSV upload: values.csv"
    assert stored.history.get().history_user == editor
    assert "Imported values.csv: 3 new" in c.get(confirmed.url).content.decode()


def test_upload_with_a_bad_row_lists_row_errors_and_offers_no_import(
    client_for, data, editor
):
    text = good_csv(data) + "attendance,999999,,2019-06-30,150,10\n"
    response = client_for(editor).post(IMPORT_URL, {"file": csv_upload(text)})
    assert response.status_code == 400
    preview = response.context["preview"]
    assert preview.token is None
    lines = {(e.row, e.column) for e in preview.errors}
    assert (5, "school_id") in lines
    assert (5, "value") in lines
    body = response.content.decode()
    assert "Nothing was saved." in body
    assert 'name="token"' not in body
    assert not new_values().exists()


def test_confirming_a_file_that_became_invalid_saves_nothing(client_for, data, editor):
    c = client_for(editor)
    token = (
        c.post(IMPORT_URL, {"file": csv_upload(good_csv(data))})
        .context["preview"]
        .token
    )
    data.north.delete()
    response = c.post(IMPORT_URL, {"token": token})
    assert response.status_code == 400
    assert response.context["preview"].errors
    assert not new_values().exists()


def test_a_tampered_or_foreign_token_is_refused(
    client_for, data, editor, district_admin
):
    token = (
        client_for(editor)
        .post(IMPORT_URL, {"file": csv_upload(good_csv(data))})
        .context["preview"]
        .token
    )
    for user, sent in ((editor, token[:-3] + "abc"), (district_admin, token)):
        c = client_for(user)
        response = c.post(IMPORT_URL, {"token": sent})
        assert response.status_code == 302
        assert "upload the file again" in c.get(response.url).content.decode()
    assert not new_values().exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("", "values.csv", "text/csv"), "The submitted file is empty."),
        (("metric,value\n", "values.csv", "text/csv"), "no data rows"),
        (("a,b\n1,2\n", "values.csv", "text/csv"), "metric"),
        (("metric,value\n", "values.xlsx", "text/csv"), "Choose a .csv file"),
        ((b"PK\x03\x04rest", "values.csv", "text/csv"), "Excel workbook"),
        ((b"metric\x00value", "values.csv", "text/csv"), "not text"),
        (("metric,value\n", "values.csv", "image/png"), "image/png, not CSV"),
        ((b"\xff\xfe\xfa bad", "values.csv", "text/csv"), "UTF-8"),
    ],
)
def test_upload_of_a_file_that_is_not_a_measurements_csv_says_why(
    client_for, data, editor, upload, message
):
    response = client_for(editor).post(IMPORT_URL, {"file": csv_upload(*upload)})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert not new_values().exists()


def test_upload_without_a_file_asks_for_one(client_for, data, editor):
    response = client_for(editor).post(IMPORT_URL, {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_upload_larger_than_the_limit_is_refused_with_a_clear_message(
    client_for, data, editor
):
    text = good_csv(data) + ("#" * 100 + "\n") * (MAX_UPLOAD_BYTES // 100)
    response = client_for(editor).post(IMPORT_URL, {"file": csv_upload(text)})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert "larger than 5 MB" in errors


def test_upload_is_never_written_to_local_disk(
    client_for, data, editor, settings, tmp_path
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django would spool anything larger
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    response = client_for(editor).post(IMPORT_URL, {"file": csv_upload(good_csv(data))})
    assert response.status_code == 200
    assert response.context["preview"].token
    assert list(tmp_path.iterdir()) == []


def test_upload_updates_existing_values_and_reports_unchanged_ones(
    client_for, data, editor
):
    a = schools_of(data)[1]
    MeasurementFactory(
        district=data.district,
        metric=data.attendance,
        school=a,
        period_end=JUNE_2019,
        value=Decimal("90"),
        n=300,
    )
    response = client_for(editor).post(IMPORT_URL, {"file": csv_upload(good_csv(data))})
    result = response.context["preview"].result
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)


def test_import_preview_query_count_does_not_grow_with_the_number_of_schools(
    client_for, data, editor
):
    c = client_for(editor)
    text = good_csv(data)

    def preview():
        return c.post(IMPORT_URL, {"file": csv_upload(text)})

    preview()
    with CaptureQueriesContext(connection) as small:
        assert preview().status_code == 200
    add_schools(data, 594)
    with CaptureQueriesContext(connection) as large:
        assert preview().status_code == 200
    assert len(large) == len(small)
