"""Forms of the meeting page: notes, a decision, an action item."""

from django import forms
from django.utils.translation import gettext_lazy as _

from district.models import Network, Person, School
from goals.models import Metric
from roles.models import Responsibility, Role

from .models import ActionItem, Meeting, MeetingDecision


class NotesForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 6})}


class MeetingDecisionForm(forms.ModelForm):
    class Meta:
        model = MeetingDecision
        fields = ["statement"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2})}
        labels = {"statement": _("Decision to take")}


class MeetingDecisionOutcomeForm(forms.ModelForm):
    class Meta:
        model = MeetingDecision
        fields = ["outcome"]
        widgets = {"outcome": forms.Textarea(attrs={"rows": 2})}

    def clean_outcome(self):
        outcome = self.cleaned_data["outcome"].strip()
        if not outcome:
            raise forms.ValidationError(_("Say what was decided."))
        return outcome


class ActionItemForm(forms.ModelForm):
    """A new action item of a meeting; choices limited to the meeting's district."""

    class Meta:
        model = ActionItem
        fields = [
            "title",
            "owner_person",
            "owner_role",
            "due_on",
            "metric",
            "school",
            "network",
            "responsibility",
        ]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}
        labels = {
            "owner_person": _("Owner (a person)"),
            "owner_role": _("or owner (a role, whoever holds it on the due date)"),
        }

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        district = meeting.district
        self.instance.district = district
        self.instance.series = meeting.series
        self.instance.raised_in = meeting
        choices = {
            "owner_person": Person.objects.filter(district=district),
            "owner_role": Role.objects.filter(district=district),
            "metric": Metric.objects.filter(district=district),
            "school": School.objects.filter(district=district).order_by("name"),
            "network": Network.objects.filter(district=district),
            "responsibility": Responsibility.objects.filter(district=district),
        }
        for name, queryset in choices.items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]
