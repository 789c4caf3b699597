"""Forms of the district pages: adding a member and changing a member's level."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .members import find_addable_user
from .models import AccessLevel


class AccessLevelForm(forms.Form):
    """A member's new access level."""

    access_level = forms.ChoiceField(
        label=_("Access level"),
        choices=AccessLevel.choices,
        error_messages={"invalid_choice": _("Choose viewer, editor or admin.")},
    )


class MemberAddForm(AccessLevelForm):
    """An existing account to make a member, named by its username or email."""

    user = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        error_messages={"required": _("Enter the username or email of an account.")},
    )
    field_order = ["user", "access_level"]

    def __init__(self, *args, district, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.acting_user = acting_user
        self.fields["access_level"].initial = AccessLevel.VIEWER

    def clean_user(self):
        return find_addable_user(
            identifier=self.cleaned_data["user"],
            district=self.district,
            acting_user=self.acting_user,
        )
