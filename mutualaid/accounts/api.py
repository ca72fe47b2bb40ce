"""API for organisations and users. Serializers translate; services decide."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from mutualaid.accounts import services
from mutualaid.api.base import ScopedAPIView
from mutualaid.tenancy import selectors
from mutualaid.tenancy.access import access_organisation, access_staff
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff

ADMINS = {Role.OFFICE_ADMIN}
USER_MANAGERS = {Role.OFFICE_ADMIN, Role.CADRE}


class OrganisationSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "code", "depth", "parent"]

    def get_parent(self, obj) -> str | None:
        # The parent's path is a prefix of ours; its id is looked up in bulk by the view.
        return self.context.get("parents", {}).get(obj.path[: -obj.steplen])


class OrganisationCreateSerializer(serializers.Serializer):
    parent = serializers.UUIDField()
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    code = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class OrganisationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


def _parents_by_path(nodes) -> dict[str, str]:
    wanted = {node.path[: -node.steplen] for node in nodes if node.depth > 1}
    if not wanted:
        return {}
    return {
        path: str(pk)
        for path, pk in Organisation.objects.filter(path__in=wanted).values_list("path", "pk")
    }


class OrganisationListCreate(ScopedAPIView):
    role_map = {"GET": set(), "POST": ADMINS}
    serializer_class = OrganisationSerializer
    ordering = "path"

    def get_queryset(self):
        return selectors.organisation_tree(actor=self.actor)

    @extend_schema(operation_id="organisations_list", responses=OrganisationSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        data = OrganisationSerializer(
            page, many=True, context={"parents": _parents_by_path(page)}
        ).data
        return self.get_paginated_response(data)

    @extend_schema(request=OrganisationCreateSerializer, responses={201: OrganisationSerializer})
    def post(self, request):
        incoming = OrganisationCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        parent = access_organisation(self.actor, data.pop("parent"))
        node = services.organisation_create(actor=self.actor, parent=parent, **data)
        body = OrganisationSerializer(node, context={"parents": {parent.path: str(parent.pk)}}).data
        return Response(body, status=status.HTTP_201_CREATED)


class OrganisationDetail(ScopedAPIView):
    role_map = {"GET": set(), "PATCH": ADMINS}
    serializer_class = OrganisationSerializer

    def get(self, request, organisation_id):
        node = access_organisation(self.actor, organisation_id)
        return Response(
            OrganisationSerializer(node, context={"parents": _parents_by_path([node])}).data
        )

    @extend_schema(request=OrganisationUpdateSerializer, responses=OrganisationSerializer)
    def patch(self, request, organisation_id):
        node = access_organisation(self.actor, organisation_id)
        incoming = OrganisationUpdateSerializer(
            data={"name": node.name, "code": node.code, **request.data}
        )
        incoming.is_valid(raise_exception=True)
        node = services.organisation_update(
            actor=self.actor, organisation=node, **incoming.validated_data
        )
        return Response(
            OrganisationSerializer(node, context={"parents": _parents_by_path([node])}).data
        )


class StaffSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    organisation = serializers.UUIDField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Staff
        fields = [
            "id",
            "username",
            "display_name",
            "is_active",
            "organisation",
            "organisation_name",
            "roles",
        ]


class StaffCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    display_name = serializers.CharField(max_length=100)
    password = serializers.CharField(write_only=True)
    organisation = serializers.UUIDField()
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=False
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)


class StaffUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=100)
    organisation = serializers.UUIDField()
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=False
    )
    is_active = serializers.BooleanField()


class StaffListCreate(ScopedAPIView):
    role_map = {"GET": USER_MANAGERS, "POST": USER_MANAGERS}
    serializer_class = StaffSerializer
    ordering = "user_id"

    def get_queryset(self):
        return selectors.staff_list(actor=self.actor)

    @extend_schema(operation_id="users_list", responses=StaffSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StaffSerializer(page, many=True).data)

    @extend_schema(request=StaffCreateSerializer, responses={201: StaffSerializer})
    def post(self, request):
        incoming = StaffCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        organisation = access_organisation(self.actor, data.pop("organisation"))
        staff = services.staff_create(actor=self.actor, organisation=organisation, **data)
        return Response(StaffSerializer(staff).data, status=status.HTTP_201_CREATED)


class StaffDetail(ScopedAPIView):
    role_map = {"GET": USER_MANAGERS, "PUT": USER_MANAGERS}
    serializer_class = StaffSerializer

    def get(self, request, user_id):
        return Response(StaffSerializer(access_staff(self.actor, user_id)).data)

    @extend_schema(request=StaffUpdateSerializer, responses=StaffSerializer)
    def put(self, request, user_id):
        staff = access_staff(self.actor, user_id)
        incoming = StaffUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        organisation = access_organisation(self.actor, data.pop("organisation"))
        staff = services.staff_update(
            actor=self.actor, staff=staff, organisation=organisation, **data
        )
        return Response(StaffSerializer(staff).data)


class Me(ScopedAPIView):
    """Who am I: the token's user, node and roles."""

    serializer_class = StaffSerializer

    def get(self, request):
        return Response(StaffSerializer(access_staff(self.actor, self.actor.user.pk)).data)
