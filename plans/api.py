"""API for plans, versions, benefit items and the assessment. Serializers translate;
services and the engine decide, and their Chinese messages come back as 400 bodies
keyed by the engine's field paths (``premium_per_share``, ``benefit_items[1].params``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from mutualaid.api.base import ScopedAPIView
from mutualaid.core.errors import NON_FIELD
from mutualaid.tenancy.access import access_organisation
from mutualaid.tenancy.models import Role
from plans import selectors, services
from plans.access import access_item, access_plan, access_version
from plans.calculator import CalculatorInput, assess_version, facts_from
from plans.models import BenefitItem, Plan, PlanVersion
from plans.rules import CAUSES, EVENT_KINDS, REASON_LABELS, ReasonCode, ShareTranche

ADMINS = {Role.OFFICE_ADMIN}
READ = {"GET": set(), "HEAD": set(), "OPTIONS": set()}


# --- serializers -------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    organisation = serializers.UUIDField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    is_local = serializers.BooleanField(read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "source",
            "notes",
            "organisation",
            "organisation_name",
            "is_local",
            "created_at",
        ]


class PlanCreateSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(
        required=False,
        help_text="Owning node: the office (tenant-wide) or a city (local plan). "
        "Default: the caller's own node.",
    )
    code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PlanUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class VersionSerializer(serializers.ModelSerializer):
    plan = serializers.UUIDField(source="plan_id", read_only=True)
    copied_from = serializers.UUIDField(source="copied_from_id", read_only=True, allow_null=True)

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "plan",
            "number",
            "label",
            "valid_from",
            "valid_to",
            "status",
            "copied_from",
            "created_at",
            "published_at",
        ]


class VersionDetailSerializer(VersionSerializer):
    terms = serializers.SerializerMethodField(
        help_text="The engine's terms, benefit_items included (see plans.rules)."
    )

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "terms"]

    def get_terms(self, obj) -> dict:
        return obj.engine_terms(self.context.get("items"))


class VersionWriteSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=200)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)
    terms = serializers.JSONField(
        help_text="The engine's terms; benefit_items, when present, replace the version's items."
    )


class VersionCopySerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    label = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


_codes = serializers.ListField(
    child=serializers.CharField(max_length=60), required=False, default=list
)


class ItemSerializer(serializers.Serializer):
    """A benefit item: the engine's item form, plus its id and position."""

    id = serializers.UUIDField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200, allow_blank=True)
    events = serializers.ListField(child=serializers.CharField(max_length=40))
    causes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    conditions = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list
    )
    excluded_conditions = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list
    )
    formula = serializers.CharField(max_length=40)
    params = serializers.JSONField(required=False, default=dict)
    waiting_applies = serializers.BooleanField(required=False, default=True)
    ends_cover = serializers.BooleanField(required=False, default=False)
    exclusive_group = serializers.CharField(
        max_length=50, required=False, allow_null=True, allow_blank=True, default=None
    )
    annual_cap = serializers.JSONField(required=False, allow_null=True, default=None)
    max_payouts_per_period = serializers.IntegerField(required=False, allow_null=True, default=None)
    fact_limits = serializers.JSONField(required=False, default=dict)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def to_representation(self, item: BenefitItem):
        terms = item.to_terms()
        return {
            "id": str(item.pk),
            "position": item.position,
            **{
                key: terms.get(key)
                for key in ("code", "name", "events", "formula", "params", "waiting_applies")
            },
            "causes": terms.get("causes", []),
            "conditions": terms.get("conditions", []),
            "excluded_conditions": terms.get("excluded_conditions", []),
            "ends_cover": item.ends_cover,
            "exclusive_group": item.exclusive_group or None,
            "annual_cap": item.annual_cap,
            "max_payouts_per_period": item.max_payouts_per_period,
            "fact_limits": item.fact_limits or {},
            "note": item.note,
        }


def item_data(validated: dict) -> dict:
    """Validated serializer data → the engine's item dict (empty optional parts left out)."""
    data = {k: v for k, v in validated.items() if k not in ("id", "position")}
    for key in ("causes", "conditions", "excluded_conditions", "fact_limits", "note"):
        if not data.get(key):
            data.pop(key, None)
    for key in ("exclusive_group", "annual_cap", "max_payouts_per_period"):
        if data.get(key) in (None, ""):
            data.pop(key, None)
    if not data.get("ends_cover"):
        data.pop("ends_cover", None)
    return data


class TrancheSerializer(serializers.Serializer):
    shares = serializers.IntegerField()
    start = serializers.DateField()
    waiting_end = serializers.DateField(help_text="First covered day (== start when no wait).")


class AssessSerializer(serializers.Serializer):
    effective_date = serializers.DateField(help_text="First day of cover.")
    end_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Last day of cover; default: the plan's term.",
    )
    shares = serializers.IntegerField(required=False, default=1)
    previous_shares = serializers.IntegerField(required=False, default=0)
    renewed_in_time = serializers.BooleanField(required=False, default=False)
    tranches = TrancheSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Replace shares: blocks bought at different times.",
    )
    tier = serializers.CharField(required=False, allow_null=True, default=None)
    event_kind = serializers.ChoiceField(choices=list(EVENT_KINDS.items()))
    event_date = serializers.DateField()
    condition = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, default=None
    )
    cause = serializers.ChoiceField(
        choices=list(CAUSES.items()), required=False, allow_null=True, default=None
    )
    self_paid = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    eligible_cost = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    decided_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    hospital_days = serializers.IntegerField(required=False, allow_null=True, default=None)
    disability_grade = serializers.IntegerField(required=False, allow_null=True, default=None)
    months = serializers.IntegerField(required=False, allow_null=True, default=None)
    died_within_days = serializers.IntegerField(required=False, allow_null=True, default=None)
    exclusions = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    event_ref = serializers.CharField(required=False, allow_null=True, default=None)

    def to_input(self) -> CalculatorInput:
        d = self.validated_data
        facts = facts_from(d)
        return CalculatorInput(
            effective_date=d["effective_date"],
            end_date=d["end_date"],
            shares=d["shares"],
            previous_shares=d["previous_shares"],
            renewed_in_time=d["renewed_in_time"],
            tranches=tuple(ShareTranche(**t) for t in d["tranches"]),
            tier=d["tier"],
            facts=facts,
        )


AssessmentResponse = inline_serializer(
    "Assessment",
    fields={
        "total": serializers.CharField(),
        "lines": serializers.ListField(child=serializers.DictField()),
        "reasons": serializers.ListField(child=serializers.CharField()),
        "reason_labels": serializers.DictField(child=serializers.CharField()),
        "needs_four_eyes": serializers.BooleanField(),
        "ends_cover": serializers.BooleanField(),
        "explanation": serializers.ListField(child=serializers.CharField()),
        "policy": serializers.DictField(),
    },
)


# --- helpers -----------------------------------------------------------------------


def _require_change(actor, plan) -> None:
    if not services.can_change_plan(actor, plan):
        raise exceptions.PermissionDenied(_("You may not change this plan."))


def _version_body(version: PlanVersion) -> dict:
    items = selectors.version_with_items(version=version)
    return VersionDetailSerializer(version, context={"items": items}).data


def _not_allowed_after_access(method: str):
    # Reached only once the object was found in scope: outside it the answer is 404,
    # the same as for an id that does not exist.
    raise exceptions.MethodNotAllowed(method)


# --- views -------------------------------------------------------------------------


class PlanListCreate(ScopedAPIView):
    role_map = {**READ, "POST": ADMINS}
    serializer_class = PlanSerializer
    ordering = "code"

    def get_queryset(self):
        return Plan.objects.for_actor(self.actor).select_related("organisation")

    @extend_schema(operation_id="plans_list", responses=PlanSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    @extend_schema(
        operation_id="plans_create", request=PlanCreateSerializer, responses={201: PlanSerializer}
    )
    def post(self, request):
        incoming = PlanCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        owner_id = data.pop("organisation", None)
        owner = access_organisation(self.actor, owner_id) if owner_id else self.actor.organisation
        plan = services.plan_create(actor=self.actor, organisation=owner, **data)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanDetail(ScopedAPIView):
    role_map = {**READ, "PATCH": ADMINS}
    serializer_class = PlanSerializer

    @extend_schema(operation_id="plans_retrieve")
    def get(self, request, plan_id):
        return Response(PlanSerializer(access_plan(self.actor, plan_id)).data)

    @extend_schema(
        operation_id="plans_partial_update", request=PlanUpdateSerializer, responses=PlanSerializer
    )
    def patch(self, request, plan_id):
        plan = access_plan(self.actor, plan_id)
        _require_change(self.actor, plan)
        current = {k: getattr(plan, k) for k in ("name", "short_name", "source", "notes")}
        incoming = PlanUpdateSerializer(data={**current, **request.data})
        incoming.is_valid(raise_exception=True)
        plan = services.plan_update(actor=self.actor, plan=plan, **incoming.validated_data)
        return Response(PlanSerializer(plan).data)


class VersionListCreate(ScopedAPIView):
    role_map = {**READ, "POST": ADMINS}
    serializer_class = VersionSerializer
    ordering = "number"

    @extend_schema(operation_id="plan_versions_list", responses=VersionSerializer(many=True))
    def get(self, request, plan_id):
        plan = access_plan(self.actor, plan_id)
        page = self.paginate_queryset(PlanVersion.objects.filter(plan=plan))
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="plan_versions_create",
        request=VersionWriteSerializer,
        responses={201: VersionDetailSerializer},
    )
    def post(self, request, plan_id):
        plan = access_plan(self.actor, plan_id)
        _require_change(self.actor, plan)
        incoming = VersionWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        version = services.version_create(actor=self.actor, plan=plan, **incoming.validated_data)
        return Response(_version_body(version), status=status.HTTP_201_CREATED)


class VersionDetail(ScopedAPIView):
    role_map = {**READ, "PATCH": ADMINS, "DELETE": ADMINS}
    serializer_class = VersionDetailSerializer

    @extend_schema(operation_id="plan_versions_retrieve")
    def get(self, request, plan_id, version_id):
        return Response(_version_body(access_version(self.actor, plan_id, version_id)))

    @extend_schema(
        operation_id="plan_versions_partial_update",
        request=VersionWriteSerializer,
        responses=VersionDetailSerializer,
    )
    def patch(self, request, plan_id, version_id):
        version = access_version(self.actor, plan_id, version_id)
        _require_change(self.actor, version.plan)
        current = {
            "label": version.label,
            "valid_from": version.valid_from,
            "valid_to": version.valid_to,
            "terms": version.terms,
        }
        incoming = VersionWriteSerializer(data={**current, **request.data})
        incoming.is_valid(raise_exception=True)
        version = services.version_update(
            actor=self.actor, version=version, **incoming.validated_data
        )
        return Response(_version_body(version))

    @extend_schema(operation_id="plan_versions_destroy", responses={204: None})
    def delete(self, request, plan_id, version_id):
        version = access_version(self.actor, plan_id, version_id)
        _require_change(self.actor, version.plan)
        services.version_delete(actor=self.actor, version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionPublish(ScopedAPIView):
    """GET: what still stops publication; POST: publish (the version is frozen from then on)."""

    role_map = {**READ, "POST": ADMINS}
    serializer_class = VersionDetailSerializer

    @extend_schema(
        operation_id="plan_versions_publication_check",
        responses=inline_serializer(
            "PublicationCheck",
            fields={"publishable": serializers.BooleanField(), "problems": serializers.DictField()},
        ),
    )
    def get(self, request, plan_id, version_id):
        version = access_version(self.actor, plan_id, version_id)
        problems = (
            services.publication_problems(version)
            if version.is_editable
            else {NON_FIELD: [_("This version is already published.")]}
        )
        return Response({"publishable": not problems, "problems": problems})

    @extend_schema(
        operation_id="plan_versions_publish", request=None, responses=VersionDetailSerializer
    )
    def post(self, request, plan_id, version_id):
        version = access_version(self.actor, plan_id, version_id)
        version = services.version_publish(actor=self.actor, version=version)
        return Response(_version_body(version))


class VersionCopy(ScopedAPIView):
    role_map = {**READ, "POST": ADMINS}
    serializer_class = VersionDetailSerializer

    @extend_schema(exclude=True)
    def get(self, request, plan_id, version_id):
        access_version(self.actor, plan_id, version_id)
        _not_allowed_after_access("GET")

    @extend_schema(
        operation_id="plan_versions_copy",
        request=VersionCopySerializer,
        responses={201: VersionDetailSerializer},
    )
    def post(self, request, plan_id, version_id):
        version = access_version(self.actor, plan_id, version_id)
        incoming = VersionCopySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        new = services.version_copy(actor=self.actor, version=version, **incoming.validated_data)
        return Response(_version_body(new), status=status.HTTP_201_CREATED)


class ItemListCreate(ScopedAPIView):
    role_map = {**READ, "POST": ADMINS}
    serializer_class = ItemSerializer
    pagination_class = None  # a version has a handful of items, always shown together

    @extend_schema(operation_id="plan_items_list", responses=ItemSerializer(many=True))
    def get(self, request, plan_id, version_id):
        version = access_version(self.actor, plan_id, version_id)
        return Response(
            ItemSerializer(selectors.version_with_items(version=version), many=True).data
        )

    @extend_schema(
        operation_id="plan_items_create", request=ItemSerializer, responses={201: ItemSerializer}
    )
    def post(self, request, plan_id, version_id):
        version = access_version(self.actor, plan_id, version_id)
        _require_change(self.actor, version.plan)
        incoming = ItemSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        item = services.item_create(
            actor=self.actor, version=version, data=item_data(incoming.validated_data)
        )
        return Response(ItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ItemDetail(ScopedAPIView):
    role_map = {**READ, "PATCH": ADMINS, "DELETE": ADMINS}
    serializer_class = ItemSerializer

    @extend_schema(operation_id="plan_items_retrieve")
    def get(self, request, plan_id, version_id, item_id):
        return Response(ItemSerializer(access_item(self.actor, plan_id, version_id, item_id)).data)

    @extend_schema(
        operation_id="plan_items_partial_update", request=ItemSerializer, responses=ItemSerializer
    )
    def patch(self, request, plan_id, version_id, item_id):
        item = access_item(self.actor, plan_id, version_id, item_id)
        _require_change(self.actor, item.version.plan)
        incoming = ItemSerializer(data={**ItemSerializer(item).data, **request.data})
        incoming.is_valid(raise_exception=True)
        item = services.item_update(
            actor=self.actor, item=item, data=item_data(incoming.validated_data)
        )
        return Response(ItemSerializer(item).data)

    @extend_schema(operation_id="plan_items_destroy", responses={204: None})
    def delete(self, request, plan_id, version_id, item_id):
        item = access_item(self.actor, plan_id, version_id, item_id)
        _require_change(self.actor, item.version.plan)
        services.item_delete(actor=self.actor, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionAssess(ScopedAPIView):
    """Run the version's terms on the given facts. Nothing is stored."""

    role_map = {**READ, "POST": set()}
    serializer_class = AssessSerializer

    @extend_schema(exclude=True)
    def get(self, request, plan_id, version_id):
        access_version(self.actor, plan_id, version_id)
        _not_allowed_after_access("GET")

    @extend_schema(
        operation_id="plan_versions_assess", request=AssessSerializer, responses=AssessmentResponse
    )
    def post(self, request, plan_id, version_id):
        version = access_version(self.actor, plan_id, version_id)
        incoming = AssessSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        assessment, policy = assess_version(
            version=version,
            calc=incoming.to_input(),
            four_eyes_threshold=self.actor.tenant.four_eyes_threshold,
        )
        body = assessment.to_dict()
        body["reason_labels"] = {r: REASON_LABELS[ReasonCode(r)] for r in body["reasons"]}
        body["policy"] = {
            "version": str(version.pk),
            "start": policy.start.isoformat(),
            "end": policy.end.isoformat(),
            "shares": policy.shares,
            "tranches": [
                {
                    "shares": t.shares,
                    "start": t.start.isoformat(),
                    "waiting_end": t.waiting_end.isoformat(),
                }
                for t in policy.tranches
            ],
        }
        return Response(body)
