import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_logs_in_and_sees_their_district(
    log_in, viewer, district, other_district
):
    page = log_in(viewer)
    assert page.get_by_role("heading", name=district.name).is_visible()
    assert page.get_by_text(other_district.name).count() == 0


def test_home_page_has_no_serious_accessibility_violations(
    log_in, viewer, axe_violations
):
    log_in(viewer)
    assert axe_violations() == []
