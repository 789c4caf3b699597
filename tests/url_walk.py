"""Every URL of Lanes, with its path parameters filled in from two districts.

`ROUTES` walks the project's resolver recursively (pages, the API, the admin), so a
new URL is found as soon as it is routed. Each path parameter is filled in from what
it names: `REFERENCES` name an object (of the member's own district, of another
district, or missing), `MODEL_PARAMETERS` name a model, `FREE` parameters name no
district's object. `World` holds one object of every model in each of two districts,
the other district's with names containing `MARK`, and `snapshot` reads back every row
of one district to tell whether anything changed.
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import combinations
from urllib.parse import urlencode

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from decisions.models import Decision, Review
from district.models import AccessLevel, District, Membership, Network, School
from goals.models import Goal, Measurement, Metric, Target
from publishing.models import Packet
from roles.models import Responsibility, Role
from routines.models import (
    ActionItem,
    Meeting,
    MeetingDecision,
    MeetingSeries,
    Partnership,
)
from tiers.models import Allocation, TierPlan, TierRule
from tokens.models import ApiToken, create_token

from .factories import MembershipFactory, UserFactory
from .tenant_models import SCOPED_MODELS, make

MARK = "FOREIGN-XYZ"
# A value no own measurement has, to find foreign numbers in rollups and exports.
FOREIGN_VALUE = "4242.42"
MISSING_ID = 2_000_000_000
MISSING_SLUG = "no-such-district"

User = get_user_model()

# --- The walk over the URL patterns ---


@dataclass(frozen=True)
class Route:
    """One URL pattern, as a template with its parameters named."""

    name: str
    template: str  # "districts/{slug}/matrix/rows/{pk}/cells/{role_pk}/"
    params: tuple[str, ...]
    callback: Callable

    @property
    def kind(self) -> str:
        if self.template.startswith("admin/"):
            return "admin"
        if self.template.startswith("api/"):
            return "api"
        return "page"

    def url(self, values: dict[str, str]) -> str:
        """The path with each parameter replaced by its value."""
        return "/" + self.template.format(**values)


ROUTE_PARAMETER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<(\w+)>)?[^()]*\)")
# Names of the unnamed groups of regex patterns, by the end of the URL's name.
POSITIONAL = {"_simple_history": ("object_id", "history_id")}


def _template(pattern, name: str) -> tuple[str, list[str]]:
    """A pattern's text as a format string ("rows/{pk}/"), and its parameters' names.

    Regex patterns lose their anchors and escapes; their unnamed groups take names
    from `POSITIONAL`, or a name no mapping knows, which fails the parameter check.
    """
    text = str(pattern.pattern)
    params = []
    if isinstance(pattern.pattern, RegexPattern):
        text = text.removeprefix("^").removesuffix("$")
        positional = iter(
            next((v for k, v in POSITIONAL.items() if name.endswith(k)), ())
        )

        def group(match):
            param = match.group(1) or next(positional, None)
            if param is None:
                param = f"unnamed group of {name}"
            params.append(param)
            return "{" + param + "}"

        text = REGEX_GROUP.sub(group, text)
        text = re.sub(r"\\(.)", r"\1", text)
    else:

        def parameter(match):
            params.append(match.group(1))
            return "{" + match.group(1) + "}"

        text = ROUTE_PARAMETER.sub(parameter, text)
    return text, params


def walk(patterns, prefix="", params=(), namespace="") -> Iterator[Route]:
    """Every URL pattern under `patterns`, included ones too, with the full template."""
    for pattern in patterns:
        name = namespace + (getattr(pattern, "name", None) or "")
        text, found = _template(pattern, name)
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(
                pattern.url_patterns, prefix + text, (*params, *found), inner
            )
        else:
            assert isinstance(pattern, URLPattern)
            template = prefix + text
            yield Route(
                name=name if getattr(pattern, "name", None) else template,
                template=template,
                params=(*params, *found),
                callback=pattern.callback,
            )


ALL_ROUTES = list(walk(get_resolver().url_patterns))
# A pattern that another one ahead of it shadows answers through that one: asked once.
ROUTES = list({route.template: route for route in reversed(ALL_ROUTES)}.values())[::-1]


def family(route: Route) -> str:
    """A route's first three path segments: one admin model, API resource, page area."""
    return "/".join(route.template.split("/")[:3])


def by_family(routes: list[Route]) -> dict[str, list[Route]]:
    """Routes grouped by family, so each group of requests builds its two districts once."""
    groups: dict[str, list[Route]] = {}
    for route in routes:
        groups.setdefault(family(route), []).append(route)
    return groups


# --- What each path parameter names ---

# The segment before a page's `{pk}` names its model.
PAGE_SEGMENTS = {
    "rows": Responsibility,
    "metrics": Metric,
    "goals": Goal,
    "networks": Network,
    "roles": Role,
    "members": Membership,
    "tokens": ApiToken,
    "schools": School,
    "rules": TierPlan,
    "tier-rules": TierRule,
    "allocations": Allocation,
    "partnerships": Partnership,
    "series": MeetingSeries,
    "meetings": Meeting,
    "meeting-decisions": MeetingDecision,
    "action-items": ActionItem,
    "decisions": Decision,
    "reviews": Review,
    "packets": Packet,
}
# Parameters that name an object: filled in from the other district.
REFERENCES = {
    "slug",
    "pk",
    "role_pk",
    "network_pk",
    "target_pk",
    "object_id",
    "id",
    "history_id",
}
# The admin's "view on site" names a model, then an object: the walk asks once per
# model that has an admin.
MODEL_PARAMETERS = {"content_type_id"}
# Parameters that name no district's object, with the value the walk sends.
FREE = {
    "app_label": lambda world: "district",
    "url": lambda world: "no-such-page/",
    "uidb64": lambda world: urlsafe_base64_encode(force_bytes(world.foreign_user.pk)),
    "token": lambda world: "set-password",
    "period_end": lambda world: "2016-06-30",
}


def admin_model(route: Route):
    """The model of an admin URL `admin/<app_label>/<model_name>/...`, or None."""
    parts = route.template.split("/")
    if len(parts) < 3:
        return None
    try:
        return apps.get_model(parts[1], parts[2])
    except (LookupError, ValueError):
        return None


def model_of(route: Route, param: str):
    """The model whose object fills `param` of `route`."""
    if param == "slug":
        return District
    if param == "role_pk":
        return Role
    if param == "network_pk":
        return Network
    if param == "target_pk":
        return Target
    if route.kind == "admin":
        return admin_model(route)
    if param == "pk" and route.kind == "api":
        return route.callback.cls.queryset.model
    if param == "pk":
        segments = route.template.split("/")
        return PAGE_SEGMENTS.get(segments[segments.index("{pk}") - 1])
    return None


def references(route: Route) -> list[str]:
    """The route's parameters that name an object."""
    return [param for param in route.params if param in REFERENCES]


def is_view_on_site(route: Route) -> bool:
    """Whether the route is the admin's "view on site" (a model, then an object)."""
    return "content_type_id" in route.params


# Models that have an admin: what "view on site" may be asked about.
ADMIN_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


# --- Two districts: one's members, the other's objects ---


def mark_texts(obj, n: int) -> None:
    """Give every free text field of `obj` a value containing MARK, and save it."""
    for field in obj._meta.concrete_fields:
        if field.choices or not isinstance(field, models.CharField | models.TextField):
            continue
        if isinstance(field, models.EmailField):
            value = f"{MARK.lower()}-{n}@example.org"
        elif isinstance(field, models.SlugField):
            value = f"{MARK.lower()}-{n}"
        else:
            value = f"{MARK}-{n}"
        if field.max_length is not None and len(value) > field.max_length:
            continue  # a code, not free text ("2017-18"): it cannot hold the mark
        setattr(obj, field.attname, value)
    obj.save()


def mark_user(user, n: int) -> None:
    """Give an account of the other district names containing MARK."""
    user.username = f"{MARK}-user-{n}"
    user.first_name = user.last_name = MARK
    user.email = f"{MARK.lower()}-user-{n}@example.org"
    user.save()


def axes_records(username: str) -> dict:
    """One login record of each kind django-axes keeps, for `username`."""
    common = {"username": username, "ip_address": "203.0.113.9", "user_agent": "x"}
    return {
        AccessAttempt: AccessAttempt.objects.create(
            **common, get_data="", post_data="", failures_since_start=1
        ),
        AccessLog: AccessLog.objects.create(**common),
        AccessFailureLog: AccessFailureLog.objects.create(**common),
    }


@dataclass
class World:
    """One object of every model in each district, and the accounts around them."""

    own_district: District
    foreign_district: District
    own: dict
    foreign: dict
    foreign_user: object

    def value(self, route: Route, param: str, side: str, model=None) -> str:
        """The text that fills `param`: an own or foreign object's, or a missing one."""
        if param in FREE:
            return FREE[param](self)
        model = model or model_of(route, param)
        if param == "content_type_id":
            return str(ContentType.objects.get_for_model(model).pk)
        if side == "missing":
            return MISSING_SLUG if param == "slug" else str(MISSING_ID)
        obj = (self.own if side == "own" else self.foreign)[model]
        if param == "slug":
            return obj.slug
        if param == "history_id":
            return str(obj.history.order_by("-history_id").first().history_id)
        return str(obj.pk)


def build_world(district, other_district, personas) -> World:
    """An object of every tenant-owned model in each district (the other district's
    marked), and for the admin's other models an own and a foreign one: accounts,
    groups, API tokens, login records."""
    own = {model: make(model, district) for model in SCOPED_MODELS}
    foreign = {model: make(model, other_district) for model in SCOPED_MODELS}
    for n, (_model, obj) in enumerate(sorted(foreign.items(), key=lambda i: str(i[0]))):
        mark_texts(obj, n)
    foreign_measurement = foreign[Measurement]
    foreign_measurement.value = FOREIGN_VALUE
    foreign_measurement.save()
    foreign_admin = UserFactory()
    MembershipFactory(
        district=other_district, user=foreign_admin, access_level=AccessLevel.ADMIN
    )
    foreign_users = User.objects.filter(memberships__district=other_district)
    for n, user in enumerate(foreign_users.order_by("pk")):
        mark_user(user, n)
    foreign_user = foreign[Membership].user
    own_user = personas["viewer"]
    own |= {
        User: own_user,
        Group: Group.objects.create(name="own-group"),
        ApiToken: create_token(user=own_user, name="own token", scope="write")[0],
        **axes_records(own_user.username),
    }
    foreign |= {
        User: foreign_user,
        Group: Group.objects.create(name=f"{MARK}-group"),
        ApiToken: create_token(user=foreign_user, name=f"{MARK}-token", scope="write")[
            0
        ],
        **axes_records(foreign_user.username),
    }
    return World(district, other_district, own, foreign, foreign_user)


def snapshot(world: World, side: str) -> dict:
    """Every column of every row of one district, its members' accounts and tokens."""
    district = world.own_district if side == "own" else world.foreign_district
    rows = {}
    for model in SCOPED_MODELS:
        field = "pk" if model is District else "district"
        rows[model._meta.label] = list(
            model.objects.filter(**{field: district.pk}).order_by("pk").values()
        )
    users = User.objects.filter(memberships__district=district)
    # Signing in (as the walk does) records last_login: not a change to the account.
    columns = [f.attname for f in User._meta.concrete_fields if f.name != "last_login"]
    rows["users"] = list(users.order_by("pk").values(*columns))
    rows["tokens"] = list(
        ApiToken.objects.filter(user__in=users).order_by("pk").values()
    )
    rows["groups"] = sorted(Group.objects.values_list("name", flat=True))
    return rows


class Visitor:
    """Requests as one persona, logged in again whenever a response ends the session."""

    def __init__(self, user):
        self.user = user
        self.client = Client()
        if user is not None:
            self.client.force_login(user)

    def send(self, method: str, url: str, body: dict | None = None, kind="page"):
        """Send `body` as JSON to the API, as a form elsewhere."""
        if method == "GET":
            response = self.client.get(url)
        elif kind == "api":
            response = self.client.generic(
                method, url, json.dumps(body or {}), content_type="application/json"
            )
        else:
            response = self.client.generic(
                method,
                url,
                urlencode(body or {}, doseq=True),
                content_type="application/x-www-form-urlencoded",
            )
        if self.user is not None and settings.SESSION_COOKIE_NAME in response.cookies:
            self.client.force_login(self.user)
        return response


def body_of(response) -> bytes:
    """A response's bytes, streamed ones (CSV exports) included."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def hostile_body(world: World, kind: str) -> dict:
    """What a write would send to change the other district if it were allowed."""
    f = world.foreign
    district = world.foreign_district
    body = {
        "district": district.slug if kind == "api" else district.pk,
        "name": "Changed from another district",
        "title": "Changed",
        "statement": "Changed",
        "code": "changed",
        "level": "C",
        f"level-{f[Role].pk}": "C",
        "version": f[Responsibility].version,
        "direction": "down",
        "access_level": "admin",
        "user": f[Membership].user.pk,
        "post": "yes",
        "value": "1",
        "work_area": f[Responsibility].work_area_id,
        "role": f[Role].pk,
        "network": f[Network].pk,
        "metric": f[Metric].pk,
        "goal": f[Metric].goal_id,
        "responsibility": f[Responsibility].pk,
    }
    if kind == "api":
        body["rows"] = [
            {
                "metric": f[Metric].code,
                "school_id": f[Measurement].school.school_id,
                "period_end": "2016-06-30",
                "value": "1",
            }
        ]
    return body


# --- Which parameters name the other district's objects ---


def variants(route: Route) -> list[frozenset]:
    """Which reference parameters name another district's object; the rest name the
    member's own. Every non-empty combination: a foreign row under one's own district
    slug, a foreign role in one's own row, and so on."""
    params = references(route)
    return [
        frozenset(chosen)
        for size in range(1, len(params) + 1)
        for chosen in combinations(params, size)
    ]


def fill(world, route, foreign_params, side, model=None) -> dict:
    """Values for every parameter: `foreign_params` from `side` ("foreign" or
    "missing"), the others from the member's own district."""
    return {
        param: world.value(
            route, param, side if param in foreign_params else "own", model
        )
        for param in route.params
    }


def models_for(route: Route) -> list:
    """The models a URL is asked about: one per admin model for "view on site"."""
    return ADMIN_MODELS if is_view_on_site(route) else [None]


def cases(route: Route) -> list:
    """(model, foreign parameters) pairs to ask a reference URL with."""
    return [
        (model, chosen) for model in models_for(route) for chosen in variants(route)
    ]
