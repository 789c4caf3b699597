"""Forms of the tier and support pages; the rules live in the models and services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from district.models import School
from goals.models import Metric

from .models import Allocation, Support, Tier, TierPlan, TierRule


class PlanForm(forms.ModelForm):
    """New tier rules for a school year, with the tier of schools no rule matches."""

    class Meta:
        model = TierPlan
        fields = ["school_year", "default_tier"]
        help_texts = {"school_year": _('For example "2017-18".')}

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.district = district
        self.fields["default_tier"].queryset = Tier.objects.filter(district=district)


class RuleForm(forms.ModelForm):
    """A rule added at the end of a plan's list."""

    class Meta:
        model = TierRule
        fields = [
            "tier",
            "metric",
            "comparison",
            "threshold",
            "min_off_track",
            "max_off_track",
        ]
        labels = {
            "metric": _("Metric (optional)"),
            "threshold": _("Value"),
            "min_off_track": _("At least this many metrics off track"),
            "max_off_track": _("At most this many metrics off track"),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.district = plan.district
        self.instance.plan = plan
        last = plan.rules.order_by("-position").values_list("position", flat=True)
        self.instance.position = (last.first() or 0) + 1
        self.fields["tier"].queryset = Tier.objects.filter(district=plan.district)
        self.fields["metric"].queryset = Metric.objects.filter(district=plan.district)


class OverrideForm(forms.Form):
    """Put a school in another tier for a school year, and say why."""

    tier = forms.ModelChoiceField(queryset=Tier.objects.none())
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(district=district)


class AllocationForm(forms.Form):
    """A support given to one or more schools for a period; each school one allocation."""

    support = forms.ModelChoiceField(queryset=Support.objects.none())
    schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each school chosen gets the support."),
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.IntegerField(
        min_value=1,
        required=False,
        help_text=_(
            "For supports counted in hours: hours a week per school. Supports counted "
            "in schools take one per school."
        ),
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, district, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support"].queryset = Support.objects.filter(district=district)
        self.fields["schools"].queryset = schools

    def allocations(self) -> list[Allocation]:
        """One unsaved allocation per chosen school (`tiers.allocations` saves them)."""
        data = self.cleaned_data
        return [
            Allocation(
                district=data["support"].district,
                support=data["support"],
                school=school,
                amount=data.get("amount") or 1,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )
            for school in data["schools"]
        ]
