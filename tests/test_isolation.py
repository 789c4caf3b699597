"""Tenant isolation, proved over every URL of Lanes: pages, the API and the admin.

The URLs and their parameters come from tests/url_walk.py, which walks the project's
resolver, so a new page, API route or admin model is covered as soon as it is routed;
a parameter the walk cannot fill fails `test_every_url_parameter_is_understood`.

Three properties are checked, for a viewer, an editor and an admin of one district
(all three staff, so they reach the admin too) and for anonymous visitors:

1. Another district's objects answer exactly like missing ones, for every method: the
   same status, redirect and body as the same URL naming an id or slug that does not
   exist. That is a 404 (405 where the method is not allowed), a login redirect or
   401 for anonymous visitors, and in the admin what Django gives for a missing pk.
   Nothing of the other district changes, whatever is sent.
2. No GET of any URL filled in with the member's own district, with searches, filters
   and the admin's autocomplete, shows another district's object: their names all
   contain `FOREIGN-XYZ`, which must never appear in a response.
3. Every page form writes only at its level: viewers get 403 and change nothing,
   editors change content, only admins manage members; tokens are each user's own.
"""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib import admin
from django.core import signing
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import resolve

from decisions.models import Decision, Review
from district.models import AccessLevel, Network, Person, School
from goals.entry_views import import_salt
from goals.models import Measurement, Metric, Target
from publishing.models import Publication
from rhythm.models import ReminderPreference
from rhythm.reminders import preferences_token
from roles.models import Responsibility, Role
from routines.models import ActionItem, Meeting, MeetingDecision, MeetingSeries
from tiers.models import Support, Tier
from tokens.models import ApiToken, create_token

from .factories import (
    OwnershipFactory,
    PersonFactory,
    ResponsibilityFactory,
    RoleAssignmentFactory,
    UserFactory,
)
from .tenant_models import SCOPED_MODELS
from .url_walk import (
    ADMIN_MODELS,
    ALL_ROUTES,
    FREE,
    MARK,
    MODEL_PARAMETERS,
    REFERENCES,
    ROUTES,
    Route,
    Visitor,
    World,
    admin_model,
    body_of,
    build_world,
    by_family,
    cases,
    fill,
    hostile_body,
    is_view_on_site,
    model_of,
    models_for,
    references,
    snapshot,
)

# A search that matches every foreign name; pages may repeat it, so it is not MARK.
SEARCH = "foreign"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
PERSONAS = [None, "viewer", "editor", "district_admin"]


def test_every_url_parameter_is_understood():
    """A new URL whose parameter the walk cannot fill fails here, by name."""
    unknown = {
        f"{route.template}: {param}"
        for route in ALL_ROUTES
        for param in route.params
        if param not in REFERENCES | MODEL_PARAMETERS | FREE.keys()
    }
    unmapped = {
        f"{route.template}: {param}"
        for route in ALL_ROUTES
        for param in references(route)
        if not is_view_on_site(route) and model_of(route, param) is None
    }
    assert unknown == set()
    assert unmapped == set()


def test_the_walk_reaches_pages_the_api_and_the_admin():
    kinds = {route.kind for route in ROUTES}
    assert kinds == {"page", "api", "admin"}
    names = {route.name for route in ALL_ROUTES}
    assert {
        "district:members",
        "roles:ownership-set",
        "goals:metric-network",
        "tokens:revoke",
        "ownership-detail",
        "admin:roles_ownership_change",
        "admin:autocomplete",
        "admin:view_on_site",
    } <= names
    assert len(ROUTES) > 200
    shadowed = {route.name for route in ALL_ROUTES} - {route.name for route in ROUTES}
    assert shadowed == {"admin:view_on_site"}


def test_both_districts_hold_an_object_of_every_model_a_url_names(world):
    named = {
        model_of(route, param)
        for route in ALL_ROUTES
        if not is_view_on_site(route)
        for param in references(route)
    }
    needed = named | set(ADMIN_MODELS)
    assert needed - set(world.own) == set()
    assert needed - set(world.foreign) == set()


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def personas(viewer, editor, district_admin):
    """The three members of `district`, each also staff so the admin is in reach."""
    members = {"viewer": viewer, "editor": editor, "district_admin": district_admin}
    for user in members.values():
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return members


@pytest.fixture
def world(district, other_district, outsider, personas) -> World:
    world = build_world(district, other_district, personas)
    # The member's district publishes its dashboard; the other district does not.
    publication = world.own[Publication]
    publication.is_published = True
    publication.save()
    return world


def is_public(route: Route) -> bool:
    """A page anyone may read without logging in (a published dashboard)."""
    return route.template.startswith("public/")


# --- 1. Another district's objects answer exactly like missing ones ---


LOGIN_PATHS = {"/accounts/login/", "/admin/login/"}
ADMIN_INDEX = "/admin/"


def outcome(response, url: str) -> tuple:
    """What a response tells its reader: status, redirect target, body."""
    location = urlsplit(response.get("Location", "")).path.replace(url, "{url}")
    body = body_of(response).decode(errors="replace").replace(url, "{url}")
    return response.status_code, location, body


def refused_the_whole_model(route, model, user) -> bool:
    """Whether the admin refuses `user` every row of the URL's model, and the model
    belongs to no district (accounts, groups, login records).

    For such a model Django's history page answers 403 for an existing row and
    redirects for a missing one: the row is not reached, and no district's data is
    involved.
    """
    model = model or admin_model(route)
    model_admin = admin.site._registry.get(model)
    if model_admin is None or model in SCOPED_MODELS or user is None:
        return False
    request = RequestFactory().get("/admin/")
    request.user = user
    return not model_admin.has_view_or_change_permission(request)


REFERENCE_ROUTES = by_family([route for route in ROUTES if references(route)])
OTHER_ROUTES = by_family([route for route in ROUTES if not references(route)])


def check_refusal(
    route, visitor, persona, chosen, method, foreign, missing, url, model
):
    """The answer naming another district's objects (`chosen`) reveals nothing."""
    where = f"{method} {url} as {persona or 'anonymous'}"
    status, location, _ = foreign
    assert status < 500, where
    if status == 403 and refused_the_whole_model(route, model, visitor.user):
        assert missing[0] in {302, 403}, where
        return
    assert foreign == missing, f"{where}: answers unlike a missing object"
    assert status in {302, 401, 403, 404, 405}, where
    if status == 302:
        allowed = LOGIN_PATHS
        if route.kind == "admin":
            # The index (a missing object), or the change page of an old-style object
            # URL, which the admin derives from the path alone.
            allowed = allowed | {ADMIN_INDEX, "{url}change/"}
        assert location in allowed, where
    if persona is None:
        # Public pages need no login: another district's is missing, a 404.
        public = {404} if is_public(route) else set()
        assert status in {302, 401, 405} | public, where
    elif chosen == set(references(route)) and (
        route.kind == "page"
        or (route.kind == "api" and method == "GET" and persona == "district_admin")
    ):
        # Nothing in the URL is the member's: the other district is not found. (The
        # API may refuse a level first, such as a viewer reading memberships or any
        # write to a district, exactly as it does for a missing id.)
        assert status in {404, 405}, where


@pytest.mark.parametrize("group", REFERENCE_ROUTES)
def test_another_districts_objects_answer_like_missing_ones(group, world, personas):
    for route in REFERENCE_ROUTES[group]:
        check_route_refuses_foreign_objects(route, world, personas)


def check_route_refuses_foreign_objects(route, world, personas):
    before = snapshot(world, "foreign")
    everything = frozenset(references(route))
    for persona in PERSONAS:
        visitor = Visitor(personas.get(persona))
        for model, chosen in cases(route):
            if persona is None and chosen != everything and not is_public(route):
                continue  # anonymous visitors are sent to log in, whatever the URL
            foreign_url = route.url(fill(world, route, chosen, "foreign", model))
            missing_url = route.url(fill(world, route, chosen, "missing", model))
            resolve(foreign_url)
            for method in METHODS:
                # Each pair starts from fresh throttle counts: the walk sends far more
                # requests from one address than a real client may (the anonymous API
                # limit), and a 429 would answer for the count, not for the object.
                cache.clear()
                body = hostile_body(world, route.kind)
                foreign = outcome(
                    visitor.send(method, foreign_url, body, route.kind), foreign_url
                )
                missing = outcome(
                    visitor.send(method, missing_url, body, route.kind), missing_url
                )
                check_refusal(
                    route,
                    visitor,
                    persona,
                    chosen,
                    method,
                    foreign,
                    missing,
                    foreign_url,
                    model,
                )
        assert snapshot(world, "foreign") == before, f"{route.template} as {persona}"


@pytest.mark.parametrize("group", OTHER_ROUTES)
def test_writes_elsewhere_never_reach_another_district(group, world, personas):
    """URLs that name no object: every method, with a body naming the other
    district's objects, changes nothing there and never fails with a 500."""
    before = snapshot(world, "foreign")
    for route in OTHER_ROUTES[group]:
        url = route.url(fill(world, route, set(), "own"))
        for persona in PERSONAS:
            visitor = Visitor(personas.get(persona))
            for method in METHODS:
                response = visitor.send(
                    method, url, hostile_body(world, route.kind), route.kind
                )
                assert response.status_code < 500, f"{method} {url} as {persona}"
            assert snapshot(world, "foreign") == before, f"{url} as {persona}"


# --- 2. No response shows another district's objects ---


def readable(response) -> str:
    """A response's text; the XML parts of an XLSX workbook unzipped."""
    content = body_of(response)
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            content = b"".join(workbook.read(name) for name in workbook.namelist())
    return content.decode(errors="replace")


def leaks(text: str) -> list[str]:
    found = [MARK] if MARK.lower() in text.lower() else []
    return found + [value for value in ("4242.4", "4,242") if value in text]


def filter_query(world: World, route: Route) -> dict:
    """Filters naming the other district's objects: page filters by their usual names,
    every model filter of an API list's FilterSet."""
    f = world.foreign
    query = {
        "network": f[Network].pk,
        "role": f[Role].pk,
        "work_area": f[Responsibility].work_area_id,
        "metric": f[Metric].pk,
        "goal": f[Metric].goal_id,
        "school": f[Measurement].school_id,
    }
    filterset = getattr(getattr(route.callback, "cls", None), "filterset_class", None)
    for name, field in filterset.base_filters.items() if filterset else []:
        queryset = getattr(field, "queryset", None) or field.extra.get("queryset")
        if queryset is None:
            continue
        model = (queryset(None) if callable(queryset) else queryset).model
        target = f.get(model)
        if target is not None:
            query[name] = getattr(target, field.extra.get("to_field_name") or "pk")
    return query


def list_queries(world: World, route: Route) -> list[str]:
    """The query strings a list-like URL is read with: none, a search, filters."""
    queries = [""]
    if route.kind == "admin" and route.name.endswith("_changelist"):
        queries.append(urlencode({"q": SEARCH}))
    if route.kind == "api" and route.name.endswith("-list"):
        queries.append(urlencode({"search": SEARCH}))
    if route.kind != "admin":
        queries.append(urlencode(filter_query(world, route)))
    return queries


@pytest.mark.parametrize("group", by_family(ROUTES))
def test_no_response_shows_another_districts_objects(group, world, personas):
    for route in by_family(ROUTES)[group]:
        check_route_shows_no_foreign_object(route, world, personas)


def check_route_shows_no_foreign_object(route, world, personas):
    for persona in ("viewer", "editor", "district_admin"):
        visitor = Visitor(personas[persona])
        for model in models_for(route):
            url = route.url(fill(world, route, set(), "own", model))
            for query in list_queries(world, route):
                full = f"{url}?{query}" if query else url
                response = visitor.send("GET", full)
                assert response.status_code < 500, full
                assert leaks(readable(response)) == [], f"GET {full} as {persona}"
                if route.kind == "api" and route.name.endswith("-list"):
                    options = visitor.client.options(full)
                    assert leaks(readable(options)) == [], f"OPTIONS {full}"


def autocomplete_fields():
    """Every foreign key of every admin model (and its inlines' models)."""
    for model, model_admin in admin.site._registry.items():
        inline_models = [inline.model for inline in model_admin.inlines]
        for owner in [model, *inline_models]:
            for field in owner._meta.get_fields():
                if field.many_to_one or field.many_to_many:
                    if field.concrete and field.related_model is not None:
                        yield owner, field.name


@pytest.mark.parametrize("persona", ["viewer", "editor", "district_admin"])
def test_admin_autocomplete_offers_no_foreign_objects(persona, world, personas):
    visitor = Visitor(personas[persona])
    fields = list(autocomplete_fields())
    assert len(fields) > 20
    offered = 0
    for model, field_name in fields:
        for term in ("", SEARCH, "xyz"):
            query = urlencode(
                {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field_name,
                    "term": term,
                }
            )
            response = visitor.send("GET", f"/admin/autocomplete/?{query}")
            assert response.status_code in {200, 403, 404}, query
            assert leaks(readable(response)) == [], query
            if response.status_code == 200 and term == "":
                offered += len(response.json()["results"])
    # The member's own objects are offered, so the check looked at real answers.
    if persona != "viewer":
        assert offered > 0


def test_the_marker_is_seen_where_another_district_is_shown(world, superuser):
    """The check above can see foreign names: a superuser's lists show them."""
    visitor = Visitor(superuser)
    for url in (
        "/api/v1/people/",
        "/admin/district/person/",
        f"/districts/{world.foreign_district.slug}/matrix/export.xlsx",
        f"/districts/{world.foreign_district.slug}/measurements.csv",
    ):
        assert MARK in leaks(readable(visitor.send("GET", url))), url
    csv = readable(
        visitor.send(
            "GET", f"/districts/{world.foreign_district.slug}/measurements.csv"
        )
    )
    assert "4242.4" in csv


# --- 3. Page forms write at the right level only ---


@dataclass(frozen=True)
class Write:
    """A page form's valid submission by `user`, and the level it needs."""

    level: AccessLevel | None  # None: the user's own account (any signed-in user)
    build: Callable  # (world, user) -> (URL values, query string, form data)


def _row(world):
    return world.own[Responsibility]


def _second_row(world):
    """A row after the own row in its work area, so it can move down."""
    row = _row(world)
    ResponsibilityFactory(
        district=row.district, work_area=row.work_area, sort_order=row.sort_order + 1
    )
    return {}, "", {"direction": "down"}


def _entry(world):
    measurement = world.own[Measurement]
    query = urlencode({"period_end": measurement.period_end, "scope": "school"})
    data = {f"value-{measurement.school_id}": "91"}
    return {"pk": str(measurement.metric_id)}, query, data


def _import(world, user):
    measurement = world.own[Measurement]
    text = (
        "school_id,period_end,metric,value\n"
        f"{measurement.school.school_id},{measurement.period_end},"
        f"{measurement.metric.code},92\n"
    )
    token = signing.dumps(
        {"name": "values.csv", "text": text},
        salt=import_salt(world.own_district, user),
        compress=True,
    )
    return {}, "", {"token": token}


def _decision_form(world):
    decision = world.own[Decision]
    return {
        "title": "Renamed",
        "kind": decision.kind_id,
        "responsibility": decision.responsibility_id,
        "privacy_status": "not_checked",
    }


def _sendable(world, user):
    """The own draft, with a key whose role `user` holds."""
    decision = world.own[Decision]
    role = world.own[Role]
    OwnershipFactory(
        district=decision.district,
        responsibility=decision.responsibility,
        role=role,
        level="A",
    )
    _hold(world, user, role)
    return {"pk": str(decision.pk)}, "", {}


def _hold(world, user, role):
    person = PersonFactory(district=world.own_district, user=user)
    RoleAssignmentFactory(district=world.own_district, role=role, person=person)


def _withdrawn(world):
    decision = world.own[Decision]
    Decision.objects.filter(pk=decision.pk).update(state="withdrawn")
    return {"pk": str(decision.pk)}, "", {"reason": "Needed after all."}


def _review(world, user):
    review = world.own[Review]
    _hold(world, user, review.role)
    prefix = f"review-{review.pk}"
    data = {f"{prefix}-verdict": "decline", f"{prefix}-rationale": "Not now."}
    return {"pk": str(review.pk)}, "", data


def _own_token(world, user):
    token, _key = create_token(user=user, name="to revoke", scope="read")
    return {"pk": str(token.pk)}, "", {}


def _allocation(world, user):
    """A support for the own school, moved into the own network first."""
    school = world.own[School]
    school.network = world.own[Network]
    school.save()
    data = {
        "support": world.own[Support].pk,
        "schools": [school.pk],
        "starts_on": "2031-09-01",
        "ends_on": "2031-10-01",
        "reason": "Tier 3",
    }
    return {}, "", data


def _open_item(world, user):
    """The own action item, not done yet."""
    item = world.own[ActionItem]
    ActionItem.objects.filter(pk=item.pk).update(done_on=None)
    return {"pk": str(item.pk)}, "", {}


WRITES = {
    "roles:responsibility-add": Write(
        AccessLevel.EDITOR,
        lambda w, u: ({}, "", {"name": "Added", "work_area": _row(w).work_area_id}),
    ),
    "roles:responsibility-edit": Write(
        AccessLevel.EDITOR,
        lambda w, u: (
            {},
            "",
            {
                "name": "Renamed",
                "work_area": _row(w).work_area_id,
                "version": _row(w).version,
            },
        ),
    ),
    "roles:responsibility-move": Write(AccessLevel.EDITOR, lambda w, u: _second_row(w)),
    "roles:row-levels-set": Write(
        AccessLevel.EDITOR,
        lambda w, u: (
            {},
            "",
            {f"level-{w.own[Role].pk}": "C", "version": _row(w).version},
        ),
    ),
    "roles:ownership-set": Write(
        AccessLevel.EDITOR,
        lambda w, u: (
            {},
            "",
            {f"level-{w.own[Role].pk}": "C", "version": _row(w).version},
        ),
    ),
    "goals:measurement-entry": Write(AccessLevel.EDITOR, lambda w, u: _entry(w)),
    "goals:measurement-import": Write(AccessLevel.EDITOR, _import),
    "goals:metric-targets": Write(
        AccessLevel.EDITOR,
        lambda w, u: (
            {},
            "",
            {"kind": "interim", "due_on": "2018-01-31", "value": "84"},
        ),
    ),
    "goals:target-delete": Write(
        AccessLevel.EDITOR,
        lambda w, u: ({"pk": str(w.own[Target].metric_id)}, "", {}),
    ),
    "district:members": Write(
        AccessLevel.ADMIN,
        lambda w, u: (
            {},
            "",
            {"user": UserFactory().username, "access_level": "editor"},
        ),
    ),
    "district:member-level": Write(
        AccessLevel.ADMIN, lambda w, u: ({}, "", {"access_level": "admin"})
    ),
    "district:member-remove": Write(AccessLevel.ADMIN, lambda w, u: ({}, "", {})),
    "tokens:list": Write(
        None, lambda w, u: ({}, "", {"name": "mine", "scope": "read"})
    ),
    "tokens:revoke": Write(None, _own_token),
    "tiers:overview": Write(
        AccessLevel.EDITOR,
        lambda w, u: (
            {},
            "",
            {"school_year": "2030-31", "default_tier": w.own[Tier].pk},
        ),
    ),
    "tiers:plan": Write(
        AccessLevel.EDITOR,
        lambda w, u: ({}, "", {"tier": w.own[Tier].pk, "min_off_track": "1"}),
    ),
    "tiers:plan-adopt": Write(AccessLevel.EDITOR, lambda w, u: ({}, "", {})),
    "tiers:rule-delete": Write(AccessLevel.EDITOR, lambda w, u: ({}, "", {})),
    "tiers:school": Write(
        AccessLevel.EDITOR,
        lambda w, u: ({}, "", {"tier": w.own[Tier].pk, "reason": "Visited"}),
    ),
    "tiers:network": Write(AccessLevel.EDITOR, _allocation),
    "tiers:allocation-delete": Write(AccessLevel.EDITOR, lambda w, u: ({}, "", {})),
    "decisions:new": Write(
        AccessLevel.EDITOR, lambda w, u: ({}, "", _decision_form(w))
    ),
    "decisions:edit": Write(
        AccessLevel.EDITOR,
        lambda w, u: ({"pk": str(w.own[Decision].pk)}, "", _decision_form(w)),
    ),
    "decisions:submit": Write(AccessLevel.EDITOR, _sendable),
    "decisions:withdraw": Write(
        AccessLevel.EDITOR,
        lambda w, u: ({"pk": str(w.own[Decision].pk)}, "", {"reason": "Not needed."}),
    ),
    "decisions:reopen": Write(AccessLevel.EDITOR, lambda w, u: _withdrawn(w)),
    "decisions:review": Write(AccessLevel.EDITOR, _review),
    "decisions:settings": Write(
        AccessLevel.ADMIN,
        lambda w, u: (
            {},
            "",
            {"target_working_days": "7", "review_interval_months": "12"},
        ),
    ),
    "publishing:settings": Write(
        AccessLevel.ADMIN,
        lambda w, u: ({}, "", {"is_published": "on", "goals": [w.own[Metric].goal_id]}),
    ),
    "publishing:packets": Write(
        AccessLevel.ADMIN,
        lambda w, u: (
            {},
            "",
            {
                "title": "Packet",
                "school_year": "2015-16",
                "goals": [w.own[Metric].goal_id],
            },
        ),
    ),
    "rhythm:commentary": Write(
        AccessLevel.EDITOR,
        lambda w, u: (
            {"pk": str(w.own[Metric].pk)},
            "",
            {"behind_the_number": "A new school opened.", "next_steps": "Visit."},
        ),
    ),
    "routines:series-schedule": Write(
        AccessLevel.EDITOR,
        lambda w, u: ({"pk": str(w.own[MeetingSeries].pk)}, "", {}),
    ),
    "routines:meeting-start": Write(
        AccessLevel.EDITOR,
        lambda w, u: ({"pk": str(w.own[Meeting].pk)}, "", {}),
    ),
    "routines:meeting-notes": Write(
        AccessLevel.EDITOR,
        lambda w, u: ({"pk": str(w.own[Meeting].pk)}, "", {"notes": "Agreed."}),
    ),
    "routines:meeting-decision": Write(
        AccessLevel.EDITOR,
        lambda w, u: (
            {"pk": str(w.own[Meeting].pk)},
            "",
            {"statement": "Adopt the reading plan?"},
        ),
    ),
    "routines:meeting-action-item": Write(
        AccessLevel.EDITOR,
        lambda w, u: (
            {"pk": str(w.own[Meeting].pk)},
            "",
            {
                "title": "Call the principal",
                "owner_person": w.own[Person].pk,
                "due_on": "2031-09-01",
            },
        ),
    ),
    "routines:decision-take": Write(
        AccessLevel.EDITOR,
        lambda w, u: (
            {"pk": str(w.own[MeetingDecision].pk)},
            "",
            {"outcome": "Adopted."},
        ),
    ),
    "routines:action-item-done": Write(AccessLevel.EDITOR, _open_item),
}
# Pages that answer a POST as they answer a GET (their views do not restrict methods),
# writing nothing.
READS_ACCEPTING_POST = {
    "district:home",
    "goals:dashboard",
    "goals:metric-detail",
    "goals:metric-network",
    "goals:network-scorecard",
    "goals:role-scorecard",
    "goals:measurements-csv",
    "rhythm:my-updates",
    "rhythm:completion",
    "rhythm:outbox",
}
# Forms reached by a signed link instead of a sign-in: the link names its account, so
# no district level applies. Each is proved by its own test below.
SIGNED_LINK_FORMS = {"rhythm:preferences"}
PAGE_ROUTES = [
    route
    for route in ROUTES
    if route.kind == "page" and not route.template.startswith("accounts/")
]


def test_every_page_form_is_known(world, personas):
    """A page that takes a POST is in WRITES (or plainly reads): a new form fails here."""
    visitor = Visitor(personas["district_admin"])
    accepting = set()
    for route in PAGE_ROUTES:
        url = route.url(fill(world, route, set(), "own"))
        before = snapshot(world, "own")
        if visitor.send("POST", url, hostile_body(world, "page")).status_code != 405:
            accepting.add(route.name)
        if route.name in READS_ACCEPTING_POST:
            assert snapshot(world, "own") == before, route.name
    assert accepting - READS_ACCEPTING_POST - SIGNED_LINK_FORMS == set(WRITES)


def test_reminder_preferences_change_only_the_signed_links_account(world, personas):
    """The preferences link needs no sign-in: its signature names the one account it
    changes. A forged or foreign-salted token is a 404 and changes nothing; a valid
    one changes that account's preference and no district's data."""
    viewer, editor = personas["viewer"], personas["editor"]
    own, foreign = snapshot(world, "own"), snapshot(world, "foreign")
    anonymous = Visitor(None)
    for token in (
        "set-password",
        signing.dumps({"user": viewer.pk}, salt="another-salt"),
        preferences_token(viewer.pk)[:-2] + "xx",
    ):
        url = f"/reminders/preferences/{token}/"
        response = anonymous.send("POST", url, {"wants_reminders": ""})
        assert response.status_code == 404, token
    assert not ReminderPreference.objects.exists()

    url = f"/reminders/preferences/{preferences_token(viewer.pk)}/"
    response = anonymous.send("POST", url, {"wants_reminders": ""})

    assert response.status_code == 200
    assert list(ReminderPreference.objects.values_list("user", "wants_reminders")) == [
        (viewer.pk, False)
    ]
    assert not ReminderPreference.objects.filter(user=editor).exists()
    assert snapshot(world, "own") == own
    assert snapshot(world, "foreign") == foreign


def personal_rows(user) -> list:
    return list(ApiToken.objects.filter(user=user).order_by("pk").values())


@pytest.mark.parametrize("persona", ["viewer", "editor", "district_admin"])
@pytest.mark.parametrize("name", sorted(WRITES))
def test_page_forms_write_at_their_level_only(name, persona, world, personas):
    route = next(route for route in ROUTES if route.name == name)
    write = WRITES[name]
    user = personas[persona]
    values, query, data = write.build(world, user)
    url = route.url(fill(world, route, set(), "own") | values)
    url = f"{url}?{query}" if query else url
    own, foreign = snapshot(world, "own"), snapshot(world, "foreign")
    mine = personal_rows(user)

    response = Visitor(user).send("POST", url, data)

    assert snapshot(world, "foreign") == foreign
    if write.level is None:
        # The user's own tokens: any member, and no district data changes.
        assert response.status_code in {200, 302}, response.content
        assert personal_rows(user) != mine
        after = snapshot(world, "own")
        assert after.pop("tokens") != own.pop("tokens")
        assert after == own
    elif persona in {"district_admin", "editor"} and (
        write.level == AccessLevel.EDITOR or persona == "district_admin"
    ):
        assert response.status_code in {200, 302}, response.content
        assert snapshot(world, "own") != own, "the form saved nothing"
    else:
        assert response.status_code == 403
        assert snapshot(world, "own") == own
