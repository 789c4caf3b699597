"""Schemathesis against the OpenAPI schema: every operation, generated requests, a token.

Each operation gets a bounded number of generated requests (valid and invalid) against
a small realistic district, made with a district admin's write token. No response may
be a server error or disagree with the schema (status code, content type, headers,
body).
"""

import datetime
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, strategies
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    GoalOwnerFactory,
    MeasurementFactory,
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    OwnershipFactory,
    PersonFactory,
    RoleAssignmentFactory,
    RoleFactory,
    SchoolFactory,
    TargetFactory,
)
from tokens.models import create_token

# Generated requests per operation; about 100 operations run in well under 2 minutes.
EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

_loaded = {}


def build_district(district, other_district):
    """A small district with a row of every kind (and another district beside it)."""
    for target in (district, other_district):
        network = NetworkFactory(district=target, chief=PersonFactory(district=target))
        schools = [SchoolFactory(district=target, network=network) for _ in range(3)]
        cao, cso = RoleFactory(district=target), RoleFactory(district=target)
        RoleAssignmentFactory(district=target, role=cao)
        OwnershipFactory(district=target, role=cao)
        metric = MetricFactory(district=target)
        GoalOwnerFactory(district=target, goal=metric.goal, role=cso)
        MetricOwnerFactory(district=target, metric=metric, role=cao)
        TargetFactory(district=target, metric=metric)
        for year in (2016, 2017):
            for school in schools:
                MeasurementFactory(
                    district=target,
                    metric=metric,
                    school=school,
                    period_end=datetime.date(year, 6, 30),
                    value=Decimal("87.5"),
                )


def operation_labels() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the schema generator."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    ]


@pytest.fixture
def api_schema(settings, district, other_district, district_admin):
    settings.ALLOWED_HOSTS = ["*"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "token": None},
    }
    build_district(district, other_district)
    # As Django's test client does: requests must not close the test's connection
    # (and with it the transaction holding the test data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        if "schema" not in _loaded:
            _loaded["schema"] = schemathesis.openapi.from_wsgi(
                "/api/v1/schema/?format=json", get_wsgi_application()
            )
        yield _loaded["schema"]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token_header(district_admin):
    _token, key = create_token(user=district_admin, name="fuzz", scope="write")
    return {"Authorization": f"Token {key}"}


@pytest.mark.parametrize(("method", "path"), operation_labels())
def test_api_conforms_to_its_schema(api_schema, token_header, method, path):
    operation = api_schema[path][method]
    cases = strategies.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=cases)
    def call(case):
        case.call_and_validate(headers=token_header, checks=CHECKS)

    call()
