"""API of the statistics: a node's figures (the dashboards' numbers) and the monthly returns.

Same scoping as the pages: the node comes from ``access_node`` (404 outside the actor's
subtree), returns from ``StatisticalReturn.objects.for_actor``. Money is a string with two
decimals, rates are percentages with one decimal (null when there is nothing to divide by).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from mutualaid.api.base import ScopedAPIView
from stats import access, dashboards, selectors
from stats.models import StatisticalReturn


class TotalsSerializer(serializers.Serializer):
    policies_started = serializers.IntegerField()
    premium_income = serializers.DecimalField(max_digits=16, decimal_places=2)
    claims_received = serializers.IntegerField()
    claims_paid = serializers.IntegerField()
    amount_paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    average_payout = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    largest_payout = serializers.DecimalField(max_digits=16, decimal_places=2)
    large_payouts = serializers.IntegerField(
        help_text="Paid claims of ¥10,000 and more (inclusive)."
    )
    paid_on_time = serializers.IntegerField()
    paid_with_due = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class CoverageSerializer(serializers.Serializer):
    units = serializers.IntegerField()
    units_enrolled = serializers.IntegerField()
    blank_spots = serializers.IntegerField()
    union_members = serializers.IntegerField()
    union_members_covered = serializers.IntegerField()
    members_covered = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    payouts_overdue = serializers.IntegerField()


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class CoverageGroupSerializer(GroupSerializer):
    coverage = CoverageSerializer()


class PlanTotalsSerializer(serializers.Serializer):
    plan_id = serializers.UUIDField()
    plan = serializers.CharField()
    totals = TotalsSerializer()


class NodeStatsSerializer(serializers.Serializer):
    organisation_id = serializers.UUIDField()
    name = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    year = serializers.IntegerField()
    totals = TotalsSerializer()
    by_plan = PlanTotalsSerializer(many=True)
    coverage = CoverageSerializer()
    coverage_by_ownership = CoverageGroupSerializer(many=True)
    coverage_by_industry = CoverageGroupSerializer(many=True)


class ReturnSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = StatisticalReturn
        fields = [
            "id",
            "organisation",
            "city",
            "year",
            "month",
            "status",
            "due_on",
            "overdue",
            "submitted_at",
            "submitted_late",
            "figures",
        ]
        read_only_fields = fields


class StatsNode(ScopedAPIView):
    """A node's figures for a year: totals, by plan, and coverage by ownership and industry."""

    serializer_class = NodeStatsSerializer

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="Default: this year.")]
    )
    def get(self, request, organisation_id):
        node = access.access_node(self.actor, organisation_id)
        refresh = selectors.last_refresh(tenant_id=node.tenant_id)
        years = selectors.node_years(node=node)
        year = dashboards.choose_year(request.query_params.get("year"), years, refresh)
        by_plan = selectors.totals_by_plan(node=node, year=year)
        cov = selectors.coverage(node=node)
        data = {
            "organisation_id": node.pk,
            "name": node.name,
            "as_of": refresh.as_of if refresh else None,
            "year": year,
            "totals": selectors.node_totals(node=node, year=year),
            "by_plan": [
                {"plan_id": p.pk, "plan": p.display_name, "totals": by_plan[p.pk]}
                for p in selectors.plans_named(by_plan)
            ],
            "coverage": cov.total,
            "coverage_by_ownership": [
                {"key": g.key, "label": g.label, "coverage": g.coverage} for g in cov.by_ownership
            ],
            "coverage_by_industry": [
                {"key": g.key, "label": g.label, "coverage": g.coverage} for g in cov.by_industry
            ],
        }
        return Response(NodeStatsSerializer(data).data)


class StatsReturns(ScopedAPIView):
    """Monthly returns the actor reaches, newest month first (at most 240)."""

    serializer_class = ReturnSerializer
    pagination_class = None
    role_map = {method: set(access.RETURN_READERS) for method in ("GET", "HEAD", "OPTIONS")}

    @extend_schema(responses=ReturnSerializer(many=True))
    def get(self, request):
        rows = (
            StatisticalReturn.objects.for_actor(self.actor)
            .select_related("organisation")
            .order_by("-year", "-month", "organisation__path")[:240]
        )
        return Response(ReturnSerializer(rows, many=True).data)
