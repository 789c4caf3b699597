"""Forms of the update rhythm's pages."""

from django import forms


class CommentaryForm(forms.Form):
    behind_the_number = forms.CharField(
        label="What is behind the number",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    next_steps = forms.CharField(
        label="Next steps",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )


class PreferencesForm(forms.Form):
    wants_reminders = forms.BooleanField(
        label="Send me reminder mail about the updates I owe", required=False
    )
