"""A closed period's values, commentary and targets refuse every write path until reopened."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from goals.commentary import write_commentary
from goals.importers import upsert_measurements
from goals.models import ClosedPeriod, Commentary, Measurement, Scope, Target
from tests import admin_pages
from tests.factories import (
    MeasurementFactory,
    MetricFactory,
    NetworkFactory,
    SchoolFactory,
    TargetFactory,
)

CLOSED_DAY = datetime.date(2026, 9, 30)
OPEN_DAY = datetime.date(2026, 10, 31)
REFUSAL = "is in a closed period (Board meeting of October"


@pytest.fixture
def setup(district, district_admin):
    network = NetworkFactory(district=district, name="North")
    school = SchoolFactory(district=district, network=network, school_id="101")
    metric = MetricFactory(district=district, code="attendance")
    stored = MeasurementFactory(
        district=district,
        metric=metric,
        school=school,
        period_end=CLOSED_DAY,
        value=Decimal("90"),
    )
    closed = ClosedPeriod.objects.create(
        district=district,
        name="Board meeting of October",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 9, 30),
        closed_by=district_admin,
    )
    return {
        "district": district,
        "school": school,
        "metric": metric,
        "stored": stored,
        "closed": closed,
    }


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_model_save_of_a_value_in_a_closed_period_is_refused(setup):
    stored = setup["stored"]
    stored.value = Decimal("95")
    with pytest.raises(ValidationError) as refused:
        stored.save()
    assert REFUSAL in messages_of(refused.value)
    assert Measurement.objects.get(pk=stored.pk).value == Decimal("90")


def test_moving_a_value_out_of_a_closed_period_is_refused(setup):
    stored = setup["stored"]
    stored.period_end = OPEN_DAY
    with pytest.raises(ValidationError):
        stored.full_clean()
    with pytest.raises(ValidationError):
        stored.save()


def test_model_delete_of_a_value_in_a_closed_period_is_refused(setup):
    with pytest.raises(ValidationError):
        setup["stored"].delete()
    assert Measurement.objects.filter(pk=setup["stored"].pk).exists()


def test_a_value_in_an_open_period_saves(setup):
    MeasurementFactory(
        district=setup["district"],
        metric=setup["metric"],
        school=setup["school"],
        period_end=OPEN_DAY,
    )
    assert Measurement.objects.filter(period_end=OPEN_DAY).count() == 1


def test_the_bulk_upsert_refuses_rows_of_a_closed_period_and_saves_nothing(
    setup, editor
):
    result = upsert_measurements(
        district=setup["district"],
        rows=[
            {
                "metric": "attendance",
                "school_id": "101",
                "period_end": "2026-09-30",
                "value": 97,
            },
            {
                "metric": "attendance",
                "school_id": "101",
                "period_end": "2026-10-31",
                "value": 97,
            },
        ],
        acting_user=editor,
    )
    assert not result.saved
    assert [(e.row, e.column) for e in result.errors] == [(0, "period_end")]
    assert REFUSAL in result.errors[0].message
    assert not Measurement.objects.filter(period_end=OPEN_DAY).exists()
    assert setup["stored"].__class__.objects.get(pk=setup["stored"].pk).value == 90


def test_the_entry_grid_refuses_a_closed_period_with_the_reason(
    setup, client_for, editor
):
    school = setup["school"]
    response = client_for(editor).post(
        f"/districts/lakeside/metrics/{setup['metric'].pk}/entry/"
        "?period_end=2026-09-30&scope=school",
        {f"value-{school.pk}": "99", f"n-{school.pk}": ""},
    )
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    assert Measurement.objects.get(pk=setup["stored"].pk).value == 90


def test_the_csv_import_refuses_a_closed_period_with_the_reason(
    setup, client_for, editor
):
    upload = SimpleUploadedFile(
        "values.csv",
        b"metric,school_id,period_end,value\nattendance,101,2026-09-30,99\n",
        content_type="text/csv",
    )
    response = client_for(editor).post(
        "/districts/lakeside/measurements/import/", {"file": upload}
    )
    assert REFUSAL in response.content.decode()
    assert Measurement.objects.get(pk=setup["stored"].pk).value == 90


def test_the_api_refuses_to_create_change_or_delete_a_value_in_a_closed_period(
    setup, api_client_for, editor
):
    client = api_client_for(editor)
    created = client.post(
        "/api/v1/measurements/",
        {
            "district": "lakeside",
            "metric": setup["metric"].pk,
            "scope": Scope.DISTRICT,
            "period_end": "2026-08-31",
            "value": "91",
        },
        format="json",
    )
    assert created.status_code == 400
    assert REFUSAL in str(created.json())
    url = f"/api/v1/measurements/{setup['stored'].pk}/"
    changed = client.patch(url, {"value": "99"}, format="json")
    assert changed.status_code == 400
    assert REFUSAL in str(changed.json())
    deleted = client.delete(url)
    assert deleted.status_code == 400
    assert REFUSAL in str(deleted.json())
    assert Measurement.objects.get(pk=setup["stored"].pk).value == 90


def test_the_bulk_api_refuses_a_closed_period_and_saves_nothing(
    setup, api_client_for, editor
):
    response = api_client_for(editor).post(
        "/api/v1/measurements/bulk/",
        {
            "district": "lakeside",
            "rows": [
                {
                    "metric": "attendance",
                    "school_id": "101",
                    "period_end": "2026-10-31",
                    "value": 97,
                },
                {
                    "metric": "attendance",
                    "school_id": "101",
                    "period_end": "2026-09-30",
                    "value": 97,
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert REFUSAL in str(response.json())
    assert not Measurement.objects.filter(period_end=OPEN_DAY).exists()


def test_the_admin_refuses_a_change_and_a_bulk_delete_in_a_closed_period(
    setup, client_for, editor
):
    admin_pages.staff(editor)
    client = client_for(editor)
    stored = setup["stored"]
    change_url = admin_pages.url(Measurement, "change", stored.pk)
    data = admin_pages.form_data(client.get(change_url))
    data["value"] = "99"
    response = client.post(change_url, data, follow=True)
    assert REFUSAL in response.content.decode()
    changelist = admin_pages.url(Measurement, "changelist")
    response = client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [stored.pk], "post": "yes"},
        follow=True,
    )
    assert REFUSAL in response.content.decode()
    assert Measurement.objects.get(pk=stored.pk).value == 90


def test_targets_dated_in_a_closed_period_cannot_change(setup, api_client_for, editor):
    target = TargetFactory(
        district=setup["district"],
        metric=setup["metric"],
        due_on=datetime.date(2017, 6, 30),
    )
    ClosedPeriod.objects.create(
        district=setup["district"],
        name="Board meeting of 2017",
        starts_on=datetime.date(2017, 6, 1),
        ends_on=datetime.date(2017, 6, 30),
    )
    response = api_client_for(editor).patch(
        f"/api/v1/targets/{target.pk}/", {"value": "95"}, format="json"
    )
    assert response.status_code == 400
    assert "closed period" in str(response.json())
    assert Target.objects.get(pk=target.pk).value == Decimal("85")


def test_commentary_in_a_closed_period_cannot_be_written(setup, editor):
    with pytest.raises(ValidationError) as refused:
        write_commentary(
            metric=setup["metric"],
            period_end=CLOSED_DAY,
            behind_the_number="Late buses in September.",
            next_steps="",
            acting_user=editor,
        )
    assert REFUSAL in messages_of(refused.value)
    assert not Commentary.objects.exists()


def test_reopening_needs_a_reason_and_then_allows_changes(setup, district_admin):
    closed = setup["closed"]
    with pytest.raises(ValidationError):
        closed.reopen(reason="  ", acting_user=district_admin)
    closed.reopen(reason="A school corrected its count.", acting_user=district_admin)
    stored = setup["stored"]
    stored.value = Decimal("95")
    stored.save()
    record = closed.history.first()
    assert record.reopen_reason == "A school corrected its count."
    assert record.history_user == district_admin


def test_only_district_admins_close_periods_through_the_api(
    district, api_client_for, editor, district_admin
):
    body = {
        "district": "lakeside",
        "name": "Board meeting",
        "starts_on": "2026-07-01",
        "ends_on": "2026-09-30",
    }
    assert api_client_for(editor).post(
        "/api/v1/closed-periods/", body, format="json"
    ).status_code in (400, 403)
    response = api_client_for(district_admin).post(
        "/api/v1/closed-periods/", body, format="json"
    )
    assert response.status_code == 201
    assert response.json()["closed_by"] == "district_admin"
    pk = response.json()["id"]
    moved = api_client_for(district_admin).patch(
        f"/api/v1/closed-periods/{pk}/", {"ends_on": "2026-08-31"}, format="json"
    )
    assert moved.status_code == 400
    reopened = api_client_for(district_admin).patch(
        f"/api/v1/closed-periods/{pk}/",
        {"reopen_reason": "Corrections from two schools."},
        format="json",
    )
    assert reopened.status_code == 200
    assert reopened.json()["reopened_by"] == "district_admin"
    assert reopened.json()["reopened_at"]
