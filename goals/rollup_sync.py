"""Stored rollups kept equal to the school values, in the transaction of each change.

`goals.rollups.refresh_rollups` computes and stores; this module decides what to
refresh when something changes, and refreshes only that:

- school values: their (metric, period) pairs. `upsert_measurements` (bulk API,
  entry grid, CSV imports) refreshes the pairs it wrote; single saves and deletes
  (pages, admin, API) come through the model signals below, a queryset's deletion
  (the admin's "delete selected") once for the whole batch; the API's in-place
  updates (`QuerySet.update()`) through `district.signals.rows_updated`. A value
  entered for the district is not stored here: readers merge it. A value entered
  for a network refreshes the district's rows of its periods (the rollup chain).
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

Saves of these models run in a transaction (`district.models.Tracked.save`), and the
signals fire inside it, so a change and its rollups commit together. Deletions cascading
from a deleted school, metric, network or district are left to that object's own rule
(or to the database's cascade), never refreshed row by row.
"""

from django.db.models import Q, QuerySet
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver

from district.models import District, Network, School
from district.signals import rows_updated

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


def _fields(obj, model) -> dict | None:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj
    return {name: getattr(obj, name) for name in WATCHED[model]}


def rows_changed(model, before: list, after: list) -> None:
    """Refresh what the change of rows `before` into `after` moved (None: a new row)."""
    changes = [
        (_fields(old, model), _fields(new, model), new)
        for old, new in zip(before, after, strict=True)
    ]
    changes = [(old, new, obj) for old, new, obj in changes if old != new]
    if not changes:
        return
    if model is Measurement:
        _measurements_changed(changes)
    elif model is School:
        _schools_changed(changes)
    elif model is Metric:
        for old, new, metric in changes:
            if (
                old is not None
                and new is not None
                and any(old[name] != new[name] for name in METRIC_RULES)
            ):
                refresh_rollups(new["district_id"], metric_ids=[metric.pk])
    elif model is Network:
        for old, new, _network in changes:
            if old is not None and new is not None and old["kind"] != new["kind"]:
                _refresh_population(new["district_id"], Population.NETWORK_KIND)
    elif model is District:
        for old, new, district in changes:
            if (
                old is not None
                and new is not None
                and old["suppression_min_n"] != new["suppression_min_n"]
            ):
                own = Metric.objects.filter(district=district, min_n__isnull=True)
                refresh_rollups(district, metric_ids=own.values_list("pk", flat=True))


def _measurements_changed(changes) -> None:
    by_district: dict[int, set] = {}
    chained: dict[int, set] = {}
    for old, new, _row in changes:
        for values in (old, new):
            if values is None or values["scope"] == Scope.DISTRICT:
                continue
            scoped = by_district if values["scope"] == Scope.SCHOOL else chained
            scoped.setdefault(values["district_id"], set()).add(
                (values["metric_id"], values["period_end"])
            )
    for district_id, pairs in by_district.items():
        refresh_rollups(district_id, pairs=pairs)
    for district_id, pairs in chained.items():
        # A network value moves only the district's value of its period (the chain).
        refresh_rollups(district_id, pairs=pairs, network_ids=[], with_district=True)


def _refresh_population(district_id: int, population: Population) -> None:
    """Every rollup of the metrics whose population is of kind `population`."""
    metric_ids = list(
        Metric.objects.filter(
            district_id=district_id, population=population
        ).values_list("pk", flat=True)
    )
    if metric_ids:
        refresh_rollups(district_id, metric_ids=metric_ids)


def _schools_changed(changes) -> None:
    networks: dict[int, set] = {}
    weights_moved: set[int] = set()
    categories_moved: set[int] = set()
    recount: set[int] = set()
    for old, new, _school in changes:
        district_id = new["district_id"]
        if old is None:
            recount.add(district_id)  # no values yet, but one more school expected
            continue
        if old["network_id"] != new["network_id"]:
            networks.setdefault(district_id, set()).update(
                (old["network_id"], new["network_id"])
            )
        if old["enrollment"] != new["enrollment"]:
            weights_moved.add(district_id)
        if old["category"] != new["category"]:
            categories_moved.add(district_id)
    for district_id, network_ids in networks.items():
        refresh_rollups(district_id, network_ids=network_ids)
        _refresh_population(district_id, Population.NETWORK_KIND)
        recount.add(district_id)  # networks of the chain may gain or lose schools
    for district_id in weights_moved:
        weighted = Metric.objects.filter(
            district_id=district_id, aggregation=Aggregation.WEIGHTED_ENROLLMENT
        ).values_list("pk", flat=True)
        refresh_rollups(district_id, metric_ids=weighted)
    for district_id in categories_moved:
        _refresh_population(district_id, Population.CATEGORY)
    for district_id in recount:
        recount_expected(district_id)


@receiver(rows_updated)
def _updated_in_place(sender, before, after, **kwargs):
    if sender in WATCHED:
        rows_changed(sender, before, after)


def _before_save(sender, instance, raw, **kwargs):
    instance._rollup_fields = None
    if raw or instance._state.adding or instance.pk is None:
        return
    instance._rollup_fields = (
        sender._base_manager.filter(pk=instance.pk).values(*WATCHED[sender]).first()
    )


def _after_save(sender, instance, raw, created, **kwargs):
    # A restored backup (raw) refreshes its whole district once, at the end.
    if raw:
        return
    before = None if created else getattr(instance, "_rollup_fields", None)
    if not created and before is None:
        return  # saved without pre_save (not through Model.save): nothing known
    rows_changed(sender, [before], [instance])


def _deleting_itself(sender, origin) -> bool:
    # Only deletions of the row itself: a cascade is its origin's business.
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is sender


def _before_delete(sender, instance, origin, **kwargs):
    """Count the rows a queryset deletes, to refresh them once after the last one.

    Django sends every pre_delete of a batch before its first post_delete, so the
    admin's "delete selected" refreshes once for all its rows instead of once per row.
    """
    if isinstance(origin, QuerySet) and _deleting_itself(sender, origin):
        batch = origin.__dict__.setdefault("_rollup_batch", {"pending": 0, "rows": []})
        batch["pending"] += 1


def _after_delete(sender, instance, origin, **kwargs):
    if not _deleting_itself(sender, origin):
        return
    batch = (
        origin.__dict__.get("_rollup_batch") if isinstance(origin, QuerySet) else None
    )
    if batch is None:
        rows = [instance]
    else:
        batch["rows"].append(instance)
        batch["pending"] -= 1
        if batch["pending"]:
            return
        rows = batch["rows"]
    if sender is Measurement:
        rows_changed(Measurement, rows, [None] * len(rows))
    elif sender is School:
        _schools_deleted(rows)
    else:
        _networks_deleted(rows)


def _schools_deleted(schools) -> None:
    """The district's rows and the deleted schools' networks' rows; other networks stay."""
    networks: dict[int, set] = {}
    for school in schools:
        networks.setdefault(school.district_id, set()).add(school.network_id)
    for district_id, network_ids in networks.items():
        refresh_rollups(district_id, network_ids=network_ids, with_district=True)


def _networks_deleted(networks) -> None:
    """A deleted network's schools left it, and its values went with it.

    Its own rows went by cascade; what moves elsewhere is the district's rows of the
    metrics whose population is a kind of network, and those rolled up from network
    values.
    """
    for district_id in {network.district_id for network in networks}:
        chained = Rollup.objects.filter(district_id=district_id, from_networks=True)
        metric_ids = set(
            Metric.objects.filter(district_id=district_id)
            .filter(
                Q(population=Population.NETWORK_KIND)
                | Q(pk__in=chained.values("metric_id"))
            )
            .values_list("pk", flat=True)
        )
        if metric_ids:
            refresh_rollups(
                district_id, metric_ids=metric_ids, network_ids=[], with_district=True
            )
        recount_expected(district_id)


def _population_schools_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A metric's list of schools changed: that metric's rollups (or the listing ones)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_rollups(instance.district_id, metric_ids=[instance.pk])
        return
    # From a school's side: the metrics added or removed, or (cleared) every listing one.
    metric_ids = pk_set
    if metric_ids is None:
        metric_ids = Metric.objects.filter(
            district_id=instance.district_id, population=Population.SCHOOLS
        ).values_list("pk", flat=True)
    refresh_rollups(instance.district_id, metric_ids=list(metric_ids))


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
