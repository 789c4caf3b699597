"""export_district and import_district: a district's rows survive a round trip exactly."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.models import District, Membership, Network, Person, School
from goals.backup import _JsonReader, history_model, read_backup, tenant_models
from goals.models import Measurement
from roles.models import Ownership, Role

from ..conftest import PASSWORD
from ..factories import (
    AllocationFactory,
    ClosedPeriodFactory,
    CommentaryFactory,
    GoalFactory,
    GoalOwnerFactory,
    MeasurementFactory,
    MembershipFactory,
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    OwnershipFactory,
    PacketFactory,
    PersonFactory,
    PrincipalFactory,
    PublicationFactory,
    PublishedGoalFactory,
    PublishedMetricFactory,
    ResponsibilityFactory,
    RoleAssignmentFactory,
    RoleFactory,
    ScheduleFactory,
    SchoolFactory,
    SchoolGroupFactory,
    SchoolGroupMemberFactory,
    SupportFactory,
    TargetFactory,
    TierAssignmentFactory,
    TierFactory,
    TierPlanFactory,
    TierRuleFactory,
    UserFactory,
    WorkAreaFactory,
)
from ..tenant_models import make

User = get_user_model()
USER_FIELDS = ["username", "first_name", "last_name", "email", "is_active"]


def build_district(district, prefix: str, schools: int = 2):
    """One row of every tenant-owned model, linked across tables, with some history."""
    owner = UserFactory(username=f"{prefix}-owner", email=f"{prefix}@example.org")
    MembershipFactory(district=district, user=owner)
    chief = PersonFactory(district=district, user=owner, name=f"{prefix} chief")
    network = NetworkFactory(district=district, chief=chief)
    for number in range(schools):
        SchoolFactory(district=district, network=network, school_id=f"{number:04}")
    boss = RoleFactory(district=district, code="SUPT")
    role = RoleFactory(district=district, code="CAO", reports_to=boss)
    RoleAssignmentFactory(district=district, role=role, person=chief)
    area = WorkAreaFactory(district=district)
    responsibility = ResponsibilityFactory(district=district, work_area=area)
    OwnershipFactory(district=district, responsibility=responsibility, role=role)
    goal = GoalFactory(district=district)
    GoalFactory(district=district, parent=goal)
    GoalOwnerFactory(district=district, goal=goal, role=role)
    metric = MetricFactory(district=district, goal=goal)
    MetricOwnerFactory(district=district, metric=metric, role=role)
    TargetFactory(district=district, metric=metric)
    group = SchoolGroupFactory(district=district)
    SchoolGroupMemberFactory(
        district=district,
        group=group,
        school=School.objects.filter(district=district).first(),
    )
    TargetFactory(
        district=district,
        metric=metric,
        network=network,
        kind="final",
        due_on=datetime.date(2019, 6, 30),
        value=Decimal("88"),
    )
    for school in School.objects.filter(district=district):
        MeasurementFactory(
            district=district, metric=metric, school=school, entered_by=owner
        )
    PublicationFactory(district=district, is_published=True)
    PublishedGoalFactory(district=district, goal=goal)
    PublishedMetricFactory(district=district, metric=metric)
    packet = PacketFactory(district=district, issued_by=owner)
    ScheduleFactory(district=district, goal=goal, created_by=owner, packet=packet)
    first = School.objects.filter(district=district).first()
    PrincipalFactory(district=district, school=first, person=chief)
    tier = TierFactory(district=district, level=1)
    plan = TierPlanFactory(district=district, school_year="2017-18", default_tier=tier)
    rule = TierRuleFactory(
        district=district,
        plan=plan,
        tier=tier,
        metric=metric,
        comparison="at_least",
        threshold=Decimal("90"),
        min_off_track=None,
    )
    TierAssignmentFactory(
        district=district, school=first, tier=tier, rule=rule, assigned_by=owner
    )
    support = SupportFactory(district=district)
    AllocationFactory(
        district=district, support=support, school=first, allocated_by=owner
    )
    AllocationFactory(
        district=district, support=support, school=None, school_group=group
    )
    CommentaryFactory(district=district, metric=metric, written_by=owner)
    # Closed after the values were entered, as after a board meeting.
    ClosedPeriodFactory(district=district, closed_by=owner)
    # Every other model with a row of its own (its factory, tests/tenant_models.py).
    for model in tenant_models()[1:]:
        if not model._default_manager.filter(district=district).exists():
            make(model, district)
    # A change, so history holds more than creations.
    network.name = f"{network.name} (renamed)"
    network.save(update_fields=["name"])
    return owner


def snapshot(district_pk: int) -> dict[str, list[dict]]:
    """Every row the district owns and its history, field by field.

    Users are shown by username: a restore into another database gives them new ids.
    """
    usernames = dict(User.objects.values_list("pk", "username"))
    rows = {}
    for model in tenant_models():
        key = {"pk": district_pk} if model is District else {"district_id": district_pk}
        rows[model._meta.label] = table(model._base_manager.filter(**key), usernames)
        history = history_model(model)
        key = {"id": district_pk} if model is District else key
        rows[history._meta.label] = table(
            history._base_manager.filter(**key), usernames
        )
    return rows


def table(queryset, usernames: dict[int, str]) -> list[dict]:
    user_columns = [
        field.attname
        for field in queryset.model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    ]
    rows = list(queryset.order_by("pk").values())
    for row in rows:
        for column in user_columns:
            row[column] = usernames.get(row[column], row[column])
    return rows


def users_snapshot(usernames) -> list[dict]:
    return list(
        User.objects.filter(username__in=usernames)
        .order_by("username")
        .values(*USER_FIELDS)
    )


def erase(district_pk: int, *, history: bool = True) -> None:
    """Remove the district's rows (children first) and, unless told, its history."""
    for model in reversed(tenant_models()):
        key = {"pk": district_pk} if model is District else {"district_id": district_pk}
        model._base_manager.filter(**key).delete()
    if history:
        for model in tenant_models():
            key = (
                {"id": district_pk}
                if model is District
                else {"district_id": district_pk}
            )
            history_model(model)._base_manager.filter(**key).delete()


@pytest.fixture
def lakeside(district, other_district):
    owner = build_district(district, "lakeside")
    build_district(other_district, "hillview")
    return district, owner


def test_every_tenant_owned_model_is_found_parents_first():
    found = tenant_models()
    for model in (District, Person, Network, School, Membership, Role, Ownership):
        assert model in found
    assert found[0] is District
    assert found.index(Network) < found.index(School)
    assert found.index(Role) < found.index(Ownership)
    for model in found[1:]:
        assert model._meta.get_field("district").related_model is District


def test_a_district_round_trips_field_by_field(lakeside, tmp_path):
    district, owner = lakeside
    other_before = snapshot(District.objects.exclude(pk=district.pk).get().pk)
    before = snapshot(district.pk)
    assert all(before[label] for label in before), "every table has rows"
    usernames = {owner.username}
    users_before = users_snapshot(usernames)
    path = tmp_path / "lakeside.json"
    call_command("export_district", "lakeside", str(path), stdout=StringIO())

    erase(district.pk)
    owner.delete()
    assert not School.objects.filter(district_id=district.pk).exists()

    call_command("import_district", str(path), stdout=StringIO())

    assert snapshot(district.pk) == before
    assert users_snapshot(usernames) == users_before
    assert snapshot(District.objects.exclude(pk=district.pk).get().pk) == other_before
    # Without --include-users, restored people set a new password before logging in.
    assert not User.objects.get(username=owner.username).has_usable_password()


def test_export_leaves_out_password_hashes_unless_asked(lakeside, tmp_path):
    district, owner = lakeside
    plain, secret = tmp_path / "plain.json", tmp_path / "secret.json"
    call_command("export_district", "lakeside", str(plain), stdout=StringIO())
    call_command(
        "export_district",
        "lakeside",
        str(secret),
        "--include-users",
        stdout=StringIO(),
    )
    assert owner.password not in plain.read_text()
    assert "hillview" not in plain.read_text()
    [user] = json.loads(secret.read_text())["users"]
    assert user["fields"]["password"] == owner.password

    erase(district.pk)
    owner.delete()
    call_command("import_district", str(secret), stdout=StringIO())
    assert User.objects.get(username=owner.username).check_password(PASSWORD)


def test_import_keeps_existing_users_as_they_are(lakeside, tmp_path):
    district, owner = lakeside
    path = tmp_path / "lakeside.json"
    call_command("export_district", "lakeside", str(path), stdout=StringIO())
    erase(district.pk)
    password_hash = User.objects.get(pk=owner.pk).password

    call_command("import_district", str(path), stdout=StringIO())

    assert User.objects.get(pk=owner.pk).password == password_hash
    assert Membership.objects.get(district=district).user_id == owner.pk


def test_import_refuses_a_district_that_exists(lakeside, tmp_path):
    district, _ = lakeside
    path = tmp_path / "lakeside.json"
    call_command("export_district", "lakeside", str(path), stdout=StringIO())
    before = snapshot(district.pk)
    with pytest.raises(CommandError, match="District 'lakeside' already exists"):
        call_command("import_district", str(path))
    assert snapshot(district.pk) == before


def test_import_refuses_ids_used_by_another_districts_rows_and_saves_nothing(
    lakeside, other_district, tmp_path
):
    district, owner = lakeside
    path = tmp_path / "lakeside.json"
    call_command("export_district", "lakeside", str(path), stdout=StringIO())
    school_pk = School.objects.filter(district=district).first().pk
    erase(district.pk)
    owner.delete()
    SchoolFactory(pk=school_pk, district=other_district, school_id="9999")

    with pytest.raises(CommandError, match="schools in the file have ids"):
        call_command("import_district", str(path))
    assert not District.objects.filter(slug="lakeside").exists()
    assert not User.objects.filter(username=owner.username).exists()


def test_restore_into_the_database_it_was_deleted_from_keeps_its_history(
    lakeside, tmp_path
):
    district, _ = lakeside
    path = tmp_path / "lakeside.json"
    call_command("export_district", "lakeside", str(path), stdout=StringIO())
    before = snapshot(district.pk)
    erase(district.pk, history=False)  # history stays, with deletion records added

    call_command("import_district", str(path), stdout=StringIO())

    after = snapshot(district.pk)
    for label, rows in before.items():
        if label.split(".")[1].lower().startswith("historical"):
            assert [row for row in after[label] if row in rows] == rows
        else:
            assert after[label] == rows


def test_new_rows_can_be_added_after_a_restore(lakeside, tmp_path):
    district, _ = lakeside
    path = tmp_path / "lakeside.json"
    call_command("export_district", "lakeside", str(path), stdout=StringIO())
    erase(district.pk)
    call_command("import_district", str(path), stdout=StringIO())
    restored = District.objects.get(slug="lakeside")
    role = RoleFactory(district=restored, code="NEW")
    assert Role.objects.filter(pk=role.pk, district=restored).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"format": "something-else"}', "not a Lanes district export"),
        ('{"format": "lanes-district-export", "version": 99}', "version 99"),
    ],
)
def test_import_refuses_a_file_that_is_not_an_export(db, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_district", str(path))


def test_import_says_when_the_file_is_missing(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_district", str(tmp_path / "missing.json"))


def test_export_refuses_an_unknown_district(db, tmp_path):
    with pytest.raises(CommandError, match="No district with slug 'nowhere'"):
        call_command("export_district", "nowhere", str(tmp_path / "x.json"))


def export_queries(district, tmp_path) -> int:
    with CaptureQueriesContext(connection) as queries:
        call_command(
            "export_district",
            district.slug,
            str(tmp_path / f"{district.slug}.json"),
            stdout=StringIO(),
        )
    return len(queries)


def test_export_queries_do_not_grow_with_the_number_of_rows(db, tmp_path):
    small = District.objects.create(name="Small", slug="small")
    build_district(small, "small", schools=2)
    large = District.objects.create(name="Large", slug="large")
    build_district(large, "large", schools=20)
    assert Measurement.objects.filter(district=large).count() == 20
    assert export_queries(small, tmp_path) == export_queries(large, tmp_path)


def test_export_to_standard_output_is_one_json_document(lakeside):
    out = StringIO()
    call_command("export_district", "lakeside", "-", stdout=out)
    document = json.loads(out.getvalue())
    assert document["district"] == "lakeside"
    assert document["models"][0] == "district.District"
    assert {record["model"] for record in document["objects"]} >= {
        "district.district",
        "goals.measurement",
        "goals.historicalmeasurement",
    }


class CountingReader(StringIO):
    """A text stream that remembers how many characters were read from it."""

    consumed = 0

    def read(self, size=-1):
        text = super().read(size)
        self.consumed += len(text)
        return text


def test_restore_reads_the_file_as_it_goes(lakeside, tmp_path, monkeypatch):
    district, _ = lakeside
    out = StringIO()
    call_command("export_district", "lakeside", "-", stdout=out)
    monkeypatch.setattr(_JsonReader, "READ_SIZE", 256)
    stream = CountingReader(out.getvalue())
    backup = read_backup(stream)
    first = next(backup.records())
    assert first["model"] == "district.district"
    assert stream.consumed < len(out.getvalue()) / 4


@pytest.mark.parametrize("read_size", [1, 7, 4096])
def test_restore_loads_a_file_read_in_any_piece_size(
    lakeside, tmp_path, monkeypatch, read_size
):
    district, owner = lakeside
    before = snapshot(district.pk)
    path = tmp_path / "lakeside.json"
    call_command("export_district", "lakeside", str(path), stdout=StringIO())
    erase(district.pk)
    owner.delete()
    monkeypatch.setattr(_JsonReader, "READ_SIZE", read_size)
    call_command("import_district", str(path), stdout=StringIO())
    assert snapshot(district.pk) == before


def test_restore_loads_a_reformatted_export(lakeside, tmp_path):
    """An export pretty-printed by another tool, whitespace anywhere, still loads."""
    district, owner = lakeside
    before = snapshot(district.pk)
    out = StringIO()
    call_command("export_district", "lakeside", "-", stdout=out)
    path = tmp_path / "lakeside.json"
    path.write_text(json.dumps(json.loads(out.getvalue()), indent=4))
    erase(district.pk)
    owner.delete()
    call_command("import_district", str(path), stdout=StringIO())
    assert snapshot(district.pk) == before


def test_restore_refuses_a_date_out_of_range_and_saves_nothing(lakeside, tmp_path):
    district, owner = lakeside
    out = StringIO()
    call_command("export_district", "lakeside", "-", stdout=out)
    document = json.loads(out.getvalue())
    for record in document["objects"]:
        if record["model"] == "goals.measurement":
            record["fields"]["period_end"] = "9999-12-31"
    path = tmp_path / "lakeside.json"
    path.write_text(json.dumps(document))
    erase(district.pk)
    owner.delete()
    with pytest.raises(CommandError, match="period_end_in_range"):
        call_command("import_district", str(path))
    assert not District.objects.filter(slug="lakeside").exists()
    assert not User.objects.filter(username=owner.username).exists()


def test_restore_refuses_a_file_cut_short(lakeside, tmp_path):
    district, owner = lakeside
    out = StringIO()
    call_command("export_district", "lakeside", "-", stdout=out)
    path = tmp_path / "lakeside.json"
    path.write_text(out.getvalue()[: len(out.getvalue()) * 2 // 3])
    erase(district.pk)
    owner.delete()
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_district", str(path))
    assert not District.objects.filter(slug="lakeside").exists()
