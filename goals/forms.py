"""Forms of the goals pages: dashboard filters, the entry grid, CSV uploads, targets."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.core.files.uploadhandler import MemoryFileUploadHandler, SkipFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from district.models import Network, School, SchoolGroup

from .dashboards import JOINT
from .display import school_year_label
from .models import Scope, Target, validate_date_in_range
from .status import as_of_error, judged_on


class YearForm(forms.Form):
    """The date a page's statuses are judged as of: a school year, or a chosen date.

    A school year is judged as of today while it runs and as of its last day once it
    is over (`goals.status.judged_on`); a date chosen in `as_of` takes precedence and
    picks its own school year.
    """

    year = forms.ChoiceField(label=_("School year"), required=False)
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Any date; empty for the school year's own date."),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def __init__(
        self, data=None, *, years, default: str | None = None, today=None, **kwargs
    ):
        super().__init__(data, **kwargs)
        self.years = tuple(years)
        self.default = default or self.years[0]
        self.today = today or timezone.localdate()
        self.fields["year"].choices = [(year, year) for year in self.years]  # type: ignore[attr-defined]
        self.fields["year"].initial = self.default

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day is not None and (message := as_of_error(day)):
            raise forms.ValidationError(message, code="out_of_range")
        return day

    @property
    def chosen_date(self) -> datetime.date | None:
        """The valid date asked for in `as_of`, or None."""
        return self.chosen("as_of") or None

    @property
    def school_year(self) -> str:
        """The school year of the chosen date, else the chosen year, else the default.

        The default is the newest year with a complete value
        (`goals.dashboards.default_school_year`), or the newest year.
        """
        if self.chosen_date:
            return school_year_label(self.chosen_date)
        return self.chosen("year") or self.default

    @property
    def judged_on(self) -> datetime.date:
        """The date statuses are judged as of."""
        return self.chosen_date or judged_on(self.school_year, today=self.today)

    @property
    def as_of_reason(self) -> str:
        """Why the page is judged as of that date, in words."""
        if self.chosen_date:
            reason = _("the date chosen, in school year %(year)s")
        elif self.judged_on == self.today:
            reason = _("today, in school year %(year)s")
        elif self.judged_on < self.today:
            reason = _("the last day of school year %(year)s")
        else:
            reason = _("the first day of school year %(year)s")
        return reason % {"year": self.school_year}

    @property
    def period_query(self) -> str:
        """The query string that keeps this date on links to other pages."""
        if self.chosen_date:
            return urlencode({"as_of": self.chosen_date.isoformat()})
        return urlencode({"year": self.school_year})

    @property
    def is_refused(self) -> bool:
        """Whether the date asked for is refused (the page answers 400)."""
        return self.is_bound and not self.is_valid() and "as_of" in self.errors

    def chosen(self, name: str):
        """The value of field `name` when given and valid, else ""."""
        if not self.is_bound:
            return ""
        self.is_valid()  # invalid fields are left out of cleaned_data
        return self.cleaned_data.get(name) or ""


class DashboardFilterForm(YearForm):
    """Dashboard filters, kept in the URL: owner role (or joint), network, school year."""

    role = forms.ChoiceField(label=_("Owner role"), required=False)
    network = forms.ChoiceField(label=_("Network"), required=False)

    field_order = ["role", "network", "year", "as_of"]

    def __init__(self, data=None, *, roles, networks, years, default=None, **kwargs):
        super().__init__(data, years=years, default=default, **kwargs)
        self.fields["role"].choices = [
            ("", _("All roles")),
            *((str(role.pk), f"{role.code}: {role.title}") for role in roles),
            (JOINT, _("Joint goals (two or more owner roles)")),
        ]
        self.fields["network"].choices = [
            ("", _("Whole district")),
            *((str(network.pk), network.name) for network in networks),
        ]


class EntryPeriodForm(forms.Form):
    """Which values the entry grid shows: one period, one scope, optionally one network."""

    period_end = forms.DateField(
        label=_("Period end"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Last day of the period measured (30 June for a school year)."),
        validators=[validate_date_in_range],
    )
    scope = forms.ChoiceField(label=_("Values for"), choices=Scope.choices)
    network = forms.ChoiceField(label=_("Only schools of network"), required=False)

    def __init__(self, data=None, *, networks, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["network"].choices = [
            ("", _("All networks")),
            *((str(network.pk), network.name) for network in networks),
        ]


# Uploads larger than this are refused without being stored anywhere.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What browsers send for a .csv file (Windows browsers often say Excel).
CSV_CONTENT_TYPES = {
    "text/csv",
    "text/plain",
    "text/comma-separated-values",
    "text/x-csv",
    "application/csv",
    "application/x-csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
}
# Files that start like a workbook or a PDF are not CSV, whatever their name says.
BINARY_SIGNATURES = {
    b"PK\x03\x04": _("an Excel workbook or another zip file"),
    b"\xd0\xcf\x11\xe0": _("an old Excel workbook"),
    b"%PDF": _("a PDF"),
}


class CsvUploadHandler(MemoryFileUploadHandler):
    """Keep an uploaded file in memory up to MAX_UPLOAD_BYTES; drop it when larger.

    Replaces Django's default handlers for the import page, which would spool a large
    file to a temporary file on local disk. A file over the limit is skipped and
    `request.upload_too_large` is set, so the form can say why.
    """

    def __init__(self, request=None, max_bytes: int = MAX_UPLOAD_BYTES):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def handle_raw_input(
        self, input_data, META, content_length, boundary, encoding=None
    ):
        self.activated = True  # always in memory: the limit below keeps it small

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.request.upload_too_large = True
            raise SkipFile()
        return super().receive_data_chunk(raw_data, start)


def too_large_error() -> forms.ValidationError:
    return forms.ValidationError(
        _("The file is larger than %(limit)s MB; split it into smaller files.")
        % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
        code="too_large",
    )


class CsvUploadForm(forms.Form):
    """A measurements CSV file to preview before importing."""

    file = forms.FileField(
        label=_("Measurements file (CSV)"),
        help_text=_(
            "UTF-8 CSV with the columns metric, value, school_id or network (or "
            "neither, for the district), period_end or school_year, and optionally n. "
            "At most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, data=None, files=None, *, too_large=False, **kwargs):
        super().__init__(data, files, **kwargs)
        self.too_large = too_large

    def clean(self):
        if self.too_large:
            # The upload handler dropped the file, so "required" would mislead.
            self.errors.pop("file", None)
            self.add_error("file", too_large_error())
        return super().clean()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise too_large_error()
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                _("Choose a .csv file (this one is named %(name)s).")
                % {"name": upload.name},
                code="not_csv",
            )
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type and content_type not in CSV_CONTENT_TYPES:
            raise forms.ValidationError(
                _("This file is %(type)s, not CSV text.") % {"type": content_type},
                code="not_csv",
            )
        data = upload.read()
        for signature, kind in BINARY_SIGNATURES.items():
            if data.startswith(signature):
                raise forms.ValidationError(
                    _("This file is %(kind)s, not CSV text. Save it as CSV (UTF-8).")
                    % {"kind": kind},
                    code="not_csv",
                )
        if b"\x00" in data:
            raise forms.ValidationError(
                _("This file is not text. Save it as CSV (UTF-8)."), code="not_csv"
            )
        return data


class TargetForm(forms.ModelForm):
    """A target of one metric, for the district, a network or a school group.

    The metric and its district come from the page, never from the form; the choices
    are the district's networks and school groups. `Target.clean` checks the rest.
    """

    class Meta:
        model = Target
        fields = ["network", "school_group", "kind", "due_on", "value"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "network": _("Leave both network and school group empty for the district."),
        }

    def __init__(self, *args, metric, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.metric = metric
        self.instance.district_id = metric.district_id
        self.fields["network"].queryset = Network.objects.filter(
            district_id=metric.district_id
        )
        self.fields["school_group"].queryset = SchoolGroup.objects.filter(
            district_id=metric.district_id
        )


class ValueHistoryForm(forms.Form):
    """Filters of the history of values, kept in the URL: metric, network, school, period."""

    metric = forms.ChoiceField(label=_("Metric"), required=False)
    network = forms.ChoiceField(label=_("Network"), required=False)
    school = forms.CharField(
        label=_("School id"),
        required=False,
        max_length=20,
        help_text=_("The district's school id, such as 610001."),
    )
    period_end = forms.DateField(
        label=_("Period end"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    before = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def __init__(self, data=None, *, district, metrics, networks, **kwargs):
        super().__init__(data, **kwargs)
        self.district = district
        self.metrics = {str(metric.pk): metric for metric in metrics}
        self.networks = {str(network.pk): network for network in networks}
        self.fields["metric"].choices = [
            ("", _("All metrics")),
            *((pk, metric.name) for pk, metric in self.metrics.items()),
        ]
        self.fields["network"].choices = [
            ("", _("All networks")),
            *((pk, network.name) for pk, network in self.networks.items()),
        ]

    def clean_metric(self):
        return self.metrics.get(self.cleaned_data["metric"])

    def clean_network(self):
        return self.networks.get(self.cleaned_data["network"])

    def clean_school(self):
        school_id = self.cleaned_data["school"].strip()
        if not school_id:
            return None
        school = School.objects.filter(
            district=self.district, school_id=school_id
        ).first()
        if school is None:
            raise forms.ValidationError(
                _("No school has the id %(id)s in this district.") % {"id": school_id},
                code="unknown_school",
            )
        return school
