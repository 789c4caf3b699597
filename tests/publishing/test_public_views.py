"""The public dashboard: what an anonymous visitor sees, and what never reaches them."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from district.models import District
from goals.models import Measurement, Metric, Rollup, Scope
from publishing.models import Publication, PublishedGoal, PublishedMetric


def dashboard_url(district) -> str:
    return reverse("publishing:public-dashboard", args=[district.slug])


def metric_url(district, metric) -> str:
    return reverse("publishing:public-metric", args=[district.slug, metric.pk])


def every_public_url(district) -> list[str]:
    """The dashboard and the public page address of every metric of the district."""
    metrics = Metric.objects.filter(district=district).order_by("pk")
    return [dashboard_url(district), *(metric_url(district, m) for m in metrics)]


def test_anonymous_visitor_sees_the_published_goal_and_metric(client, data):
    page = client.get(dashboard_url(data.district))

    assert page.status_code == 200
    text = page.content.decode()
    assert data.joint_goal.statement in text
    assert "Student attendance" in text
    assert "Chief Academic Officer" in text  # owners by role
    assert 'href="/public/lakeside/metrics/' in text
    detail = client.get(metric_url(data.district, data.attendance))
    assert detail.status_code == 200
    assert "By network" in detail.content.decode()
    assert "North" in detail.content.decode()


def test_nothing_unpublished_suppressed_or_personal_appears_on_any_public_url(
    client, data, viewer, editor
):
    """Every public address answers 200 with published content or 404, and no page
    names an unpublished goal or metric, a suppressed number, a person or a member."""
    data.district.public_min_n = 100_000  # every value below it: all suppressed
    data.district.save(update_fields=["public_min_n"])
    unpublished = [
        data.cto_goal.statement,
        "Suspensions per 100 students",
        "Days with every system up",
    ]
    personal = [
        "Dana Whitfield",
        "dana.whitfield",
        viewer.username,
        editor.username,
        viewer.email,
        editor.email,
    ]
    measured = {
        f"{value:.1f}%"
        for value in Rollup.objects.filter(metric=data.attendance).values_list(
            "value", flat=True
        )
    } - {"92.0%", "93.0%", "94.0%", "95.0%", "96.0%"}  # on the target trajectory
    assert len(measured) >= 3
    shown = 0
    for url in every_public_url(data.district):
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        if response.status_code == 404:
            continue
        shown += 1
        text = response.content.decode()
        for word in unpublished + personal:
            assert word not in text, (url, word)
        assert "Suppressed (n&lt;100000)" in text, url
        # No measured value is printed, in cards, charts or their tables.
        for value in measured:
            assert value not in text, (url, value)
        assert "csrfmiddlewaretoken" not in text
        assert "Log out" not in text
    assert shown == 2  # the dashboard and attendance


def test_public_pages_answer_not_found_when_the_item_is_not_published(client, data):
    assert client.get(metric_url(data.district, data.suspensions)).status_code == 404
    # Published metric of an unpublished goal.
    assert client.get(metric_url(data.district, data.uptime)).status_code == 404
    PublishedGoal.objects.filter(goal=data.joint_goal).delete()
    page = client.get(dashboard_url(data.district))
    assert data.joint_goal.statement not in page.content.decode()
    assert "No goals are published yet." in page.content.decode()
    assert client.get(metric_url(data.district, data.attendance)).status_code == 404


def test_publishing_each_further_item_shows_it(client, data):
    PublishedMetric.objects.create(district=data.district, metric=data.suspensions)
    assert (
        "Suspensions per 100 students"
        in client.get(dashboard_url(data.district)).content.decode()
    )
    PublishedGoal.objects.create(district=data.district, goal=data.cto_goal)
    text = client.get(dashboard_url(data.district)).content.decode()
    assert data.cto_goal.statement in text
    assert "Days with every system up" in text


def test_an_unpublished_district_answers_not_found_everywhere(
    client, data, client_for, district_admin
):
    Publication.objects.filter(district=data.district).update(is_published=False)
    for url in every_public_url(data.district):
        assert client.get(url).status_code == 404, url
        # Members too: the public address shows only what is public.
        assert client_for(district_admin).get(url).status_code == 404, url


def test_a_missing_district_answers_like_an_unpublished_one(client, data):
    missing = client.get("/public/no-such-district/")
    Publication.objects.filter(district=data.district).update(is_published=False)
    unpublished = client.get(dashboard_url(data.district))
    assert missing.status_code == unpublished.status_code == 404
    assert missing.content == unpublished.content


def test_the_public_minimum_suppresses_what_members_see(
    client, client_for, viewer, data
):
    """Network values (about 2,000 students each) are shown to members and withheld
    publicly once the public minimum n is above them."""
    data.district.public_min_n = 3000
    data.district.save(update_fields=["public_min_n"])

    public = client.get(metric_url(data.district, data.attendance)).content.decode()
    internal = client_for(viewer).get(data.attendance.get_absolute_url())

    networks = public.split("By network")[1].split("</tbody>")[0]
    assert networks.count("Suppressed (n&lt;3000)") == 2  # North and South
    assert "%" not in networks
    assert "Suppressed (n&lt;" not in internal.content.decode()


def test_staff_names_appear_only_when_the_district_chooses(client, data):
    text = client.get(dashboard_url(data.district)).content.decode()
    assert "Dana Whitfield" not in text
    publication = Publication.objects.get(district=data.district)
    publication.shows_staff_names = True
    publication.save()
    text = client.get(dashboard_url(data.district)).content.decode()
    assert "Chief Academic Officer (Dana Whitfield)" in text
    assert "dana.whitfield@" not in text


def test_the_public_minimum_is_never_below_the_internal_one(district):
    district.suppression_min_n = 20
    district.public_min_n = 10
    with pytest.raises(ValidationError) as error:
        district.full_clean()
    assert "public_min_n" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        District.objects.filter(pk=district.pk).update(
            suppression_min_n=20, public_min_n=10
        )
    district.public_min_n = 20
    district.full_clean()


def test_public_pages_refuse_writes(client, data):
    for url in every_public_url(data.district)[:2]:
        assert client.post(url).status_code == 405


def test_an_unchanged_page_costs_only_the_version_check(
    client, data, django_assert_num_queries
):
    url = metric_url(data.district, data.attendance)
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, no-cache"

    other_visitor = type(client)()
    with django_assert_num_queries(1):
        again = other_visitor.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    with django_assert_num_queries(1):
        not_modified = client.get(url, headers={"if-none-match": first["ETag"]})
    assert not_modified.status_code == 304


def test_a_changed_value_is_shown_at_once(client, data):
    url = metric_url(data.district, data.attendance)
    before = client.get(url)
    Measurement.objects.create(
        district=data.district,
        metric=data.attendance,
        scope=Scope.NETWORK,
        network=data.north,
        period_end=datetime.date(2018, 6, 30),
        value=Decimal("77.7"),
        n=5000,
    )
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "77.7%" in after.content.decode()


def test_unpublishing_takes_effect_at_once(client, data):
    url = dashboard_url(data.district)
    assert client.get(url).status_code == 200
    publication = Publication.objects.get(district=data.district)
    publication.is_published = False
    publication.save()
    assert client.get(url).status_code == 404


def test_each_client_is_limited_per_minute(client, data, settings):
    settings.PUBLIC_RATE_LIMIT = 3
    url = dashboard_url(data.district)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    elsewhere = client.get(url, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 200


def test_no_user_account_is_needed_or_touched(client, data):
    count = get_user_model().objects.count()
    client.get(dashboard_url(data.district))
    assert get_user_model().objects.count() == count
    assert "sessionid" not in client.cookies


def test_a_fresh_rendering_reads_as_many_queries_for_a_larger_district(
    client, data, django_assert_max_num_queries
):
    """Cache emptied each time: the rendering itself, not the cache, is bounded."""
    from django.core.cache import cache

    from tests.goals.district_data import add_schools

    urls = [dashboard_url(data.district), metric_url(data.district, data.attendance)]
    counts = []
    for url in urls:
        client.get(url)
        cache.clear()
        with django_assert_max_num_queries(40) as small:
            assert client.get(url).status_code == 200
        counts.append(len(small.captured_queries))
    add_schools(data, 30)
    PublishedMetric.objects.create(district=data.district, metric=data.suspensions)
    for url, count in zip(urls, counts, strict=True):
        cache.clear()
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
