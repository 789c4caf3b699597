"""The dashboard's shared part: stored under the data version it shows, so the second
visitor of an unchanged dashboard costs a cache read, never someone else's page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Measurement
from tests.factories import MembershipFactory, UserFactory
from tests.goals.district_data import build_district_data

pytestmark = pytest.mark.django_db

URL = "/districts/lakeside/dashboard/?school_year=2017-18"


@pytest.fixture(autouse=True)
def _store_parts(settings):
    settings.SHARED_PART_SECONDS = 600


@pytest.fixture
def data(district):
    return build_district_data(district, schools=12)


def timed_get(client, url=URL):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_a_second_visitor_reads_the_stored_part_with_their_own_header(
    client_for, data, viewer, district
):
    other = UserFactory(username="second-viewer")
    MembershipFactory(district=district, user=other, access_level="viewer")
    first, computed = timed_get(client_for(viewer))
    timed_get(client_for(viewer))  # the session's first request reads more
    second, stored = timed_get(client_for(other))

    assert stored < computed
    assert stored <= 12
    # The same dashboard, under each visitor's own name.
    body = first.text.split('<main id="main"')[1]
    assert body == second.text.split('<main id="main"')[1]
    assert "second-viewer" in second.text and "second-viewer" not in first.text


def test_editors_and_viewers_get_their_own_part(client_for, data, viewer, editor):
    viewer_page, _ = timed_get(client_for(viewer))
    editor_page, _ = timed_get(client_for(editor))
    assert "Import measurements (CSV)" in editor_page.text
    assert "Import measurements (CSV)" not in viewer_page.text
    # Stored for the viewer does not leak the editor's controls, and back.
    assert "Import measurements (CSV)" not in timed_get(client_for(viewer))[0].text


def test_a_changed_value_shows_at_once(client_for, data, viewer, district):
    client = client_for(viewer)
    before, _ = timed_get(client, URL + "&network=" + str(data.north.pk))
    value = Measurement.objects.filter(
        district=district,
        metric=data.attendance,
        school__network=data.north,
        period_end=datetime.date(2018, 6, 30),
    ).last()
    value.value = Decimal("12.5")  # far below the others: the network's mean moves
    value.save()
    after, _ = timed_get(client, URL + "&network=" + str(data.north.pk))
    assert before.text != after.text


def test_nothing_is_stored_when_storing_is_off(client_for, data, viewer, settings):
    settings.SHARED_PART_SECONDS = 0
    client = client_for(viewer)
    timed_get(client)
    _, first = timed_get(client)
    _, second = timed_get(client)
    assert first == second > 12
