"""The bare SQL each benchmarked operation needs, written by hand for PostgreSQL.

These are the floor a page or endpoint is compared against: the same data read (or
written) in as few, as plain statements as possible, with no ORM, no templates, no
history rows and no access checks. `bench/run.py` times them directly with psycopg2;
`bench/rawapp.py` serves them as minimal JSON views.

Every function takes a psycopg2 cursor and the operation's parameters and returns
rows (lists of tuples), so a caller can time it or serialise it.

Like Lanes, the dashboard, metric page and scorecard read the stored rollups
(`goals_rollup`) and the values entered for a network or the district; the bulk upsert
recomputes the stored rollups of the (metric, period) pairs it wrote, in its transaction.
"""

# The stored rollups (goals_rollup) the pages read, and the values entered for the
# scope, which take precedence over them (merged by the caller, as Lanes does).
STORED = """
SELECT r.metric_id, r.network_id, r.period_end, r.value, r.n, r.schools_reporting
FROM goals_rollup r
WHERE r.district_id = %(district)s AND r.metric_id = ANY(%(metrics)s)
  AND r.period_end <= %(until)s AND {where}
"""

# A scope's last two stored periods per metric (the scorecard's table: latest value and
# change), each read from the end of its series' index.
NEWEST_STORED = """
SELECT r.metric_id, r.network_id, r.period_end, r.value, r.n, r.schools_reporting
FROM unnest(%(metrics)s::bigint[]) AS metric(id)
CROSS JOIN LATERAL (
  SELECT * FROM goals_rollup r
  WHERE r.district_id = %(district)s AND r.metric_id = metric.id
    AND r.period_end <= %(until)s AND {where}
  ORDER BY r.period_end DESC LIMIT 2) r
"""

ENTERED = """
SELECT m.metric_id, m.network_id, m.period_end, m.value, m.n
FROM goals_measurement m
WHERE m.district_id = %(district)s AND m.metric_id = ANY(%(metrics)s)
  AND m.scope = %(scope)s AND m.period_end <= %(until)s {where}
"""

# Computing rollups from school values: what a refresh of the stored ones runs.
ROLLUP = """
SELECT %(district)s, m.metric_id, {network} m.period_end,
       CASE max(mt.aggregation)
         WHEN 'mean' THEN avg(m.value::float8)
         WHEN 'weighted_n' THEN coalesce(
           sum(m.value::float8 * m.n) / nullif(sum(m.n), 0), avg(m.value::float8))
         WHEN 'weighted_enrollment' THEN coalesce(
           sum(m.value::float8 * s.enrollment) / nullif(sum(s.enrollment), 0),
           avg(m.value::float8))
         WHEN 'sum' THEN sum(m.value::float8)
         WHEN 'min' THEN min(m.value::float8)
         WHEN 'max' THEN max(m.value::float8)
       END::numeric(24, 4) AS value,
       sum(m.n) AS n, count(*) AS schools, count(*) AS reported,
       (SELECT count(*) FROM district_school s2
        WHERE s2.district_id = %(district)s {expected}) AS expected,
       false AS from_networks
FROM unnest(%(pair_metrics)s::bigint[], %(pair_periods)s::date[])
     AS p(metric_id, period_end)
JOIN goals_measurement m ON m.metric_id = p.metric_id AND m.scope = 'school'
  AND m.period_end = p.period_end
JOIN goals_metric mt ON mt.id = m.metric_id
JOIN district_school s ON s.id = m.school_id
WHERE m.district_id = %(district)s
  AND (m.n IS NULL OR m.n >= coalesce(mt.min_n, %(min_n)s)) {where}
GROUP BY m.metric_id, {network} m.period_end
"""

# Each school's newest value and the one before, per metric: two probes of the unique
# (metric, school, period_end) index per pair, as Lanes reads them on PostgreSQL.
LATEST_PER_SCHOOL = """
SELECT metric.id, s.id, latest.period_end, latest.value, latest.n, previous.value
FROM unnest(%(metrics)s::bigint[]) AS metric(id)
CROSS JOIN district_school s
CROSS JOIN LATERAL (
  SELECT m.period_end, m.value, m.n FROM goals_measurement m
  WHERE m.metric_id = metric.id AND m.school_id = s.id AND m.scope = 'school'
    AND m.period_end <= %(until)s
  ORDER BY m.period_end DESC LIMIT 1) latest
LEFT JOIN LATERAL (
  SELECT m.value FROM goals_measurement m
  WHERE m.metric_id = metric.id AND m.school_id = s.id AND m.scope = 'school'
    AND m.period_end < latest.period_end
  ORDER BY m.period_end DESC LIMIT 1) previous ON true
WHERE s.district_id = %(district)s AND s.network_id = %(network)s
"""

METRICS = """
SELECT mt.id, mt.code, mt.name, mt.unit, mt.decimals, mt.direction, mt.aggregation,
       mt.frequency, mt.baseline_value, mt.baseline_on, mt.target_value, mt.target_on,
       mt.tolerance, g.id, g.statement,
       array(SELECT t.due_on || ':' || t.value FROM goals_target t
             WHERE t.metric_id = mt.id ORDER BY t.due_on)
FROM goals_metric mt JOIN goals_goal g ON g.id = mt.goal_id
WHERE mt.district_id = %(district)s AND mt.id = ANY(%(metrics)s)
ORDER BY g.sort_order, mt.sort_order, mt.id
"""


def _all(cursor, sql: str, params: dict) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def stored(
    cursor, params: dict, *, by_network: bool, network=None, newest: bool = False
) -> list[tuple]:
    """A scope's stored rollups and its entered values, as the pages read them.

    `newest`: only each series' last two stored periods (and every entered value).
    """
    if by_network:
        where = "r.network_id IS NOT NULL"
        if network is not None:
            where = "r.network_id = %(network)s"
        entered = "AND m.network_id = %(network)s" if network is not None else ""
    else:
        where, entered = "r.network_id IS NULL", ""
    scope = "network" if by_network else "district"
    values = {**params, "network": network, "scope": scope}
    rollups = NEWEST_STORED if newest else STORED
    return _all(cursor, rollups.format(where=where), values) + _all(
        cursor, ENTERED.format(where=entered), values
    )


def dashboard(cursor, params: dict) -> dict:
    """Metrics with goals and targets, and every metric's district series."""
    return {
        "metrics": _all(cursor, METRICS, params),
        "district": stored(cursor, params, by_network=False),
    }


def metric_page(cursor, params: dict) -> dict:
    """One metric: its district series and a series per network."""
    one = {**params, "metrics": [params["metric"]]}
    return {
        "metrics": _all(cursor, METRICS, one),
        "district": stored(cursor, one, by_network=False),
        "networks": stored(cursor, one, by_network=True),
    }


def network_scorecard(cursor, params: dict) -> dict:
    """Every metric's latest two values for one network and the district, and each
    school's latest values (the trend charts are `network_trends`)."""
    network = params["network"]
    return {
        "metrics": _all(cursor, METRICS, params),
        "network": stored(
            cursor, params, by_network=True, network=network, newest=True
        ),
        "district": stored(cursor, params, by_network=False, newest=True),
        "schools": _all(cursor, LATEST_PER_SCHOOL, params),
    }


def network_trends(cursor, params: dict) -> dict:
    """Every metric's series for one network and for the district (the trend charts)."""
    return {
        "metrics": _all(cursor, METRICS, params),
        "network": stored(cursor, params, by_network=True, network=params["network"]),
        "district": stored(cursor, params, by_network=False),
    }


def matrix(cursor, params: dict) -> dict:
    """Roles, rows by work area, and every cell of the district's matrix."""
    return {
        "roles": _all(
            cursor,
            "SELECT id, code, title, kind FROM roles_role WHERE district_id = "
            "%(district)s ORDER BY kind, sort_order, code, id",
            params,
        ),
        "rows": _all(
            cursor,
            "SELECT r.id, r.name, r.is_joint, r.version, w.id, w.name "
            "FROM roles_responsibility r JOIN roles_workarea w ON w.id = r.work_area_id "
            "WHERE r.district_id = %(district)s "
            "ORDER BY w.sort_order, w.name, r.sort_order, r.name, r.id",
            params,
        ),
        "cells": _all(
            cursor,
            "SELECT responsibility_id, role_id, level FROM roles_ownership "
            "WHERE district_id = %(district)s",
            params,
        ),
    }


def cell_save(cursor, params: dict) -> list[tuple]:
    """Set one cell if the row is still at the version shown; bump the row's version."""
    cursor.execute(
        "UPDATE roles_responsibility SET version = version + 1, updated_at = now() "
        "WHERE id = %(row)s AND version = %(version)s RETURNING version",
        params,
    )
    version = cursor.fetchall()
    if not version:
        return []
    cursor.execute(
        "INSERT INTO roles_ownership "
        "(district_id, responsibility_id, role_id, level, updated_at, version) "
        "VALUES (%(district)s, %(row)s, %(role)s, %(level)s, now(), 1) "
        "ON CONFLICT (responsibility_id, role_id) DO UPDATE SET level = excluded.level, "
        "version = roles_ownership.version + 1, updated_at = now() RETURNING id",
        params,
    )
    return version + cursor.fetchall()


def api_list(cursor, params: dict) -> list[tuple]:
    """A page of 100 measurements of one metric, in id order, with their names."""
    return _all(
        cursor,
        "SELECT m.id, m.period_end, m.scope, m.value, m.n, m.source, m.updated_at, "
        "m.version, mt.code, mt.name, s.school_id, s.name, nw.name "
        "FROM goals_measurement m JOIN goals_metric mt ON mt.id = m.metric_id "
        "LEFT JOIN district_school s ON s.id = m.school_id "
        "LEFT JOIN district_network nw ON nw.id = m.network_id "
        "WHERE m.district_id = %(district)s AND m.metric_id = %(metric)s "
        "ORDER BY m.id LIMIT 101",
        params,
    )


def bulk_upsert(cursor, params: dict) -> list[tuple]:
    """Insert or update school values by metric code and school id, in one statement."""
    rows = params["rows"]
    cursor.execute(
        """
        INSERT INTO goals_measurement (district_id, metric_id, period_end, scope,
            school_id, value, n, source, entered_at, updated_at, version)
        SELECT %(district)s, mt.id, r.period_end, 'school', s.id, r.value, r.n,
               'bench', now(), now(), 1
        FROM unnest(%(codes)s::text[], %(schools)s::text[], %(periods)s::date[],
                    %(values)s::numeric[], %(ns)s::int[])
             AS r(code, school, period_end, value, n)
        JOIN goals_metric mt ON mt.district_id = %(district)s AND mt.code = r.code
        JOIN district_school s ON s.district_id = %(district)s AND s.school_id = r.school
        ON CONFLICT (metric_id, school_id, period_end) WHERE scope = 'school'
        DO UPDATE SET value = excluded.value, n = excluded.n,
            version = goals_measurement.version + 1, updated_at = now()
        RETURNING id
        """,
        {
            "district": params["district"],
            "codes": [r["metric"] for r in rows],
            "schools": [r["school_id"] for r in rows],
            "periods": [r["period_end"] for r in rows],
            "values": [r["value"] for r in rows],
            "ns": [r.get("n") for r in rows],
        },
    )
    written = cursor.fetchall()
    refresh_rollups(cursor, params)
    return written


def refresh_rollups(cursor, params: dict) -> None:
    """Recompute the stored rollups of the (metric, period) pairs the rows touched."""
    cursor.execute(
        "SELECT DISTINCT mt.id, r.period_end FROM unnest(%(codes)s::text[], "
        "%(periods)s::date[]) AS r(code, period_end) "
        "JOIN goals_metric mt ON mt.district_id = %(district)s AND mt.code = r.code",
        {
            "district": params["district"],
            "codes": [r["metric"] for r in params["rows"]],
            "periods": [r["period_end"] for r in params["rows"]],
        },
    )
    pairs = cursor.fetchall()
    values = {
        "district": params["district"],
        "min_n": params.get("min_n", 10),
        "pair_metrics": [metric for metric, _period in pairs],
        "pair_periods": [period for _metric, period in pairs],
    }
    cursor.execute(
        "DELETE FROM goals_rollup r USING unnest(%(pair_metrics)s::bigint[], "
        "%(pair_periods)s::date[]) AS p(metric_id, period_end) "
        "WHERE r.district_id = %(district)s AND r.metric_id = p.metric_id "
        "AND r.period_end = p.period_end",
        values,
    )
    columns = (
        "district_id, metric_id, {network} period_end, value, n, schools_reporting, "
        "reported, expected, from_networks"
    )
    for network, where, expected in (
        ("", "", ""),
        (
            "s.network_id,",
            "AND s.network_id IS NOT NULL",
            "AND s2.network_id = s.network_id",
        ),
    ):
        cursor.execute(
            f"INSERT INTO goals_rollup ({columns.format(network=network.replace('s.', ''))}) "
            + ROLLUP.format(network=network, where=where, expected=expected),
            values,
        )


OPERATIONS = {
    "dashboard": dashboard,
    "metric_page": metric_page,
    "network_scorecard": network_scorecard,
    "network_trends": network_trends,
    "matrix": matrix,
    "cell_save": cell_save,
    "api_list": api_list,
    "api_dashboard": dashboard,
    "bulk_upsert": bulk_upsert,
}
