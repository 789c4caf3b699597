"""manage.py import_measurements: output, exit codes, --skip-invalid and --dry-run."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from goals.models import Measurement, Unit
from tests.factories import MetricFactory, SchoolFactory


@pytest.fixture
def attendance(district):
    return MetricFactory(district=district, code="attendance", unit=Unit.PERCENT)


@pytest.fixture
def schools(district):
    return [
        SchoolFactory(district=district, school_id=school_id)
        for school_id in ("400001", "400002")
    ]


def measurements_csv(lines: list[str]) -> bytes:
    header = "school_id,school_year,metric,value\n"
    return (header + "".join(f"{line}\n" for line in lines)).encode()


def write_file(tmp_path, data: bytes):
    path = tmp_path / "measurements.csv"
    path.write_bytes(data)
    return str(path)


def test_import_measurements_command_imports_a_file(
    tmp_path, district, editor, attendance, schools
):
    path = write_file(
        tmp_path,
        measurements_csv(
            ["400001,2014-15,attendance,90", "400002,2014-15,attendance,91"]
        ),
    )
    out, err = StringIO(), StringIO()

    call_command(
        "import_measurements",
        "lakeside",
        path,
        "--user",
        "editor",
        stdout=out,
        stderr=err,
    )

    assert (
        "Measurements: 2 were created, 0 were updated, 0 unchanged, 0 skipped (invalid)."
        in out.getvalue()
    )
    assert "Saved." in out.getvalue() and err.getvalue() == ""
    assert set(Measurement.objects.values_list("source", "entered_by")) == {
        ("CSV import measurements.csv", editor.pk)
    }


def test_import_measurements_command_lists_errors_and_fails_when_nothing_was_saved(
    tmp_path, district, attendance, schools
):
    path = write_file(
        tmp_path,
        measurements_csv(
            ["400001,2014-15,attendance,90", "400009,2014-15,attendance,abc"]
        ),
    )
    out, err = StringIO(), StringIO()

    with pytest.raises(
        CommandError, match="Nothing was saved: 1 row has errors .* use --skip-invalid"
    ):
        call_command("import_measurements", "lakeside", path, stdout=out, stderr=err)

    assert err.getvalue().splitlines() == [
        "Line 3, column school_id: Unknown school id '400009'.",
        "Line 3, column value: Not a number: 'abc'.",
    ]
    assert not Measurement.objects.exists()


def test_import_measurements_command_skip_invalid_saves_the_rest(
    tmp_path, district, attendance, schools
):
    path = write_file(
        tmp_path,
        measurements_csv(
            ["400001,2014-15,attendance,90", "400009,2014-15,attendance,91"]
        ),
    )
    out, err = StringIO(), StringIO()

    call_command(
        "import_measurements",
        "lakeside",
        path,
        "--skip-invalid",
        stdout=out,
        stderr=err,
    )

    assert "Saved the valid rows; 1 invalid rows were skipped." in out.getvalue()
    assert "Line 3, column school_id: Unknown school id '400009'." in err.getvalue()
    assert Measurement.objects.count() == 1


def test_import_measurements_command_dry_run_saves_nothing(
    tmp_path, district, attendance, schools
):
    path = write_file(tmp_path, measurements_csv(["400001,2014-15,attendance,90"]))
    out = StringIO()

    call_command(
        "import_measurements",
        "lakeside",
        path,
        "--dry-run",
        stdout=out,
        stderr=StringIO(),
    )

    assert "Measurements: 1 would be created" in out.getvalue()
    assert "Dry run: nothing was saved." in out.getvalue()
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (
            "school_id,school_year,metric,value\n1,2014-15,caf\u00e9,1\n".encode(
                "latin-1"
            ),
            "not UTF-8",
        ),
        (b"school,year,metric\n", "Required column missing: value"),
    ],
)
def test_import_measurements_command_refuses_an_unusable_file(
    tmp_path, district, data, message
):
    path = write_file(tmp_path, data)

    with pytest.raises(CommandError, match=message):
        call_command(
            "import_measurements",
            "lakeside",
            path,
            stdout=StringIO(),
            stderr=StringIO(),
        )
