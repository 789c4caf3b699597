"""Backup and restore of one district: every row it owns, its history, its users.

`export_district` writes one JSON document, row by row; `import_district` loads it
into a database where that district does not exist, keeping every primary key, so
the restored rows are identical to the exported ones. It reads the file as a stream
and inserts rows in chunks, so neither side holds the whole district in memory. Tenant-owned models are found,
not listed: District, every model with a `district` foreign key to District, and
the history table of each. Users are matched by username; their password hashes
travel only when asked for.
"""

import datetime
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from simple_history.models import HistoricalChanges

from district.models import District

from .rollups import refresh_rollups

FORMAT = "lanes-district-export"
VERSION = 1
# User fields always exported; password hashes and site-wide staff flags only when asked.
USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "date_joined",
]
USER_PRIVATE_FIELDS = ["password", "is_staff", "is_superuser", "last_login"]
CHUNK_SIZE = 2000


class BackupJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, keeping microseconds (its own rounds times to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A backup file that cannot be imported here; the message says why."""


@dataclass(frozen=True)
class ImportSummary:
    district: District
    rows: int
    history_rows: int
    users_created: int
    users_reused: int
    history_rows_already_present: int


# Tables computed from the others: not exported, recomputed on import.
DERIVED = {"goals.Rollup"}
# Operational records, not the district's data: never exported or restored. The
# reminder outbox records the mail this instance sent; a restored district starts
# with an empty outbox.
OPERATIONAL = {"district.Job", "rhythm.Reminder"}


def is_history_model(model: type[models.Model]) -> bool:
    return issubclass(model, HistoricalChanges)


def tenant_models() -> list[type[models.Model]]:
    """District and every model with a `district` foreign key, parents first."""
    found: list[type[models.Model]] = [District]
    for model in apps.get_models():
        if model is District or is_history_model(model):
            continue
        if model._meta.label in DERIVED | OPERATIONAL:
            continue
        try:
            field = model._meta.get_field("district")
        except Exception:  # FieldDoesNotExist: not tenant-owned
            continue
        if isinstance(field, models.ForeignKey) and field.related_model is District:
            found.append(model)
    return dependency_order(found)


def dependency_order(
    candidates: list[type[models.Model]],
) -> list[type[models.Model]]:
    """Models ordered so each comes after the models its foreign keys point to.

    Self references and cycles (a network's chief is a person) are broken by label
    order; foreign keys are checked at commit, so order is for readers and for
    databases that check at once.
    """
    members = set(candidates)
    depends = {
        model: {
            field.related_model
            for field in model._meta.concrete_fields
            if field.is_relation
            and field.related_model in members
            and field.related_model is not model
        }
        for model in candidates
    }
    ordered: list[type[models.Model]] = []
    remaining = sorted(candidates, key=lambda model: model._meta.label)
    while remaining:
        ready = [model for model in remaining if depends[model] <= set(ordered)]
        chosen = ready[0] if ready else remaining[0]
        ordered.append(chosen)
        remaining.remove(chosen)
    return ordered


def history_model(model: type[models.Model]) -> type[models.Model] | None:
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attribute).model if attribute else None


def district_querysets(district: District) -> Iterator[models.QuerySet]:
    """Every row the district owns, model by model, then their history."""
    owned = tenant_models()
    for model in owned:
        rows = model._base_manager.filter(
            **({"pk": district.pk} if model is District else {"district": district})
        )
        yield _with_users(rows).order_by("pk")
    for model in owned:
        history = history_model(model)
        if history is None:
            continue
        # A historical row keeps the object's id and district id as plain values.
        rows = history._base_manager.filter(
            **(
                {"id": district.pk}
                if model is District
                else {"district_id": district.pk}
            )
        )
        yield _with_users(rows).order_by("pk")


def _with_users(rows: models.QuerySet) -> models.QuerySet:
    """Users joined in: they are written by username, without a query per row."""
    user_model = get_user_model()
    user_fields = [
        field.name
        for field in rows.model._meta.concrete_fields
        if field.is_relation and field.related_model is user_model
    ]
    return rows.select_related(*user_fields) if user_fields else rows


def referenced_user_ids(querysets: Iterable[models.QuerySet]) -> set[int]:
    user_model = get_user_model()
    ids: set[int] = set()
    for rows in querysets:
        for field in rows.model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                ids.update(
                    rows.exclude(**{f"{field.attname}__isnull": True})
                    .values_list(field.attname, flat=True)
                    .distinct()
                )
    return ids


def export_district(
    *, district: District, stream: IO[str], include_user_secrets: bool = False
) -> int:
    """Write `district` as one JSON document to `stream`; returns the rows written."""
    querysets = list(district_querysets(district))
    user_model = get_user_model()
    users = user_model._base_manager.filter(
        pk__in=referenced_user_ids(querysets)
    ).order_by("username")
    user_fields = USER_FIELDS + (USER_PRIVATE_FIELDS if include_user_secrets else [])
    header = {
        "format": FORMAT,
        "version": VERSION,
        "district": district.slug,
        "exported_at": timezone.now(),
        "includes_user_secrets": include_user_secrets,
        "models": [rows.model._meta.label for rows in querysets],
        "users": serializers.serialize(
            "python", users, fields=user_fields, use_natural_primary_keys=True
        ),
    }
    # The header, then the objects array written chunk by chunk to bound memory.
    text = json.dumps(header, cls=BackupJSONEncoder, indent=1)
    stream.write(text[: text.rindex("}")].rstrip() + ',\n "objects": [')
    written = 0
    for rows in querysets:
        for chunk in _chunks(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
            for record in serializers.serialize(
                "python", chunk, use_natural_foreign_keys=True
            ):
                stream.write("\n  " if written == 0 else ",\n  ")
                stream.write(json.dumps(record, cls=BackupJSONEncoder))
                written += 1
    stream.write("\n ]\n}\n")
    return written


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _JsonReader:
    """Reads one JSON document from a text stream a value at a time, in bounded memory.

    Each value is decoded by the standard library's decoder from a buffer refilled as
    needed, so memory holds the largest single value (one row, or the users list), not
    the file. Any layout of whitespace is read, so hand-formatted files load too.
    """

    READ_SIZE = 1 << 20

    def __init__(self, stream: IO[str]):
        self.stream = stream
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self, at_least: int = 0) -> bool:
        """Read more of the stream into the buffer; False at the end of the stream."""
        if self.eof:
            return False
        if self.pos > self.READ_SIZE:
            self.buffer, self.pos = self.buffer[self.pos :], 0
        text = self.stream.read(max(at_least, self.READ_SIZE))
        if not text:
            self.eof = True
            return False
        self.buffer += text
        return True

    def invalid(self, what: str) -> BackupError:
        return BackupError(f"The file is not valid JSON: {what}.")

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end), not consumed."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer) or not self._fill():
                return self.buffer[self.pos : self.pos + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.invalid(f"expected {char!r} at character {self.pos}")
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value, decoded whole."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                # Maybe cut off by the end of the buffer: read as much again and retry.
                if self._fill(len(self.buffer) - self.pos):
                    continue
                raise self.invalid(str(error)) from error
            # A number at the end of the buffer may go on in the stream.
            if end == len(self.buffer) and self._fill():
                continue
            self.pos = end
            return value


@dataclass
class Backup:
    """An export being read: its header, then its rows one at a time (`records`)."""

    header: dict[str, Any]
    reader: _JsonReader

    def records(self) -> Iterator[dict[str, Any]]:
        """The rows of the `objects` array, read from the stream as they are needed."""
        reader = self.reader
        reader.expect("[")
        if reader.peek() == "]":
            return
        while True:
            record = reader.value()
            if not isinstance(record, dict):
                raise BackupError("A row in the file is not a JSON object.")
            yield record
            if reader.peek() == ",":
                reader.pos += 1
            else:
                reader.expect("]")
                return


def read_backup(stream: IO[str]) -> Backup:
    """The backup's header, its rows left to stream; BackupError when Lanes did not
    write it.

    The header is every key before `objects`, which export_district writes last.
    """
    reader = _JsonReader(stream)
    header: dict[str, Any] = {}
    if reader.peek() != "{":
        if reader.peek() == "":
            raise BackupError("The file is not valid JSON: it is empty.")
        reader.value()  # says what is wrong with it, as the decoder words it
        raise BackupError("The file is not a Lanes district export.")
    reader.expect("{")
    key = None
    while reader.peek() != "}":
        key = reader.value()
        if not isinstance(key, str):
            raise reader.invalid("an object key is not a string")
        reader.expect(":")
        if key == "objects":
            break
        header[key] = reader.value()
        if reader.peek() == ",":
            reader.pos += 1
        elif reader.peek() != "}":
            raise reader.invalid(f"expected ',' or '}}' at character {reader.pos}")
    if header.get("format") != FORMAT:
        raise BackupError("The file is not a Lanes district export.")
    if header.get("version") != VERSION:
        raise BackupError(
            f"The file has export format version {header.get('version')}; "
            f"this Lanes reads version {VERSION}."
        )
    if key != "objects" or not isinstance(header.get("users"), list):
        raise BackupError("The file has no rows after its header (`objects`).")
    return Backup(header=header, reader=reader)


def import_district(*, backup: Backup) -> ImportSummary:
    """Load an exported district, refusing when it or any of its row ids exist here.

    History rows already present with identical content (a restore into the
    database the district was deleted from) are kept as they are; any other id
    collision, or a row that breaks a constraint, refuses the whole import, so
    nothing is ever overwritten or half-restored. Rows are read from the file and
    inserted CHUNK_SIZE at a time, so memory does not grow with the file.
    """
    try:
        with transaction.atomic():
            return _import_rows(backup)
    except IntegrityError as error:
        raise BackupError(
            f"A row in the file breaks a rule of this database ({error}); "
            "nothing was imported."
        ) from error


def _import_rows(backup: Backup) -> ImportSummary:
    slug = backup.header["district"]
    if District.objects.filter(slug=slug).exists():
        raise BackupError(
            f"District '{slug}' already exists in this database. Import into a "
            "database without it, or delete it first."
        )
    users_created, users_reused = _import_users(backup.header["users"])
    user_ids = _user_ids(backup.header["users"])

    saved_models: set[type[models.Model]] = set()
    rows = history_rows = already_present = 0
    for chunk in _chunks(backup.records(), CHUNK_SIZE):
        chunk, present = _drop_identical_history(chunk)
        already_present += present
        _refuse_id_collisions(chunk)
        for model, group in _consecutive_by_model(chunk):
            _save(model, group, user_ids)
            saved_models.add(model)
            if is_history_model(model):
                history_rows += len(group)
            else:
                rows += len(group)
    connection.check_constraints(
        table_names=[model._meta.db_table for model in saved_models]
    )
    district = District.objects.filter(slug=slug).first()
    if district is None:
        raise BackupError(f"The file has no row for district '{slug}'.")
    # Restored rows came without signals (raw inserts): compute the rollups once.
    refresh_rollups(district)
    # Rows came with their ids: move each table's id sequence past them.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), list(saved_models)
        ):
            cursor.execute(statement)
    return ImportSummary(
        district=district,
        rows=rows,
        history_rows=history_rows,
        users_created=users_created,
        users_reused=users_reused,
        history_rows_already_present=already_present,
    )


def _user_ids(records: list[dict[str, Any]]) -> dict[str, int]:
    """The id here of each user the file names, by username."""
    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    names = [record["fields"][username_field] for record in records]
    return dict(
        user_model._base_manager.filter(**{f"{username_field}__in": names}).values_list(
            username_field, "pk"
        )
    )


def _user_fields(model: type[models.Model]) -> list[str]:
    user_model = get_user_model()
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is user_model
    ]


def _save(
    model: type[models.Model], records: list[dict[str, Any]], user_ids: dict[str, int]
) -> None:
    """Insert `records` of `model`, many rows per statement.

    Users are named by username in the file: their ids here are filled in from
    `user_ids`, so no row queries for its user.
    """
    for name in _user_fields(model):
        for record in records:
            value = record["fields"].get(name)
            if isinstance(value, list):
                if not value or value[0] not in user_ids:
                    raise BackupError(
                        f"A row names a user the file does not list: {value}."
                    )
                record["fields"][name] = user_ids[value[0]]
    try:
        items = list(
            serializers.deserialize("python", records, handle_forward_references=False)
        )
    except serializers.base.DeserializationError as error:
        raise BackupError(f"A row in the file cannot be loaded: {error}") from error
    # Raw inserts, like loaddata's raw saves: fields such as `updated_at` keep the
    # exported values instead of taking the time of the restore (bulk_create would).
    # QuerySet._insert is what Model.save_base itself calls; the stubs leave it out.
    objects = [item.object for item in items]
    fields = model._meta.local_concrete_fields
    size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
    for start in range(0, len(objects), size):
        model._base_manager.get_queryset()._insert(  # type: ignore[attr-defined]
            objects[start : start + size], fields=fields, raw=True
        )
    for item in items:
        for accessor, values in (item.m2m_data or {}).items():
            getattr(item.object, accessor).set(values)


def _consecutive_by_model(
    records: list[dict[str, Any]],
) -> Iterator[tuple[type[models.Model], list[dict[str, Any]]]]:
    """Runs of records of one model, in file order (parents before children)."""
    for model, run in itertools.groupby(records, key=_model_of):
        yield model, list(run)


def _user_field(name: str) -> models.Field:
    field = get_user_model()._meta.get_field(name)
    assert isinstance(field, models.Field), f"{name} is a column of the user table"
    return field


def _import_users(records: list[dict[str, Any]]) -> tuple[int, int]:
    """Create the users that do not exist here (matched by username)."""
    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    names = [record["fields"][username_field] for record in records]
    existing = set(
        user_model._base_manager.filter(**{f"{username_field}__in": names}).values_list(
            username_field, flat=True
        )
    )
    created = 0
    for record in records:
        fields = record["fields"]
        if fields[username_field] in existing:
            continue
        unknown = set(fields) - set(USER_FIELDS) - set(USER_PRIVATE_FIELDS)
        if unknown:
            raise BackupError(f"Unexpected user fields in the file: {sorted(unknown)}.")
        user = user_model(
            **{
                name: _user_field(name).to_python(value)
                for name, value in fields.items()
                if name != "password"
            }
        )
        if fields.get("password"):
            user.password = fields["password"]
        else:
            user.set_unusable_password()
        user.save()
        created += 1
    return created, len(existing)


def _model_of(record: dict[str, Any]) -> type[models.Model]:
    try:
        return apps.get_model(record["model"])
    except (LookupError, KeyError, ValueError) as error:
        raise BackupError(
            f"The file names a table this Lanes does not have: {record.get('model')}."
        ) from error


def _by_model(
    records: list[dict[str, Any]],
) -> dict[type[models.Model], list[dict[str, Any]]]:
    grouped: dict[type[models.Model], list[dict[str, Any]]] = {}
    for record in records:
        grouped.setdefault(_model_of(record), []).append(record)
    return grouped


def _drop_identical_history(
    records: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], int]:
    """Records without history rows that exist here already with the same content."""
    present: set[tuple[type[models.Model], Any]] = set()
    for model, group in _by_model(records).items():
        if not is_history_model(model):
            continue
        in_file = {model._meta.pk.to_python(record["pk"]): record for record in group}
        for start in range(0, len(in_file), CHUNK_SIZE):
            ids = list(in_file)[start : start + CHUNK_SIZE]
            existing = model._base_manager.filter(pk__in=ids)
            for row in serializers.serialize(
                "python", existing, use_natural_foreign_keys=True
            ):
                stored = json.loads(json.dumps(row, cls=BackupJSONEncoder))
                if stored != in_file[row["pk"]]:
                    raise BackupError(
                        f"{model._meta.verbose_name} {row['pk']} exists in this "
                        "database with different content; nothing was imported."
                    )
                present.add((model, row["pk"]))
    kept = [
        record
        for record in records
        if (_model_of(record), record["pk"]) not in present
        or not is_history_model(_model_of(record))
    ]
    return kept, len(records) - len(kept)


def _refuse_id_collisions(records: list[dict[str, Any]]) -> None:
    for model, group in _by_model(records).items():
        ids = [model._meta.pk.to_python(record["pk"]) for record in group]
        taken = 0
        for start in range(0, len(ids), CHUNK_SIZE):
            taken += model._base_manager.filter(
                pk__in=ids[start : start + CHUNK_SIZE]
            ).count()
        if taken:
            raise BackupError(
                f"{taken} {model._meta.verbose_name_plural} in the file have ids "
                "that rows of this database already use; nothing was imported. "
                "Import into an empty database."
            )
