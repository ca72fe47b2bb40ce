"""Plain-Chinese wording of a version's terms, for the plan card and the item list.

Built from the engine's own vocabulary and band wording (``Band.describe``), so the
card says what the engine computes. Domain text stays Chinese, like the seed
documents the card reproduces.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from plans.rules import (
    CAUSES,
    EVENT_KINDS,
    FACTS,
    FORMULA_LABELS,
    MEMBER_CATEGORIES,
    MID_TERM_ADDITION_RULES,
    Band,
    fmt_money,
    to_decimal,
)
from plans.rules.formulas.ratio_of_amount import BANDINGS
from plans.rules.money import fmt_number, fmt_percent


def _money(raw: Any) -> str:
    return fmt_money(to_decimal(raw))


def _per_share(flag: Any) -> str:
    return "/份" if flag else ""


def _fact(name: str) -> tuple[str, str]:
    label, unit, _kind = FACTS.get(name, (name, "", ""))
    return label, unit


def _band_text(raw: Mapping[str, Any], unit: str = "元") -> str:
    return Band.from_dict(raw).describe(unit)


def formula_text(kind: str, params: Mapping[str, Any]) -> str:
    """One sentence for a formula and its parameters, e.g. "每份给付 ¥15,000.00"."""
    try:
        return _FORMULA_TEXT[kind](params)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return FORMULA_LABELS.get(kind, f"未知的给付公式: {kind}")


def _fixed_per_share(p):
    return f"每份给付 {_money(p['amount'])}"


def _fixed(p):
    return f"给付 {_money(p['amount'])}"


def _per_unit(p):
    label, _unit = _fact(p.get("base", "self_paid"))
    parts = [
        f"{label}每满 {_money(p['unit'])} 给付 {_money(p['per_unit'])}"
        f"{_per_share(p.get('per_share'))}"
    ]
    if p.get("min_base") is not None:
        word = "以上" if p.get("min_base_inclusive", True) else "超过"
        parts.insert(0, f"{label} {fmt_number(to_decimal(p['min_base']))}元{word}起付")
    if p.get("cap") is not None:
        parts.append(f"最高 {_money(p['cap'])}{_per_share(p.get('per_share'))}")
    return ", ".join(parts)


def _band_lump_sum(p):
    label, unit = _fact(p.get("base", "self_paid"))
    bands = "; ".join(
        f"{_band_text(b, unit)}给付 {_money(b['amount'])}{_per_share(p.get('per_share'))}"
        for b in p.get("bands") or ()
    )
    return f"按{label}: {bands}"


def _schedule(p):
    label, unit = _fact(p.get("base", "disability_grade"))
    table = "、".join(
        f"{key}{unit}{fmt_percent(to_decimal(pct))}"
        for key, pct in sorted((p.get("schedule") or {}).items(), key=lambda kv: int(kv[0]))
    )
    return f"{_money(p['sum'])}{_per_share(p.get('per_share'))} × 按{label}给付比例({table})"


def _per_day(p):
    text = f"每天 {_money(p['daily_amount'])}{_per_share(p.get('per_share'))}"
    if p.get("deductible_days"):
        text += f", 免赔 {p['deductible_days']} 天"
    if p.get("max_days") is not None:
        text += f", 最多 {p['max_days']} 天"
    return text


def _ratio(p):
    label, _unit = _fact(p.get("base", "self_paid"))
    deductible = to_decimal(p.get("deductible") or 0)
    head = f"{label}超过 {fmt_money(deductible)} 的部分" if deductible else label
    if p.get("ratio") is not None:
        text = f"{head} × {fmt_percent(to_decimal(p['ratio']) * 100)}"
    else:
        banding = BANDINGS.get(p.get("banding", "progressive"), "")
        bands = "; ".join(
            f"{_band_text(b)} {fmt_percent(to_decimal(b['ratio']) * 100)}"
            for b in p.get("bands") or ()
        )
        text = f"{head}按比例({banding}): {bands}"
    if p.get("cost_ceiling") is not None:
        text += f", 费用最多计 {_money(p['cost_ceiling'])}"
    if p.get("cap") is not None:
        text += f", 每次最高 {_money(p['cap'])}"
    if p.get("cap_per_share") is not None:
        text += f", 每次每份最高 {_money(p['cap_per_share'])}"
    return text


def _monthly(p):
    basis = f"({p['monthly_amount_basis']})" if p.get("monthly_amount_basis") else ""
    text = f"每月 {_money(p['monthly_amount'])}{_per_share(p.get('per_share'))}{basis}"
    if p.get("max_months") is not None:
        text += f", 最长 {p['max_months']} 个月"
    return text


def _discretionary(p):
    cap = f", 最高 {_money(p['cap'])}" if p.get("cap") is not None else ""
    return f"由管委会研究决定金额{cap}; 须两人审批"


_FORMULA_TEXT = {
    "fixed_per_share": _fixed_per_share,
    "fixed": _fixed,
    "per_unit_of_amount": _per_unit,
    "band_lump_sum": _band_lump_sum,
    "schedule_percent": _schedule,
    "per_day": _per_day,
    "ratio_of_amount": _ratio,
    "monthly_allowance": _monthly,
    "discretionary": _discretionary,
}


def item_rows(terms: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per benefit item: name, events, scope, the formula in words, modifiers."""
    conditions = {c["code"]: c["name"] for c in terms.get("covered_conditions") or ()}
    rows = []
    for item in terms.get("benefit_items") or ():
        scope = []
        if item.get("causes"):
            scope.append("原因: " + "、".join(CAUSES.get(c, c) for c in item["causes"]))
        if item.get("conditions"):
            names = [conditions.get(c, c) for c in item["conditions"]]
            scope.append(f"疾病/手术({len(names)}种): " + "、".join(names))
        if item.get("excluded_conditions"):
            scope.append(
                "不含: " + "、".join(conditions.get(c, c) for c in item["excluded_conditions"])
            )
        for fact, band in (item.get("fact_limits") or {}).items():
            label, unit = _fact(fact)
            scope.append(f"{label}{_band_text(band, unit)}")
        modifiers = []
        modifiers.append("适用免责期" if item.get("waiting_applies", True) else "不适用免责期")
        cap = item.get("annual_cap")
        if cap:
            modifiers.append(
                f"每年累计最多 {_money(cap['amount'])}{_per_share(cap.get('per_share'))}"
            )
        if item.get("max_payouts_per_period"):
            modifiers.append(f"每个保障期最多给付 {item['max_payouts_per_period']} 次")
        if item.get("exclusive_group"):
            others = [
                o["name"]
                for o in terms["benefit_items"]
                if o.get("exclusive_group") == item["exclusive_group"] and o is not item
            ]
            if others:
                modifiers.append(f"与「{'、'.join(others)}」只能给付其一, 取较高者并扣除已给付")
        if item.get("ends_cover"):
            modifiers.append("给付后保障终止")
        rows.append(
            {
                "code": item.get("code"),
                "name": item.get("name"),
                "events": "、".join(EVENT_KINDS.get(e, e) for e in item.get("events") or ()),
                "scope": scope,
                "formula_label": FORMULA_LABELS.get(item.get("formula"), item.get("formula")),
                "formula": formula_text(item.get("formula"), item.get("params") or {}),
                "modifiers": modifiers,
                "note": item.get("note") or "",
            }
        )
    return rows


def terms_summary(terms: Mapping[str, Any]) -> dict[str, Any]:
    """The card's other sections as short Chinese lines."""
    out: dict[str, Any] = {}
    sale = []
    if terms.get("sale_mode", "shares") == "shares":
        if terms.get("premium_per_share") is not None:
            sale.append(
                f"保障费 {_money(terms['premium_per_share'])}/份, "
                f"保障期 {terms.get('term_months')} 个月"
            )
        if terms.get("max_shares") is not None:
            sale.append(f"每人最多 {terms['max_shares']} 份")
        if terms.get("uniform_shares"):
            sale.append("同一单位参保份数必须一致")
        if terms.get("max_shares_if_not_uniform") is not None:
            sale.append(f"单位参保份数不一致的, 每人最多 {terms['max_shares_if_not_uniform']} 份")
        if terms.get("renewal_keeps_previous_shares"):
            sale.append("续保人员可以按上一年度参保份数续保")
    else:
        for tier in terms.get("tiers") or ():
            sale.append(f"{tier.get('name')}: 保障费 {_money(tier.get('premium') or 0)}")
    if terms.get("exclusive_group"):
        sale.append(f"与同组({terms['exclusive_group']})的其他计划不能同时参保")
    out["sale"] = sale

    el = terms.get("eligibility") or {}
    who = []
    if el.get("in_service_only"):
        who.append("在职职工")
    if el.get("sex") == "F":
        who.append("限女职工")
    elif el.get("sex") == "M":
        who.append("限男职工")
    if el.get("min_age") is not None or el.get("max_age") is not None:
        who.append(f"年龄 {el.get('min_age') or '—'} 至 {el.get('max_age') or '—'} 周岁")
    if el.get("member_categories"):
        who.append(
            "人员类别: " + "、".join(MEMBER_CATEGORIES.get(c, c) for c in el["member_categories"])
        )
    if el.get("health_declaration"):
        who.append("参保时身体健康(需健康声明)")
    part = terms.get("participation") or {}
    if part.get("min_ratio") is not None:
        who.append(
            f"单位参保人数不少于符合条件职工的 {fmt_percent(to_decimal(part['min_ratio']) * 100)}"
        )
    if part.get("all_below_headcount") is not None:
        who.append(f"职工不足 {part['all_below_headcount']} 人的单位须全员参保")
    out["who"] = who

    wp = terms.get("waiting_period") or {}
    waiting = []
    days = wp.get("days")
    if days:
        waiting.append(
            f"新参保人员及新增份数自生效之日起 {days} 天内为免责期; 按时续保的不再设免责期"
        )
        start = 1
        for stage in wp.get("stages") or ():
            until = stage.get("until_day")
            if stage.get("benefit") == "consolation":
                amount = _money(stage.get("amount") or 0) + _per_share(stage.get("per_share"))
                text = f"第 {start}–{until} 天: 给予慰问金 {amount}"
                if stage.get("ends_cover"):
                    text += ", 给付后保障终止"
            else:
                text = f"第 {start}–{until} 天: 不给付"
            waiting.append(text)
            start = (until or start) + 1
    elif days == 0:
        waiting.append("无免责期")
    out["waiting"] = waiting

    consolations = terms.get("consolations") or {}
    cons = []
    wc = consolations.get("waiting_period")
    if wc:
        cons.append(
            "免责期内确诊保障范围内疾病, 且无其他给付的: 慰问金 "
            f"{_money(wc['amount'])}{_per_share(wc.get('per_share'))}"
        )
    dc = consolations.get("death_other_causes")
    if dc:
        causes = "、".join(CAUSES.get(c, c) for c in dc.get("causes") or ()) or "其它原因"
        cons.append(
            f"因{causes}身故且无对应给付项目的: 慰问金 "
            f"{_money(dc['amount'])}{_per_share(dc.get('per_share'))}"
        )
    cap = terms.get("annual_cap")
    if cap:
        cons.append(
            f"每人每年累计给付最多 {_money(cap['amount'])}{_per_share(cap.get('per_share'))}"
        )
    out["consolations"] = cons

    deadlines = []
    rd = terms.get("report_deadline_days") or {}
    for key, value in rd.items():
        if key == "default":
            continue
        deadlines.append(
            f"{EVENT_KINDS.get(key, CAUSES.get(key, key))}: 事故发生后 {value} 天内报案"
        )
    if "default" in rd:
        deadlines.append(
            f"{'其他事件' if len(rd) > 1 else '报案'}: {rd['default']} 天内报案(遇节假日顺延)"
        )
    deadlines.append(f"申领时效 {terms.get('claim_expiry_months', 12)} 个月")
    deadlines.append(f"审核确认后 {terms.get('payout_limit_working_days', 30)} 个工作日内给付")
    renewal = terms.get("renewal") or {}
    if renewal.get("deadline_days_before_end") is not None:
        n = renewal["deadline_days_before_end"]
        deadlines.append(
            f"续保: 保障期满前 {n} 天办理续保手续" if n else "续保: 保障期满前缴费续保"
        )
    if renewal.get("grace_days_after_end") is not None:
        deadlines.append(f"续保: 期满后 {renewal['grace_days_after_end']} 天内续保可保持连续")
    rule = terms.get("mid_term_addition")
    if rule in MID_TERM_ADDITION_RULES:
        deadlines.append(f"期中增员: {MID_TERM_ADDITION_RULES[rule]}")
    if terms.get("resignation_ends_cover"):
        deadlines.append("被保障人本人提出辞职的, 保障终止")
    out["deadlines"] = deadlines

    out["conditions"] = list(terms.get("covered_conditions") or ())
    out["exclusions"] = list(terms.get("exclusions") or ())
    out["notes"] = list(terms.get("notes") or ())
    out["surplus"] = [
        f"{s.get('label')}: {fmt_percent(to_decimal(s.get('share') or 0) * Decimal(100))}"
        for s in terms.get("surplus_allocation") or ()
    ]
    return out
