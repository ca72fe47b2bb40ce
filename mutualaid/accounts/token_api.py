"""The API's own tokens (/api/v1/tokens/) and the service accounts that hold them
(/api/v1/service-accounts/). Serializers translate; ``mutualaid.api.tokens`` decides.

Creating a token needs a signed-in person (a session): a token cannot mint further tokens,
so a leaked one ends at its expiry or revocation.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from mutualaid.api import tokens
from mutualaid.api.base import ScopedAPIView
from mutualaid.api.models import ApiToken
from mutualaid.tenancy.models import Role, Staff, User


class TokenSerializer(serializers.ModelSerializer):
    user = serializers.UUIDField(source="user_id", read_only=True, help_text="令牌代表的用户。")
    username = serializers.CharField(source="user.username", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    is_active = serializers.BooleanField(read_only=True, help_text="未撤销且未过期。")

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "username",
            "created_by",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]
        extra_kwargs = {
            "prefix": {"help_text": "密钥的开头几位，用于辨认令牌；完整密钥只在创建时显示一次。"},
            "last_used_at": {
                "help_text": "最近一次使用的时间（每分钟最多记录一次）；从未使用为 null。"
            },
            "revoked_at": {"help_text": "撤销时间；未撤销为 null。"},
        }


class CreatedTokenSerializer(TokenSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="完整密钥，只在这一次回答中出现；请立即保存。"
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "secret"]


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="令牌名称，例如使用它的系统。")
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            f"有效期至（含当天，北京时间）；"
            f"默认 {tokens.DEFAULT_DAYS} 天，最长 {tokens.MAX_DAYS} 天。"
        ),
    )
    service_account = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="办公室管理员：为本节点的服务账号创建令牌（服务账号的用户 id）。",
    )


def _session_only(request) -> None:
    if isinstance(request.auth, ApiToken):
        raise exceptions.PermissionDenied(
            "令牌不能创建令牌：请登录门户后在“接口令牌”页面或用会话创建。"
        )


class TokenListCreate(ScopedAPIView):
    """Any staff user: their own tokens (office admins also their node's service accounts')."""

    role_map = {"GET": set(), "POST": set()}
    serializer_class = TokenSerializer
    pagination_class = None

    @extend_schema(
        operation_id="tokens_list",
        summary="我的接口令牌",
        responses=TokenSerializer(many=True),
    )
    def get(self, request):
        return Response(TokenSerializer(tokens.tokens_of(self.actor), many=True).data)

    @extend_schema(
        summary="创建接口令牌（密钥只显示一次）",
        request=TokenCreateSerializer,
        responses={201: CreatedTokenSerializer},
    )
    def post(self, request):
        _session_only(request)
        incoming = TokenCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        # Only the id is needed: the service finds the account among the actor's own.
        account = User(pk=data["service_account"]) if data["service_account"] else None
        created = tokens.token_create(
            actor=self.actor,
            name=data["name"],
            expires_on=data["expires_on"],
            service_account=account,
        )
        body = CreatedTokenSerializer(created.token).data
        body["secret"] = created.secret
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetail(ScopedAPIView):
    role_map = {"GET": set()}
    serializer_class = TokenSerializer

    @extend_schema(summary="一个接口令牌（不含密钥）")
    def get(self, request, token_id):
        return Response(TokenSerializer(tokens.access_token(self.actor, token_id)).data)


class TokenRevoke(ScopedAPIView):
    """GET: the token that POST revokes."""

    role_map = {"GET": set(), "POST": set()}
    serializer_class = TokenSerializer

    @extend_schema(operation_id="tokens_revoke_retrieve", summary="将被撤销的令牌")
    def get(self, request, token_id):
        return Response(TokenSerializer(tokens.access_token(self.actor, token_id)).data)

    @extend_schema(summary="撤销接口令牌（立即失效）", request=None, responses=TokenSerializer)
    def post(self, request, token_id):
        token = tokens.access_token(self.actor, token_id)
        return Response(TokenSerializer(tokens.token_revoke(actor=self.actor, token=token)).data)


class ServiceAccountSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    organisation = serializers.UUIDField(source="organisation_id", read_only=True)

    class Meta:
        model = Staff
        fields = ["id", "username", "display_name", "organisation", "roles"]


class ServiceAccountCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    display_name = serializers.CharField(max_length=100, required=False, default="")
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=False
    )


class ServiceAccountListCreate(ScopedAPIView):
    """Office admins: the service accounts of their own node (no password; tokens only)."""

    role_map = {"GET": {Role.OFFICE_ADMIN}, "POST": {Role.OFFICE_ADMIN}}
    serializer_class = ServiceAccountSerializer
    pagination_class = None

    @extend_schema(
        operation_id="service_accounts_list",
        summary="本节点的服务账号",
        responses=ServiceAccountSerializer(many=True),
    )
    def get(self, request):
        rows = tokens.service_accounts_of(self.actor)
        return Response(ServiceAccountSerializer(rows, many=True).data)

    @extend_schema(
        summary="创建服务账号（无密码，只能使用令牌）",
        request=ServiceAccountCreateSerializer,
        responses={201: ServiceAccountSerializer},
    )
    def post(self, request):
        incoming = ServiceAccountCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        staff = tokens.service_account_create(actor=self.actor, **incoming.validated_data)
        return Response(ServiceAccountSerializer(staff).data, status=status.HTTP_201_CREATED)
