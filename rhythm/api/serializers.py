"""API serializers of the update rhythm (computed answers, read only)."""

from rest_framework import serializers


class DueItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable id of the item (reminders use it).")
    kind = serializers.CharField(help_text='"value", "commentary", or another app\'s.')
    title = serializers.CharField()
    detail = serializers.CharField()
    due = serializers.DateField()
    state = serializers.CharField(
        help_text='"overdue", "due", "due soon", "upcoming" or "done".'
    )
    done_on = serializers.DateField(allow_null=True)
    url = serializers.CharField(help_text="The page where it is done.")


class MyUpdatesSerializer(serializers.Serializer):
    today = serializers.DateField()
    owed_now = serializers.IntegerField(
        help_text="Items overdue, due today or due soon."
    )
    items = DueItemSerializer(many=True)


class TallySerializer(serializers.Serializer):
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()


class CompletionRowSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(allow_null=True)
    person = serializers.CharField(help_text="Empty: the metric has no update owner.")
    role = serializers.CharField(help_text="Code of the metric's owner role.")
    this_period = TallySerializer()
    year = TallySerializer()


class CompletionSerializer(serializers.Serializer):
    today = serializers.DateField()
    rows = CompletionRowSerializer(many=True)
