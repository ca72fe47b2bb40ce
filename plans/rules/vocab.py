"""The engine's fixed vocabulary: event kinds, causes, claim facts, reason codes.

Codes are English (they are stored and compared); the Chinese labels are what
explanations and validation messages show. Condition codes (which diseases a plan
covers) are *not* fixed here: each plan version lists its own.
"""

from __future__ import annotations

from enum import StrEnum

#: What happened (报案的事件类别). A benefit item answers one or more of these.
EVENT_KINDS: dict[str, str] = {
    "illness": "疾病确诊或手术",
    "hospital_stay": "住院",
    "accident": "意外伤害(医疗)",
    "disability": "伤残",
    "death": "身故",
    "rights_infringement": "依法维权受到不公正待遇(停薪等)",
    "disaster": "家庭遭受天灾人祸(火灾等)",
}

#: Why it happened; items may be limited to some causes (意外 / 疾病 / 维权 …).
CAUSES: dict[str, str] = {
    "illness": "疾病",
    "accident": "意外伤害",
    "rights_defence": "依法维护职工合法权益遭受故意伤害",
    "work_injury": "工伤",
}

#: Member categories used by eligibility rules.
MEMBER_CATEGORIES: dict[str, str] = {
    "worker": "职工",
    "migrant_worker": "农民工",
    "new_employment": "新就业形态劳动者",
    "union_cadre": "工会干部",
}

#: Facts a formula or a limit can read from a claim: name -> (label, unit, kind).
#: kind "money" facts are Decimal yuan; "count" facts are whole numbers.
FACTS: dict[str, tuple[str, str, str]] = {
    "self_paid": ("个人自付医疗费用", "元", "money"),
    "eligible_cost": ("合规医疗费用", "元", "money"),
    "decided_amount": ("管委会决定金额", "元", "money"),
    "hospital_days": ("住院天数", "天", "count"),
    "disability_grade": ("伤残等级", "级", "count"),
    "months": ("月数", "个月", "count"),
    "died_within_days": ("伤害发生至身故天数", "天", "count"),
}

MONEY_FACTS = tuple(k for k, (_, _, kind) in FACTS.items() if kind == "money")
COUNT_FACTS = tuple(k for k, (_, _, kind) in FACTS.items() if kind == "count")

#: How mid-term additions (增员) pay.
MID_TERM_ADDITION_RULES: dict[str, str] = {
    "prorate_monthly": "按剩余月数折算(不足一月按一月)",
    "full_term": "按全年缴费",
    "not_allowed": "不允许期中增员",
}


class ReasonCode(StrEnum):
    """Why something is not (fully) payable. Stored with the claim; stable strings."""

    NO_POLICY_IN_FORCE = "NO_POLICY_IN_FORCE"
    IN_WAITING_PERIOD = "IN_WAITING_PERIOD"
    EXCLUDED = "EXCLUDED"
    NOT_COVERED = "NOT_COVERED"
    BELOW_THRESHOLD = "BELOW_THRESHOLD"
    CAP_REACHED = "CAP_REACHED"
    LIMIT_REACHED = "LIMIT_REACHED"
    ALREADY_PAID = "ALREADY_PAID"
    EXCLUSIVE_WITH_OTHER = "EXCLUSIVE_WITH_OTHER"
    MISSING_FACT = "MISSING_FACT"


REASON_LABELS: dict[ReasonCode, str] = {
    ReasonCode.NO_POLICY_IN_FORCE: "事件发生日不在保障期内",
    ReasonCode.IN_WAITING_PERIOD: "事件发生在免责期(观察期)内",
    ReasonCode.EXCLUDED: "属于除外责任",
    ReasonCode.NOT_COVERED: "不属于保障范围",
    ReasonCode.BELOW_THRESHOLD: "未达到起付标准",
    ReasonCode.CAP_REACHED: "已达到封顶金额",
    ReasonCode.LIMIT_REACHED: "已达到保障期内给付次数上限",
    ReasonCode.ALREADY_PAID: "已给付过的金额已扣除",
    ReasonCode.EXCLUSIVE_WITH_OTHER: "与另一互斥项目只能取较高者",
    ReasonCode.MISSING_FACT: "缺少计算所需的信息",
}
