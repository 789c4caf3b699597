"""Public pages: a district's published goals and metrics, without login.

Each answers 404 for a district that publishes nothing and for anything not
published, exactly like a missing page; `public_page` serves unchanged pages from
their version (`publishing.public_cache`).
"""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import Publication
from .public import build_public_dashboard, build_public_metric, public_metric_or_none
from .public_cache import public_page


def published_or_404(slug: str) -> Publication:
    publication = (
        Publication.objects.select_related("district")
        .filter(district__slug=slug, is_published=True)
        .first()
    )
    if publication is None:
        raise Http404("No such public dashboard.")
    return publication


@require_safe
@public_page
def public_dashboard(request, slug):
    """The district's published goals, their metrics, statuses and trends."""
    board = build_public_dashboard(published_or_404(slug))
    return render(request, "publishing/public_dashboard.html", {"board": board})


@require_safe
@public_page
def public_metric(request, slug, pk):
    """One published metric: its trend, the numbers behind it and its networks."""
    publication = published_or_404(slug)
    metric = public_metric_or_none(publication.district, pk)
    if metric is None:
        raise Http404("No such public metric.")
    page = build_public_metric(publication, metric)
    return render(request, "publishing/public_metric.html", {"page": page})
