"""Validation of a whole plan version's terms, as plain data.

``validate_version_terms(terms)`` is the one place that decides whether a set of
terms can be saved: the Django form, the API serializer, the admin and
``seed_demo`` all call it and show its messages as they are. It returns a dict
``field path → [Chinese messages]`` (empty when valid); paths look like
``premium_per_share``, ``waiting_period.days``, ``benefit_items[2].params``, so a
form can attach each message to the widget that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .bounds import band_errors
from .formulas import FORMULAS, unknown_formula_message, validate_formula
from .money import to_decimal
from .vocab import CAUSES, EVENT_KINDS, FACTS, MEMBER_CATEGORIES, MID_TERM_ADDITION_RULES

TOP_LEVEL_KEYS = frozenset(
    {
        "term_months",
        "sale_mode",
        "premium_per_share",
        "max_shares",
        "uniform_shares",
        "max_shares_if_not_uniform",
        "renewal_keeps_previous_shares",
        "tiers",
        "exclusive_group",
        "eligibility",
        "participation",
        "waiting_period",
        "report_deadline_days",
        "claim_expiry_months",
        "payout_limit_working_days",
        "renewal",
        "mid_term_addition",
        "resignation_ends_cover",
        "covered_conditions",
        "exclusions",
        "benefit_items",
        "consolations",
        "annual_cap",
        "surplus_allocation",
        "notes",
    }
)
ITEM_KEYS = frozenset(
    {
        "code",
        "name",
        "events",
        "causes",
        "conditions",
        "excluded_conditions",
        "formula",
        "params",
        "waiting_applies",
        "ends_cover",
        "exclusive_group",
        "annual_cap",
        "max_payouts_per_period",
        "fact_limits",
        "note",
    }
)
SALE_MODES = {"shares": "按份", "tiers": "按档"}
STAGE_BENEFITS = {"none": "不给付", "consolation": "给付慰问金并终止保障(可选)"}
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class _Errors:
    """Collects messages per field path, in the order found (deterministic output)."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def extend(self, field: str, messages: list[str]) -> None:
        for m in messages:
            self.add(field, m)


def _is_number(raw: Any) -> bool:
    return isinstance(raw, (int, str, Decimal)) and not isinstance(raw, bool)


def _money(
    e: _Errors, field: str, raw: Any, label: str, *, required: bool = True, positive: bool = False
) -> Decimal | None:
    if raw is None:
        if required:
            e.add(field, f"请填写{label}")
        return None
    if not _is_number(raw):
        e.add(field, f'{label}必须是金额数字(写成字符串或整数, 如 "40.00")')
        return None
    try:
        value = to_decimal(raw)
    except ValueError:
        e.add(field, f"{label}不是有效金额: {raw}")
        return None
    if value < 0:
        e.add(field, f"{label}不能为负数")
        return None
    if positive and value == 0:
        e.add(field, f"{label}必须大于0")
        return None
    if value != value.quantize(Decimal("0.01")):
        e.add(field, f"{label}最多保留两位小数")
        return None
    return value


def _int(
    e: _Errors, field: str, raw: Any, label: str, *, required: bool = True, minimum: int = 0
) -> int | None:
    if raw is None:
        if required:
            e.add(field, f"请填写{label}")
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        e.add(field, f"{label}必须是整数")
        return None
    if raw < minimum:
        e.add(field, f"{label}不能小于{minimum}" if minimum else f"{label}不能为负数")
        return None
    return raw


def _bool(e: _Errors, field: str, raw: Any, label: str, *, required: bool = False) -> bool | None:
    if raw is None:
        if required:
            e.add(field, f"请选择{label}(是/否)")
        return None
    if not isinstance(raw, bool):
        e.add(field, f"{label}必须是 true 或 false")
        return None
    return raw


def _fraction(e: _Errors, field: str, raw: Any, label: str) -> Decimal | None:
    if raw is None:
        return None
    if not _is_number(raw):
        e.add(field, f'{label}必须是数字(写成字符串, 如 "0.8")')
        return None
    try:
        value = to_decimal(raw)
    except ValueError:
        e.add(field, f"{label}不是有效数字: {raw}")
        return None
    if not (0 <= value <= 1):
        e.add(field, f"{label}必须在0到1之间")
        return None
    return value


def _unknown(
    e: _Errors, field: str, data: Mapping[str, Any], allowed: frozenset[str] | set[str]
) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        e.add(field, f"未知字段: {', '.join(unknown)}")


def _code_list(
    e: _Errors,
    field: str,
    raw: Any,
    label: str,
    known: Mapping[str, str] | set[str],
    *,
    known_label: str,
) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        e.add(field, f"{label}必须是代码列表")
        return []
    bad = [x for x in raw if x not in known]
    if bad:
        e.add(field, f"{label}中有未知的{known_label}: {', '.join(bad)}")
    return list(raw)


def _named_codes(e: _Errors, field: str, raw: Any, label: str) -> dict[str, str]:
    """[{code, name}, …] with unique, well-formed codes."""
    out: dict[str, str] = {}
    if raw is None:
        return out
    if not isinstance(raw, list):
        e.add(field, f"{label}必须是列表")
        return out
    for i, entry in enumerate(raw):
        f = f"{field}[{i}]"
        if (
            not isinstance(entry, Mapping)
            or not isinstance(entry.get("code"), str)
            or not isinstance(entry.get("name"), str)
            or not entry["name"].strip()
        ):
            e.add(f, f"{label}第{i + 1}项需要代码(code)和名称(name)")
            continue
        _unknown(e, f, entry, {"code", "name", "note"})
        code = entry["code"]
        if not _CODE_RE.match(code):
            e.add(f, f"{label}代码只能用小写字母、数字和下划线: {code}")
        if code in out:
            e.add(f, f"{label}代码重复: {code}")
        out[code] = entry["name"]
    return out


def _cap(e: _Errors, field: str, raw: Any, label: str) -> None:
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        e.add(field, f'{label}格式不正确: 应为 {{"amount": …, "per_share": …}}')
        return
    _unknown(e, field, raw, {"amount", "per_share"})
    _money(e, field, raw.get("amount"), label, positive=True)
    _bool(e, field, raw.get("per_share"), f"{label}是否按份数计算")


def _consolation(e: _Errors, field: str, raw: Any, label: str, *, with_causes: bool) -> None:
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        e.add(field, f"{label}格式不正确")
        return
    allowed = {"amount", "per_share", "ends_cover"} | ({"causes"} if with_causes else set())
    _unknown(e, field, raw, allowed)
    _money(e, field, raw.get("amount"), f"{label}金额")
    _bool(e, field, raw.get("per_share"), f"{label}是否按份数计算")
    _bool(e, field, raw.get("ends_cover"), f"{label}给付后是否终止保障")
    if with_causes:
        _code_list(e, field, raw.get("causes"), f"{label}适用原因", CAUSES, known_label="原因")


def validate_version_terms(terms: Any) -> dict[str, list[str]]:
    """Every problem in a plan version's terms, as ``{field path: [Chinese messages]}``.

    Empty dict means the terms can be saved and assessed. Never raises on bad input:
    a form must be able to show all problems at once.
    """
    e = _Errors()
    if not isinstance(terms, Mapping):
        e.add("__all__", "保障计划条款格式不正确: 应为键值对象")
        return e.by_field
    _unknown(e, "__all__", terms, TOP_LEVEL_KEYS)

    _int(e, "term_months", terms.get("term_months"), "保障期限(月)", minimum=1)
    sale_mode = terms.get("sale_mode", "shares")
    if sale_mode not in SALE_MODES:
        e.add("sale_mode", f"销售方式只能是: {', '.join(SALE_MODES)}(按份/按档)")

    items_raw = terms.get("benefit_items")
    _validate_shares_and_tiers(e, terms, sale_mode, items_raw)

    eligibility = terms.get("eligibility") or {}
    if not isinstance(eligibility, Mapping):
        e.add("eligibility", "参保条件格式不正确")
    else:
        _validate_eligibility(e, eligibility)

    participation = terms.get("participation") or {}
    if not isinstance(participation, Mapping):
        e.add("participation", "单位参保比例要求格式不正确")
    else:
        _unknown(e, "participation", participation, {"min_ratio", "all_below_headcount"})
        _fraction(e, "participation.min_ratio", participation.get("min_ratio"), "最低参保比例")
        _int(
            e,
            "participation.all_below_headcount",
            participation.get("all_below_headcount"),
            "全员参保的人数界限",
            required=False,
        )

    group = terms.get("exclusive_group")
    if group is not None and (not isinstance(group, str) or not _CODE_RE.match(group)):
        e.add("exclusive_group", "互斥计划组代码只能用小写字母、数字和下划线")

    _validate_waiting(e, terms.get("waiting_period"))
    _validate_deadlines(e, terms)

    conditions = _named_codes(e, "covered_conditions", terms.get("covered_conditions"), "保障疾病")
    _named_codes(e, "exclusions", terms.get("exclusions"), "除外责任")
    _validate_items(e, items_raw, conditions)

    consolations = terms.get("consolations") or {}
    if not isinstance(consolations, Mapping):
        e.add("consolations", "慰问金设置格式不正确")
    else:
        _unknown(e, "consolations", consolations, {"waiting_period", "death_other_causes"})
        _consolation(
            e,
            "consolations.waiting_period",
            consolations.get("waiting_period"),
            "免责期内慰问金",
            with_causes=False,
        )
        _consolation(
            e,
            "consolations.death_other_causes",
            consolations.get("death_other_causes"),
            "因其它原因身故慰问金",
            with_causes=True,
        )

    _cap(e, "annual_cap", terms.get("annual_cap"), "每人每年累计给付上限")
    _validate_surplus(e, terms.get("surplus_allocation"))

    notes = terms.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        e.add("notes", "备注必须是文字列表")
    return e.by_field


def _validate_shares_and_tiers(
    e: _Errors, terms: Mapping[str, Any], sale_mode: Any, items_raw: Any
) -> None:
    if sale_mode == "shares":
        _money(e, "premium_per_share", terms.get("premium_per_share"), "每份保费")
        max_shares = _int(e, "max_shares", terms.get("max_shares"), "每人最多份数", minimum=1)
        uniform = _bool(
            e,
            "uniform_shares",
            terms.get("uniform_shares"),
            "同一单位份数是否必须一致",
            required=True,
        )
        mixed_cap = terms.get("max_shares_if_not_uniform")
        if mixed_cap is not None:
            if uniform:
                e.add(
                    "max_shares_if_not_uniform",
                    "已规定同一单位参保份数必须一致, 不能再设置“份数不一致时每人最多份数”; "
                    "请取消份数一致的要求, 或清空此项",
                )
            value = _int(
                e, "max_shares_if_not_uniform", mixed_cap, "份数不一致时每人最多份数", minimum=1
            )
            if value is not None and max_shares is not None and value > max_shares:
                e.add(
                    "max_shares_if_not_uniform",
                    f"份数不一致时每人最多份数({value})不能超过每人最多份数({max_shares})",
                )
        _bool(
            e,
            "renewal_keeps_previous_shares",
            terms.get("renewal_keeps_previous_shares"),
            "续保是否可按上一年度份数",
        )
        if terms.get("tiers"):
            e.add("tiers", "按份销售的计划不能设置档次")
        return

    if sale_mode == "tiers":
        tiers = terms.get("tiers")
        if not isinstance(tiers, list) or not tiers:
            e.add("tiers", "按档销售的计划至少需要一个档次")
            return
        seen: set[str] = set()
        items_by_code = (
            {i.get("code"): i for i in items_raw if isinstance(i, Mapping)}
            if isinstance(items_raw, list)
            else {}
        )
        for t, tier in enumerate(tiers):
            f = f"tiers[{t}]"
            if not isinstance(tier, Mapping):
                e.add(f, f"第{t + 1}档格式不正确")
                continue
            _unknown(e, f, tier, {"code", "name", "premium", "item_params"})
            code = tier.get("code")
            if not isinstance(code, str) or not code:
                e.add(f, f"第{t + 1}档需要代码(code)")
            elif code in seen:
                e.add(f, f"档次代码重复: {code}")
            else:
                seen.add(code)
            if not isinstance(tier.get("name"), str) or not tier["name"].strip():
                e.add(f, f"第{t + 1}档需要名称")
            _money(e, f"{f}.premium", tier.get("premium"), f"第{t + 1}档保费")
            overrides = tier.get("item_params") or {}
            if not isinstance(overrides, Mapping):
                e.add(f"{f}.item_params", "各档给付参数格式不正确")
                continue
            for item_code, override in overrides.items():
                item = items_by_code.get(item_code)
                if item is None:
                    e.add(f"{f}.item_params", f"档次参数引用了不存在的给付项目: {item_code}")
                    continue
                if not isinstance(override, Mapping):
                    e.add(f"{f}.item_params", f"给付项目 {item_code} 的档次参数格式不正确")
                    continue
                merged = {**(item.get("params") or {}), **override}
                kind = item.get("formula")
                if kind in FORMULAS:
                    for msg in validate_formula(kind, merged):
                        e.add(f"{f}.item_params", f"「{item.get('name', item_code)}」: {msg}")
        for key in ("premium_per_share", "max_shares_if_not_uniform"):
            if terms.get(key) is not None:
                e.add(key, "按档销售的计划不使用按份的设置, 请清空此项")


def _validate_eligibility(e: _Errors, el: Mapping[str, Any]) -> None:
    _unknown(
        e,
        "eligibility",
        el,
        {"in_service_only", "sex", "min_age", "max_age", "member_categories", "health_declaration"},
    )
    _bool(e, "eligibility.in_service_only", el.get("in_service_only"), "是否限在职")
    _bool(e, "eligibility.health_declaration", el.get("health_declaration"), "是否需要健康声明")
    if el.get("sex") not in (None, "F", "M"):
        e.add("eligibility.sex", "性别限制只能是 F(女)、M(男) 或不限")
    lo = _int(e, "eligibility.min_age", el.get("min_age"), "最低年龄", required=False)
    hi = _int(e, "eligibility.max_age", el.get("max_age"), "最高年龄", required=False)
    if lo is not None and hi is not None and lo > hi:
        e.add("eligibility.max_age", "最高年龄不能低于最低年龄")
    _code_list(
        e,
        "eligibility.member_categories",
        el.get("member_categories"),
        "人员类别",
        MEMBER_CATEGORIES,
        known_label="类别",
    )


def _validate_waiting(e: _Errors, wp: Any) -> None:
    if not isinstance(wp, Mapping):
        e.add("waiting_period", "请填写免责期(天数, 无免责期填 0)")
        return
    _unknown(e, "waiting_period", wp, {"days", "stages"})
    days = _int(e, "waiting_period.days", wp.get("days"), "免责期天数")
    stages = wp.get("stages") or []
    if not isinstance(stages, list):
        e.add("waiting_period.stages", "分段免责期格式不正确")
        return
    previous = 0
    for s, stage in enumerate(stages):
        f = f"waiting_period.stages[{s}]"
        if not isinstance(stage, Mapping):
            e.add(f, f"第{s + 1}段格式不正确")
            continue
        _unknown(e, f, stage, {"until_day", "benefit", "amount", "per_share", "ends_cover"})
        until = _int(e, f, stage.get("until_day"), f"第{s + 1}段截止天数", minimum=1)
        if until is not None:
            if until <= previous:
                e.add(f, f"第{s + 1}段截止天数({until})必须大于上一段({previous})")
            previous = max(previous, until)
        benefit = stage.get("benefit", "none")
        if benefit not in STAGE_BENEFITS:
            e.add(f, f"第{s + 1}段的给付方式只能是: {', '.join(STAGE_BENEFITS)}")
        if benefit == "consolation":
            _money(e, f, stage.get("amount"), f"第{s + 1}段慰问金金额")
        elif stage.get("amount") is not None:
            e.add(f, f"第{s + 1}段不给付, 不应填写金额")
        _bool(e, f, stage.get("per_share"), f"第{s + 1}段是否按份数计算")
        _bool(e, f, stage.get("ends_cover"), f"第{s + 1}段给付后是否终止保障")
    if stages and days is not None and previous != days:
        e.add(
            "waiting_period.stages",
            f"分段免责期的最后一段必须截止于免责期最后一天(第{days}天), 当前为第{previous}天",
        )


def _validate_deadlines(e: _Errors, terms: Mapping[str, Any]) -> None:
    rd = terms.get("report_deadline_days")
    if not isinstance(rd, Mapping) or "default" not in rd:
        e.add("report_deadline_days", "请填写报案期限(天), 至少需要默认期限 default")
    else:
        for key, value in rd.items():
            if key != "default" and key not in EVENT_KINDS and key not in CAUSES:
                e.add("report_deadline_days", f"报案期限中有未知的事件类别: {key}")
            _int(e, "report_deadline_days", value, f"报案期限({key})")
    _int(e, "claim_expiry_months", terms.get("claim_expiry_months", 12), "申领时效(月)", minimum=1)
    _int(
        e,
        "payout_limit_working_days",
        terms.get("payout_limit_working_days", 30),
        "给付期限(工作日)",
        minimum=1,
    )
    renewal = terms.get("renewal")
    if not isinstance(renewal, Mapping):
        e.add("renewal", "请填写续保规则(期满前截止天数或期满后宽限天数)")
    else:
        _unknown(e, "renewal", renewal, {"deadline_days_before_end", "grace_days_after_end"})
        before = _int(
            e,
            "renewal.deadline_days_before_end",
            renewal.get("deadline_days_before_end"),
            "期满前续保截止天数",
            required=False,
        )
        after = _int(
            e,
            "renewal.grace_days_after_end",
            renewal.get("grace_days_after_end"),
            "期满后续保宽限天数",
            required=False,
        )
        if before is not None and after is not None:
            e.add("renewal", "续保规则只能选一种: 期满前截止, 或期满后宽限")
        if (
            renewal.get("deadline_days_before_end") is None
            and renewal.get("grace_days_after_end") is None
        ):
            e.add("renewal", "请填写期满前续保截止天数或期满后宽限天数")
    if terms.get("mid_term_addition") not in MID_TERM_ADDITION_RULES:
        choices = "; ".join(f"{k}({v})" for k, v in MID_TERM_ADDITION_RULES.items())
        e.add("mid_term_addition", f"期中增员规则只能是: {choices}")
    _bool(e, "resignation_ends_cover", terms.get("resignation_ends_cover"), "本人辞职是否终止保障")


def _validate_items(e: _Errors, items: Any, conditions: Mapping[str, str]) -> None:
    if not isinstance(items, list) or not items:
        e.add("benefit_items", "至少需要一个给付项目")
        return
    seen: set[str] = set()
    groups: dict[str, list[str]] = {}
    for i, item in enumerate(items):
        f = f"benefit_items[{i}]"
        if not isinstance(item, Mapping):
            e.add(f, f"第{i + 1}个给付项目格式不正确")
            continue
        name = (
            item.get("name") if isinstance(item.get("name"), str) and item["name"].strip() else None
        )
        who = f"给付项目「{name or i + 1}」"
        if name is None:
            e.add(f, f"第{i + 1}个给付项目需要名称")
        _unknown(e, f, item, ITEM_KEYS)
        code = item.get("code")
        if not isinstance(code, str) or not _CODE_RE.match(code):
            e.add(f, f"{who}的代码只能用小写字母、数字和下划线")
        elif code in seen:
            e.add(f, f"给付项目代码重复: {code}")
        else:
            seen.add(code)
        events = item.get("events")
        if not isinstance(events, list) or not events:
            e.add(f"{f}.events", f"{who}至少要对应一种事件")
        else:
            _code_list(
                e, f"{f}.events", events, f"{who}的事件", EVENT_KINDS, known_label="事件类别"
            )
        _code_list(e, f"{f}.causes", item.get("causes"), f"{who}的原因", CAUSES, known_label="原因")
        _code_list(
            e,
            f"{f}.conditions",
            item.get("conditions"),
            f"{who}的保障疾病",
            conditions,
            known_label="疾病代码(请先在保障疾病列表中添加)",
        )
        _code_list(
            e,
            f"{f}.excluded_conditions",
            item.get("excluded_conditions"),
            f"{who}的排除疾病",
            conditions,
            known_label="疾病代码",
        )
        kind = item.get("formula")
        if kind not in FORMULAS:
            e.add(f"{f}.formula", unknown_formula_message(kind))
        else:
            for msg in validate_formula(kind, item.get("params")):
                e.add(f"{f}.params", f"{who}: {msg}")
        _bool(e, f, item.get("waiting_applies"), f"{who}是否适用免责期")
        _bool(e, f, item.get("ends_cover"), f"{who}给付后是否终止保障")
        group = item.get("exclusive_group")
        if group is not None:
            if not isinstance(group, str) or not _CODE_RE.match(group):
                e.add(f, f"{who}的互斥组代码只能用小写字母、数字和下划线")
            else:
                groups.setdefault(group, []).append(name or str(code))
        _cap(e, f"{f}.annual_cap", item.get("annual_cap"), f"{who}的年度累计给付上限")
        _int(
            e,
            f,
            item.get("max_payouts_per_period"),
            f"{who}每个保障期最多给付次数",
            required=False,
            minimum=1,
        )
        limits = item.get("fact_limits") or {}
        if not isinstance(limits, Mapping):
            e.add(f"{f}.fact_limits", f"{who}的给付条件格式不正确")
        else:
            for fact, band in limits.items():
                if fact not in FACTS:
                    e.add(f"{f}.fact_limits", f"{who}的给付条件引用了未知的信息项: {fact}")
                    continue
                label, unit, _ = FACTS[fact]
                e.extend(
                    f"{f}.fact_limits", band_errors(band, label=f"{who}的{label}条件", unit=unit)
                )
        if item.get("note") is not None and not isinstance(item.get("note"), str):
            e.add(f, f"{who}的备注必须是文字")
    for group, members in groups.items():
        if len(members) < 2:
            e.add("benefit_items", f"互斥组「{group}」只有一个给付项目({members[0]}), 至少需要两个")


def _validate_surplus(e: _Errors, raw: Any) -> None:
    if not raw:
        return
    if not isinstance(raw, list):
        e.add("surplus_allocation", "结余分配格式不正确")
        return
    total = Decimal(0)
    for i, entry in enumerate(raw):
        f = f"surplus_allocation[{i}]"
        if not isinstance(entry, Mapping):
            e.add(f, "结余分配项格式不正确")
            continue
        _unknown(e, f, entry, {"purpose", "label", "share"})
        if not isinstance(entry.get("label"), str):
            e.add(f, "结余分配项需要说明(label)")
        share = _fraction(e, f, entry.get("share"), "结余分配比例")
        if share is None and entry.get("share") is None:
            e.add(f, "请填写结余分配比例")
        total += share or 0
    if total != 1 and not any(k.startswith("surplus_allocation") for k in e.by_field):
        e.add("surplus_allocation", f"结余分配比例合计必须为1(100%), 当前为{total}")
