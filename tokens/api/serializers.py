"""API serializers of the user's own tokens."""

from rest_framework import serializers

from tokens.models import ApiToken, TokenScope


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its key."""

    url = serializers.HyperlinkedIdentityField(view_name="token-detail")
    status = serializers.ChoiceField(
        choices=["active", "expired", "revoked"], read_only=True
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "url",
            "name",
            "scope",
            "prefix",
            "status",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=TokenScope.choices)
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        allow_null=True,
        help_text="Empty or absent: the token does not expire.",
    )


class CreatedApiTokenSerializer(ApiTokenSerializer):
    """A token just created, with its key: shown in this response only."""

    key = serializers.CharField(read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields
