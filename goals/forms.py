"""Forms of the goals pages: dashboard filters, the entry grid and CSV uploads."""

from django import forms
from django.core.files.uploadhandler import MemoryFileUploadHandler, SkipFile
from django.utils.translation import gettext_lazy as _

from .dashboards import JOINT
from .models import Scope, validate_date_in_range


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
