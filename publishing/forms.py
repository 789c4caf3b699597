"""Forms of the publishing pages: what a district publishes, and a new packet."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, Metric


class PublicationForm(forms.Form):
    """The public dashboard's settings and which goals and metrics it shows."""

    is_published = forms.BooleanField(
        required=False, label=_("Publish the public dashboard")
    )
    shows_staff_names = forms.BooleanField(
        required=False, label=_("Name the people who hold the owning roles")
    )
    introduction = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    public_min_n = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100000,
        label=_("Public minimum n"),
        help_text=_(
            "Values from fewer than this many are withheld on public pages and "
            "packets; empty uses the suppression minimum n."
        ),
    )
    goals = forms.ModelMultipleChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Published goals"),
    )
    metrics = forms.ModelMultipleChoiceField(
        queryset=Metric.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Published metrics"),
        help_text=_("A metric is shown only when its goal is published too."),
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = Goal.objects.filter(district=district)
        self.fields["metrics"].queryset = Metric.objects.filter(
            district=district
        ).select_related("goal")
        self.fields["metrics"].label_from_instance = lambda m: f"{m.name} ({m.goal})"


class PacketForm(forms.Form):
    """A new board packet: goals or a goal area, a school year and commentary."""

    title = forms.CharField(max_length=200)
    school_year = forms.ChoiceField(choices=())
    goals = forms.ModelMultipleChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    goal_area = forms.ModelChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        help_text=_("A goal with all its subgoals."),
    )
    commentary = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )

    def __init__(self, *args, district, years, **kwargs):
        super().__init__(*args, **kwargs)
        goals = Goal.objects.filter(district=district)
        self.fields["goals"].queryset = goals
        self.fields["goal_area"].queryset = goals.filter(parent__isnull=True)
        self.fields["school_year"].choices = [(year, year) for year in years]

    def clean(self):
        data = super().clean()
        if not data.get("goals") and not data.get("goal_area"):
            raise forms.ValidationError(_("Choose at least one goal or a goal area."))
        return data
