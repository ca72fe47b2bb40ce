"""API for invoices, payments and the renewal queue. Serializers translate; the services
decide. Lists page by keyset (``?cursor=`` from ``next``).

Recording the same bank reference twice answers 400 with ``bank_reference`` (code
``duplicate_reference``): a retried request never pays twice.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from enrolment import access as enrolment_access
from members.access import access_unit
from mutualaid.api.base import ScopedAPIView
from mutualaid.api.keyset import CURSOR, PAGE_SIZE, page_size, paged_response
from plans.access import access_plan_filter
from premiums import access, selectors, services
from premiums.models import Invoice, InvoiceItem, InvoiceShare, Party, Payment, PaymentKind, Renewal

ANY_STAFF: set[str] = set()


class InvoiceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceItem
        fields = ["shares", "tier", "members", "unit_amount", "amount"]
        read_only_fields = fields


class InvoiceShareSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceShare
        fields = ["party", "payer_name", "payer_organisation", "amount"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "kind",
            "bank_reference",
            "paid_on",
            "amount",
            "party",
            "note",
            "receipt_number",
            "recorded_at",
            "recorded_by",
        ]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    unit = serializers.UUIDField(source="organisation_id", read_only=True)
    unit_name = serializers.CharField(source="organisation.name", read_only=True)
    plan_name = serializers.CharField(source="enrolment.plan.display_name", read_only=True)
    enrolment_status = serializers.CharField(source="enrolment.status", read_only=True)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "enrolment",
            "enrolment_status",
            "unit",
            "unit_name",
            "plan_name",
            "amount",
            "paid_total",
            "balance",
            "status",
            "paid_on",
            "activation_problem",
            "issued_at",
            "issued_by",
        ]
        read_only_fields = fields


class InvoiceDetailSerializer(InvoiceSerializer):
    items = InvoiceItemSerializer(many=True, read_only=True)
    shares = InvoiceShareSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "items", "shares", "payments"]
        read_only_fields = fields


class InvoicePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InvoiceSerializer(many=True)


class PaymentCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PaymentKind.choices, default=PaymentKind.PAYMENT)
    bank_reference = serializers.CharField(max_length=100)
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    party = serializers.ChoiceField(
        choices=Party.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PaymentResultSerializer(serializers.Serializer):
    payment = PaymentSerializer()
    invoice = InvoiceSerializer()
    brought_into_force = serializers.BooleanField()
    activation_problem = serializers.CharField()


class EnrolmentInvoiceSerializer(serializers.Serializer):
    enrolment = serializers.UUIDField()
    invoice = InvoiceDetailSerializer(allow_null=True)


class RenewalSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="organisation.name", read_only=True)
    plan_name = serializers.CharField(source="previous.plan.display_name", read_only=True)
    renewal_status = serializers.CharField(source="enrolment.status", read_only=True, default=None)
    members = serializers.IntegerField(
        source="enrolment.member_count", read_only=True, default=None
    )
    premium = serializers.DecimalField(
        source="enrolment.premium_total",
        max_digits=14,
        decimal_places=2,
        read_only=True,
        default=None,
    )
    dropped = serializers.JSONField(source="enrolment.dropped", read_only=True, default=None)

    class Meta:
        model = Renewal
        fields = [
            "id",
            "organisation",
            "unit_name",
            "plan_name",
            "previous",
            "enrolment",
            "renewal_status",
            "due_on",
            "deadline",
            "members",
            "premium",
            "dropped",
            "prepared_by_job",
            "created_at",
        ]
        read_only_fields = fields


class RenewalPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RenewalSerializer(many=True)


class InvoiceList(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = InvoiceSerializer
    pagination_class = None

    @extend_schema(
        operation_id="invoices_list",
        responses=InvoicePageSerializer,
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, description="A status, or `open`."),
            OpenApiParameter("unit", OpenApiTypes.UUID),
            OpenApiParameter("plan", OpenApiTypes.UUID),
            CURSOR,
            PAGE_SIZE,
        ],
    )
    def get(self, request):
        params = request.query_params
        unit = access_unit(self.actor, params["unit"]) if params.get("unit") else None
        plan = access_plan_filter(self.actor, params["plan"]) if params.get("plan") else None
        page = selectors.invoice_page(
            actor=self.actor,
            status=params.get("status", ""),
            unit=unit,
            plan=plan,
            after=params.get("cursor"),
            size=page_size(request),
        )
        return paged_response(request, page, InvoiceSerializer(page.rows, many=True).data)


class InvoiceDetail(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = InvoiceDetailSerializer

    def get(self, request, invoice_id):
        invoice = access.access_invoice(self.actor, invoice_id)
        return Response(InvoiceDetailSerializer(invoice).data)


class InvoicePayments(ScopedAPIView):
    """GET: the invoice's payments and refunds. POST: record one (finance)."""

    role_map = {"GET": ANY_STAFF, "POST": set(access.CASHIERS)}
    serializer_class = PaymentSerializer
    pagination_class = None

    @extend_schema(responses=PaymentSerializer(many=True))
    def get(self, request, invoice_id):
        invoice = access.access_invoice(self.actor, invoice_id)
        return Response(
            PaymentSerializer(selectors.invoice_payments(invoice=invoice), many=True).data
        )

    @extend_schema(request=PaymentCreateSerializer, responses={201: PaymentResultSerializer})
    def post(self, request, invoice_id):
        invoice = access.access_invoice(self.actor, invoice_id)
        incoming = PaymentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        kind = data.pop("kind")
        if kind == PaymentKind.REFUND:
            data.pop("party", None)
            payment = services.refund_record(actor=self.actor, invoice=invoice, **data)
            result = {
                "payment": payment,
                "invoice": invoice,
                "brought_into_force": False,
                "activation_problem": "",
            }
        else:
            outcome = services.payment_record(actor=self.actor, invoice=invoice, **data)
            result = {
                "payment": outcome.payment,
                "invoice": outcome.invoice,
                "brought_into_force": outcome.brought_into_force,
                "activation_problem": outcome.activation_problem,
            }
        result["invoice"] = access.access_invoice(self.actor, invoice.pk)
        return Response(PaymentResultSerializer(result).data, status=status.HTTP_201_CREATED)


class EnrolmentInvoice(ScopedAPIView):
    """GET: the enrolment's invoice (or null). POST: invoice an accepted enrolment (finance,
    office admins)."""

    role_map = {"GET": ANY_STAFF, "POST": set(access.ISSUERS)}
    serializer_class = InvoiceDetailSerializer

    @extend_schema(responses=EnrolmentInvoiceSerializer)
    def get(self, request, enrolment_id):
        """The enrolment's invoice, or ``null`` while it has none."""
        enrolment = enrolment_access.access_enrolment(self.actor, enrolment_id)
        invoice = Invoice.objects.filter(enrolment_id=enrolment.pk).first()
        return Response(
            {
                "enrolment": enrolment.pk,
                "invoice": InvoiceDetailSerializer(invoice).data if invoice else None,
            }
        )

    @extend_schema(request=None, responses={201: InvoiceDetailSerializer})
    def post(self, request, enrolment_id):
        enrolment = enrolment_access.access_enrolment(self.actor, enrolment_id)
        invoice = services.invoice_issue(actor=self.actor, enrolment=enrolment)
        return Response(InvoiceDetailSerializer(invoice).data, status=status.HTTP_201_CREATED)


class RenewalList(ScopedAPIView):
    role_map = {"GET": ANY_STAFF}
    serializer_class = RenewalSerializer
    pagination_class = None

    @extend_schema(
        operation_id="renewals_list",
        responses=RenewalPageSerializer,
        parameters=[
            OpenApiParameter(
                "state", OpenApiTypes.STR, description="due, in_progress, renewed, cancelled, all"
            ),
            CURSOR,
            PAGE_SIZE,
        ],
    )
    def get(self, request):
        params = request.query_params
        page = selectors.renewal_page(
            actor=self.actor,
            state=params.get("state", selectors.RenewalState.DUE),
            after=params.get("cursor"),
            size=page_size(request),
        )
        return paged_response(request, page, RenewalSerializer(page.rows, many=True).data)
