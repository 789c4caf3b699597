"""manage.py load_demo: the Chicago Public Schools demo district, built twice the same."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from district.models import AccessLevel, District, Membership, Network, Person, School
from goals.models import Direction, Measurement, Metric, Target
from goals.rollups import district_series
from roles.matrix import Classification, build_matrix
from roles.models import Ownership, Responsibility, Role, RoleAssignment

PASSWORD = "demo-password-for-tests"

EXPECTED_COUNTS = {
    "networks": 22,
    "schools": 660,
    "roles": 9,
    "people": 26,
    "role assignments": 26,
    "work areas": 6,
    "responsibilities": 35,
    "ownerships": 148,
    "goals": 3,
    "metrics": 7,
    "targets": 20,
    "measurements": 8933,
    "members": 3,
}


def history_rows() -> int:
    """History records of every model, all apps together."""
    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


def printed_counts(output: str) -> dict[str, int]:
    """The totals the command printed, by label ("  schools   660  (660 new)")."""
    return {
        match["label"]: int(match["total"])
        for match in re.finditer(
            r"^  (?P<label>\S.*?) +(?P<total>\d+)  \(\d+ new\)$", output, re.MULTILINE
        )
    }


def load_demo(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_builds_the_district_once_and_a_second_run_changes_nothing(
    monkeypatch,
):
    first = load_demo(password=PASSWORD)
    history = history_rows()
    versions = sorted(Measurement.objects.values_list("pk", "version"))
    monkeypatch.setenv("LANES_DEMO_PASSWORD", PASSWORD)
    second = load_demo()

    assert printed_counts(first) == EXPECTED_COUNTS
    assert printed_counts(second) == EXPECTED_COUNTS
    assert "(0 new)" not in first
    assert second.count("(0 new)") == len(EXPECTED_COUNTS)
    assert history_rows() == history
    assert sorted(Measurement.objects.values_list("pk", "version")) == versions
    assert "skipped rows          55  (measurements: 55 for school_id)" in first
    assert "Log in at http://127.0.0.1:8000/accounts/login/" in first
    assert "password from --password" in first
    assert "password from LANES_DEMO_PASSWORD" in second

    district = District.objects.get(slug="cps")
    assert district.name == "Chicago Public Schools"
    check_structure(district)
    check_matrix(district)
    check_goals(district)
    check_logins(district)


def check_structure(district):
    networks = Network.objects.filter(district=district)
    assert networks.filter(is_geographic=True).count() == 17
    assert set(networks.filter(is_geographic=False).values_list("name", flat=True)) == {
        "ISP",
        "Options",
        "Charter",
        "AUSL",
        "Contract",
    }
    # One chief per geographic network, holding the network chief role.
    chiefs = networks.filter(is_geographic=True).values_list("chief", flat=True)
    assert None not in chiefs and len(set(chiefs)) == 17
    nc = Role.objects.get(district=district, code="NC")
    assert nc.kind == "network_chief" and nc.reports_to.code == "CSO"
    assert set(
        RoleAssignment.objects.filter(role=nc).values_list("person", flat=True)
    ) == set(chiefs)
    assert Role.objects.get(district=district, code="CAO").reports_to.code == "CEDO"
    acting = RoleAssignment.objects.get(district=district, is_acting=True)
    assert acting.role.code == "CTO"
    assert School.objects.filter(district=district, network__isnull=True).count() == 6
    assert School.objects.get(district=district, school_id="400009").network.name == (
        "Charter"
    )


def check_matrix(district):
    matrix = build_matrix(district)
    summary = matrix.summary
    assert (summary.rows, summary.joint, summary.distinct) == (35, 7, 26)
    assert (summary.gaps, summary.conflicts, summary.with_warnings) == (1, 1, 0)
    by_name = {row.name: row for row in matrix.rows()}
    gap = by_name["Selecting digital content"]
    assert gap.health.classification == Classification.GAP
    assert {cell.role.code: cell.level for cell in gap.cells if cell.level} == {
        "CAO": "R",
        "CTO": "R",
        "CIO": "C",
        "CSO": "C",
        "CTL": "C",
    }
    conflict = by_name["School data dashboards"]
    assert conflict.health.classification == Classification.CONFLICT
    assert not conflict.is_joint
    joint = by_name["Student outcomes"]
    assert joint.health.classification == Classification.JOINT
    accountable = {
        load.role.code: load.accountable
        for load in summary.role_loads
        if load.accountable
    }
    assert accountable == {
        "SUPT": 5,
        "CEDO": 5,
        "CAO": 13,
        "CSO": 17,
        "CTO": 4,
        "CIO": 4,
    }
    overloaded = Role.objects.get(pk__in=summary.overload.overloaded)
    assert overloaded.code == "CSO"
    assert Ownership.objects.filter(district=district).count() == 148
    assert Responsibility.objects.filter(district=district, is_joint=True).count() == 7


def check_goals(district):
    metrics = {
        metric.code: metric for metric in Metric.objects.filter(district=district)
    }
    assert {metric.name for metric in metrics.values()} == {
        "Student attendance",
        "Teacher attendance",
        "Freshmen on track",
        "4-year graduation",
        "College enrollment",
        "One-year dropout",
        "Suspensions per 100 students",
    }
    lower = {
        code for code, m in metrics.items() if m.direction == Direction.LOWER_IS_BETTER
    }
    assert lower == {"one_year_dropout_pct", "suspensions_per_100"}
    series = district_series(
        district=district, metric_ids=[m.pk for m in metrics.values()]
    )
    for metric in metrics.values():
        first = series[metric.pk][0]
        expected = first.value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert (metric.baseline_value, metric.baseline_on) == (
            expected,
            first.period_end,
        )
        assert metric.target_on == datetime.date(2019, 6, 30)
    assert metrics["student_attendance_pct"].baseline_on == datetime.date(2015, 6, 30)
    assert metrics["graduation_4yr_pct"].baseline_on == datetime.date(2016, 6, 30)
    assert metrics["student_attendance_pct"].aggregation == "weighted_enrollment"
    dropout = metrics["one_year_dropout_pct"]
    assert dropout.target_value < dropout.baseline_value
    assert list(
        Target.objects.filter(metric=metrics["student_attendance_pct"]).values_list(
            "due_on", flat=True
        )
    ) == [
        datetime.date(2016, 6, 30),
        datetime.date(2017, 6, 30),
        datetime.date(2018, 6, 30),
    ]
    owners = {
        metric.code: set(metric.owner_roles.values_list("code", flat=True))
        for metric in metrics.values()
    }
    assert owners["student_attendance_pct"] == {"CSO"}
    assert owners["freshmen_on_track_pct"] == {"CAO", "CSO"}


def check_logins(district):
    users = {user.username: user for user in get_user_model().objects.all()}
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["editor"].is_staff and not users["editor"].is_superuser
    assert not users["viewer"].is_staff
    levels = dict(
        Membership.objects.filter(district=district).values_list(
            "user__username", "access_level"
        )
    )
    assert levels == {
        "admin": AccessLevel.ADMIN,
        "editor": AccessLevel.EDITOR,
        "viewer": AccessLevel.VIEWER,
    }
    assert Person.objects.get(district=district, user=users["editor"]).name == (
        "Nadia Northrup"
    )
    for username in ("admin", "editor", "viewer"):
        assert Client().login(username=username, password=PASSWORD)
    assert not Client().login(username="viewer", password="wrong")


def test_load_demo_refuses_to_run_without_a_password(monkeypatch):
    monkeypatch.delenv("LANES_DEMO_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="--password P, or set LANES_DEMO_PASSWORD"):
        load_demo()
