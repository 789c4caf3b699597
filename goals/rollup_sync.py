"""Stored rollups kept equal to the school values, in the transaction of each change.

`goals.rollups.refresh_rollups` computes and stores; this module decides what to
refresh when something changes, and refreshes only that:

- school values: their (metric, period) pairs. `upsert_measurements` (bulk API,
  entry grid, CSV imports) refreshes the pairs it wrote; single saves and deletes
  (pages, admin, API) come through the model signals below, a queryset's deletion
  (the admin's "delete selected") once for the whole batch; the API's in-place
  updates (`QuerySet.update()`) through `district.signals.rows_updated`. A value
  entered for a network or the district is not stored here: readers merge it.
- a school: a new network refreshes its old and new networks' rows (district values
  do not move); a new enrollment the metrics weighted by enrollment; a deleted school
  its network's rows and the district's.
- a metric's aggregation or minimum n: that metric's rollups.
- the district's suppression minimum n: the metrics without a minimum n of their own.
- a restored backup (`goals.backup`) and the generator refresh the whole district;
  `manage.py refresh_rollups` does it for operators after changes outside Lanes.

Saves of these models run in a transaction (`district.models.Tracked.save`), and the
signals fire inside it, so a change and its rollups commit together. Deletions cascading
from a deleted school, metric, network or district are left to that object's own rule
(or to the database's cascade), never refreshed row by row.
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from district.models import District, School
from district.signals import rows_updated

from .models import Aggregation, Measurement, Metric, Scope
from .rollups import refresh_rollups

# The fields whose change moves a rollup, per model.
WATCHED = {
    Measurement: ("district_id", "metric_id", "period_end", "scope", "value", "n"),
    School: ("district_id", "network_id", "enrollment"),
    Metric: ("district_id", "aggregation", "min_n"),
    District: ("suppression_min_n",),
}


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
                and (
                    old["aggregation"] != new["aggregation"]
                    or old["min_n"] != new["min_n"]
                )
            ):
                refresh_rollups(new["district_id"], metric_ids=[metric.pk])
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
    for old, new, _row in changes:
        for values in (old, new):
            if values is not None and values["scope"] == Scope.SCHOOL:
                by_district.setdefault(values["district_id"], set()).add(
                    (values["metric_id"], values["period_end"])
                )
    for district_id, pairs in by_district.items():
        refresh_rollups(district_id, pairs=pairs)


def _schools_changed(changes) -> None:
    networks: dict[int, set] = {}
    weights_moved: set[int] = set()
    for old, new, _school in changes:
        if old is None:
            continue  # a new school has no values yet
        district_id = new["district_id"]
        if old["network_id"] != new["network_id"]:
            networks.setdefault(district_id, set()).update(
                (old["network_id"], new["network_id"])
            )
        if old["enrollment"] != new["enrollment"]:
            weights_moved.add(district_id)
    for district_id, network_ids in networks.items():
        refresh_rollups(district_id, network_ids=network_ids)
    for district_id in weights_moved:
        weighted = Metric.objects.filter(
            district_id=district_id, aggregation=Aggregation.WEIGHTED_ENROLLMENT
        ).values_list("pk", flat=True)
        refresh_rollups(district_id, metric_ids=weighted)


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
    else:
        _schools_deleted(rows)


def _schools_deleted(schools) -> None:
    """The district's rows and the deleted schools' networks' rows; other networks stay."""
    networks: dict[int, set] = {}
    for school in schools:
        networks.setdefault(school.district_id, set()).add(school.network_id)
    for district_id, network_ids in networks.items():
        refresh_rollups(district_id, network_ids=network_ids, with_district=True)


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
