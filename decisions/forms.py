"""Forms of the decision pages; the rules themselves are in `decisions.workflow`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from roles.models import Responsibility

from .models import Decision, DecisionKind, DecisionPolicy, Review, Verdict
from .workflow import CheckAnswer


class DecisionForm(forms.ModelForm):
    """A request: what is asked for, on whose behalf, and the matrix row that names its
    reviewers."""

    class Meta:
        model = Decision
        fields = [
            "title",
            "kind",
            "requested_for",
            "product",
            "vendor",
            "description",
            "responsibility",
            "goal",
            "privacy_status",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.district = district
        self.fields["kind"].queryset = DecisionKind.objects.filter(district=district)
        self.fields["responsibility"].queryset = Responsibility.objects.filter(
            district=district
        ).select_related("work_area")
        self.fields["goal"].queryset = Goal.objects.filter(district=district)
        if self.instance.pk and not self.instance.is_editable:
            for name in self.fields:
                if name != "privacy_status":
                    self.fields[name].disabled = True


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class SubmitForm(forms.Form):
    reason = forms.CharField(
        label=_("Note to the reviewers (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ReviewForm(forms.Form):
    """A reviewer's checklist, verdict, conditions and rationale for one key."""

    verdict = forms.ChoiceField(
        choices=Verdict.choices, widget=forms.RadioSelect, label=_("Verdict")
    )
    conditions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Needed when you approve with conditions."),
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label=_("Rationale")
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.check_fields = []
        for check in review.checks.all():
            self.fields[f"check-{check.pk}"] = forms.BooleanField(
                required=False, label=check.text, initial=check.is_checked
            )
            self.fields[f"note-{check.pk}"] = forms.CharField(
                required=False,
                max_length=2000,
                label=_("Note on “%s”") % check.text,
                initial=check.note,
            )
            self.check_fields.append(
                (check, self[f"check-{check.pk}"], self[f"note-{check.pk}"])
            )

    def answers(self) -> dict[int, CheckAnswer]:
        return {
            check.pk: CheckAnswer(
                is_checked=self.cleaned_data[f"check-{check.pk}"],
                note=self.cleaned_data[f"note-{check.pk}"],
            )
            for check, _box, _note in self.check_fields
        }


class PolicyForm(forms.ModelForm):
    class Meta:
        model = DecisionPolicy
        fields = ["target_working_days", "review_interval_months", "publish_register"]
