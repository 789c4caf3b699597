"""Admin bases for tenant-owned models: members see and change their districts' rows.

Members reach the admin when they are staff; what they see and change follows their
memberships, read once per request (`district.permissions`).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects, quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .deletion import bulk_children
from .jobs import delete_rows, start
from .models import AccessLevel, District, DistrictQuerySet
from .permissions import (
    district_id_of,
    history_with_access,
    request_may,
    selectable_users,
)
from .write_paths import WritePath, writing_through


def _scoped_choices(db_field, request, level: AccessLevel):
    """The rows a foreign key may point to in the admin, or None when not scoped.

    Districts where the user holds `level`; other tenant-owned rows of the districts
    the user can edit; users per `selectable_users`.
    """
    related = db_field.related_model
    if related is District:
        return District.objects.with_access(request.user, level)
    if isinstance(related._default_manager.all(), DistrictQuerySet):
        return related._default_manager.editable_by(request.user)
    if related is get_user_model():
        return selectable_users(request.user)
    return None


def _limit_choices_to_district(form_class, district_id: int | None) -> None:
    """Narrow a form's tenant-owned choices to one district (an existing row's own)."""
    for field in form_class.base_fields.values():
        queryset = getattr(field, "queryset", None)
        if isinstance(queryset, DistrictQuerySet):
            lookup = "pk" if queryset.model is District else "district"
            field.queryset = queryset.filter(**{lookup: district_id})


class _CollectorLeavingOut(NestedObjects):
    """The admin's collector of what a delete takes with it, without the bulk children
    (district/deletion.py): they are counted, not loaded and listed one by one."""

    def __init__(self, *args, left_out: set[tuple[type, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.left_out = left_out

    def related_objects(self, related_model, related_fields, objs):
        objects = super().related_objects(related_model, related_fields, objs)
        if any(
            (related_model, field.name) in self.left_out for field in related_fields
        ):
            return objects.none()
        return objects


def deleted_objects_summary(model_admin, objs, request):
    """Django's `get_deleted_objects`, with the bulk children of the model counted.

    Same answer (nested list, counts per model, permissions missing, protected rows)
    for everything else. For a school with 13,000 values the confirmation page says
    "13,000 measurements" instead of loading and listing each one.
    """
    objs = list(objs)
    children = bulk_children(model_admin.model)
    if not objs:
        return [], {}, set(), []
    collector = _CollectorLeavingOut(
        using=router.db_for_write(model_admin.model),
        origin=objs,
        left_out={(c.model, c.field) for c in children},
    )
    collector.collect(objs)
    admin_site, perms_needed = model_admin.admin_site, set()

    def format_callback(obj):
        opts = obj._meta
        label = capfirst(opts.verbose_name)
        if not admin_site.is_registered(obj.__class__):
            return f"{label}: {obj}"
        if not admin_site.get_model_admin(obj.__class__).has_delete_permission(
            request, obj
        ):
            perms_needed.add(opts.verbose_name)
        try:
            link = reverse(
                f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=(quote(obj.pk),),
            )
        except NoReverseMatch:
            return f"{label}: {obj}"
        return format_html('{}: <a href="{}">{}</a>', label, link, obj)

    to_delete = collector.nested(format_callback)
    protected = [format_callback(obj) for obj in collector.protected]
    model_count = {
        model._meta.verbose_name_plural: len(rows)
        for model, rows in collector.model_objs.items()
    }
    pks = [obj.pk for obj in objs]
    for child in children:
        count = child.count(pks)
        if count:
            name = child.model._meta.verbose_name_plural
            model_count[name] = model_count.get(name, 0) + count
            to_delete.append(f"{count:,} {name}, with a history record of each")
    return to_delete, model_count, perms_needed, protected


@admin.action(
    description=_("Delete selected %(verbose_name_plural)s in the background"),
    permissions=["delete"],
)
def delete_in_background(model_admin, request, queryset):
    """One background job per district: each row deleted with what hangs on it, in
    its own transaction, the progress in the admin's job list (district/jobs.py)."""
    by_district: dict[int, list[int]] = {}
    for pk, district_id in queryset.values_list("pk", "district_id"):
        by_district.setdefault(district_id, []).append(pk)
    opts = model_admin.model._meta
    for district in District.objects.filter(pk__in=by_district).order_by("name"):
        pks = by_district[district.pk]
        name = opts.verbose_name if len(pks) == 1 else opts.verbose_name_plural
        job = start(
            district=district,
            description=f"Delete {len(pks)} {name}",
            total=len(pks),
            user=request.user,
            run=delete_rows,
            label=opts.label,
            pks=pks,
            write_path=WritePath.ADMIN.value,
        )
        model_admin.message_user(
            request,
            format_html(
                '{}: deleting {} {} in the background. <a href="{}">Follow it</a>.',
                district,
                len(pks),
                name,
                reverse("admin:district_job_change", args=[job.pk]),
            ),
            messages.SUCCESS,
        )


class DistrictScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A changelist filter on a related row offering only rows of the user's districts.

    Unlike `RelatedOnlyFieldListFilter` it never reads the filtered table itself, so it
    stays cheap on large tables such as measurements.
    """

    def field_choices(self, field, request, model_admin):
        visible = field.related_model._default_manager.visible_to(request.user)
        return field.get_choices(
            include_blank=False,
            limit_choices_to=Q(pk__in=visible.values("pk")),
            ordering=self.field_admin_ordering(field, request, model_admin),
        )


def _refused(request, error: ValidationError) -> HttpResponseRedirect:
    """A write a service refused: nothing was saved; say why and show the page again."""
    for message in error.messages:
        messages.error(request, message)
    return HttpResponseRedirect(request.get_full_path())


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """History pages that show only what `get_history_queryset` lets the user see.

    django-simple-history opens a version by its id alone; here a version outside the
    user's history is missing, like a row outside their districts.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        records = self.get_history_queryset(
            request, self.model.history, self.model._meta.pk.attname, unquote(object_id)
        )
        if not records.filter(history_id=version_id).exists():
            raise Http404("No such version.")
        with writing_through(WritePath.ADMIN):  # reverting to a version writes
            return super().history_form_view(
                request, object_id, version_id, extra_context
            )


class _ScopedRowsAndChoices:
    """What the admin and its inlines share: rows of the user's districts, and
    foreign-key choices of the districts where the user holds `edit_level`."""

    edit_level = AccessLevel.EDITOR

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = _scoped_choices(db_field, request, self.edit_level)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = _scoped_choices(db_field, request, self.edit_level)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class DistrictScopedAdmin(_ScopedRowsAndChoices, ScopedHistoryAdmin):
    """Admin for tenant-owned models: members see and pick only their districts' rows.

    Viewers read, editors change (`edit_level`), in their own districts only. Another
    district's row is missing, exactly like a deleted one. Foreign keys offer rows of
    the districts the user can edit (of the row's own district on a change page), and
    a saved row never moves to another district.

    Where a service owns a rule, `save_model`, `delete_model`, `delete_queryset` and
    the inline formsets call it; a `ValidationError` it raises rolls the whole
    submission back and comes back as an error message on the same page.
    """

    # Every admin view that writes (add, change with inlines, delete, list actions
    # such as bulk delete, and reverting to a history record) records the admin as
    # the changes' write path, in one transaction: a `ValidationError` a service
    # raises rolls it all back and shows as a message.
    def changeform_view(self, request, *args, **kwargs):
        try:
            with writing_through(WritePath.ADMIN), transaction.atomic():
                return super().changeform_view(request, *args, **kwargs)
        except ValidationError as error:
            return _refused(request, error)

    def get_deleted_objects(self, objs, request):
        return deleted_objects_summary(self, objs, request)

    def delete_view(self, request, *args, **kwargs):
        try:
            with writing_through(WritePath.ADMIN), transaction.atomic():
                return super().delete_view(request, *args, **kwargs)
        except ValidationError as error:
            return _refused(request, error)

    def changelist_view(self, request, *args, **kwargs):
        try:
            with writing_through(WritePath.ADMIN), transaction.atomic():
                return super().changelist_view(request, *args, **kwargs)
        except ValidationError as error:
            return _refused(request, error)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            _limit_choices_to_district(form, district_id_of(obj))
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        # Moving a row would leave its links in the old district.
        if obj is not None and not isinstance(obj, District):
            readonly += ("district",)
        return readonly

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # A member of one district need not pick it.
        districts = District.objects.with_access(request.user, self.edit_level)
        ids = list(districts.values_list("pk", flat=True)[:2])
        if self.model is not District and len(ids) == 1:
            initial.setdefault("district", ids[0])
        return initial

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        # Autocomplete fills a foreign key: offer only rows the user may link to.
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            queryset = queryset.editable_by(request.user)
        return queryset, may_have_duplicates

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        records = super().get_history_queryset(
            request, history_manager, pk_name, object_id
        )
        return history_with_access(records, request.user)

    def has_view_permission(self, request, obj=None):
        district_id = None if obj is None else district_id_of(obj)
        return request_may(request, AccessLevel.VIEWER, district_id)

    def has_change_permission(self, request, obj=None):
        district_id = None if obj is None else district_id_of(obj)
        return request_may(request, self.edit_level, district_id)

    def has_add_permission(self, request):
        return request_may(request, self.edit_level)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


class DistrictInlineForm(forms.ModelForm):
    """An inline row: also checks the uniqueness rules that include its district.

    The district comes from the parent row, not from a form field, so the form alone
    would skip constraints such as one metric code per district.
    """

    def validate_unique(self):
        super().validate_unique()
        for constraint in _district_unique_constraints(self.instance):
            try:
                constraint.validate(type(self.instance), self.instance)
            except ValidationError as error:
                self.add_error(None, error)


def _district_unique_constraints(instance) -> list[models.UniqueConstraint]:
    return [
        constraint
        for constraint in instance._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and "district" in constraint.fields
        and constraint.condition is None
    ]


class DistrictInlineFormSet(forms.BaseInlineFormSet):
    """Inline rows added under a parent take the parent's district."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance._state.adding and not isinstance(self.instance, District):
            form.instance.district_id = self.instance.district_id
        return form

    def clean(self):
        super().clean()
        # Two new rows of one submission may clash on a district-wide rule.
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            for constraint in _district_unique_constraints(form.instance):
                opts = form.instance._meta
                key = (constraint.name,) + tuple(
                    getattr(form.instance, opts.get_field(name).attname)
                    for name in constraint.fields
                )
                if key in seen:
                    raise ValidationError(constraint.get_violation_error_message())
                seen.add(key)


class DistrictScopedInline(_ScopedRowsAndChoices, admin.TabularInline):
    """Rows edited under their parent: scoped like `DistrictScopedAdmin`.

    Foreign keys offer only rows of the parent's district; permissions follow the
    user's level in the parent's district.
    """

    form = DistrictInlineForm
    formset = DistrictInlineFormSet
    extra = 1
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # On an add page the parent is unsaved; its district is known once posted.
        district_id = None if obj is None else district_id_of(obj)
        if district_id is not None:
            _limit_choices_to_district(formset.form, district_id)
        return formset

    def _may(self, request, level, obj) -> bool:
        district_id = None if obj is None else district_id_of(obj)
        return request_may(request, level, district_id)

    def has_view_permission(self, request, obj=None):
        return self._may(request, AccessLevel.VIEWER, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.edit_level, obj)

    def has_add_permission(self, request, obj):
        return self._may(request, self.edit_level, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, self.edit_level, obj)
