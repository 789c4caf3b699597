"""Pages of the district app: the home page after login."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import render

from .models import District, Membership


@login_required
def home(request):
    """The user's districts, with their access level and links to what they can use."""
    levels = Membership.objects.filter(
        user=request.user, district=OuterRef("pk")
    ).values("access_level")[:1]
    districts = (
        District.objects.visible_to(request.user)
        .annotate(
            user_level=Subquery(levels),
            school_count=Count("schools", distinct=True),
        )
        .order_by("name", "pk")
    )
    return render(request, "district/home.html", {"districts": districts})
