"""Whether a district's stored rollups equal a fresh computation from its school values."""

from goals.models import Rollup
from goals.rollups import computed_rollups


def stored_rollups(district) -> set[tuple]:
    return set(
        Rollup.objects.filter(district=district).values_list(
            "metric_id",
            "network_id",
            "period_end",
            "value",
            "n",
            "schools_reporting",
            "reported",
            "expected",
            "from_networks",
        )
    )


def assert_rollups_fresh(district) -> set[tuple]:
    """The stored rollups of `district` are exactly what a full recomputation gives."""
    stored = stored_rollups(district)
    computed = set(computed_rollups(district=district))
    assert stored == computed, {
        "stale or extra": sorted(stored - computed, key=str),
        "missing": sorted(computed - stored, key=str),
    }
    return stored
