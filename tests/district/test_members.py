"""The members page: district admins add members, change their level, remove them."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from district.members import add_member, remove_member, set_access_level
from district.models import AccessLevel, Membership

from ..factories import DistrictFactory, MembershipFactory, UserFactory
from ..test_security import csp_violations


def members_url(district):
    return reverse("district:members", args=[district.slug])


def level_url(membership):
    return reverse(
        "district:member-level", args=[membership.district.slug, membership.pk]
    )


def remove_url(membership):
    return reverse(
        "district:member-remove", args=[membership.district.slug, membership.pk]
    )


def membership_of(user, district):
    return Membership.objects.get(user=user, district=district)


def levels_in(district) -> dict[str, str]:
    return dict(
        Membership.objects.filter(district=district).values_list(
            "user__username", "access_level"
        )
    )


def latest_history(membership_pk):
    return Membership.history.filter(id=membership_pk).order_by("-history_id").first()


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def member(district):
    """A plain editor of the district, to be changed or removed."""
    user = UserFactory(username="alice", email="Alice@Example.org")
    return MembershipFactory(
        district=district, user=user, access_level=AccessLevel.EDITOR
    )


@pytest.fixture
def newcomer(db):
    """An account in no district yet: what a district admin adds."""
    return UserFactory(username="newcomer", email="newcomer@example.org")


# --- Who may use the page ---


def all_requests(district, membership):
    return [
        ("get", members_url(district), {}),
        ("post", members_url(district), {"user": "newcomer", "access_level": "viewer"}),
        ("post", level_url(membership), {"access_level": "admin"}),
        ("post", remove_url(membership), {}),
    ]


def test_anonymous_users_are_sent_to_log_in(client_for, district, member, newcomer):
    before = levels_in(district)
    for method, url, data in all_requests(district, member):
        response = getattr(client_for(None), method)(url, data)
        assert response.status_code == 302, url
        assert response.url.startswith(f"{reverse('login')}?next="), url
    assert levels_in(district) == before


@pytest.mark.parametrize("persona", ["viewer", "editor"])
def test_viewers_and_editors_get_403_and_change_nothing(
    request, client_for, persona, district, member, newcomer
):
    client = client_for(request.getfixturevalue(persona))
    before = levels_in(district)
    for method, url, data in all_requests(district, member):
        assert getattr(client, method)(url, data).status_code == 403, url
    assert levels_in(district) == before


def test_outsiders_get_404_and_change_nothing(
    client_for, outsider, district, member, newcomer
):
    client = client_for(outsider)
    before = levels_in(district)
    for method, url, data in all_requests(district, member):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert levels_in(district) == before


def test_an_admin_of_another_district_gets_404(client_for, district, member):
    elsewhere = DistrictFactory()
    admin = UserFactory(username="elsewhere-admin")
    MembershipFactory(district=elsewhere, user=admin, access_level=AccessLevel.ADMIN)
    client = client_for(admin)
    for method, url, data in all_requests(district, member):
        assert getattr(client, method)(url, data).status_code == 404, url


@pytest.mark.parametrize("persona", ["district_admin", "superuser"])
def test_admins_and_superusers_see_every_member_with_their_level(
    request, client_for, persona, district, viewer, editor, district_admin, outsider
):
    response = client_for(request.getfixturevalue(persona)).get(members_url(district))

    assert response.status_code == 200
    page = text(response)
    rows = {m.user.username: m for m in response.context["memberships"]}
    assert set(rows) == {"viewer", "editor", "district_admin"}
    assert {name: m.access_level for name, m in rows.items()} == levels_in(district)
    for name in ("viewer", "editor", "district_admin"):
        assert f'<th scope="row">{name}' in page
    assert "outsider" not in page
    assert "(last admin)" in page


def test_the_page_changes_nothing_on_get_and_refuses_other_methods(
    client_for, district_admin, district, member
):
    client = client_for(district_admin)
    before = levels_in(district)
    assert client.get(level_url(member)).status_code == 405
    assert client.get(remove_url(member)).status_code == 405
    assert client.put(members_url(district)).status_code == 405
    assert client.delete(remove_url(member)).status_code == 405
    assert levels_in(district) == before


def test_a_membership_of_another_district_is_404_under_ones_own(
    client_for, district_admin, district, other_district, outsider
):
    foreign = membership_of(outsider, other_district)
    client = client_for(district_admin)
    for view in ("district:member-level", "district:member-remove"):
        url = reverse(view, args=[district.slug, foreign.pk])
        assert client.post(url, {"access_level": "viewer"}).status_code == 404
    assert membership_of(outsider, other_district).access_level == AccessLevel.EDITOR


# --- Adding a member ---


def test_an_admin_adds_an_account_by_username(
    client_for, district_admin, district, newcomer
):
    client = client_for(district_admin)
    response = client.post(
        members_url(district), {"user": "newcomer", "access_level": "editor"}
    )

    assert response.status_code == 302
    assert response.url == members_url(district)
    membership = membership_of(newcomer, district)
    assert membership.access_level == AccessLevel.EDITOR
    history = latest_history(membership.pk)
    assert (history.history_type, history.history_user) == ("+", district_admin)
    page = text(client.get(response.url))
    assert "Added newcomer to Lakeside Unified as editor." in page


def test_an_admin_adds_an_account_by_email_in_any_case(
    client_for, district_admin, district, newcomer
):
    response = client_for(district_admin).post(
        members_url(district),
        {"user": "  NewComer@Example.ORG ", "access_level": "viewer"},
    )

    assert response.status_code == 302
    assert membership_of(newcomer, district).access_level == AccessLevel.VIEWER


def test_a_superuser_adds_a_member_of_another_district(
    client_for, superuser, district, outsider
):
    response = client_for(superuser).post(
        members_url(district), {"user": "outsider", "access_level": "viewer"}
    )

    assert response.status_code == 302
    assert membership_of(outsider, district).access_level == AccessLevel.VIEWER


UNKNOWN = "No account you can add has the username or email “{}”."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"user": "nobody", "access_level": "viewer"}, UNKNOWN.format("nobody")),
        ({"user": "", "access_level": "viewer"}, "Enter the username or email"),
        ({"user": "   ", "access_level": "viewer"}, "Enter the username or email"),
        (
            {"user": "newcomer", "access_level": "owner"},
            "Choose viewer, editor or admin.",
        ),
        ({"user": "newcomer"}, "This field is required."),
        ({"user": "new\x00comer", "access_level": "viewer"}, "Null characters"),
        ({"user": "x" * 300, "access_level": "viewer"}, "at most 254 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(
    client_for, district_admin, district, newcomer, data, message
):
    before = levels_in(district)

    response = client_for(district_admin).post(members_url(district), data)

    assert response.status_code == 400
    assert message in text(response)
    assert levels_in(district) == before


def test_adding_a_member_again_says_they_are_a_member(
    client_for, district_admin, district, member
):
    response = client_for(district_admin).post(
        members_url(district), {"user": "alice", "access_level": "admin"}
    )

    assert response.status_code == 400
    assert (
        "alice is already a member of Lakeside Unified (Editor); change their access "
        "level in the list of members."
    ) in text(response)
    assert membership_of(member.user, district).access_level == AccessLevel.EDITOR


def test_a_member_of_another_district_looks_unknown_to_a_district_admin(
    client_for, district_admin, district, outsider
):
    """The form reveals nothing about other districts: their members are not found."""
    for identifier in ("outsider", outsider.email):
        response = client_for(district_admin).post(
            members_url(district), {"user": identifier, "access_level": "viewer"}
        )
        assert response.status_code == 400
        assert UNKNOWN.format(identifier) in text(response)
    assert not Membership.objects.filter(user=outsider, district=district).exists()


def test_an_inactive_account_is_not_found(client_for, district_admin, district):
    UserFactory(username="gone", is_active=False)

    response = client_for(district_admin).post(
        members_url(district), {"user": "gone", "access_level": "viewer"}
    )

    assert response.status_code == 400
    assert UNKNOWN.format("gone") in text(response)


def test_an_email_shared_by_two_accounts_asks_for_the_username(
    client_for, district_admin, district
):
    UserFactory(username="twin1", email="twin@example.org")
    UserFactory(username="twin2", email="twin@example.org")

    response = client_for(district_admin).post(
        members_url(district), {"user": "twin@example.org", "access_level": "viewer"}
    )

    assert response.status_code == 400
    assert (
        "Several accounts have the email “twin@example.org”: enter the username."
        in (text(response))
    )


# --- Changing a member's level ---


def test_an_admin_changes_a_members_level_with_history(
    client_for, district_admin, district, member
):
    client = client_for(district_admin)
    response = client.post(level_url(member), {"access_level": "admin"})

    assert response.status_code == 302
    assert response.url == members_url(district)
    stored = membership_of(member.user, district)
    assert stored.access_level == AccessLevel.ADMIN
    assert stored.version == member.version + 1
    history = latest_history(member.pk)
    assert (history.history_type, history.history_user) == ("~", district_admin)
    page = text(client.get(response.url))
    assert "alice is now admin of Lakeside Unified." in page


@pytest.mark.parametrize("value", ["", "owner", "ADMIN"])
def test_a_bad_level_is_refused_and_changes_nothing(
    client_for, district_admin, district, member, value
):
    response = client_for(district_admin).post(
        level_url(member), {"access_level": value}
    )

    assert response.status_code == 400
    assert "The level of alice was not changed:" in text(response)
    assert membership_of(member.user, district).version == member.version


def test_the_last_admin_cannot_demote_themselves(client_for, district_admin, district):
    own = membership_of(district_admin, district)

    response = client_for(district_admin).post(
        level_url(own), {"access_level": "editor"}
    )

    assert response.status_code == 409
    assert (
        "district_admin is the last admin of Lakeside Unified and cannot be demoted: "
        "make another member an admin first."
    ) in text(response)
    assert membership_of(district_admin, district).access_level == AccessLevel.ADMIN


def test_a_superuser_cannot_demote_the_last_admin_either(
    client_for, superuser, district_admin, district
):
    own = membership_of(district_admin, district)

    response = client_for(superuser).post(level_url(own), {"access_level": "viewer"})

    assert response.status_code == 409
    assert membership_of(district_admin, district).access_level == AccessLevel.ADMIN


def test_an_admin_with_a_fellow_admin_may_step_down_and_leaves_the_page(
    client_for, district_admin, district, member
):
    set_access_level(
        membership=member, access_level=AccessLevel.ADMIN, acting_user=district_admin
    )
    own = membership_of(district_admin, district)

    response = client_for(district_admin).post(
        level_url(own), {"access_level": "editor"}
    )

    assert response.status_code == 302
    assert response.url == reverse("district:home")
    assert membership_of(district_admin, district).access_level == AccessLevel.EDITOR
    assert client_for(district_admin).get(members_url(district)).status_code == 403


# --- Removing a member ---


def test_an_admin_removes_a_member_with_history(
    client_for, district_admin, district, member
):
    client = client_for(district_admin)
    response = client.post(remove_url(member))

    assert response.status_code == 302
    assert response.url == members_url(district)
    assert not Membership.objects.filter(pk=member.pk).exists()
    history = latest_history(member.pk)
    assert (history.history_type, history.history_user) == ("-", district_admin)
    page = text(client.get(response.url))
    assert "Removed alice from Lakeside Unified." in page
    # The account stays; it is no longer a member.
    assert client_for(member.user).get(members_url(district)).status_code == 404


def test_the_last_admin_cannot_remove_themselves(client_for, district_admin, district):
    own = membership_of(district_admin, district)

    response = client_for(district_admin).post(remove_url(own))

    assert response.status_code == 409
    assert (
        "district_admin is the last admin of Lakeside Unified and cannot be removed: "
        "make another member an admin first."
    ) in text(response)
    assert Membership.objects.filter(pk=own.pk).exists()


def test_an_admin_with_a_fellow_admin_may_leave(
    client_for, district_admin, district, member
):
    set_access_level(
        membership=member, access_level=AccessLevel.ADMIN, acting_user=district_admin
    )
    own = membership_of(district_admin, district)

    response = client_for(district_admin).post(remove_url(own))

    assert response.status_code == 302
    assert response.url == reverse("district:home")
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_a_member_removed_meanwhile_is_404(client_for, district_admin, member):
    url = remove_url(member)
    member.delete()

    assert client_for(district_admin).post(url).status_code == 404


# --- The domain functions, without HTTP ---


def test_setting_the_level_a_member_has_writes_nothing(district_admin, member):
    before = Membership.history.filter(id=member.pk).count()

    stored = set_access_level(
        membership=member, access_level=AccessLevel.EDITOR, acting_user=district_admin
    )

    assert stored.version == member.version
    assert Membership.history.filter(id=member.pk).count() == before


def test_changing_a_member_removed_meanwhile_is_refused(district_admin, member):
    Membership.objects.filter(pk=member.pk).delete()

    for change in (
        lambda: set_access_level(
            membership=member, access_level="viewer", acting_user=district_admin
        ),
        lambda: remove_member(membership=member, acting_user=district_admin),
    ):
        with pytest.raises(Exception, match="just been removed") as raised:
            change()
        assert raised.value.code == "removed"


def test_adding_a_member_twice_is_refused_by_the_constraint(
    district, district_admin, member
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already a member of this district"):
        add_member(
            district=district,
            user=member.user,
            access_level=AccessLevel.VIEWER,
            acting_user=district_admin,
        )


def test_another_districts_last_admin_does_not_count(district, other_district):
    here = MembershipFactory(district=district, access_level=AccessLevel.ADMIN)
    MembershipFactory(district=other_district, access_level=AccessLevel.ADMIN)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="last admin"):
        remove_member(membership=here, acting_user=None)


# --- The home page link and the page itself ---


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("viewer", False),
        ("editor", False),
        ("district_admin", True),
        ("superuser", True),
    ],
)
def test_the_home_page_links_to_members_for_admins_only(
    request, client_for, persona, shown, district
):
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("district:home")
    )

    assert (f'href="{members_url(district)}"' in text(response)) is shown


class Controls(HTMLParser):
    """The form controls of a page and the ids its labels name."""

    def __init__(self):
        super().__init__()
        self.controls, self.labelled = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs.get("id"))


def test_every_control_has_a_label_and_the_page_is_csp_clean(
    client_for, district_admin, district, member
):
    page = text(client_for(district_admin).get(members_url(district)))

    parser = Controls()
    parser.feed(page)
    assert len(parser.controls) == 2 + 2  # two members' levels, the add form's two
    assert all(control in parser.labelled for control in parser.controls)
    assert csp_violations(page) == []
    assert (
        'Remove<span class="visually-hidden"> alice from Lakeside Unified</span>'
        in page
    )


def test_the_page_runs_the_same_queries_for_2_or_20_members(
    client_for, district_admin, district
):
    client = client_for(district_admin)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(members_url(district)).status_code == 200
        return len(queries)

    MembershipFactory(district=district)
    small = count_queries()
    for _ in range(18):
        MembershipFactory(district=district, access_level=AccessLevel.EDITOR)
    assert count_queries() == small
