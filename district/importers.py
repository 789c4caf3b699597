"""Imports of a district's structure: its networks and its schools.

Commands, pages and the API all call these functions with rows (see
`district.import_rows`: a CSV file's rows or any mappings of column name to value).
With any invalid row they save nothing unless asked to skip invalid rows; a dry run
saves nothing and reports what would happen; importing the same rows again changes
nothing.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .batches import batch
from .import_rows import (
    BATCH_SIZE,
    ImportResult,
    RowError,
    cell_text,
    lock_district,
    numbered_rows,
    parse_whole_number,
    row_name,
    row_shape_errors,
    text_length,
    unstorable_text,
)
from .models import District, Network, School, SchoolCategory

# "Network 1" ... "Network 17" are geographic; ISP, Options, Charter, AUSL and other
# groups of schools are not.
GEOGRAPHIC_NETWORK_NAME = re.compile(r"^Network \d+$", re.IGNORECASE)

# Columns a schools file must have.
SCHOOL_COLUMNS = ("school_id", "long_name")


@dataclass(frozen=True)
class SchoolImportResult(ImportResult):
    """An `ImportResult` for schools, with the networks created for them."""

    networks_created: int = 0


def is_geographic_network_name(name: str) -> bool:
    """Whether a network name looks like a geographic network ("Network 7")."""
    return bool(GEOGRAPHIC_NETWORK_NAME.match(name.strip()))


def import_networks(
    *,
    district: District,
    rows: Iterable[Mapping],
    acting_user,
    skip_invalid: bool = False,
    dry_run: bool = False,
    first_row: int = 0,
) -> ImportResult:
    """Create the networks named in the rows' `network` column that `district` lacks.

    School rows serve as they are. Names are compared exactly (after stripping
    spaces); empty names are ignored. A new network is geographic when it is named
    "Network N"; existing networks are never changed. Counts are of distinct names.
    """
    max_length = text_length(Network, "name")
    errors = []
    names: dict[str, int] = {}
    for number, row in numbered_rows(rows, first_row):
        problems = row_shape_errors(number, row)
        name = cell_text(row, "network") if not problems else ""
        message = unstorable_text(name) or (
            f"At most {max_length} characters." if len(name) > max_length else None
        )
        if message:
            problems.append(RowError(number, "network", message))
        if problems:
            errors.extend(problems)
        elif name:
            names.setdefault(name, number)
    with transaction.atomic():
        if not dry_run:
            lock_district(district)
        existing = set(
            Network.objects.filter(district=district, name__in=names)
            .order_by()
            .values_list("name", flat=True)
        )
        new = [name for name in names if name not in existing]
        saved = not dry_run and (skip_invalid or not errors)
        if saved and new:
            _create_networks(district, new, acting_user)
    return ImportResult(
        created=len(new),
        updated=0,
        unchanged=len(existing),
        skipped=len({error.row for error in errors}),
        errors=tuple(errors),
        saved=saved,
    )


def _create_networks(district: District, names: list[str], acting_user) -> None:
    bulk_create_with_history(
        [
            Network(
                district=district,
                name=name,
                is_geographic=is_geographic_network_name(name),
            )
            for name in names
        ],
        Network,
        batch_size=BATCH_SIZE,
        default_user=acting_user,
    )


# School fields an import sets, by CSV column; a column missing from the rows leaves the
# field as it is.
SCHOOL_FIELDS = {
    "long_name": "name",
    "short_name": "short_name",
    "category": "category",
    "grades": "grades",
    "enrollment": "enrollment",
    "network": "network",
    "sqrp_rating": "performance_rating",
}


def import_schools(
    *,
    district: District,
    rows: Iterable[Mapping],
    acting_user,
    skip_invalid: bool = False,
    dry_run: bool = False,
    first_row: int = 0,
) -> SchoolImportResult:
    """Create or update `district`'s schools from rows keyed by the district's school id.

    Columns: `school_id` and `long_name` (the school's name) are required;
    `short_name`, `category` (ES, MS, HS, or OT for other), `network` (a network
    name, created when missing; empty for none), `grades`, `enrollment` (a whole
    number) and `sqrp_rating` (the performance rating) are optional, and a column left
    out keeps the schools' current values. Other columns are ignored. Schools not in
    the rows are left alone.

    All or nothing: with any invalid row nothing is saved, unless `skip_invalid`;
    `dry_run` saves nothing and reports what would happen. Importing the same rows
    again changes nothing.
    """
    errors = []
    valid: dict[str, tuple[int, dict]] = {}
    for number, row in numbered_rows(rows, first_row):
        values, problems = _school_values(number, row)
        if not problems and values["school_id"] in valid:
            earlier, _values = valid[values["school_id"]]
            problems.append(
                RowError(
                    number,
                    "school_id",
                    f"School id {values['school_id']} is also on "
                    f"{row_name(earlier, row)}; give each school once.",
                )
            )
        if problems:
            errors.extend(problems)
        else:
            valid[values["school_id"]] = (number, values)

    with batch():
        if not dry_run:
            lock_district(district)
        # No ordering: the models' default orderings join the district table.
        networks = dict(
            Network.objects.filter(district=district)
            .order_by()
            .values_list("pk", "name")
        )
        schools = {
            school.school_id: school
            for school in School.objects.filter(district=district).order_by()
        }
        to_create, to_update = [], []
        for _number, values in valid.values():
            school = schools.get(values["school_id"])
            if school is None:
                to_create.append(values)
            elif _school_changes(school, values, networks):
                to_update.append(values)
        new_networks = {
            values["network"]
            for _number, values in valid.values()
            if values.get("network")
        } - set(networks.values())
        saved = not dry_run and (skip_invalid or not errors)
        if saved:
            _write_schools(
                district, schools, to_create, to_update, new_networks, acting_user
            )
    return SchoolImportResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(valid) - len(to_create) - len(to_update),
        skipped=len({error.row for error in errors}),
        errors=tuple(errors),
        saved=saved,
        networks_created=len(new_networks),
    )


def _school_values(number: int, row) -> tuple[dict, list[RowError]]:
    """The school fields a row sets (by CSV column), and its problems."""
    problems = row_shape_errors(number, row)
    if problems:
        return {}, problems
    values: dict[str, str | int | None] = {"school_id": cell_text(row, "school_id")}
    for column in ("school_id", "long_name"):
        if not cell_text(row, column):
            problems.append(RowError(number, column, "Required."))
    for column in SCHOOL_FIELDS:
        if column not in row:
            continue
        text = cell_text(row, column)
        if column == "category":
            text = text.upper() or SchoolCategory.OTHER
            if text not in SchoolCategory.values:
                problems.append(
                    RowError(
                        number,
                        column,
                        f"Unknown category {text!r}: use {', '.join(SchoolCategory.values)}.",
                    )
                )
        elif column == "enrollment":
            enrollment, problem = parse_whole_number(row.get(column))
            if problem:
                problems.append(RowError(number, column, problem))
            values[column] = enrollment
            continue
        values[column] = text
    for column, max_length in _text_lengths().items():
        text = str(values.get(column) or "")
        message = unstorable_text(text) or (
            f"At most {max_length} characters." if len(text) > max_length else None
        )
        if message:
            problems.append(RowError(number, column, message))
    return values, problems


def _text_lengths() -> dict[str, int]:
    """The longest text each text column may hold, from the model fields."""
    return {
        "school_id": text_length(School, "school_id"),
        "long_name": text_length(School, "name"),
        "short_name": text_length(School, "short_name"),
        "grades": text_length(School, "grades"),
        "network": text_length(Network, "name"),
        "sqrp_rating": text_length(School, "performance_rating"),
    }


def _school_changes(school: School, values: dict, networks: dict[int, str]) -> bool:
    for column, field_name in SCHOOL_FIELDS.items():
        if column not in values:
            continue
        if column == "network":
            current = networks.get(school.network_id, "") if school.network_id else ""
        else:
            current = getattr(school, field_name)
        if current != values[column]:
            return True
    return False


def _write_schools(
    district: District,
    schools: dict[str, School],
    to_create: list[dict],
    to_update: list[dict],
    new_networks: set[str],
    acting_user,
) -> None:
    if new_networks:
        _create_networks(district, sorted(new_networks), acting_user)
    network_ids = dict(
        Network.objects.filter(district=district).order_by().values_list("name", "pk")
    )

    def apply(school: School, values: dict) -> School:
        for column, field_name in SCHOOL_FIELDS.items():
            if column == "network" and column in values:
                school.network_id = network_ids.get(values[column])
            elif column in values:
                setattr(school, field_name, values[column])
        return school

    # Schools are saved one by one (`Model.save`), so whatever follows a school's
    # creation or change (goals' stored rollups and expected counts) runs as for any
    # other save: once for the whole import, at the end of its batch (`import_schools`).
    for values in to_create:
        school = apply(School(district=district, school_id=values["school_id"]), values)
        school._history_user = acting_user
        school.save()
    for values in to_update:
        school = apply(schools[values["school_id"]], values)
        school._history_user = acting_user
        school.save()
