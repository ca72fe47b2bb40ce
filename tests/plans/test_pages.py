"""The plan pages: catalogue, version forms, benefit-item forms, the plan card, the calculator."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from mutualaid.tenancy.models import Role
from plans.forms.items import ItemForm
from plans.forms.params import PARAM_FORMS
from plans.forms.plan import VersionForm
from plans.models import Plan, PlanVersion, VersionStatus
from plans.seed_plans import PLANS as SEED_PLANS
from plans.seed_plans import plan_by_key
from tests import factories
from tests.plans.support import read_acceptance
from tests.plans.test_acceptance_benefits import EVENTS, PLAN_KEYS, parse_facts, parse_shares

pytestmark = pytest.mark.django_db

ROWS = read_acceptance("benefits.csv")


def card_url(version):
    return reverse("plans:version_detail", args=[version.plan_id, version.pk])


def version_post(**overrides) -> dict:
    """What the version form sends for small valid terms (no stages, shares sold uniformly)."""
    data = {
        "label": "2026年版",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "term_months": "12",
        "premium_per_share": "40.00",
        "max_shares": "5",
        "uniform_shares": "on",
        "max_shares_if_not_uniform": "",
        "in_service_only": "on",
        "sex": "",
        "min_age": "",
        "max_age": "",
        "health_declaration": "on",
        "min_ratio": "",
        "all_below_headcount": "",
        "waiting_days": "120",
        "report_days_default": "10",
        "report_days_accident": "3",
        "claim_expiry_months": "12",
        "payout_limit_working_days": "30",
        "renewal_rule": "before_end",
        "renewal_days": "0",
        "mid_term_addition": "prorate_monthly",
        "covered_conditions": "malignant_tumour 原发性恶性肿瘤\ncoronary_stent 冠状动脉支架植入术",
        "exclusions": "pre_existing 参保前已患有保障范围内的疾病",
        "waiting_consolation_amount": "500",
        "death_consolation_amount": "",
        "annual_cap_amount": "",
        "term_notes": "假定: 测试用条款。",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def item_post(formula: str, **overrides) -> dict:
    data = {
        "formula": formula,
        "code": "designated_disease",
        "name": "指定疾病",
        "events": ["illness"],
        "conditions": ["malignant_tumour"],
        "waiting_applies": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response) -> str:
    """All error text on a form page (field errors and the form's own)."""
    html = response.content.decode()
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S))


@pytest.fixture
def draft(world):
    plan = factories.make_plan(
        world.office,
        code="draft_plan",
        status=VersionStatus.DRAFT,
        terms=factories.plan_terms(
            covered_conditions=[{"code": "malignant_tumour", "name": "恶性肿瘤"}], benefit_items=[]
        ),
    )
    return plan.versions.get()


# --- catalogue pages ----------------------------------------------------------------


def test_plan_list_shows_plans_in_scope_with_pinned_queries(
    world, login, django_assert_max_num_queries
):
    factories.load_seed_plans(world)
    factories.make_plan(world.other_office, name="乙省的计划")
    client = login(world.office_admin)
    # session, user, staff(+tenant, node), the actor's ancestry (header), plans with
    # their version counts (one aggregate query) — the same for 6 plans or 600.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("plans:plan_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "广西壮族自治区职工综合互助保障计划" in html and "绍兴市工会干部互助保障计划" in html
    assert "乙省的计划" not in html
    for _ in range(5):
        factories.make_plan(world.office)
    with django_assert_max_num_queries(7):
        client.get(reverse("plans:plan_list"))


def test_plan_card_prints_terms_benefits_and_assumptions(
    world, login, django_assert_max_num_queries
):
    plans = factories.load_seed_plans(world)
    version = plans["sx_union_cadres"].versions.get()
    client = login(world.agent)
    # session, user, staff, ancestry, the version with its plan and owner, its items.
    with django_assert_max_num_queries(8):
        response = client.get(card_url(version))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "绍兴市工会干部互助保障计划",
        "重大疾病保障",
        "每满 ¥10,000.00 给付 ¥2,000.00",
        "最高 ¥30,000.00",
        "3,000元以上、10,000元以下给付 ¥2,000.00",
        "由管委会研究决定金额",
        "自杀",
        "假定: 生活补助按本地最低工资标准",
        "被保障人本人提出辞职的, 保障终止",
        "30 天内为免责期",
    ):
        assert text in html, text
    # An agent reads the card but gets no buttons that change it.
    assert reverse("plans:version_copy", args=[version.plan_id, version.pk]) not in html


def test_plan_card_of_a_seed_plan_with_many_items_keeps_its_query_count(
    world, login, django_assert_max_num_queries
):
    plans = factories.load_seed_plans(world)
    client = login(world.office_admin)
    for key in ("gx_comprehensive", "gx_female_workers"):
        url = card_url(plans[key].versions.get())
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


# --- creating a plan, a version and its items through the forms ------------------


def test_office_admin_builds_a_plan_through_the_forms(world, login):
    client = login(world.office_admin)
    response = client.post(
        reverse("plans:plan_create"),
        {
            "organisation": str(world.office.pk),
            "code": "gx_test",
            "name": "测试互助保障计划",
            "short_name": "测试",
            "source": "",
            "notes": "",
        },
    )
    plan = Plan.objects.get(code="gx_test")
    assert response.status_code == 302 and response["Location"] == reverse(
        "plans:version_create", args=[plan.pk]
    )

    response = client.post(reverse("plans:version_create", args=[plan.pk]), version_post())
    version = plan.versions.get()
    assert response.status_code == 302, errors_of(response)
    assert version.terms["waiting_period"] == {"days": 120}
    assert version.terms["report_deadline_days"] == {"default": 10, "accident": 3}
    assert version.terms["consolations"] == {"waiting_period": {"amount": "500.00"}}

    new_item = reverse("plans:item_create", args=[plan.pk, version.pk])
    assert "p-amount" in client.get(new_item, {"formula": "fixed_per_share"}).content.decode()
    response = client.post(new_item, item_post("fixed_per_share", **{"p-amount": "15000"}))
    assert response.status_code == 302, errors_of(response)
    response = client.post(
        new_item,
        item_post(
            "fixed_per_share",
            code="coronary_stent",
            name="冠状动脉支架植入术",
            conditions=["coronary_stent"],
            **{"p-amount": "3000.00"},
        ),
    )
    assert response.status_code == 302, errors_of(response)
    items = [i.to_terms() for i in version.items.order_by("position")]
    assert [(i["code"], i["params"]) for i in items] == [
        ("designated_disease", {"amount": "15000.00"}),
        ("coronary_stent", {"amount": "3000.00"}),
    ]

    publish = reverse("plans:version_publish", args=[plan.pk, version.pk])
    assert client.get(publish).status_code == 200
    assert client.post(publish).status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED

    response = client.post(
        reverse("plans:calculator"),
        {
            "version": str(version.pk),
            "shares": "3",
            "effective_date": "2026-03-16",
            "event_kind": "illness",
            "event_date": "2026-08-01",
            "condition": "malignant_tumour",
        },
    )
    assert response.status_code == 200
    assert "¥45,000.00" in response.content.decode()


def test_item_form_fits_each_formula_and_round_trips_its_parameters(world, login, draft):
    client = login(world.office_admin)
    url = reverse("plans:item_create", args=[draft.plan_id, draft.pk])
    # per_unit_of_amount as the Shaoxing critical-illness item.
    response = client.post(
        url,
        item_post(
            "per_unit_of_amount",
            **{
                "p-base": "self_paid",
                "p-unit": "10000",
                "p-per_unit": "2000",
                "p-min_base": "10000",
                "p-min_base_term": "以上",
                "p-cap": "30000",
            },
        ),
    )
    assert response.status_code == 302, errors_of(response)
    item = draft.items.get()
    assert item.params == {
        "base": "self_paid",
        "unit": "10000.00",
        "per_unit": "2000.00",
        "min_base": "10000.00",
        "min_base_inclusive": True,
        "cap": "30000.00",
    }
    edit = client.get(reverse("plans:item_edit", args=[draft.plan_id, draft.pk, item.pk]))
    html = edit.content.decode()
    assert 'name="p-cap"' in html and 'value="30000.00"' in html
    # A band table and the grade table have their own rows and columns.
    assert 'name="p-band_1_lower"' in client.get(url, {"formula": "band_lump_sum"}).content.decode()
    assert 'name="p-grade_10"' in client.get(url, {"formula": "schedule_percent"}).content.decode()
    response = client.post(
        url,
        item_post(
            "band_lump_sum",
            code="other_stay",
            name="其它疾病住院",
            events=["hospital_stay"],
            conditions=None,
            **{
                "p-base": "self_paid",
                "p-band_1_lower": "3000",
                "p-band_1_lower_term": "以上",
                "p-band_1_upper": "10000",
                "p-band_1_upper_term": "以下",
                "p-band_1_value": "2000",
            },
        ),
    )
    assert response.status_code == 302, errors_of(response)
    assert draft.items.get(code="other_stay").params["bands"] == [
        {
            "lower": "3000.00",
            "lower_inclusive": True,
            "upper": "10000.00",
            "upper_inclusive": True,
            "amount": "2000.00",
        }
    ]


# --- invalid terms are refused with clear messages --------------------------------


def test_negative_premium_is_refused_on_its_field(world, login, draft):
    client = login(world.office_admin)
    response = client.post(
        reverse("plans:version_edit", args=[draft.plan_id, draft.pk]),
        version_post(premium_per_share="-40"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["premium_per_share"] == ["每份保费不能为负数"]
    draft.refresh_from_db()
    assert draft.terms["premium_per_share"] == "40.00"


def test_mixed_cap_with_uniform_shares_is_refused_on_its_field(world, login, draft):
    client = login(world.office_admin)
    response = client.post(
        reverse("plans:version_edit", args=[draft.plan_id, draft.pk]),
        version_post(uniform_shares="on", max_shares_if_not_uniform="3"),
    )
    assert "已规定同一单位参保份数必须一致" in " ".join(
        response.context["form"].errors["max_shares_if_not_uniform"]
    )


def test_cap_below_threshold_is_refused(world, login, draft):
    client = login(world.office_admin)
    response = client.post(
        reverse("plans:item_create", args=[draft.plan_id, draft.pk]),
        item_post(
            "per_unit_of_amount",
            **{
                "p-base": "self_paid",
                "p-unit": "10000",
                "p-per_unit": "2000",
                "p-min_base": "10000",
                "p-cap": "5000",
            },
        ),
    )
    assert response.status_code == 200
    assert "封顶金额不能低于起付金额" in response.content.decode()
    assert not draft.items.exists()


def test_overlapping_bands_are_refused(world, login, draft):
    client = login(world.office_admin)
    response = client.post(
        reverse("plans:item_create", args=[draft.plan_id, draft.pk]),
        item_post(
            "band_lump_sum",
            events=["hospital_stay"],
            conditions=None,
            **{
                "p-base": "self_paid",
                "p-band_1_lower": "3000",
                "p-band_1_upper": "10000",
                "p-band_1_value": "2000",
                "p-band_2_lower": "10000",
                "p-band_2_upper": "20000",
                "p-band_2_value": "3000",
            },
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "金额区间重叠: 「3,000元以上、10,000元以下」与「10,000元以上、20,000元以下」" in html
    assert not draft.items.exists()


def test_unknown_formula_is_refused(world, login, draft):
    client = login(world.office_admin)
    url = reverse("plans:item_create", args=[draft.plan_id, draft.pk])
    page = client.get(url, {"formula": "lottery"})
    assert page.status_code == 200 and page.context["params_form"] is None
    response = client.post(url, item_post("lottery"))
    assert response.status_code == 200
    assert "未知的给付公式: lottery" in response.content.decode()
    assert not draft.items.exists()


# --- published versions are frozen; copies are not --------------------------------


def test_a_published_version_cannot_be_edited_through_the_pages(world, login):
    plan = factories.make_plan(world.office)
    version = plan.versions.get()
    item = version.items.get()
    client = login(world.office_admin)
    args = [plan.pk, version.pk]
    for url in (
        reverse("plans:version_edit", args=args),
        reverse("plans:item_create", args=args),
        reverse("plans:item_edit", args=[*args, item.pk]),
        reverse("plans:item_delete", args=[*args, item.pk]),
        reverse("plans:version_publish", args=args),
        reverse("plans:version_delete", args=args),
    ):
        for response in (client.get(url), client.post(url, version_post(premium_per_share="1"))):
            assert response.status_code == 302 and response["Location"] == card_url(version), url
    version.refresh_from_db()
    assert version.terms["premium_per_share"] == "40.00" and version.items.count() == 1
    card = client.get(card_url(version)).content.decode()
    assert "cannot be changed" in card or "不能" in card  # the message on the card
    assert reverse("plans:version_edit", args=args) not in card


def test_copy_to_new_version_through_the_page(world, login):
    plan = factories.make_plan(world.office, valid_from=date(2026, 1, 1))
    version = plan.versions.get()
    client = login(world.office_admin)
    url = reverse("plans:version_copy", args=[plan.pk, version.pk])
    response = client.post(url, {"valid_from": "2025-12-31", "label": "早了"})
    assert response.status_code == 200 and "2026-01-01" in " ".join(
        response.context["form"].errors["valid_from"]
    )
    response = client.post(url, {"valid_from": "2027-01-01", "label": "2027年版"})
    new = PlanVersion.objects.get(plan=plan, number=2)
    assert response.status_code == 302 and response["Location"] == card_url(new)
    assert new.status == VersionStatus.DRAFT and new.engine_terms() == version.engine_terms()
    # The copy is a draft: its terms can change.
    response = client.post(
        reverse("plans:version_edit", args=[plan.pk, new.pk]),
        version_post(
            label="2027年版",
            valid_from="2027-01-01",
            premium_per_share="45",
            covered_conditions="cancer 恶性肿瘤",
        ),
    )
    assert response.status_code == 302, errors_of(response)
    new.refresh_from_db()
    assert new.terms["premium_per_share"] == "45.00"


# --- who sees and who changes ---------------------------------------------------------


@pytest.fixture
def local_plan(world):
    return factories.make_plan(world.city, code="city_local", name="甲市工会干部互助保障计划")


def test_local_plan_is_hidden_from_a_sibling_city_and_another_tenant(world, login, local_plan):
    sibling_city = factories.make_node(world.office, "city", "丁市总工会")
    sibling_admin = factories.make_staff(sibling_city, Role.OFFICE_ADMIN, username="ding_admin")
    version = local_plan.versions.get()
    urls = [reverse("plans:plan_detail", args=[local_plan.pk]), card_url(version)]
    for user in (sibling_admin, world.other_tenant_admin):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert (
            "甲市工会干部互助保障计划"
            not in client.get(reverse("plans:plan_list")).content.decode()
        )
    client = login(world.office_admin)
    for url in urls:
        assert client.get(url).status_code == 200
    assert "甲市工会干部互助保障计划" in client.get(reverse("plans:plan_list")).content.decode()


def test_agent_reads_plans_but_cannot_change_them(world, login, local_plan):
    version = local_plan.versions.get()
    client = login(world.agent)
    assert client.get(card_url(version)).status_code == 200
    assert client.get(reverse("plans:plan_detail", args=[local_plan.pk])).status_code == 200
    args = [local_plan.pk, version.pk]
    for url in (
        reverse("plans:plan_create"),
        reverse("plans:plan_edit", args=[local_plan.pk]),
        reverse("plans:version_create", args=[local_plan.pk]),
        reverse("plans:version_copy", args=args),
        reverse("plans:item_create", args=args),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_city_admin_changes_its_local_plan_but_not_the_tenant_plan(world, login, local_plan):
    city_admin = factories.make_staff(world.city, Role.OFFICE_ADMIN, username="jia_city_admin")
    tenant_plan = factories.make_plan(world.office)
    client = login(city_admin)
    assert client.get(reverse("plans:plan_edit", args=[local_plan.pk])).status_code == 200
    assert client.get(reverse("plans:plan_edit", args=[tenant_plan.pk])).status_code == 403


# --- the calculator: B1–B11 through the page --------------------------------------


def calculator_post(row, versions) -> dict:
    shares, renewed = parse_shares(row["shares_and_tranches"])
    event = EVENTS[row["event"]]
    data = {
        "version": str(versions[PLAN_KEYS[row["plan"]]].pk),
        "shares": str(shares),
        "effective_date": row["effective_date"],
        "event_kind": event["event_kind"],
        "event_date": row["event_date"],
        "condition": event.get("condition", ""),
        "cause": event.get("cause", ""),
    }
    if renewed:
        data.update(previous_shares=str(shares), renewed_in_time="on")
    data.update({k: str(v) for k, v in parse_facts(row["facts"]).items()})
    return data


@pytest.fixture
def seed_versions(world):
    return {key: plan.versions.get() for key, plan in factories.load_seed_plans(world).items()}


@pytest.mark.parametrize("row", ROWS, ids=[r["case"] for r in ROWS])
def test_benefit_rows_through_the_calculator_page(world, login, seed_versions, row):
    client = login(world.agent)
    response = client.post(reverse("plans:calculator"), calculator_post(row, seed_versions))
    assert response.status_code == 200
    assessment = response.context["assessment"]
    assert assessment is not None, response.context["form"].errors
    assert assessment.total == Decimal(row["expected_total"]), "\n".join(assessment.explanation)
    html = response.content.decode()
    assert f'data-testid="total">¥{Decimal(row["expected_total"]):,.2f}<' in html
    assert "合计应给付" in html


def test_calculator_answers_htmx_with_the_fragment_only(world, login, seed_versions):
    client = login(world.agent)
    row = ROWS[0]
    response = client.post(
        reverse("plans:calculator"), calculator_post(row, seed_versions), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="calculator"') and "<html" not in html
    assert "¥45,000.00" in html


def test_calculator_shows_reasons_and_four_eyes(world, login, seed_versions):
    client = login(world.agent)
    data = calculator_post(ROWS[2], seed_versions)  # B3: inside the waiting period
    html = client.post(reverse("plans:calculator"), data).content.decode()
    assert "事件发生在免责期(观察期)内" in html and "免责期内慰问金" in html
    data = calculator_post(ROWS[0], seed_versions)  # B1: ¥45,000 > the ¥10,000 threshold
    assert (
        'data-testid="four-eyes"' in client.post(reverse("plans:calculator"), data).content.decode()
    )


def test_calculator_offers_only_versions_in_scope(world, login, seed_versions):
    foreign = factories.make_plan(world.other_office).versions.get()
    client = login(world.agent)
    response = client.get(
        reverse("plans:calculator"), {"version": str(seed_versions["sx_union_cadres"].pk)}
    )
    html = response.content.decode()
    assert str(seed_versions["gx_comprehensive"].pk) in html and str(foreign.pk) not in html
    assert "恶性肿瘤" in html  # the chosen version's conditions
    data = calculator_post(ROWS[0], seed_versions) | {"version": str(foreign.pk)}
    response = client.post(reverse("plans:calculator"), data)
    assert response.context["assessment"] is None and "version" in response.context["form"].errors


def test_calculator_with_tranches(world, login, seed_versions):
    """Two shares past their wait and one share bought later, still waiting: 2 × ¥15,000."""
    client = login(world.agent)
    data = calculator_post(ROWS[0], seed_versions) | {
        "tranche_1_shares": "2",
        "tranche_1_start": "2026-03-16",
        "tranche_1_waiting_end": "2026-03-16",
        "tranche_2_shares": "1",
        "tranche_2_start": "2026-07-01",
        "tranche_2_waiting_end": "2026-10-29",
    }
    response = client.post(reverse("plans:calculator"), data)
    assert response.context["assessment"].total == Decimal("30000.00")


# --- the forms lose nothing: every seed term and item survives an open-and-save ----------


def as_post(form) -> dict:
    """What a browser sends for an unbound form showing its initial values."""
    from django import forms as django_forms

    data: dict = {}
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, django_forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(widget, django_forms.CheckboxSelectMultiple):
            data[bound.html_name] = list(value or [])
        elif value is not None:
            data[bound.html_name] = str(value)
    return data


@pytest.mark.parametrize("key", [p["key"] for p in SEED_PLANS])
def test_version_form_round_trips_every_seed_plans_terms(key):
    terms = plan_by_key(key)["version"]["terms"]
    stored = {k: v for k, v in terms.items() if k != "benefit_items"}
    shown = VersionForm(
        initial=VersionForm.initial_from(terms=stored, label="x", valid_from=date(2026, 1, 1)),
        base_terms=stored,
    )
    posted = VersionForm(as_post(shown), base_terms=stored)
    assert posted.is_valid(), posted.errors
    assert posted.to_terms() == stored


@pytest.mark.parametrize("key", [p["key"] for p in SEED_PLANS])
def test_item_forms_round_trip_every_seed_item(key):
    terms = plan_by_key(key)["version"]["terms"]
    conditions = {c["code"]: c["name"] for c in terms["covered_conditions"]}
    for item in terms["benefit_items"]:
        params_cls = PARAM_FORMS[item["formula"]]
        shown = ItemForm(initial=ItemForm.initial_from(item), conditions=conditions, base_item=item)
        shown_params = params_cls(initial=params_cls.initial_from(item["params"]))
        form = ItemForm(
            as_post(shown),
            conditions=conditions,
            base_item=item,
            initial=ItemForm.initial_from(item),
        )
        params = params_cls(as_post(shown_params))
        assert form.is_valid() and params.is_valid(), (form.errors, params.errors)
        # Optional parts a form leaves out when empty (the engine reads both the same way).
        expected = {
            k: v
            for k, v in item.items()
            if k in ("params", "waiting_applies") or v not in (None, [], {}, False)
        }
        assert form.to_item(params.to_params()) == expected, item["code"]
