"""Every way of writing a membership keeps the district's last admin and its user.

The members page has its own tests (test_members.py); here the API, the Membership admin
(change, delete, "delete selected") and the membership inline under a district.
"""

import pytest

from district.models import AccessLevel, District, Membership
from tests.admin_pages import form_data, staff, url
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LAST_ADMIN = "is the last admin of Lakeside Unified"


@pytest.fixture
def admin_membership(district, district_admin):
    return Membership.objects.get(district=district, user=district_admin)


@pytest.fixture
def member(district):
    return MembershipFactory(district=district, user=UserFactory(username="member"))


def level_of(membership) -> str:
    return Membership.objects.get(pk=membership.pk).access_level


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- API ---


def test_the_api_refuses_to_remove_the_last_admin(
    api_client_for, district_admin, admin_membership
):
    response = api_client_for(district_admin).delete(
        f"/api/v1/memberships/{admin_membership.pk}/"
    )

    assert response.status_code == 409
    assert LAST_ADMIN in response.json()["detail"]
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_the_api_refuses_to_demote_the_last_admin(
    api_client_for, district_admin, admin_membership
):
    response = api_client_for(district_admin).patch(
        f"/api/v1/memberships/{admin_membership.pk}/",
        {"access_level": "editor"},
        format="json",
    )

    assert response.status_code == 409
    assert "cannot be demoted" in response.json()["detail"]
    assert level_of(admin_membership) == AccessLevel.ADMIN


def test_an_admin_with_a_fellow_admin_steps_down_through_the_api(
    api_client_for, district_admin, admin_membership, member
):
    member.access_level = AccessLevel.ADMIN
    member.save()

    response = api_client_for(district_admin).patch(
        f"/api/v1/memberships/{admin_membership.pk}/",
        {"access_level": "viewer"},
        format="json",
    )

    # The caller administers the district no more; the answer is still the saved row.
    assert response.status_code == 200, response.content
    assert response.json()["access_level"] == "viewer"
    assert level_of(admin_membership) == AccessLevel.VIEWER
    assert admin_membership.history.latest().history_user == district_admin


def test_the_api_removes_a_member_who_is_not_the_last_admin(
    api_client_for, district_admin, member
):
    response = api_client_for(district_admin).delete(
        f"/api/v1/memberships/{member.pk}/"
    )

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_a_membership_cannot_move_to_another_account(
    api_client_for, district_admin, member
):
    orphan = UserFactory(username="orphan")
    MembershipFactory(district=member.district, user=orphan)  # selectable

    response = api_client_for(district_admin).patch(
        f"/api/v1/memberships/{member.pk}/", {"user": "orphan"}, format="json"
    )

    assert response.status_code == 400
    assert "keeps its user" in str(response.json()["user"])
    assert Membership.objects.get(pk=member.pk).user.username == "member"


def test_a_membership_sent_back_with_its_own_user_is_saved(
    api_client_for, district_admin, member
):
    response = api_client_for(district_admin).put(
        f"/api/v1/memberships/{member.pk}/",
        {"district": "lakeside", "user": "member", "access_level": "editor"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert level_of(member) == AccessLevel.EDITOR


def test_the_api_adds_a_member_through_the_members_service(
    api_client_for, district_admin, district
):
    UserFactory(username="newcomer")

    response = api_client_for(district_admin).post(
        "/api/v1/memberships/",
        {"district": "lakeside", "user": "newcomer", "access_level": "editor"},
        format="json",
    )

    assert response.status_code == 201, response.content
    added = Membership.objects.get(user__username="newcomer")
    assert added.access_level == AccessLevel.EDITOR
    assert added.history.latest().history_user == district_admin


# --- Membership admin ---


def test_the_admin_refuses_to_demote_the_last_admin(
    client_for, district_admin, admin_membership
):
    client = client_for(staff(district_admin))
    page = client.get(url(Membership, "change", admin_membership.pk))
    data = form_data(page) | {"access_level": "viewer"}

    response = client.post(
        url(Membership, "change", admin_membership.pk), data, follow=True
    )

    assert response.status_code == 200
    assert any(
        LAST_ADMIN in message and "demoted" in message
        for message in shown_messages(response)
    )
    assert level_of(admin_membership) == AccessLevel.ADMIN


def test_the_admin_changes_another_members_level(client_for, district_admin, member):
    client = client_for(staff(district_admin))
    page = client.get(url(Membership, "change", member.pk))

    response = client.post(
        url(Membership, "change", member.pk),
        form_data(page) | {"access_level": "editor"},
    )

    assert response.status_code == 302
    assert level_of(member) == AccessLevel.EDITOR
    assert member.history.latest().history_user == district_admin


def test_the_admin_refuses_to_delete_the_last_admin(
    client_for, district_admin, admin_membership
):
    client = client_for(staff(district_admin))

    response = client.post(
        url(Membership, "delete", admin_membership.pk), {"post": "yes"}, follow=True
    )

    assert any(LAST_ADMIN in message for message in shown_messages(response))
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_deleting_selected_members_with_the_last_admin_deletes_none(
    client_for, district_admin, admin_membership, member
):
    client = client_for(staff(district_admin))

    response = client.post(
        url(Membership, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [member.pk, admin_membership.pk],
            "post": "yes",
        },
        follow=True,
    )

    assert any(LAST_ADMIN in message for message in shown_messages(response))
    assert (
        Membership.objects.filter(pk__in=[member.pk, admin_membership.pk]).count() == 2
    )


def test_deleting_selected_members_without_the_last_admin_deletes_them(
    client_for, district_admin, member
):
    response = client_for(staff(district_admin)).post(
        url(Membership, "changelist"),
        {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_admin_adds_a_member_through_the_members_service(
    client_for, superuser, district
):
    newcomer = UserFactory(username="newcomer")
    client = client_for(superuser)
    page = client.get(url(Membership, "add"))
    data = form_data(page) | {
        "district": district.pk,
        "user": newcomer.pk,
        "access_level": "viewer",
    }

    response = client.post(url(Membership, "add"), data)

    assert response.status_code == 302
    added = Membership.objects.get(district=district, user=newcomer)
    assert added.history.latest().history_user == superuser


# --- The membership inline under a district ---


def inline_prefix(page, membership) -> str:
    formset = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is Membership
    )
    return next(
        form.prefix for form in formset.forms if form.instance.pk == membership.pk
    )


def test_the_district_page_refuses_to_demote_the_last_admin(
    client_for, district_admin, district, admin_membership
):
    client = client_for(staff(district_admin))
    page = client.get(url(District, "change", district.pk))
    prefix = inline_prefix(page, admin_membership)
    data = form_data(page) | {f"{prefix}-access_level": "editor", "name": "Renamed"}

    response = client.post(url(District, "change", district.pk), data, follow=True)

    assert any(
        "district_admin is the last admin of" in message
        for message in shown_messages(response)
    )
    assert level_of(admin_membership) == AccessLevel.ADMIN
    # The whole submission is refused: the district keeps its name too.
    assert District.objects.get(pk=district.pk).name == "Lakeside Unified"


def test_the_district_page_refuses_to_remove_the_last_admin(
    client_for, district_admin, district, admin_membership
):
    client = client_for(staff(district_admin))
    page = client.get(url(District, "change", district.pk))
    prefix = inline_prefix(page, admin_membership)
    data = form_data(page) | {f"{prefix}-DELETE": "on"}

    response = client.post(url(District, "change", district.pk), data, follow=True)

    assert any(LAST_ADMIN in message for message in shown_messages(response))
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_the_district_page_changes_and_removes_other_members(
    client_for, district_admin, district, member
):
    client = client_for(staff(district_admin))
    page = client.get(url(District, "change", district.pk))
    prefix = inline_prefix(page, member)

    response = client.post(
        url(District, "change", district.pk),
        form_data(page) | {f"{prefix}-access_level": "editor"},
    )

    assert response.status_code == 302
    assert level_of(member) == AccessLevel.EDITOR
    page = client.get(url(District, "change", district.pk))
    response = client.post(
        url(District, "change", district.pk),
        form_data(page) | {f"{inline_prefix(page, member)}-DELETE": "on"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_district_page_cannot_move_a_membership_to_another_account(
    client_for, superuser, district, member
):
    other = UserFactory(username="other")
    client = client_for(superuser)
    page = client.get(url(District, "change", district.pk))
    prefix = inline_prefix(page, member)

    response = client.post(
        url(District, "change", district.pk),
        form_data(page) | {f"{prefix}-user": other.pk},
        follow=True,
    )

    assert any("keeps its user" in message for message in shown_messages(response))
    assert Membership.objects.get(pk=member.pk).user.username == "member"
