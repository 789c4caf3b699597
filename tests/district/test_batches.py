"""Writes grouped into a batch: what they ask for at its end runs once, in its transaction."""

import pytest

from district.batches import at_batch_end, batch, in_batch
from district.models import District
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db


def test_callbacks_run_once_at_the_end_of_the_outermost_batch():
    calls = []
    with batch():
        with batch():
            at_batch_end("count", lambda: calls.append("first"))
            at_batch_end("count", lambda: calls.append("second"))
            assert in_batch()
        assert calls == []
    assert calls == ["first"]
    assert not in_batch()


def test_a_failed_batch_calls_nothing_and_keeps_nothing():
    calls = []
    with pytest.raises(ValueError), batch():
        DistrictFactory(slug="gone")
        at_batch_end("count", lambda: calls.append("called"))
        raise ValueError
    assert calls == []
    assert not District.objects.filter(slug="gone").exists()
    assert not in_batch()


def test_asking_outside_a_batch_is_a_mistake():
    with pytest.raises(RuntimeError):
        at_batch_end("count", lambda: None)
