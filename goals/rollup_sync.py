"""Stored rollups kept equal to the school values, in the transaction of each change.

`goals.rollups.refresh_rollups` computes and stores; this module decides what to
refresh when something changes, and refreshes only that. It is the one mechanism: every
save and delete of a measurement, school, metric or district (pages, entry grid, API,
admin, imports) reaches it through the model signals, and the bulk writers that bypass
`Model.save` report what they wrote to `values_written`.

What moves a rollup:

- school values: their (metric, period) pairs. A value entered for the district is not
  stored here: readers merge it. A value entered for a network refreshes the district's
  rows of its periods (the rollup chain).
- a school: a new network refreshes its old and new networks' rows (district values
  do not move, except for metrics whose population is a kind of network); a new
  enrollment the metrics weighted by enrollment; a new category the metrics of one
  category; a deleted school its network's rows and the district's. A new school, or
  one moving, changes how many schools each rollup expects (`recount_expected`).
- a network's kind: the metrics whose population is a kind of network. A deleted
  network: those metrics and the district rows rolled up from network values.
- a metric's aggregation, minimum n or population (its list of schools included):
  that metric's rollups.
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
from django.db.models import Q, QuerySet
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)

from district.batches import at_batch_end, in_batch
from district.models import District, Network, School

from .models import Aggregation, Measurement, Metric, Population, Rollup, Scope
from .rollups import recount_expected, refresh_rollups

# The fields whose change moves a rollup, per model.
WATCHED = {
    Measurement: (
        "district_id",
        "metric_id",
        "period_end",
        "scope",
        "value",
        "n",
        "network_id",
    ),
    School: ("district_id", "network_id", "enrollment", "category"),
    Network: ("district_id", "kind"),
    Metric: (
        "district_id",
        "aggregation",
        "min_n",
        "population",
        "population_category",
        "population_network_kind",
    ),
    District: ("suppression_min_n",),
}
# Fields of a metric that change which values go into its rollups, or how.
METRIC_RULES = WATCHED[Metric][1:]


@dataclass
class _Refresh:
    """What one district's stored rollups need refreshed."""

    pairs: set = field(default_factory=set)
    metric_ids: set = field(default_factory=set)
    network_ids: set = field(default_factory=set)
    with_district: bool = False  # the network_ids' rows and the district's rows
    # The district's rows only, of these pairs and metrics (the rollup chain).
    chained_pairs: set = field(default_factory=set)
    chained_metric_ids: set = field(default_factory=set)
    populations: set = field(default_factory=set)  # metrics of these populations
    recount: bool = False  # how many schools each rollup expects


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
            if refresh.populations:
                refresh.metric_ids.update(
                    Metric.objects.filter(
                        district_id=district_id, population__in=refresh.populations
                    ).values_list("pk", flat=True)
                )
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
            if refresh.chained_pairs:
                refresh_rollups(
                    district_id,
                    pairs=refresh.chained_pairs,
                    network_ids=[],
                    with_district=True,
                )
            if refresh.chained_metric_ids:
                refresh_rollups(
                    district_id,
                    metric_ids=refresh.chained_metric_ids,
                    network_ids=[],
                    with_district=True,
                )
            if refresh.recount:
                recount_expected(district_id)


_pending = _Pending()


def values_written(district_id: int, pairs, *, network_pairs=()) -> None:
    """Values of these (metric, period end) pairs were written without signals.

    `pairs` are of school values; `network_pairs` of values entered for networks, which
    move only the district's value of their period (the rollup chain).
    """
    pairs, network_pairs = set(pairs), set(network_pairs)
    if pairs or network_pairs:
        refresh = _pending.of(district_id)
        refresh.pairs.update(pairs)
        refresh.chained_pairs.update(network_pairs)
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
            if values is None or values["scope"] == Scope.DISTRICT:
                continue
            refresh = _pending.of(values["district_id"])
            pair = (values["metric_id"], values["period_end"])
            if values["scope"] == Scope.SCHOOL:
                refresh.pairs.add(pair)
            else:  # a network value moves only the district's value of its period
                refresh.chained_pairs.add(pair)
    elif model is School:
        _school_changed(old, new)
    elif model is Network:
        if old is not None and new is not None:  # a new network has no schools yet
            _pending.of(new["district_id"]).populations.add(Population.NETWORK_KIND)
        elif old is not None:
            _network_deleted(old["district_id"])
    elif old is None or new is None:
        return  # a new metric or district has no values yet
    elif model is Metric:
        if any(old[name] != new[name] for name in METRIC_RULES):
            _pending.of(new["district_id"]).metric_ids.add(new["pk"])
    elif model is District:
        own = Metric.objects.filter(district_id=new["pk"], min_n__isnull=True)
        _pending.of(new["pk"]).metric_ids.update(own.values_list("pk", flat=True))


def _school_changed(old: dict | None, new: dict | None) -> None:
    values = new if new is not None else old
    assert values is not None
    refresh = _pending.of(values["district_id"])
    if old is None:
        refresh.recount = True  # no values yet, but one more school expected
        return
    if new is None:
        refresh.network_ids.add(old["network_id"])
        refresh.with_district = True
        return
    if old["network_id"] != new["network_id"]:
        refresh.network_ids.update((old["network_id"], new["network_id"]))
        refresh.populations.add(Population.NETWORK_KIND)
        refresh.recount = True  # networks of the chain may gain or lose schools
    if old["enrollment"] != new["enrollment"]:
        refresh.metric_ids.update(
            Metric.objects.filter(
                district_id=new["district_id"],
                aggregation=Aggregation.WEIGHTED_ENROLLMENT,
            ).values_list("pk", flat=True)
        )
    if old["category"] != new["category"]:
        refresh.populations.add(Population.CATEGORY)


def _network_deleted(district_id: int) -> None:
    """A deleted network's schools left it, and its values went with it.

    Its own rows go by cascade; what moves elsewhere is the district's rows of the
    metrics whose population is a kind of network, and those rolled up from network
    values (read now, before the cascade takes them).
    """
    chained = Rollup.objects.filter(district_id=district_id, from_networks=True)
    refresh = _pending.of(district_id)
    refresh.chained_metric_ids.update(
        Metric.objects.filter(district_id=district_id)
        .filter(
            Q(population=Population.NETWORK_KIND)
            | Q(pk__in=chained.values("metric_id"))
        )
        .values_list("pk", flat=True)
    )
    refresh.recount = True


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


def _population_schools_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A metric's list of schools changed: that metric's rollups (or the listing ones)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    refresh = _pending.of(instance.district_id)
    if not reverse:
        refresh.metric_ids.add(instance.pk)
    elif pk_set is not None:  # from a school's side: the metrics added or removed
        refresh.metric_ids.update(pk_set)
    else:  # cleared: every listing metric
        refresh.populations.add(Population.SCHOOLS)
    _run_unless_batched()


m2m_changed.connect(
    _population_schools_changed,
    sender=Metric.population_schools.through,
    dispatch_uid="rollups-population-schools",
)
for _model in WATCHED:
    pre_save.connect(_before_save, sender=_model, dispatch_uid=f"rollups-pre-{_model}")
    post_save.connect(_after_save, sender=_model, dispatch_uid=f"rollups-post-{_model}")
for _model in (Measurement, School, Network):
    pre_delete.connect(
        _before_delete, sender=_model, dispatch_uid=f"rollups-pre-delete-{_model}"
    )
    post_delete.connect(
        _after_delete, sender=_model, dispatch_uid=f"rollups-delete-{_model}"
    )
