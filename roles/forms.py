"""Forms of the ownership matrix page: filters, dates, a cell, a row."""

import datetime
from collections.abc import Iterable

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .matrix import Classification, MatrixFilters
from .matrix_history import AsOf
from .matrix_snapshot import Snapshot
from .models import RaciLevel, Responsibility, Role, WorkArea

LEVEL_CHOICES = [("", _("none")), *RaciLevel.choices]


class PastDateField(forms.DateField):
    """A YYYY-MM-DD date that is not after today."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        kwargs.setdefault(
            "error_messages", {"invalid": _("Enter a date as YYYY-MM-DD.")}
        )
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Choose today or an earlier date."))


class AsOfField(forms.Field):
    """A past moment: "YYYY-MM-DDTHH:MM" (the end of that minute, as a datetime-local
    input sends it) or a bare "YYYY-MM-DD" (the end of that day), in the site's time
    zone. Cleans to an `AsOf`."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    formats = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
    default_error_messages = {
        "invalid": _(
            "Enter a date and time as YYYY-MM-DDTHH:MM, or a date as YYYY-MM-DD."
        ),
        "future": _("Choose a moment that is not in the future."),
    }

    def to_python(self, value) -> AsOf | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) == 10:
            try:
                return AsOf(day=datetime.date.fromisoformat(text))
            except ValueError:
                pass
        else:
            for pattern in self.formats:
                try:
                    # A wall-clock time in the site's time zone: AsOf makes it aware.
                    moment = datetime.datetime.strptime(text, pattern)  # noqa: DTZ007
                except ValueError:
                    continue
                return AsOf(day=moment.date(), minute=moment.time().replace(second=0))
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        super().validate(value)
        if value is not None:
            first_instant = timezone.make_aware(
                datetime.datetime.combine(value.day, value.minute or datetime.time.min)
            )
            if first_instant > timezone.now():
                raise forms.ValidationError(
                    self.error_messages["future"], code="future"
                )

    def prepare_value(self, value):
        """What the datetime-local input shows: a bare date as the end of that day."""
        if isinstance(value, AsOf):
            value = value.param
        text = str(value or "")
        return f"{text}T23:59" if len(text) == 10 else text


class AsOfForm(forms.Form):
    """Which moment to show: the current matrix, or a past day or minute."""

    as_of = AsOfField(label=_("As of"), required=False)


class MatrixFilterForm(forms.Form):
    """Which rows to show; choices come from the matrix being shown."""

    work_area = forms.TypedChoiceField(
        label=_("Work area"), coerce=int, required=False, empty_value=None
    )
    role = forms.TypedChoiceField(
        label=_("Role"), coerce=int, required=False, empty_value=None
    )
    level = forms.ChoiceField(
        label=_("Role's level"),
        choices=[("", _("any level")), *RaciLevel.choices],
        required=False,
    )
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=[("", _("any")), *Classification.choices],
        required=False,
    )
    with_warnings = forms.BooleanField(
        label=_("Only rows with warnings"), required=False
    )

    def __init__(self, *args, snapshot: Snapshot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_area"].choices = [  # type: ignore[attr-defined]
            ("", _("all")),
            *((area.pk, area.name) for area in snapshot.work_areas),
        ]
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            ("", _("all")),
            *((role.pk, f"{role.code} ({role.title})") for role in snapshot.roles),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("level") and cleaned.get("role") is None:
            self.add_error("level", _("Choose a role to filter by its level."))
        return cleaned

    def filters(self) -> MatrixFilters:
        """The filters asked for; none when the form is not valid."""
        if not self.is_valid():
            return MatrixFilters()
        data = self.cleaned_data
        return MatrixFilters(
            work_area=data["work_area"],
            role=data["role"],
            level=data["level"] or None,
            classification=data["classification"] or None,
            with_warnings=data["with_warnings"],
        )


class CellLevelsForm(forms.Form):
    """New levels for cells of one row, one `level-<role pk>` field per role, and the
    row version they were shown with."""

    version = forms.IntegerField(min_value=1)

    def __init__(self, data, *, roles: Iterable[Role], **kwargs):
        super().__init__(data, **kwargs)
        self.roles = list(roles)
        for role in self.roles:
            self.fields[f"level-{role.pk}"] = forms.ChoiceField(
                label=role.code, choices=LEVEL_CHOICES, required=False
            )

    def clean(self):
        cleaned = super().clean()
        for role in self.roles:
            # An absent field is no choice at all, unlike an empty one ("none").
            if f"level-{role.pk}" not in self.data:
                self.add_error(f"level-{role.pk}", _("Choose a level, or none."))
        if not self.roles:
            raise forms.ValidationError(_("Choose a level for at least one role."))
        return cleaned

    def levels(self) -> dict[Role, str]:
        """The chosen level per role ("" for none)."""
        return {role: self.cleaned_data[f"level-{role.pk}"] for role in self.roles}


class ResponsibilityForm(forms.ModelForm):
    """A row's own fields: name, work area, description, declared joint.

    Its ids start with "add-" on the matrix page, whose filters have a work area too.
    """

    class Meta:
        model = Responsibility
        fields = ["name", "work_area", "description", "is_joint"]
        labels = {"is_joint": _("Declared joint")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, district, **kwargs):
        kwargs.setdefault("instance", Responsibility(district=district))
        if kwargs["instance"]._state.adding:
            kwargs.setdefault("auto_id", "add-%s")
        super().__init__(*args, **kwargs)
        self.fields["work_area"].queryset = WorkArea.objects.filter(district=district)


class ResponsibilityEditForm(ResponsibilityForm):
    """A row's fields plus the version they were shown with (no lost updates)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("up")), ("down", _("down"))])


class ChangesForm(forms.Form):
    """Two days: list the matrix changes made from the first through the last."""

    first_day = PastDateField(label=_("From"))
    last_day = PastDateField(label=_("To"))

    # The URL says ?from=..&to=..; "from" is a Python keyword, so the fields are named
    # first_day and last_day and read and render under the URL's names.
    url_names = {"first_day": "from", "last_day": "to"}

    def add_prefix(self, field_name):
        return self.url_names.get(field_name, field_name)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and first > last:
            raise forms.ValidationError(_("The first day must not be after the last."))
        return cleaned

    @staticmethod
    def default_days() -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        return today - datetime.timedelta(days=30), today
