from django import forms

from .models import TokenScope


class TokenForm(forms.Form):
    """A new token: what it is for, its scope and how long it lasts."""

    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. “warehouse nightly”."
    )
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ)
    expires_in_days = forms.IntegerField(
        label="Expires in (days)",
        min_value=1,
        max_value=3650,
        required=False,
        help_text="Leave empty for a token that does not expire.",
    )
