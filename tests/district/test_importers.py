"""Reading CSV files, and importing networks and schools from rows and files."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from district.import_rows import CsvFileError, RowError, read_csv
from district.importers import (
    SCHOOL_COLUMNS,
    import_networks,
    import_schools,
    is_geographic_network_name,
)
from district.models import Network, School, SchoolCategory
from tests.factories import NetworkFactory, SchoolFactory

SCHOOLS_CSV = (
    "school_id,short_name,long_name,category,network,grades,enrollment,sqrp_rating,latitude\n"
    "400009,GLOBAL CITIZENSHIP,Academy for Global Citizenship,ES,Charter,K-8,466,Level 1,41.8\n"
    "609674,BOGAN HS,William J. Bogan High School,HS,Network 16,9-12,650,Level 2,41.7\n"
    "610001,ALCOTT ES,Louisa May Alcott Elementary School,es,Network 2,PK-8,450,Level 1+,41.9\n"
    "610002,NEW SCHOOL,A School Without a Network,MS,,6-8,,,41.9\n"
)


def schools_file(text: str = SCHOOLS_CSV) -> bytes:
    return text.encode()


def school_rows(text: str = SCHOOLS_CSV):
    return read_csv(schools_file(text), required_columns=SCHOOL_COLUMNS)


# Reading files


def test_read_csv_gives_rows_with_their_line_numbers():
    text = 'School ID , long_name\n1,First\n\n2,"Second,\nwith a line break"\n3,Third\n'
    rows = read_csv(text.encode(), required_columns=SCHOOL_COLUMNS)
    assert [row["school_id"] for row in rows] == ["1", "2", "3"]
    assert [row.line for row in rows] == [2, 4, 6]
    assert rows[1]["long_name"] == "Second,\nwith a line break"


def test_read_csv_accepts_a_utf8_byte_order_mark():
    data = "\ufeffschool_id,long_name\n1,École Saint-Exupéry\n".encode()
    rows = read_csv(data, required_columns=SCHOOL_COLUMNS)
    assert rows[0]["school_id"] == "1"
    assert rows[0]["long_name"] == "École Saint-Exupéry"


def test_read_csv_reads_a_path_and_an_open_file(tmp_path):
    path = tmp_path / "schools.csv"
    path.write_bytes(schools_file())
    assert len(read_csv(path, required_columns=SCHOOL_COLUMNS)) == 4
    assert len(read_csv(str(path), required_columns=SCHOOL_COLUMNS)) == 4
    with path.open("rb") as file:
        assert len(read_csv(file, required_columns=SCHOOL_COLUMNS)) == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n\n", "The file is empty."),
        (b"school_id,long_name\n", "The file has a header but no data rows."),
        (
            b"school_id,name\n1,A\n",
            "Required column missing: long_name. The header has: school_id, name.",
        ),
        (b"id\n1\n", "Required columns missing: school_id, long_name."),
        (b"school_id;long_name\n1;A\n", "separated by semicolons or tabs"),
        (
            b"school_id,long_name,long_name\n1,A,B\n",
            "The header names a column more than once: long_name.",
        ),
        (
            "school_id,long_name\n1,A\n2,Caf\u00e9\n".encode("latin-1"),
            "The file is not UTF-8 text (line 3 has the byte 0xe9",
        ),
    ],
)
def test_read_csv_refuses_an_unusable_file_with_a_clear_message(data, message):
    with pytest.raises(CsvFileError) as raised:
        read_csv(data, required_columns=SCHOOL_COLUMNS)
    assert message in str(raised.value)


def test_read_csv_reads_an_uploaded_file():
    upload = SimpleUploadedFile("schools.csv", schools_file(), content_type="text/csv")
    upload.read(10)

    rows = read_csv(upload, required_columns=SCHOOL_COLUMNS)

    assert [row["school_id"] for row in rows] == [
        "400009",
        "609674",
        "610001",
        "610002",
    ]


def test_read_csv_names_a_missing_file(tmp_path):
    with pytest.raises(CsvFileError, match="Cannot read .*missing.csv"):
        read_csv(tmp_path / "missing.csv", required_columns=SCHOOL_COLUMNS)


def test_row_error_reads_as_row_column_and_problem():
    assert (
        str(RowError(4, "value", "Not a number."))
        == "Row 4, column value: Not a number."
    )
    assert str(RowError(4, None, "Twice.")) == "Row 4: Twice."


# Networks


def test_network_names_like_network_7_are_geographic():
    assert is_geographic_network_name("Network 7")
    assert not is_geographic_network_name("ISP")
    assert not is_geographic_network_name("Options")


def test_import_networks_creates_missing_networks_once(district, editor):
    NetworkFactory(district=district, name="Network 1", is_geographic=True)
    rows = [
        {"network": "Network 1"},
        {"network": "Charter"},
        {"network": ""},
        {"network": "Charter"},
    ]

    result = import_networks(district=district, rows=rows, acting_user=editor)

    assert (result.created, result.unchanged, result.skipped, result.saved) == (
        1,
        1,
        0,
        True,
    )
    charter = Network.objects.get(district=district, name="Charter")
    assert not charter.is_geographic
    assert charter.history.get().history_user == editor
    again = import_networks(district=district, rows=rows, acting_user=editor)
    assert (again.created, again.unchanged) == (0, 2)


# Schools


def test_import_schools_creates_schools_and_their_networks(district, editor):
    result = import_schools(district=district, rows=school_rows(), acting_user=editor)

    assert (result.created, result.updated, result.unchanged, result.skipped) == (
        4,
        0,
        0,
        0,
    )
    assert result.networks_created == 3
    assert result.saved and result.errors == ()
    bogan = School.objects.get(district=district, school_id="609674")
    assert bogan.name == "William J. Bogan High School"
    assert bogan.short_name == "BOGAN HS"
    assert bogan.category == SchoolCategory.HIGH
    assert (bogan.grades, bogan.enrollment, bogan.performance_rating) == (
        "9-12",
        650,
        "Level 2",
    )
    assert bogan.network.name == "Network 16" and bogan.network.is_geographic
    assert School.objects.get(school_id="610001").category == SchoolCategory.ELEMENTARY
    unassigned = School.objects.get(school_id="610002")
    assert unassigned.network is None and unassigned.enrollment is None
    assert not Network.objects.get(district=district, name="Charter").is_geographic
    assert bogan.history.get().history_user == editor


def test_importing_the_same_schools_twice_changes_nothing(district, editor):
    import_schools(district=district, rows=school_rows(), acting_user=editor)
    history = School.history.count()
    versions = list(School.objects.values_list("version", flat=True))

    result = import_schools(district=district, rows=school_rows(), acting_user=editor)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert result.networks_created == 0
    assert School.history.count() == history
    assert list(School.objects.values_list("version", flat=True)) == versions


def test_import_schools_updates_changed_schools_only(district, editor):
    import_schools(district=district, rows=school_rows(), acting_user=editor)
    changed = SCHOOLS_CSV.replace("9-12,650,Level 2", "9-12,700,Level 1").replace(
        "es,Network 2", "es,Network 3"
    )

    result = import_schools(
        district=district, rows=school_rows(changed), acting_user=editor
    )

    assert (result.created, result.updated, result.unchanged) == (0, 2, 2)
    assert result.networks_created == 1
    bogan = School.objects.get(school_id="609674")
    assert (bogan.enrollment, bogan.performance_rating, bogan.version) == (
        700,
        "Level 1",
        2,
    )
    assert bogan.history.first().history_type == "~"
    assert School.objects.get(school_id="610001").network.name == "Network 3"


def test_a_column_left_out_keeps_the_schools_values(district, editor):
    school = SchoolFactory(district=district, school_id="1", name="Old", enrollment=300)
    rows = [{"school_id": "1", "long_name": "New name"}]

    result = import_schools(district=district, rows=rows, acting_user=editor)

    school.refresh_from_db()
    assert result.updated == 1
    assert (school.name, school.enrollment, school.network_id) == (
        "New name",
        300,
        school.network_id,
    )
    assert school.network is not None


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ({"school_id": "", "long_name": "A"}, "school_id", "Required."),
        ({"school_id": "1", "long_name": None}, "long_name", "Required."),
        (
            {"school_id": "1", "long_name": "A", "category": "K8"},
            "category",
            "Unknown category 'K8': use ES, MS, HS, OT.",
        ),
        (
            {"school_id": "1", "long_name": "A", "enrollment": "4,500"},
            "enrollment",
            "Not a whole number: '4,500'.",
        ),
        (
            {"school_id": "1", "long_name": "A", "enrollment": "-3"},
            "enrollment",
            "Not a whole number: '-3'.",
        ),
        (
            {"school_id": "1", "long_name": "A", "grades": "K" * 31},
            "grades",
            "At most 30 characters.",
        ),
        (
            {"school_id": "1", "long_name": "A\x00"},
            "long_name",
            "Contains a NUL character, which text cannot hold.",
        ),
        (
            {"school_id": "1", "long_name": "A", "network": "Network \ud800"},
            "network",
            "Contains an unpaired surrogate, which is not valid text.",
        ),
        (
            {"school_id": "1", "long_name": "A", "network": "N" * 101},
            "network",
            "At most 100 characters.",
        ),
    ],
)
def test_an_invalid_school_row_is_explained_and_nothing_is_saved(
    district, editor, row, column, message
):
    rows = [{"school_id": "9", "long_name": "Valid school"}, row]

    result = import_schools(district=district, rows=rows, acting_user=editor)

    assert result.errors == (RowError(1, column, message),)
    assert (result.created, result.skipped, result.saved) == (1, 1, False)
    assert not School.objects.exists()
    assert not Network.objects.exists()


def test_a_school_id_given_twice_names_both_lines(district, editor):
    text = "school_id,long_name\n1,First\n1,Again\n"

    result = import_schools(
        district=district, rows=school_rows(text), acting_user=editor
    )

    assert result.errors == (
        RowError(
            3, "school_id", "School id 1 is also on line 2; give each school once."
        ),
    )
    assert not School.objects.exists()


def test_skip_invalid_saves_the_valid_schools(district, editor):
    text = SCHOOLS_CSV + "610003,,,XX,,,,,\n"

    result = import_schools(
        district=district, rows=school_rows(text), acting_user=editor, skip_invalid=True
    )

    assert (result.created, result.skipped, result.saved) == (4, 1, True)
    assert {error.column for error in result.errors} == {"long_name", "category"}
    assert {error.row for error in result.errors} == {6}
    assert School.objects.filter(district=district).count() == 4


def test_a_dry_run_reports_the_counts_and_saves_nothing(district, editor):
    result = import_schools(
        district=district, rows=school_rows(), acting_user=editor, dry_run=True
    )

    assert (result.created, result.networks_created, result.saved) == (4, 3, False)
    assert not School.objects.exists()
    assert not Network.objects.exists()


def test_schools_of_another_district_are_not_touched(district, other_district, editor):
    theirs = SchoolFactory(district=other_district, school_id="609674", name="Theirs")

    result = import_schools(district=district, rows=school_rows(), acting_user=editor)

    theirs.refresh_from_db()
    assert result.created == 4
    assert theirs.name == "Theirs"
    assert not Network.objects.filter(district=other_district, name="Charter").exists()


def test_a_row_that_is_not_a_mapping_is_an_error(district, editor):
    result = import_schools(district=district, rows=[["1", "A"]], acting_user=editor)

    assert result.errors == (
        RowError(0, None, "Each row must map column names to values."),
    )


# The import_schools command


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_schools_command_imports_a_file_and_reports_counts(
    tmp_path, district, editor
):
    path = tmp_path / "schools.csv"
    path.write_bytes(schools_file())

    out, err = run("import_schools", "lakeside", str(path), "--user", "editor")

    assert "Networks: 3 were created." in out
    assert (
        "Schools: 4 were created, 0 were updated, 0 unchanged, 0 skipped (invalid)."
        in out
    )
    assert "Saved." in out and err == ""
    assert School.history.filter(history_user=editor).count() == 4


def test_import_schools_command_lists_errors_and_fails_when_nothing_was_saved(
    tmp_path, district
):
    path = tmp_path / "schools.csv"
    path.write_bytes(b"school_id,long_name,enrollment\n1,A,many\n2,B,12\n")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="Nothing was saved: 1 row has errors"):
        call_command("import_schools", "lakeside", str(path), stdout=out, stderr=err)

    assert "Line 2, column enrollment: Not a whole number: 'many'." in err.getvalue()
    assert not School.objects.exists()


def test_import_schools_command_dry_run_saves_nothing(tmp_path, district):
    path = tmp_path / "schools.csv"
    path.write_bytes(schools_file())

    out, _err = run("import_schools", "lakeside", str(path), "--dry-run")

    assert "Schools: 4 would be created" in out
    assert "Dry run: nothing was saved." in out
    assert not School.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "schools.csv"], "No district with the slug 'nowhere'."),
        (["lakeside", "schools.csv", "--user", "nobody"], "No user named 'nobody'."),
        (["lakeside", "missing.csv"], "Cannot read"),
    ],
)
def test_import_schools_command_refuses_bad_arguments(
    tmp_path, monkeypatch, district, args, message
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schools.csv").write_bytes(schools_file())

    with pytest.raises(CommandError, match=message):
        run("import_schools", *args)
