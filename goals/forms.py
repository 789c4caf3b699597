"""Forms of the goals pages: dashboard filters, the entry grid and CSV uploads."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .dashboards import JOINT


class YearForm(forms.Form):
    """The school year a page is evaluated for (statuses as of its 30 June)."""

    year = forms.ChoiceField(label=_("School year"), required=False)

    def __init__(self, data=None, *, years, **kwargs):
        super().__init__(data, **kwargs)
        self.years = tuple(years)
        self.fields["year"].choices = [(year, year) for year in self.years]

    @property
    def school_year(self) -> str:
        """The chosen school year, or the newest one when none (or a wrong one) is asked."""
        return self.chosen("year") or self.years[0]

    def chosen(self, name: str) -> str:
        """The value of field `name` when given and valid, else ""."""
        if not self.is_bound:
            return ""
        self.is_valid()  # invalid fields are left out of cleaned_data
        return self.cleaned_data.get(name) or ""


class DashboardFilterForm(YearForm):
    """Dashboard filters, kept in the URL: owner role (or joint), network, school year."""

    role = forms.ChoiceField(label=_("Owner role"), required=False)
    network = forms.ChoiceField(label=_("Network"), required=False)

    field_order = ["role", "network", "year"]

    def __init__(self, data=None, *, roles, networks, years, **kwargs):
        super().__init__(data, years=years, **kwargs)
        self.fields["role"].choices = [
            ("", _("All roles")),
            *((str(role.pk), f"{role.code}: {role.title}") for role in roles),
            (JOINT, _("Joint goals (two or more owner roles)")),
        ]
        self.fields["network"].choices = [
            ("", _("Whole district")),
            *((str(network.pk), network.name) for network in networks),
        ]
