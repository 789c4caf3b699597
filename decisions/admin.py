"""Admin for two-key decisions: settings, kinds and checklists are plain rows; a
decision's request is saved and deleted through `decisions.workflow`, and reviews,
their checklists and transitions are read-only records of it."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from district.admin_base import (
    DistrictScopedAdmin,
    DistrictScopedInline,
    DistrictScopedRelatedFilter,
)
from district.models import AccessLevel

from .models import (
    ChecklistItem,
    Decision,
    DecisionKind,
    DecisionPolicy,
    Review,
    ReviewCheck,
    Transition,
)
from .workflow import (
    DRAFT_FIELDS,
    REGISTER_FIELDS,
    create_decision,
    delete_decision,
    submit_decision,
    update_decision,
)


@admin.register(DecisionPolicy)
class DecisionPolicyAdmin(DistrictScopedAdmin):
    edit_level = AccessLevel.ADMIN
    list_display = [
        "district",
        "target_working_days",
        "review_interval_months",
        "publish_register",
    ]
    list_select_related = ["district"]
    fields = [
        "district",
        "target_working_days",
        "review_interval_months",
        "publish_register",
    ]


class ChecklistItemInline(DistrictScopedInline):
    model = ChecklistItem
    fields = ["role", "text", "sort_order"]


@admin.register(DecisionKind)
class DecisionKindAdmin(DistrictScopedAdmin):
    list_display = ["name", "is_tool", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter), "is_tool"]
    list_select_related = ["district"]
    search_fields = ["name"]
    fields = ["district", "name", "description", "is_tool"]
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(DistrictScopedAdmin):
    list_display = ["text", "kind", "role", "sort_order", "district"]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("kind", DistrictScopedRelatedFilter),
    ]
    list_select_related = ["kind", "role", "district"]
    search_fields = ["text"]
    fields = ["district", "kind", "role", "text", "sort_order"]


class _RecordInline(DistrictScopedInline):
    """Rows the workflow writes: shown under their decision, never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewInline(_RecordInline):
    model = Review
    fields = ["round", "role", "verdict", "conditions", "rationale", "reviewer_name"]
    readonly_fields = [
        "round",
        "role",
        "verdict",
        "conditions",
        "rationale",
        "reviewer_name",
    ]


class TransitionInline(_RecordInline):
    model = Transition
    fields = ["at", "from_state", "to_state", "actor", "reason"]
    readonly_fields = ["at", "from_state", "to_state", "actor", "reason"]


WORKFLOW_FIELDS = [
    "state",
    "round",
    "requested_by",
    "submitted_at",
    "decided_on",
    "conditions",
]


@admin.register(Decision)
class DecisionAdmin(DistrictScopedAdmin):
    """Decisions: a new one is filed, a change saved and a draft deleted through the
    workflow; "Send for review" is an action. Withdrawing and reopening need a reason
    and are done on the decision's page or through the API."""

    list_display = ["title", "kind", "state", "submitted_at", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter), "state"]
    list_select_related = ["kind", "district"]
    search_fields = ["title", "product", "vendor"]
    autocomplete_fields = ["responsibility"]
    fields = ["district", *DRAFT_FIELDS, *REGISTER_FIELDS, *WORKFLOW_FIELDS]
    readonly_fields = WORKFLOW_FIELDS
    inlines = [ReviewInline, TransitionInline]
    actions = ["send_for_review"]

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                saved = create_decision(
                    district=obj.district,
                    acting_user=request.user,
                    **{name: getattr(obj, name) for name in DRAFT_FIELDS},
                    privacy_status=obj.privacy_status,
                )
            else:
                stored = Decision.objects.get(pk=obj.pk)
                saved = update_decision(
                    decision=stored,
                    acting_user=request.user,
                    changes={
                        name: getattr(obj, name)
                        for name in form.changed_data
                        if name in DRAFT_FIELDS + REGISTER_FIELDS
                    },
                )
        except PermissionDenied as error:
            raise ValidationError(str(error)) from error
        obj.pk, obj.version = saved.pk, saved.version

    def get_deleted_objects(self, objs, request):
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        # A draft's records (its "filed" transition) go with it; whether the decision
        # may be deleted at all is the workflow's call (`delete_decision`).
        return deleted, counts, set(), protected

    def delete_model(self, request, obj):
        delete_decision(decision=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for decision in queryset.order_by("pk"):
            delete_decision(decision=decision, acting_user=request.user)

    @admin.action(description=_("Send the selected decisions for review"))
    def send_for_review(self, request, queryset):
        for decision in queryset.order_by("pk"):
            submit_decision(decision=decision, acting_user=request.user)
        messages.success(request, _("Sent for review."))


class _RecordAdmin(DistrictScopedAdmin):
    """Records the workflow writes: readable by members, changed by nobody here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(_RecordAdmin):
    """Reviews are answered by the key's holder on the decision's page or the API."""

    list_display = ["decision", "role", "round", "verdict", "reviewed_at", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter), "verdict"]
    list_select_related = ["decision", "role", "district"]


@admin.register(ReviewCheck)
class ReviewCheckAdmin(_RecordAdmin):
    list_display = ["text", "review", "is_checked", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter)]
    list_select_related = ["review__decision", "review__role", "district"]


@admin.register(Transition)
class TransitionAdmin(_RecordAdmin):
    list_display = ["decision", "from_state", "to_state", "actor", "at", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter), "to_state"]
    list_select_related = ["decision", "actor", "district"]
