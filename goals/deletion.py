"""The values of a deleted school, metric, network or district, removed in batches.

Registered with `district.deletion.register_bulk_children` (see there why): every delete
of one of those rows, on any path, first removes its values here. Each batch of
`BATCH` values gets its history records ("-", with the user and write path of the
delete) in one INSERT ... SELECT, then one DELETE; memory stays bounded however many
values there are. The deleted row's own rule then refreshes the stored rollups once
(goals/rollup_sync.py), so nothing is refreshed per value.
"""

from collections.abc import Sequence

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from district.bulk_history import insert_history_records
from district.deletion import BulkChildren, register_bulk_children
from district.models import District, Network, School

from .models import Measurement, Metric

BATCH = 5_000


def _acting_user():
    """The user of the request the delete runs in, as simple-history would name them."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def remove_values(lookup: str, pks: Sequence[int]) -> int:
    """Delete the values whose `lookup` is in `pks`, with their history; how many."""
    user, date, removed = _acting_user(), timezone.now(), 0
    values = Measurement.objects.filter(**{f"{lookup}__in": list(pks)}).order_by("pk")
    while batch := list(values.values_list("pk", flat=True)[:BATCH]):
        insert_history_records(
            Measurement,
            batch,
            history_type="-",
            user=user,
            reason="",
            date=date,
        )
        removed += Measurement.objects.filter(pk__in=batch)._raw_delete(
            Measurement.objects.db
        )
    return removed


PARENTS: dict[type[models.Model], str] = {
    School: "school",
    Metric: "metric",
    Network: "network",
    District: "district",
}


def _children(field: str) -> BulkChildren:
    def remove(pks: Sequence[int]) -> int:
        return remove_values(f"{field}_id", pks)

    return BulkChildren(model=Measurement, field=field, remove=remove)


CHILDREN = {parent: _children(field) for parent, field in PARENTS.items()}


def connect() -> None:
    for parent, children in CHILDREN.items():
        register_bulk_children(parent, children)
