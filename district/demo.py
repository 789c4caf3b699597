"""The demo district: Chicago Public Schools' real schools, networks and results.

`manage.py load_demo` builds it from data/cps (see data/cps/README.md) with the same
importers users run, plus an invented cabinet (`roles.demo`) and shared goals
(`goals.demo`). Every step is idempotent: a row is created when missing and saved only
when it differs, so loading the demo again changes nothing.
"""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from .import_rows import read_csv
from .importers import SCHOOL_COLUMNS, SchoolImportResult, import_schools
from .models import AccessLevel, District, Membership, Network, NetworkKind, Tracked

TrackedT = TypeVar("TrackedT", bound=Tracked)

DATA_DIR = Path(settings.BASE_DIR) / "data" / "cps"
DISTRICT_NAME = "Chicago Public Schools"
DISTRICT_SLUG = "cps"
LOGIN_URL = "http://127.0.0.1:8000/accounts/login/"

# Demo logins: username -> (access level in the demo district, is_staff, is_superuser).
LOGINS = {
    "admin": (AccessLevel.ADMIN, True, True),
    "editor": (AccessLevel.EDITOR, True, False),
    "viewer": (AccessLevel.VIEWER, False, False),
    # The chief academic and chief technology officers' own logins (two-key decisions).
    "cao": (AccessLevel.EDITOR, False, False),
    "cto": (AccessLevel.EDITOR, False, False),
}

# Steps of the apps above goals that add to the demo district, run last by load_demo;
# each app registers its step from its AppConfig.ready(), as it plugs in its source of
# owed work (district/due.py).
_demo_steps: list[Callable[..., None]] = []


def register_demo_step(step: Callable[..., None]) -> None:
    """Run `step(district=..., users=..., acting_user=...)` when the demo is loaded."""
    if step not in _demo_steps:
        _demo_steps.append(step)


def run_demo_steps(*, district: District, users: dict, acting_user) -> None:
    for step in _demo_steps:
        step(district=district, users=users, acting_user=acting_user)


def ensure(
    model: type[TrackedT],
    *,
    acting_user,
    defaults: dict | None = None,
    create_only: dict | None = None,
    **lookup,
):
    """The row of `model` matching `lookup`, created or brought up to `defaults`.

    A new row gets `lookup`, `defaults` and `create_only`; an existing one is saved
    (only the fields that differ) when a value in `defaults` differs, and left alone
    otherwise, so running the demo twice writes nothing. Fields and `clean()` are
    checked before saving; unique and check constraints are left to the database,
    since `full_clean` would run a query per constraint.
    """
    defaults = defaults or {}
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **defaults, **(create_only or {}))
        obj._history_user = acting_user
        obj.clean_fields()
        obj.clean()
        obj.save()
        return obj
    changed = []
    for name, value in defaults.items():
        field = model._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            current, wanted = getattr(obj, field.attname), getattr(value, "pk", value)
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj._history_user = acting_user
        obj.clean_fields()
        obj.clean()
        obj.save(update_fields=changed)
    return obj


def ensure_logins(password: str) -> dict[str, AbstractBaseUser]:
    """The demo's users, created or brought up to their flags and to `password`."""
    user_model = get_user_model()
    users: dict[str, AbstractBaseUser] = {}
    for username, (_level, is_staff, is_superuser) in LOGINS.items():
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username, email=f"{username}@example.org")
        wanted = (is_staff, is_superuser, True)
        new_password = user.pk is None or not user.check_password(password)
        if new_password:
            user.set_password(password)
        if new_password or (user.is_staff, user.is_superuser, user.is_active) != wanted:
            user.is_staff, user.is_superuser, user.is_active = wanted
            user.save()
        users[username] = user
    return users


def ensure_district(users: dict) -> District:
    """The demo district, with the demo logins as members at their access levels."""
    admin = users["admin"]
    district = ensure(
        District,
        acting_user=admin,
        slug=DISTRICT_SLUG,
        defaults={"name": DISTRICT_NAME},
    )
    for username, (level, _is_staff, _is_superuser) in LOGINS.items():
        ensure(
            Membership,
            acting_user=admin,
            district=district,
            user=users[username],
            defaults={"access_level": level},
        )
    return district


# Who runs each of the CPS school groups that is not a geographic network. The 17
# geographic networks are district-run; so are the Independent School Principals
# (district schools whose principals answer to no network chief). Charter schools run
# under charters, AUSL's turnaround schools and the contract schools under management
# contracts, and the Options schools (alternative schools) mostly by outside partners.
NETWORK_KINDS = {
    "ISP": NetworkKind.DISTRICT_RUN,
    "Charter": NetworkKind.CHARTER,
    "AUSL": NetworkKind.CONTRACT,
    "Contract": NetworkKind.CONTRACT,
    "Options": NetworkKind.OPTIONS,
}


def load_schools(district: District, admin) -> SchoolImportResult:
    """The 660 schools of data/cps/schools.csv and their networks, by the schools importer.

    Each network then gets its kind (`NETWORK_KINDS`; geographic networks are
    district-run).
    """
    rows = read_csv(DATA_DIR / "schools.csv", required_columns=SCHOOL_COLUMNS)
    result = import_schools(district=district, rows=rows, acting_user=admin)
    for network in Network.objects.filter(district=district).order_by("pk"):
        kind = NETWORK_KINDS.get(network.name, NetworkKind.DISTRICT_RUN)
        if not network.is_geographic and network.name not in NETWORK_KINDS:
            raise ValueError(f"Say who runs the demo's network {network.name!r}.")
        ensure(Network, acting_user=admin, pk=network.pk, defaults={"kind": kind})
    return result
