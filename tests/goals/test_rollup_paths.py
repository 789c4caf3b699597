"""Every path that writes values, schools, networks, metrics, targets or districts
leaves the stored rollups equal to a full recomputation.

One test per path (pages, entry grid, CSV upload, school import, API single and bulk,
admin single, inline and "delete selected", restore, deletes), each on the small
district of `test_rollup_sync`: the path's write must go through, and afterwards the
stored rollups must be exactly what `computed_rollups` gives. Paths that move a rollup
must also change the stored rows, so a path that wrote nothing cannot pass.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from district.import_rows import read_csv
from district.importers import import_schools
from district.models import District, Network, School
from goals.backup import export_district, import_district, read_backup
from goals.models import Goal, Measurement, Metric, Rollup, Scope, Target
from tests.admin_pages import form_data, url
from tests.rollup_checks import assert_rollups_fresh, stored_rollups

from .test_rollup_sync import JUNE_2017, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


class Paths:
    """The clients a path writes with, and the district's rows it writes to."""

    def __init__(self, district, rows, editor, superuser, client_for, api_client_for):
        self.district = district
        self.world = rows
        self.page = client_for(editor)
        self.api = api_client_for(editor)
        self.root_api = api_client_for(superuser)
        self.admin = client_for(superuser)

    @property
    def mean(self) -> Metric:
        return self.world["metrics"][0]

    @property
    def weighted(self) -> Metric:
        return self.world["metrics"][1]

    def school(self, i: int) -> School:
        return School.objects.get(pk=self.world["schools"][i].pk)

    def value(self, i: int = 1, metric=None) -> Measurement:
        return Measurement.objects.get(
            metric=metric or self.mean, school=self.school(i), period_end=JUNE_2017
        )

    def ok(self, response, status=200):
        assert response.status_code == status, getattr(response, "content", response)
        return response

    def admin_change(self, obj, **changes):
        model = type(obj)
        page = self.admin.get(url(model, "change", obj.pk))
        data = form_data(page) | {k: str(v) for k, v in changes.items()}
        response = self.admin.post(url(model, "change", obj.pk), data)
        assert response.status_code == 302, response.context["adminform"].form.errors

    def admin_add(self, model, **values):
        page = self.admin.get(url(model, "add"))
        data = form_data(page) | {k: str(v) for k, v in values.items()}
        response = self.admin.post(url(model, "add"), data)
        assert response.status_code == 302, response.context["adminform"].form.errors

    def admin_delete(self, obj):
        model = type(obj)
        self.ok(self.admin.post(url(model, "delete", obj.pk), {"post": "yes"}), 302)
        assert not model.objects.filter(pk=obj.pk).exists()

    def admin_delete_selected(self, objs):
        model = type(objs[0])
        response = self.admin.post(
            url(model, "changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [obj.pk for obj in objs],
                "post": "yes",
            },
        )
        self.ok(response, 302)
        assert not model.objects.filter(pk__in=[obj.pk for obj in objs]).exists()


@pytest.fixture
def paths(district, world, editor, superuser, client_for, api_client_for):  # noqa: F811
    return Paths(district, world, editor, superuser, client_for, api_client_for)


# --- values ---


def entry_grid(p):
    school = p.school(1)
    p.ok(
        p.page.post(
            f"/districts/lakeside/metrics/{p.mean.pk}/entry/"
            "?period_end=2017-06-30&scope=school",
            {f"value-{school.pk}": "12.5", f"n-{school.pk}": "40"},
        ),
        302,
    )
    assert p.value(1).value == Decimal("12.5")


def csv_upload_page(p):
    text = "metric,school_id,period_end,value,n\nmean,3,2017-06-30,1.5,40\n"
    file = SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")
    preview = p.ok(
        p.page.post("/districts/lakeside/measurements/import/", {"file": file})
    )
    token = preview.context["preview"].token
    p.ok(p.page.post("/districts/lakeside/measurements/import/", {"token": token}), 302)
    assert p.value(2).value == Decimal("1.5")


def api_create_value(p):
    p.ok(
        p.api.post(
            "/api/v1/measurements/",
            {
                "district": "lakeside",
                "metric": p.mean.pk,
                "period_end": "2018-06-30",
                "scope": "school",
                "school": p.school(2).pk,
                "value": "40",
                "n": 30,
            },
            format="json",
        ),  # fmt: skip
        201,
    )


def api_change_value(p):
    p.ok(
        p.api.patch(
            f"/api/v1/measurements/{p.value(2).pk}/", {"value": "3"}, format="json"
        )
    )


def api_move_value_to_another_period(p):
    value = p.value(2)
    p.ok(
        p.api.put(
            f"/api/v1/measurements/{value.pk}/",
            {
                "district": "lakeside",
                "metric": p.mean.pk,
                "period_end": "2018-06-30",
                "scope": "school",
                "school": value.school_id,
                "value": "40",
                "n": 30,
            },
            format="json",
        )  # fmt: skip
    )


def api_delete_value(p):
    p.ok(p.api.delete(f"/api/v1/measurements/{p.value(2).pk}/"), 204)


def api_bulk_values(p):
    response = p.ok(
        p.api.post(
            "/api/v1/measurements/bulk/",
            {
                "district": "lakeside",
                "rows": [
                    {
                        "metric": "mean",
                        "school_id": "3",
                        "period_end": "2017-06-30",
                        "value": 5,
                        "n": 50,
                    },
                    {
                        "metric": "weighted",
                        "school_id": "4",
                        "period_end": "2018-06-30",
                        "value": 7,
                        "n": 50,
                    },
                ],
            },
            format="json",
        )  # fmt: skip
    )
    assert (response.json()["created"], response.json()["updated"]) == (1, 1)


def admin_add_value(p):
    p.admin_add(
        Measurement,
        district=p.district.pk,
        metric=p.mean.pk,
        period_end="2018-06-30",
        scope=Scope.SCHOOL,
        school=p.school(1).pk,
        value="33",
        n="40",
    )


def admin_change_value(p):
    p.admin_change(p.value(2, p.weighted), value="3.5")


def admin_delete_value(p):
    p.admin_delete(p.value(3))


def admin_delete_selected_values(p):
    p.admin_delete_selected([p.value(1), p.value(2, p.weighted), p.value(3)])


# --- schools and networks ---


def api_change_school(p):
    p.ok(
        p.api.patch(
            f"/api/v1/schools/{p.school(1).pk}/",
            {"network": p.world["south"].pk, "enrollment": 10},
            format="json",
        )
    )


def api_delete_school(p):
    p.ok(p.api.delete(f"/api/v1/schools/{p.school(1).pk}/"), 204)


def admin_change_school(p):
    p.admin_change(p.school(1), network=p.world["south"].pk, enrollment=5000)


def admin_delete_school(p):
    p.admin_delete(p.school(2))


def admin_delete_selected_schools(p):
    p.admin_delete_selected([p.school(0), p.school(3)])


def school_import(p):
    csv = (
        "school_id,long_name,network,enrollment\n"
        "1,First,South,400\n2,Second,South,900\n4,Fourth,North,\n"
    )
    result = import_schools(
        district=p.district,
        rows=read_csv(csv.encode(), required_columns=("school_id", "long_name")),
        acting_user=None,
    )
    assert result.updated == 3


def api_delete_network(p):
    p.ok(p.api.delete(f"/api/v1/networks/{p.world['north'].pk}/"), 204)


def admin_delete_network(p):
    p.admin_delete(Network.objects.get(pk=p.world["south"].pk))


# --- metrics and targets ---


def api_change_metric(p):
    p.ok(
        p.api.patch(
            f"/api/v1/metrics/{p.mean.pk}/", {"aggregation": "min"}, format="json"
        )
    )


def admin_change_metric(p):
    p.admin_change(Metric.objects.get(pk=p.weighted.pk), min_n=1)


def api_delete_metric(p):
    p.ok(p.api.delete(f"/api/v1/metrics/{p.mean.pk}/"), 204)


def admin_delete_selected_metrics(p):
    p.admin_delete_selected([Metric.objects.get(pk=p.weighted.pk)])


def api_create_target(p):
    p.ok(
        p.api.post(
            "/api/v1/targets/",
            {
                "district": "lakeside",
                "metric": p.mean.pk,
                "due_on": "2018-06-30",
                "value": "90",
            },
            format="json",
        ),  # fmt: skip
        201,
    )


def admin_add_target(p):
    p.admin_add(
        Target,
        district=p.district.pk,
        metric=p.weighted.pk,
        due_on="2018-06-30",
        value="91",
    )


def admin_delete_goal(p):
    # The goal's metrics, their values and rollups go with it.
    p.admin_delete(Goal.objects.get(pk=p.mean.goal_id))


# --- the district ---


def api_change_district(p):
    p.ok(
        p.root_api.patch(
            "/api/v1/districts/lakeside/", {"suppression_min_n": 5}, format="json"
        )
    )


def admin_change_district(p):
    p.admin_change(District.objects.get(pk=p.district.pk), suppression_min_n=20)


MOVING = [
    entry_grid,
    csv_upload_page,
    api_create_value,
    api_change_value,
    api_move_value_to_another_period,
    api_delete_value,
    api_bulk_values,
    admin_add_value,
    admin_change_value,
    admin_delete_value,
    admin_delete_selected_values,
    api_change_school,
    api_delete_school,
    admin_change_school,
    admin_delete_school,
    admin_delete_selected_schools,
    school_import,
    api_delete_network,
    admin_delete_network,
    api_change_metric,
    admin_change_metric,
    api_delete_metric,
    admin_delete_selected_metrics,
    admin_delete_goal,
    api_change_district,
    admin_change_district,
]
STILL = [api_create_target, admin_add_target]


@pytest.mark.parametrize("path", MOVING, ids=lambda path: path.__name__)
def test_a_path_that_moves_rollups_leaves_them_fresh(paths, path):
    before = assert_rollups_fresh(paths.district)

    path(paths)

    assert assert_rollups_fresh(paths.district) != before


@pytest.mark.parametrize("path", STILL, ids=lambda path: path.__name__)
def test_a_path_that_moves_no_rollup_leaves_them_as_they_were(paths, path):
    before = assert_rollups_fresh(paths.district)

    path(paths)

    assert assert_rollups_fresh(paths.district) == before


def test_deleting_the_district_deletes_its_rollups(paths, superuser):
    assert stored_rollups(paths.district)

    paths.admin_delete(District.objects.get(pk=paths.district.pk))

    assert not Rollup.objects.filter(district_id=paths.district.pk).exists()


def test_a_restored_district_has_fresh_rollups(paths):
    before = stored_rollups(paths.district)
    stream = io.StringIO()
    export_district(district=paths.district, stream=stream)
    paths.district.delete()

    restored = import_district(backup=read_backup(io.StringIO(stream.getvalue())))

    assert assert_rollups_fresh(restored.district) == before


def test_a_changed_value_costs_a_bounded_number_of_queries(
    paths, django_assert_max_num_queries
):
    value = paths.value(2)
    # Validation, the locked read, the closed-period check (in validation and in the
    # save), the save, its history and one refresh of two periods (with its population
    # counts): the same however many values the district holds.
    with django_assert_max_num_queries(38):
        paths.ok(
            paths.api.patch(
                f"/api/v1/measurements/{value.pk}/",
                {"period_end": datetime.date(2018, 6, 30).isoformat()},
                format="json",
            )
        )
    assert_rollups_fresh(paths.district)
