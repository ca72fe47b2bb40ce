"""API for units and members. Serializers translate; services validate (the forms' messages).

Lists page by keyset (``?cursor=`` from ``next``), ordered like the pages: units in tree
order, members by (name, id). ID numbers are masked in every response unless the caller
asks with ``?full_id_number=1`` and their roles allow whole numbers (members.access). A
unit's bank account is whole for finance and office admins only (mutualaid.api.fields).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from members import selectors, services
from members.access import (
    MEMBER_MANAGERS,
    access_member,
    access_unit,
    access_unit_parent,
    display_id_number,
)
from members.models import EmploymentStatus, Member, MemberCategory, MemberTransfer, Unit
from mutualaid.api.base import ScopedAPIView
from mutualaid.api.fields import BankAccountField
from mutualaid.api.keyset import CURSOR, PAGE_SIZE
from mutualaid.api.keyset import page_size as _page_size
from mutualaid.api.keyset import paged_response as _paged
from mutualaid.tenancy.access import UNIT_MANAGERS

ANY_STAFF: set[str] = set()


# --- Serializers: output ---------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="pk", read_only=True)
    name = serializers.CharField(source="organisation.name", read_only=True)
    code = serializers.CharField(source="organisation.code", read_only=True)
    bank_account = BankAccountField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "code",
            "credit_code",
            "ownership",
            "industry",
            "union_member_count",
            "contact_name",
            "contact_phone",
            "bank_name",
            "bank_account",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()
    unit = serializers.UUIDField(source="unit_id", read_only=True)
    unit_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "category",
            "employment_status",
            "is_union_member",
            "unit",
            "unit_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_id_number(self, obj) -> str:
        return display_id_number(
            obj, self.context["actor"], reveal=self.context.get("reveal", False)
        )


class TransferSerializer(serializers.ModelSerializer):
    from_unit_name = serializers.CharField(source="from_unit.organisation.name", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.organisation.name", read_only=True)
    recorded_by = serializers.CharField(source="actor.username", read_only=True)

    class Meta:
        model = MemberTransfer
        fields = [
            "id",
            "date",
            "from_unit",
            "from_unit_name",
            "to_unit",
            "to_unit_name",
            "reason",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class UnitPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = UnitSerializer(many=True)


class MemberPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MemberSerializer(many=True)


# --- Serializers: input (types only; the services judge the values) ---------------------------


def _text(max_length: int, **kwargs):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


class UnitWriteSerializer(serializers.Serializer):
    name = _text(200)
    code = _text(50)
    credit_code = _text(40)
    ownership = _text(20)
    industry = _text(1)
    union_member_count = serializers.IntegerField(required=False, default=0)
    contact_name = _text(50)
    contact_phone = _text(40)
    bank_name = _text(100)
    bank_account = _text(60)


class UnitCreateSerializer(UnitWriteSerializer):
    parent = serializers.UUIDField()


class MemberWriteSerializer(serializers.Serializer):
    name = _text(100)
    phone = _text(40)
    category = _text(20)
    employment_status = _text(20)
    is_union_member = serializers.BooleanField(required=False, default=True)


class MemberCreateSerializer(MemberWriteSerializer):
    unit = serializers.UUIDField()
    id_number = _text(60)


class MemberUpdateSerializer(MemberWriteSerializer):
    # Absent: the number stays as it is.
    id_number = serializers.CharField(max_length=60, required=False, allow_blank=True)


class TransferCreateSerializer(serializers.Serializer):
    to_unit = serializers.UUIDField()
    date = serializers.DateField()
    reason = _text(400)


# --- Helpers ----------------------------------------------------------------------------------


def _reveal(request) -> bool:
    return request.query_params.get("full_id_number", "").lower() in ("1", "true", "yes")


FULL_ID = OpenApiParameter(
    "full_id_number",
    OpenApiTypes.BOOL,
    description="Whole ID numbers instead of masked ones, for roles that may see them.",
)


# --- Units ------------------------------------------------------------------------------------


class UnitListCreate(ScopedAPIView):
    role_map = {"GET": ANY_STAFF, "POST": set(UNIT_MANAGERS)}
    serializer_class = UnitSerializer
    pagination_class = None

    @extend_schema(
        operation_id="units_list",
        responses=UnitPageSerializer,
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Part of the name, or a whole credit code."
            ),
            CURSOR,
            PAGE_SIZE,
        ],
    )
    def get(self, request):
        page = selectors.unit_page(
            actor=self.actor,
            query=request.query_params.get("q", ""),
            after=request.query_params.get("cursor"),
            size=_page_size(request),
        )
        return _paged(
            request, page, UnitSerializer(page.rows, many=True, context={"actor": self.actor}).data
        )

    @extend_schema(request=UnitCreateSerializer, responses={201: UnitSerializer})
    def post(self, request):
        incoming = UnitCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        parent = access_unit_parent(self.actor, data.pop("parent"))
        unit = services.unit_create(actor=self.actor, parent=parent, **data)
        return Response(
            UnitSerializer(unit, context={"actor": self.actor}).data, status=status.HTTP_201_CREATED
        )


class UnitDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF, "PATCH": set(UNIT_MANAGERS)}
    serializer_class = UnitSerializer

    def get(self, request, unit_id):
        return Response(
            UnitSerializer(access_unit(self.actor, unit_id), context={"actor": self.actor}).data
        )

    @extend_schema(request=UnitWriteSerializer, responses=UnitSerializer)
    def patch(self, request, unit_id):
        unit = access_unit(self.actor, unit_id)
        current = {
            "name": unit.organisation.name,
            "code": unit.organisation.code,
            "credit_code": unit.credit_code,
            "ownership": unit.ownership,
            "industry": unit.industry,
            "union_member_count": unit.union_member_count,
            "contact_name": unit.contact_name,
            "contact_phone": unit.contact_phone,
            "bank_name": unit.bank_name,
            "bank_account": unit.bank_account,
        }
        incoming = UnitWriteSerializer(data={**current, **request.data})
        incoming.is_valid(raise_exception=True)
        unit = services.unit_update(actor=self.actor, unit=unit, **incoming.validated_data)
        return Response(UnitSerializer(unit, context={"actor": self.actor}).data)


# --- Members ----------------------------------------------------------------------------------


class MemberListCreate(ScopedAPIView):
    role_map = {"GET": ANY_STAFF, "POST": set(MEMBER_MANAGERS)}
    serializer_class = MemberSerializer
    pagination_class = None

    @extend_schema(
        operation_id="members_list",
        responses=MemberPageSerializer,
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.UUID, description="Only this unit's members."),
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="A whole ID number, or the start of the name."
            ),
            FULL_ID,
            CURSOR,
            PAGE_SIZE,
        ],
    )
    def get(self, request):
        unit = None
        if request.query_params.get("unit"):
            unit = access_unit(self.actor, request.query_params["unit"])
        page = selectors.member_page(
            actor=self.actor,
            unit=unit,
            query=request.query_params.get("q", ""),
            after=request.query_params.get("cursor"),
            size=_page_size(request),
        )
        context = {"actor": self.actor, "reveal": _reveal(request)}
        return _paged(request, page, MemberSerializer(page.rows, many=True, context=context).data)

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def post(self, request):
        incoming = MemberCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        unit = access_unit(self.actor, data.pop("unit"))
        data["category"] = data["category"] or MemberCategory.WORKER
        data["employment_status"] = data["employment_status"] or EmploymentStatus.IN_SERVICE
        member = services.member_create(actor=self.actor, unit=unit, **data)
        member = access_member(self.actor, member.pk)
        return Response(
            MemberSerializer(
                member, context={"actor": self.actor, "reveal": _reveal(request)}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class MemberDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF, "PATCH": set(MEMBER_MANAGERS)}
    serializer_class = MemberSerializer

    @extend_schema(parameters=[FULL_ID])
    def get(self, request, member_id):
        member = access_member(self.actor, member_id)
        return Response(
            MemberSerializer(member, context={"actor": self.actor, "reveal": _reveal(request)}).data
        )

    @extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer, parameters=[FULL_ID])
    def patch(self, request, member_id):
        member = access_member(self.actor, member_id)
        current = {
            "name": member.name,
            "phone": member.phone,
            "category": member.category,
            "employment_status": member.employment_status,
            "is_union_member": member.is_union_member,
        }
        incoming = MemberUpdateSerializer(data={**current, **request.data})
        incoming.is_valid(raise_exception=True)
        member = services.member_update(actor=self.actor, member=member, **incoming.validated_data)
        return Response(
            MemberSerializer(member, context={"actor": self.actor, "reveal": _reveal(request)}).data
        )


class MemberTransfers(ScopedAPIView):
    """A member's transfer history (GET), and a new transfer (POST)."""

    role_map = {"GET": ANY_STAFF, "POST": set(MEMBER_MANAGERS)}
    serializer_class = TransferSerializer
    pagination_class = None

    @extend_schema(responses=TransferSerializer(many=True))
    def get(self, request, member_id):
        member = access_member(self.actor, member_id)
        rows = selectors.member_transfers(actor=self.actor, member=member)
        return Response(TransferSerializer(rows, many=True).data)

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer})
    def post(self, request, member_id):
        member = access_member(self.actor, member_id)
        incoming = TransferCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        to_unit = access_unit(self.actor, data.pop("to_unit"))
        transfer = services.member_transfer(
            actor=self.actor, member=member, to_unit=to_unit, **data
        )
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)
