"""Pages of the goals app: dashboard, metric page, scorecards, data entry and import."""

import re
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from district.conditional import conditional_page, shared_part
from district.exports import CsvWriter, attachment
from district.models import Network
from district.permissions import get_district_access_or_404
from district.school_sets import school_set_choices, schools_in_set
from roles.holders import holders_on
from roles.models import Role

from .dashboards import (
    GOALS_DATA,
    OwnerRole,
    build_dashboard,
    default_school_year,
    metrics_with_details,
    owner_roles,
    school_years,
)
from .exports import measurement_csv_chunks
from .forms import DashboardFilterForm, ValueHistoryForm, YearForm
from .links import rows_behind_metric
from .models import Metric
from .overview import build_overview
from .role_scorecard import build_role_scorecard
from .scorecards import (
    build_metric_detail,
    build_network_metrics,
    build_network_scorecard,
)
from .targets import target_rows
from .value_history import value_history


def district_networks(district, user) -> list[Network]:
    """The district's networks, geographic first, in natural order (2 before 10)."""
    networks = Network.objects.visible_to(user).filter(district=district)
    return sorted(networks, key=lambda n: (not n.is_geographic, natural_key(n.name)))


def natural_key(name: str) -> tuple:
    """A sort key reading the numbers in a name as numbers: "Network 2" < "Network 10"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", name)
        if part
    )


def year_form(request, district) -> YearForm:
    """The school-year form of a page, opening on `default_school_year`."""
    years = school_years(district)
    return YearForm(
        request.GET or None, years=years, default=default_school_year(district, years)
    )


@login_required
@conditional_page(GOALS_DATA)
def dashboard(request, slug):
    """Goals and their metrics' status for the district or a network, as of a date."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    roles = owner_roles(district, request.user)
    networks = district_networks(district, request.user)
    years = school_years(district)
    form = DashboardFilterForm(
        request.GET or None,
        roles=roles,
        networks=networks,
        years=years,
        default=default_school_year(district, years),
    )
    status = 400 if form.is_refused else 200
    content = shared_part(
        request,
        GOALS_DATA,
        slug,
        "dashboard",
        lambda: dashboard_content(request, access, form, networks, roles),
    )
    return render(
        request,
        "goals/dashboard.html",
        {"district": district, "content": content},
        status=status,
    )


def dashboard_content(request, access, form, networks, roles) -> str:
    """The dashboard below the site's header: what every visitor with the user's
    access level sees alike for this URL, today and at this data version."""
    district = access.district
    network = next((n for n in networks if str(n.pk) == form.chosen("network")), None)
    board = build_dashboard(
        district=district,
        user=request.user,
        as_of=form.judged_on,
        owner=form.chosen("role") or None,
        network=network,
        can_see_suppressed=access.can_edit,
        name_holders=True,
    )
    sort = request.GET.get("sort", "")
    overview = build_overview(
        district=district,
        metrics=[card.metric for goal in board.goals for card in goal.metrics],
        networks=networks,
        as_of=form.judged_on,
        can_see_suppressed=access.can_edit,
        sort=int(sort) if sort.isdecimal() else None,
    )
    default_sort, columns = sort_queries(request, overview)
    return render_to_string(
        "goals/_dashboard_content.html",
        {
            "district": district,
            "can_edit": access.can_edit,
            "form": form,
            "dashboard": board,
            "overview": overview,
            "default_sort_query": default_sort,
            "overview_columns": columns,
            "network": network,
            "networks": networks,
            "roles": roles,
            "school_year": form.school_year,
            "period_query": form.period_query,
        },
        request=request,
    )


def sort_queries(request, overview) -> tuple[str, list[tuple[Metric, str]]]:
    """The query strings ordering the dashboard's overview: the default order, then
    each metric's column with the query ordering rows by it.

    The page's other parameters (filters, date) are kept.
    """
    query = request.GET.copy()
    query.pop("sort", None)
    default = query.urlencode()
    columns = []
    for metric in overview.metrics:
        query["sort"] = str(metric.pk)
        columns.append((metric, query.urlencode()))
    return default, columns


def scoped_metric_or_404(district, user, pk):
    """A metric of `district` that `user` may see, with what its cards need (else 404)."""
    return get_object_or_404(
        metrics_with_details(Metric.objects.visible_to(user).filter(district=district)),
        pk=pk,
    )


def csv_value(shown, metric) -> Decimal | str | None:
    """A value for a CSV cell: the number without its unit, or why it is hidden."""
    if shown.value is None:
        return "" if not shown.is_suppressed else shown.text
    return rounded(shown.value, metric.decimals)


def rounded(value: Decimal | None, decimals: int) -> Decimal | None:
    """`value` rounded as the page shows it, written in a CSV as a number."""
    return None if value is None else round(Decimal(value), decimals)


def metric_csv(context: dict) -> HttpResponse:
    """The metric page's tables as CSV: what the page shows, suppression included."""
    district, metric, detail = context["district"], context["metric"], context["detail"]
    school_year, network = context["school_year"], context["network"]
    header = [
        "scope",
        "school_id",
        "name",
        "metric",
        "unit",
        "school_year",
        "latest",
        "period",
        "change",
        "status",
        "schools_reporting",
        "coverage",
        "in_progress",
    ]

    def progress(row) -> str:
        """A newer partial period: "2019-06-30: 80.0 (17 of 482 schools reported)"."""
        item = getattr(row, "in_progress", None)
        if item is None:
            return ""
        return (
            f"{item.period_end.isoformat()}: {csv_value(item.latest, metric)} "
            f"({item.coverage.text})"
        )

    def line(
        scope, school_id, name, row, row_latest, period, change, status, reporting
    ):
        return [
            scope,
            school_id,
            name,
            metric.code,
            metric.unit,
            school_year,
            csv_value(row_latest, metric),
            period,
            rounded(change, metric.decimals),
            status.label,
            reporting,
            row.coverage.text if getattr(row, "coverage", None) else "",
            progress(row),
        ]

    card = detail.card
    rows = [
        line(
            "district",
            "",
            district.name,
            card,
            card.latest,
            card.latest_period,
            card.change_value,
            card.status.status,
            card.schools_reporting,
        )
    ]
    if network is None:
        places = [("network", r) for r in detail.networks]
    else:
        places = [("school", r) for r in detail.schools]
    for scope, row in places:
        rows.append(
            line(
                scope,
                getattr(row.place, "school_id", ""),
                row.place.name,
                row,
                row.latest,
                row.period,
                row.change_value,
                row.status.status,
                row.schools_reporting if scope == "network" else None,
            )
        )
    suffix = f"-{slugify(network.name)}" if network else ""
    filename = f"{district.slug}-{metric.code}{suffix}-{school_year}.csv"
    response = attachment(
        HttpResponse(content_type="text/csv; charset=utf-8"), filename
    )
    writer = CsvWriter(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def metric_context(request, slug, pk, network_pk) -> dict:
    """What the metric page and its CSV show: the metric, its network, the year's tables."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    metric = scoped_metric_or_404(district, request.user, pk)
    networks = district_networks(district, request.user)
    network = None
    if network_pk is not None:
        network = next((n for n in networks if n.pk == network_pk), None)
        if network is None:
            raise Http404("No such network.")
    form = year_form(request, district)
    school_year = form.school_year
    detail = build_metric_detail(
        district=district,
        user=request.user,
        metric=metric,
        networks=networks,
        as_of=form.judged_on,
        can_see_suppressed=access.can_edit,
        network=network,
    )
    return {
        "district": district,
        "can_edit": access.can_edit,
        "metric": metric,
        "detail": detail,
        "network": network,
        "form": form,
        "school_year": school_year,
        "as_of": form.judged_on,
        "period_query": form.period_query,
        "target_rows": target_rows(metric),
        "matrix_rows": rows_behind_metric(metric, user=request.user),
        "owner_roles": metric_owner_roles(metric, request.user),
    }


def metric_owner_roles(metric, user) -> list[OwnerRole]:
    """The roles owning `metric` (prefetched), each with the people holding it today."""
    owners = list(metric.owners.all())
    holders = holders_on(
        user=user, role_ids=[o.role_id for o in owners], on=timezone.localdate()
    )
    return [
        OwnerRole(
            code=o.role.code, title=o.role.title, holders=holders.get(o.role_id, ())
        )
        for o in owners
    ]


@login_required
def metric_detail(request, slug, pk, network_pk=None):
    """A metric: its chart, a row per network, and (for a network) the network's schools.

    `?format=csv` downloads the tables: a file, never stored, so no ETag either.
    """
    if request.GET.get("format") == "csv":
        context = metric_context(request, slug, pk, network_pk)
        if not context["form"].is_refused:
            return metric_csv(context)
        return render(request, "goals/metric_detail.html", context, status=400)
    return metric_page(request, slug, pk, network_pk)


@conditional_page(GOALS_DATA)
def metric_page(request, slug, pk, network_pk=None):
    """The metric page itself, answering 304 when unchanged (behind `metric_detail`)."""
    context = metric_context(request, slug, pk, network_pk)
    status = 400 if context["form"].is_refused else 200
    return render(request, "goals/metric_detail.html", context, status=status)


@login_required
@conditional_page(GOALS_DATA)
def network_scorecard(request, slug, pk):
    """A network's metrics against the district and target, its schools ranked."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    network = get_object_or_404(
        Network.objects.visible_to(request.user).filter(district=district), pk=pk
    )
    form = year_form(request, district)
    school_year = form.school_year
    # Sets of schools the apps above offer, such as tiers (`district.school_sets`).
    sets = school_set_choices(district=district, school_year=school_year)
    chosen_set = request.GET.get("schools", "")
    only = (
        schools_in_set(district=district, school_year=school_year, key=chosen_set)
        if chosen_set
        else None
    )
    set_refused = bool(chosen_set) and only is None
    scorecard = build_network_scorecard(
        district=district,
        user=request.user,
        network=network,
        as_of=form.judged_on,
        can_see_suppressed=access.can_edit,
        only_schools=only,
    )
    return render(
        request,
        "goals/network_scorecard.html",
        {
            "district": district,
            "network": network,
            "scorecard": scorecard,
            "form": form,
            "school_year": school_year,
            "as_of": form.judged_on,
            "period_query": form.period_query,
            "school_sets": sets,
            "chosen_set": chosen_set,
            "set_refused": set_refused,
        },
        status=400 if form.is_refused or set_refused else 200,
    )


@require_safe
@login_required
@conditional_page(GOALS_DATA)
def network_trends(request, slug, pk):
    """A network's trend charts against the district's, metric by metric.

    The scorecard loads them (htmx) once it shows; alone, a page with the same charts.
    """
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    network = get_object_or_404(
        Network.objects.visible_to(request.user).filter(district=district), pk=pk
    )
    form = year_form(request, district)
    school_year = form.school_year
    as_of = form.judged_on
    template = (
        "goals/_network_trends.html" if request.htmx else "goals/network_trends.html"
    )
    response = render(
        request,
        template,
        {
            "district": district,
            "network": network,
            "metrics": build_network_metrics(
                district=district,
                user=request.user,
                network=network,
                as_of=as_of,
                can_see_suppressed=access.can_edit,
            ),
            "form": form,
            "school_year": school_year,
            "as_of": as_of,
            "period_query": form.period_query,
        },
        status=400 if form.is_refused else 200,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@conditional_page(GOALS_DATA)
def role_scorecard(request, slug, pk):
    """A role's own and joint goals and the metrics it owns, with their status."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    role = get_object_or_404(
        Role.objects.visible_to(request.user).filter(district=district), pk=pk
    )
    form = year_form(request, district)
    school_year = form.school_year
    scorecard = build_role_scorecard(
        district=district,
        user=request.user,
        role=role,
        as_of=form.judged_on,
        can_see_suppressed=access.can_edit,
    )
    return render(
        request,
        "goals/role_scorecard.html",
        {
            "district": district,
            "role": role,
            "scorecard": scorecard,
            "form": form,
            "school_year": school_year,
            "as_of": form.judged_on,
            "period_query": form.period_query,
        },
        status=400 if form.is_refused else 200,
    )


@login_required
def measurements_csv(request, slug):
    """Every measurement of the district as CSV (`?metric=<code>` for one metric).

    Streamed: a district's millions of rows never sit in memory at once. The last line
    says how many rows the file holds; a file without it was cut off.
    """
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    metric_code = request.GET.get("metric") or None
    chunks = measurement_csv_chunks(
        district=district,
        user=request.user,
        can_see_suppressed=access.can_edit,
        metric_code=metric_code,
    )
    # Named by district, the metric chosen (if one) and the day it was taken.
    chosen = f"-{slugify(metric_code)}" if metric_code else ""
    return attachment(
        StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8"),
        f"{district.slug}-measurements{chosen}-{timezone.localdate():%Y-%m-%d}.csv",
    )


@require_safe
@login_required
@conditional_page(GOALS_DATA)
def value_history_page(request, slug):
    """Who entered or changed which value, from what to what, when, and through which
    path; filtered by metric, network, school and period, newest first."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    form = ValueHistoryForm(
        request.GET or None,
        district=district,
        metrics=Metric.objects.visible_to(request.user).filter(district=district),
        networks=district_networks(district, request.user),
    )
    refused = form.is_bound and not form.is_valid()
    page = None
    older = ""
    filters = form.cleaned_data if form.is_bound and not refused else {}
    if not refused:
        page = value_history(
            district=district,
            can_see_suppressed=access.can_edit,
            metric=filters.get("metric"),
            network=filters.get("network"),
            school=filters.get("school"),
            period_end=filters.get("period_end"),
            before=filters.get("before"),
        )
        if page.older_than is not None:
            query = request.GET.copy()
            query["before"] = page.older_than
            older = query.urlencode()
    newest = request.GET.copy()
    newest.pop("before", None)
    return render(
        request,
        "goals/value_history.html",
        {
            "district": district,
            "form": form,
            "page": page,
            "metric": filters.get("metric"),
            "older_query": older,
            "newest_query": newest.urlencode(),
            "is_older_page": bool(request.GET.get("before")),
        },
        status=400 if refused else 200,
    )
