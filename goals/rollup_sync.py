"""Stored rollups kept equal to the school values, in the transaction of each change.

`goals.rollups.refresh_rollups` computes and stores; this module decides what to
refresh when something changes, and refreshes only that. It is the one mechanism: every
save and delete of a measurement, school, metric or district (pages, entry grid, API,
admin, imports) reaches it through the model signals, and the bulk writers that bypass
`Model.save` report what they wrote to `values_written`.

What moves a rollup:

- school values: their (metric, period) pairs. A value entered for a network or the
  district is not stored here: readers merge it.
- a school: a new network refreshes its old and new networks' rows (district values
  do not move); a new enrollment the metrics weighted by enrollment; a deleted school
  its network's rows and the district's.
- a metric's aggregation or minimum n: that metric's rollups.
- the district's suppression minimum n: the metrics without a minimum n of their own.
- a restored backup (`goals.backup`) and the generator refresh the whole district;
  `manage.py refresh_rollups` does it for operators after changes outside Lanes.

How: `pre_save` and `pre_delete` compare the stored row with what is being written
(both are at hand then) and note the refreshes the change needs; `post_save` and
`post_delete` run the noted refreshes, in the transaction of the change. Notes are kept
per transaction (`_Pending`), never on a model instance or a queryset. Django sends all
`pre_delete` signals of a batch before its first `post_delete`, so the admin's "delete
selected" refreshes once for all its rows. Inside `district.batches.batch()` (a school
import) the refreshes run once, when the batch ends. Deletions cascading from a deleted
school, metric, network or district are left to that object's own rule (or to the
database's cascade), never refreshed row by row.
"""

import threading
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from district.batches import at_batch_end, in_batch
from district.models import District, School

from .models import Aggregation, Measurement, Metric, Scope
from .rollups import refresh_rollups

# The fields whose change moves a rollup, per model.
WATCHED = {
    Measurement: ("district_id", "metric_id", "period_end", "scope", "value", "n"),
    School: ("district_id", "network_id", "enrollment"),
    Metric: ("district_id", "aggregation", "min_n"),
    District: ("suppression_min_n",),
}


@dataclass
class _Refresh:
    """What one district's stored rollups need refreshed."""

    pairs: set = field(default_factory=set)
    metric_ids: set = field(default_factory=set)
    network_ids: set = field(default_factory=set)
    with_district: bool = False  # the network_ids' rows and the district's rows


class _Pending(threading.local):
    """The refreshes noted in the current transaction, per district (one per thread)."""

    def __init__(self):
        self.transaction = None
        self.districts: dict[int, _Refresh] = {}

    def of(self, district_id: int) -> _Refresh:
        """The refresh to note into for `district_id`, in the current transaction."""
        # Notes of a transaction that ended before running them (a refused save) go.
        current = connection.atomic_blocks[0] if connection.atomic_blocks else None
        if current is not self.transaction:
            self.transaction, self.districts = current, {}
        if in_batch():
            at_batch_end("rollups", self.run)
        return self.districts.setdefault(district_id, _Refresh())

    def run(self) -> None:
        """Run and forget every noted refresh."""
        districts, self.districts = self.districts, {}
        for district_id, refresh in districts.items():
            if refresh.metric_ids:
                refresh_rollups(district_id, metric_ids=refresh.metric_ids)
            if refresh.pairs:
                refresh_rollups(district_id, pairs=refresh.pairs)
            if refresh.network_ids or refresh.with_district:
                refresh_rollups(
                    district_id,
                    network_ids=refresh.network_ids,
                    with_district=refresh.with_district,
                )


_pending = _Pending()


def values_written(district_id: int, pairs) -> None:
    """School values of these (metric, period end) pairs were written without signals."""
    pairs = set(pairs)
    if pairs:
        _pending.of(district_id).pairs.update(pairs)
    _run_unless_batched()


def _run_unless_batched() -> None:
    if not in_batch():
        _pending.run()


def _note(model, old: dict | None, new: dict | None) -> None:
    """Note the refreshes a row's change from `old` to `new` needs (None: no row)."""
    if old == new:
        return
    if model is Measurement:
        for values in (old, new):
            if values is not None and values["scope"] == Scope.SCHOOL:
                _pending.of(values["district_id"]).pairs.add(
                    (values["metric_id"], values["period_end"])
                )
    elif old is None:
        return  # a new school, metric or district has no values yet
    elif model is School:
        if new is None:
            refresh = _pending.of(old["district_id"])
            refresh.network_ids.add(old["network_id"])
            refresh.with_district = True
            return
        if old["network_id"] != new["network_id"]:
            _pending.of(new["district_id"]).network_ids.update(
                (old["network_id"], new["network_id"])
            )
        if old["enrollment"] != new["enrollment"]:
            weighted = Metric.objects.filter(
                district_id=new["district_id"],
                aggregation=Aggregation.WEIGHTED_ENROLLMENT,
            ).values_list("pk", flat=True)
            _pending.of(new["district_id"]).metric_ids.update(weighted)
    elif model is Metric and new is not None:
        _pending.of(new["district_id"]).metric_ids.add(new["pk"])
    elif model is District and new is not None:
        own = Metric.objects.filter(district_id=new["pk"], min_n__isnull=True)
        _pending.of(new["pk"]).metric_ids.update(own.values_list("pk", flat=True))


def _fields(model, instance) -> dict:
    return {"pk": instance.pk} | {
        name: getattr(instance, name) for name in WATCHED[model]
    }


def _before_save(sender, instance, raw, update_fields, **kwargs):
    # A restored backup (raw) refreshes its whole district once, at the end.
    if raw:
        return
    new = _fields(sender, instance)
    old = None
    if not instance._state.adding and instance.pk is not None:
        old = (
            sender._base_manager.filter(pk=instance.pk)
            .values("pk", *WATCHED[sender])
            .first()
        )
        if old is not None and update_fields is not None:
            # Only these fields are written; the others stay as stored.
            written = {*update_fields, *(f"{name}_id" for name in update_fields)}
            new = {name: new[name] if name in written else old[name] for name in old}
    _note(sender, old, new)


def _after_save(sender, instance, raw, **kwargs):
    if not raw:
        _run_unless_batched()


def _deleting_itself(sender, origin) -> bool:
    # Only deletions of the row itself: a cascade is its origin's business.
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is sender


def _before_delete(sender, instance, origin, **kwargs):
    if _deleting_itself(sender, origin):
        _note(sender, _fields(sender, instance), None)


def _after_delete(sender, instance, origin, **kwargs):
    _run_unless_batched()


for _model in WATCHED:
    pre_save.connect(_before_save, sender=_model, dispatch_uid=f"rollups-pre-{_model}")
    post_save.connect(_after_save, sender=_model, dispatch_uid=f"rollups-post-{_model}")
for _model in (Measurement, School):
    pre_delete.connect(
        _before_delete, sender=_model, dispatch_uid=f"rollups-pre-delete-{_model}"
    )
    post_delete.connect(
        _after_delete, sender=_model, dispatch_uid=f"rollups-delete-{_model}"
    )
