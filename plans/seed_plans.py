"""The six demo plans of SPEC §13, with their real terms from the seed documents.

Plain data only (dicts, lists, str, int, bool; money as strings) so that
``seed_demo`` can store each ``version["terms"]`` in a JSON field unchanged and the
engine can read it with ``plans.rules.PlanTerms.from_dict``. Every number the seeds
do not give (or print garbled) is recorded in the plan's ``terms["notes"]`` as an
assumption, so an office can correct it by publishing a new version.

Sources:
- seed 004 — 苍梧县总工会《职工综合、职工指定疾病(手术)、农民工、女职工安康、团体人身
  意外伤害互助保障计划简介》 (five Guangxi plans);
- seed 002 — 《绍兴市工会干部互助保障计划》(2011).

Usage::

    from plans.seed_plans import PLANS, plan_by_key
    from plans.rules import PlanTerms
    terms = PlanTerms.from_dict(plan_by_key("gx_designated_disease")["version"]["terms"])
"""

from __future__ import annotations

import copy
from typing import Any

# -- shared vocabularies -----------------------------------------------------------

#: 十五种指定疾病(手术), seed 004 ("经县级以上医院确诊为初次患(或施行)以下指定疾病(或手术)").
DESIGNATED_DISEASES: list[dict[str, str]] = [
    {
        "code": "malignant_tumour",
        "name": "原发性恶性肿瘤(原发性肝癌、肺癌、胃癌、肠癌、鼻咽癌、乳腺癌、宫颈癌等)",
    },
    {"code": "end_stage_renal_disease", "name": "终末期肾病(慢性肾功能衰竭尿毒症期)"},
    {"code": "intracranial_tumour_removal", "name": "颅内原发性肿瘤摘除术"},
    {"code": "coronary_bypass", "name": "冠状动脉搭桥术(冠状动脉旁路移植手术)"},
    {"code": "heart_valve_replacement", "name": "心脏瓣膜置换手术"},
    {"code": "sars", "name": "非典型肺炎"},
    {"code": "organ_transplant", "name": "异体心脏、肾脏、肝脏、肺、造血干细胞的移植术"},
    {"code": "aplastic_anaemia", "name": "再生障碍性贫血"},
    {"code": "severe_hepatitis", "name": "急性或亚急性重型肝炎"},
    {"code": "quadriplegia", "name": "四肢瘫痪"},
    {"code": "aortic_surgery", "name": "主动脉手术"},
    {"code": "avian_influenza", "name": "致病性人禽流感"},
    {"code": "motor_neuron_disease", "name": "严重运动神经元病"},
    {"code": "severe_burns", "name": "严重III度烧伤"},
    {"code": "coronary_stent", "name": "冠状动脉支架植入术"},
]
DESIGNATED_EXCEPT_STENT = [d["code"] for d in DESIGNATED_DISEASES if d["code"] != "coronary_stent"]

#: 女职工安康: six female cancers, seed 004.
FEMALE_CANCERS: list[dict[str, str]] = [
    {"code": "breast_cancer", "name": "原发性乳腺癌"},
    {"code": "ovarian_cancer", "name": "卵巢癌"},
    {"code": "uterine_body_cancer", "name": "宫体癌"},
    {"code": "cervical_cancer", "name": "宫颈癌"},
    {"code": "vulvar_cancer", "name": "外阴癌"},
    {"code": "fallopian_tube_cancer", "name": "输卵管癌"},
]

#: 绍兴 工会干部: 11 critical illnesses, seed 002 第四条第2款.
SHAOXING_CRITICAL_ILLNESSES: list[dict[str, str]] = [
    {"code": "acute_myocardial_infarction", "name": "急性心肌梗塞"},
    {"code": "coronary_bypass", "name": "冠状动脉搭桥术(冠状动脉旁路手术)"},
    {"code": "malignant_tumour", "name": "恶性肿瘤"},
    {"code": "chronic_renal_failure", "name": "慢性肾衰竭(尿毒症)"},
    {"code": "major_organ_transplant", "name": "重要器官移植"},
    {"code": "leukaemia", "name": "白血病"},
    {"code": "intracranial_tumour_surgery", "name": "颅内原发肿瘤手术"},
    {"code": "severe_burns", "name": "严重烧烫伤"},
    {"code": "paraplegia", "name": "截瘫"},
    {"code": "loss_of_limbs", "name": "多个肢体缺失"},
    {"code": "motor_neuron_disease", "name": "严重运动神经元病"},
]

#: Disability grade → percent of the sum (人身保险伤残评定标准: 1级100% … 10级10%).
DISABILITY_SCHEDULE: dict[str, str] = {
    "1": "100",
    "2": "90",
    "3": "80",
    "4": "70",
    "5": "60",
    "6": "50",
    "7": "40",
    "8": "30",
    "9": "20",
    "10": "10",
}

GX_EXCLUSIONS: list[dict[str, str]] = [
    {"code": "pre_existing", "name": "参保前已患有(非初次确诊)保障范围内的疾病"},
    {"code": "concealed_history", "name": "隐瞒病史或健康状况参保"},
]

SX_EXCLUSIONS: list[dict[str, str]] = [
    {
        "code": "pre_existing",
        "name": "参加前曾患有或已患有本计划所指重大疾病, 或参加时正在患病住院、全休及半休",
    },
    {
        "code": "concealed_history",
        "name": "单位或本人隐瞒病史、伪造或篡改病历, 或隐瞒其他影响保障决定的情况",
    },
    {"code": "suicide", "name": "自杀"},
    {"code": "self_harm", "name": "自残"},
    {"code": "crime", "name": "违法、犯罪行为造成的死亡或残疾"},
    {"code": "resignation", "name": "被保障人本人提出辞职"},
]


def _gx_base() -> dict[str, Any]:
    """Terms every Guangxi plan shares (seed 004 §三–§五 and SPEC §3)."""
    return {
        "term_months": 12,
        "sale_mode": "shares",
        "eligibility": {
            "in_service_only": True,  # "广西境内, 身体健康的在职职工"
            "sex": None,
            "min_age": None,
            "max_age": None,
            "member_categories": [],
            "health_declaration": True,
        },
        "participation": {"min_ratio": None, "all_below_headcount": None},
        "report_deadline_days": {"accident": 3, "default": 10},
        "claim_expiry_months": 12,
        "payout_limit_working_days": 30,  # "审核确认后在30个工作日内给付保障金"
        "renewal": {"deadline_days_before_end": 0},
        "mid_term_addition": "prorate_monthly",
        "resignation_ends_cover": False,
        "exclusions": copy.deepcopy(GX_EXCLUSIONS),
    }


_GX_COMMON_NOTES = [
    "来源: 苍梧县总工会计划简介(种子文档004); 以《广西壮族自治区职工…互助保障计划》正式条款为准。",
    "假定: 报案期限意外伤害3天、疾病10天(遇节假日顺延), 来源未载明, 按中国职工保险互助会通行规定。",
    "假定: 申领时效1年; 续保须在期满前缴费; 期中增员按剩余月数折算保费; 来源未载明。",
    "假定: 单位参保比例要求来源未载明, 暂不设最低参保比例。",
    "假定: 计划版本生效日来源印为“201*年”, 按2019-01-01录入。",
]


def _designated_items(amount: str, stent_amount: str) -> list[dict[str, Any]]:
    return [
        {
            "code": "designated_disease",
            "name": "十四种指定疾病(手术)",
            "events": ["illness"],
            "conditions": DESIGNATED_EXCEPT_STENT,
            "formula": "fixed_per_share",
            "params": {"amount": amount},
            "waiting_applies": True,
        },
        {
            "code": "coronary_stent",
            "name": "冠状动脉支架植入术",
            "events": ["illness"],
            "conditions": ["coronary_stent"],
            "formula": "fixed_per_share",
            "params": {"amount": stent_amount},
            "waiting_applies": True,
        },
    ]


def _accident_death_disability(sum_per_share: str, group: str) -> list[dict[str, Any]]:
    return [
        {
            "code": "accident_death",
            "name": "意外伤害身故",
            "events": ["death"],
            "causes": ["accident"],
            "formula": "fixed_per_share",
            "params": {"amount": sum_per_share},
            "waiting_applies": False,
            "ends_cover": True,
            "exclusive_group": group,
        },
        {
            "code": "accident_disability",
            "name": "意外伤害致残",
            "events": ["disability"],
            "causes": ["accident"],
            "formula": "schedule_percent",
            "params": {
                "base": "disability_grade",
                "schedule": dict(DISABILITY_SCHEDULE),
                "sum": sum_per_share,
                "per_share": True,
            },
            "waiting_applies": False,
            "exclusive_group": group,
        },
    ]


def _gx_comprehensive() -> dict[str, Any]:
    terms = _gx_base() | {
        "premium_per_share": "60.00",
        "max_shares": 5,
        "uniform_shares": True,  # "单位参保时, 参保份数必须一致, 每人最多只能参保5份"
        "max_shares_if_not_uniform": None,
        "renewal_keeps_previous_shares": False,
        "exclusive_group": "gx_core",  # "本保障和第2种、第3种保障不能同时参保"
        "waiting_period": {"days": 120},
        "covered_conditions": copy.deepcopy(DESIGNATED_DISEASES),
        "benefit_items": [
            *_designated_items("15000.00", "3000.00"),
            *_accident_death_disability("5000.00", "accident_death_disability"),
            {
                "code": "accident_hospital",
                "name": "意外伤害住院补助",
                "events": ["hospital_stay"],
                "causes": ["accident"],
                "formula": "ratio_of_amount",
                "params": {"base": "self_paid", "ratio": "1"},
                "waiting_applies": False,
                "annual_cap": {"amount": "9000.00", "per_share": True},
            },
            {
                "code": "death_illness",
                "name": "身故保障(疾病身故)",
                "events": ["death"],
                "causes": ["illness"],
                "formula": "fixed_per_share",
                "params": {"amount": "5000.00"},
                "waiting_applies": True,
                "ends_cover": True,
            },
            {
                "code": "death_accident",
                "name": "身故保障(意外身故)",
                "events": ["death"],
                "causes": ["accident"],
                "formula": "fixed_per_share",
                "params": {"amount": "5000.00"},
                "waiting_applies": False,
                "ends_cover": True,
            },
        ],
        "consolations": {"waiting_period": {"amount": "500.00"}},
        "annual_cap": None,
        "notes": [
            *_GX_COMMON_NOTES,
            "每份合计保障金额34000元 = 指定疾病15000 +"
            " 意外伤害5000 + 意外伤害住院补助9000 + 身故5000。",
            "假定: “意外伤害保障(5000元/份)”按意外身故5000元/份、"
            "意外伤残按伤残等级比例×5000元/份给付, "
            "身故与伤残互斥(取较高者, 扣除已给付)。",
            "假定: 伤残等级比例按1级100%至10级10%。",
            "假定: “意外伤害住院补助(9000元/份)”按意外住院个人自付费用全额补助,"
            " 每份每年累计最多9000元。",
            "假定: “身故保障(5000元/份)”疾病身故适用120天免责期,"
            " 意外身故不适用; 意外身故同时给付意外伤害身故。",
            "免责期内患保障范围内指定疾病, 给予500元慰问金(来源: 特殊政策优惠)。",
        ],
    }
    return {
        "key": "gx_comprehensive",
        "tenant": "guangxi",
        "owner_level": "office",
        "owner_name": None,
        "name": "广西壮族自治区职工综合互助保障计划",
        "short_name": "职工综合",
        "source": "种子文档004",
        "version": {"label": "2019年版", "valid_from": "2019-01-01", "terms": terms},
    }


def _gx_designated(
    key: str,
    name: str,
    short: str,
    premium: str,
    amount: str,
    stent: str,
    consolation: str,
    categories: list[str],
) -> dict[str, Any]:
    base = _gx_base()
    base["eligibility"]["member_categories"] = categories
    terms = base | {
        "premium_per_share": premium,
        "max_shares": 5,
        # "单位参保份数一致的, 每人最多能参保5份; 单位参保份不一致的, 每人最多只能参保3份;
        #  续保人员可以按上一年度参保份数续保。"
        "uniform_shares": False,
        "max_shares_if_not_uniform": 3,
        "renewal_keeps_previous_shares": True,
        "exclusive_group": "gx_core",
        "waiting_period": {"days": 120},
        "covered_conditions": copy.deepcopy(DESIGNATED_DISEASES),
        "benefit_items": _designated_items(amount, stent),
        "consolations": {
            "waiting_period": {"amount": consolation},
            "death_other_causes": {"amount": consolation, "causes": ["illness"]},
        },
        "annual_cap": None,
        "notes": [
            *_GX_COMMON_NOTES,
            "免责期120天内患保障范围内指定疾病, 或因其它疾病身故,"
            f" 给予{consolation.split('.')[0]}元慰问金(来源: 特殊政策优惠)。",
        ],
    }
    return {
        "key": key,
        "tenant": "guangxi",
        "owner_level": "office",
        "owner_name": None,
        "name": name,
        "short_name": short,
        "source": "种子文档004",
        "version": {"label": "2019年版", "valid_from": "2019-01-01", "terms": terms},
    }


def _gx_female() -> dict[str, Any]:
    base = _gx_base()
    base["eligibility"]["sex"] = "F"
    terms = base | {
        "premium_per_share": "25.00",
        "max_shares": 5,
        "uniform_shares": False,
        "max_shares_if_not_uniform": 3,
        "renewal_keeps_previous_shares": True,
        "exclusive_group": None,
        "waiting_period": {"days": 120},
        "covered_conditions": copy.deepcopy(FEMALE_CANCERS),
        "benefit_items": [
            {
                "code": "female_cancer",
                "name": "女职工六种特定癌症",
                "events": ["illness"],
                "conditions": [c["code"] for c in FEMALE_CANCERS],
                "formula": "fixed_per_share",
                "params": {"amount": "12000.00"},
                "waiting_applies": True,
            },
        ],
        "consolations": {
            "waiting_period": {"amount": "500.00"},
            "death_other_causes": {"amount": "500.00", "causes": ["illness"]},
        },
        "annual_cap": None,
        "notes": [
            *_GX_COMMON_NOTES,
            "假定: 来源印为“1201*元/份”, 按12000元/份录入。",
            "免责期120天内患保障范围内疾病, 或因其它疾病身故,"
            " 给予500元慰问金(来源: 特殊政策优惠)。",
        ],
    }
    return {
        "key": "gx_female_workers",
        "tenant": "guangxi",
        "owner_level": "office",
        "owner_name": None,
        "name": "广西壮族自治区女职工安康互助保障计划",
        "short_name": "女职工安康",
        "source": "种子文档004",
        "version": {"label": "2019年版", "valid_from": "2019-01-01", "terms": terms},
    }


def _gx_accident() -> dict[str, Any]:
    terms = _gx_base() | {
        "premium_per_share": "20.00",
        "max_shares": 5,
        "uniform_shares": True,  # "单位参保时应统一份数, 每人最多只能参保5份"
        "max_shares_if_not_uniform": None,
        "renewal_keeps_previous_shares": False,
        "exclusive_group": None,
        "waiting_period": {"days": 0},  # "无免责期"
        "covered_conditions": [],
        "benefit_items": [
            *_accident_death_disability("12000.00", "accident_death_disability"),
            {
                "code": "accident_medical",
                "name": "意外伤害医疗",
                "events": ["accident", "hospital_stay"],
                "causes": ["accident"],
                "formula": "ratio_of_amount",
                "params": {"base": "self_paid", "ratio": "1"},
                "waiting_applies": False,
                "annual_cap": {"amount": "12000.00", "per_share": True},
            },
        ],
        "consolations": {},
        "annual_cap": None,
        "notes": [
            *_GX_COMMON_NOTES,
            "假定: 来源印为“1201*元/份”, 按12000元/份录入(身故、伤残、医疗各12000元/份)。",
            "假定: 伤残按伤残等级比例(1级100%至10级10%)×12000元/份;"
            " 身故与伤残互斥, 取较高者并扣除已给付。",
            "假定: 意外伤害医疗按个人自付医疗费用全额给付, 每份每年累计最多12000元。",
        ],
    }
    return {
        "key": "gx_group_accident",
        "tenant": "guangxi",
        "owner_level": "office",
        "owner_name": None,
        "name": "广西壮族自治区职工团体人身意外伤害互助保障计划",
        "short_name": "团体人身意外伤害",
        "source": "种子文档004",
        "version": {
            "label": "2019年版",
            "valid_from": "2019-01-01",
            "terms": terms,
        },
    }


def _shaoxing_cadres() -> dict[str, Any]:
    cadre_causes = ["rights_defence", "work_injury"]
    terms = {
        "term_months": 12,
        "sale_mode": "shares",
        "premium_per_share": "120.00",  # "每人每年120元": one share per person
        "max_shares": 1,
        "uniform_shares": True,
        "max_shares_if_not_uniform": None,
        "renewal_keeps_previous_shares": False,
        "exclusive_group": None,
        "eligibility": {
            "in_service_only": True,
            "sex": None,
            "min_age": None,
            "max_age": None,
            "member_categories": ["union_cadre"],  # 主席、副主席及相关专职工会干部
            "health_declaration": True,  # "参加本计划时身体健康"
        },
        "participation": {"min_ratio": None, "all_below_headcount": None},
        # "首次参加的工会干部重大疾病险实行30天的免责期": only the critical-illness item waits.
        "waiting_period": {"days": 30},
        "report_deadline_days": {"default": 10},  # "10天内通知上一级工会"
        "claim_expiry_months": 12,  # "1年内不行使, 视为自动放弃"
        "payout_limit_working_days": 30,
        "renewal": {"deadline_days_before_end": 20},  # "保障期满前20天按时办理续保手续"
        "mid_term_addition": "full_term",
        "resignation_ends_cover": True,  # 第五条第4款 "被保障人本人提出辞职的"
        "covered_conditions": copy.deepcopy(SHAOXING_CRITICAL_ILLNESSES),
        "exclusions": copy.deepcopy(SX_EXCLUSIONS),
        "benefit_items": [
            {
                "code": "living_subsidy",
                "name": "生活权益保障(生活补助费)",
                "events": ["rights_infringement"],
                "formula": "monthly_allowance",
                "params": {
                    "monthly_amount": "2490.00",
                    "max_months": 3,
                    "monthly_amount_basis": "绍兴市区最低月工资标准(浙江省第一档)",
                },
                "waiting_applies": False,
            },
            {
                "code": "critical_illness",
                "name": "重大疾病保障",
                "events": ["illness"],
                "conditions": [c["code"] for c in SHAOXING_CRITICAL_ILLNESSES],
                "formula": "per_unit_of_amount",
                # 自付1万元以上(含1万) 每满1万补助2000元, 最高3万元.
                "params": {
                    "base": "self_paid",
                    "unit": "10000.00",
                    "per_unit": "2000.00",
                    "min_base": "10000.00",
                    "min_base_inclusive": True,
                    "cap": "30000.00",
                },
                "waiting_applies": True,
            },
            {
                "code": "other_hospital_stay",
                "name": "其它疾病住院慰问金",
                "events": ["hospital_stay"],
                "causes": ["illness"],
                "excluded_conditions": [c["code"] for c in SHAOXING_CRITICAL_ILLNESSES],
                "formula": "band_lump_sum",
                # "个人自付医治费用3000元以上1万元以下的给予2000元慰问金": 3000 ≤ x ≤ 10000.
                "params": {
                    "base": "self_paid",
                    "bands": [
                        {
                            "lower": "3000.00",
                            "lower_inclusive": True,
                            "upper": "10000.00",
                            "upper_inclusive": True,
                            "amount": "2000.00",
                        },
                    ],
                },
                "waiting_applies": False,
            },
            {
                "code": "injury_death",
                "name": "人身伤害身故",
                "events": ["death"],
                "causes": cadre_causes,
                "formula": "fixed",
                "params": {"amount": "20000.00"},
                # "在180日内死亡": 以内 includes day 180.
                "fact_limits": {"died_within_days": {"upper": "180", "upper_inclusive": True}},
                "waiting_applies": False,
                "ends_cover": True,
                "exclusive_group": "injury_death_disability",
            },
            {
                "code": "injury_disability",
                "name": "人身伤害致残",
                "events": ["disability"],
                "causes": cadre_causes,
                "formula": "schedule_percent",
                "params": {
                    "base": "disability_grade",
                    "schedule": dict(DISABILITY_SCHEDULE),
                    "sum": "20000.00",
                    "per_share": False,
                },
                "waiting_applies": False,
                "exclusive_group": "injury_death_disability",
            },
            {
                "code": "disaster_aid",
                "name": "家庭天灾人祸(火灾)补助",
                "events": ["disaster"],
                "formula": "discretionary",
                "params": {},
                "waiting_applies": False,
            },
        ],
        "consolations": {},
        "annual_cap": None,
        "surplus_allocation": [
            {
                "purpose": "health_and_recuperation",
                "label": "组织疗休养和健康检查",
                "share": "0.80",
            },
            {"purpose": "carried_forward", "label": "滚存下一年度使用", "share": "0.20"},
        ],
        "notes": [
            "来源: 《绍兴市工会干部互助保障计划》(2011年,"
            " 绍兴市总工会2011年6月10日)(种子文档002)。",
            "重大疾病: 自付1万元以上10万元以下每满1万元补助2000元;"
            " 超过10万元的, 假定继续按每满1万元2000元计算, "
            "最高补贴3万元。",
            "其它疾病住院: 按原文, 自付3000元以上1万元以下给予2000元;"
            " 超过1万元的原文未规定, 不按本项给付。",
            "假定: 生活补助按本地最低工资标准每月2490元(浙江省第一档),"
            " 最长3个月; 最低工资调整时请发布新版本。",
            "假定: 人身伤害致残参照全总《在职职工意外伤害互助保障计划》26元档, 基准金额按2万元、"
            "伤残等级比例1级100%至10级10%录入,"
            " 请按该计划伤残给付表核对; 身故与致残互斥, 取较高者并扣除已给付。",
            "“以此为直接原因或工伤在180日内死亡”: 180日以内(含第180日)。",
            "火灾等家庭灾害补助由管委会研究决定金额, 须两人审批。",
            "假定: 给付期限30个工作日, 期中增员按全年缴费, 原文未载明。",
        ],
    }
    return {
        "key": "sx_union_cadres",
        "tenant": "shaoxing",
        "owner_level": "city",
        "owner_name": "绍兴市总工会",
        "name": "绍兴市工会干部互助保障计划",
        "short_name": "工会干部",
        "source": "种子文档002",
        "version": {"label": "2011年版", "valid_from": "2011-06-10", "terms": terms},
    }


def _gx_tiered_accident() -> dict[str, Any]:
    """A plan sold in tiers (档, SPEC §3: "the accident plan's ¥26 / ¥50 / ¥74 / ¥100 tiers —
    not multiples of each other"), so the demo shows one. Not a seed document's plan: the
    sums are assumed, and the notes say so."""
    sums = {"t26": "20000.00", "t50": "40000.00", "t74": "60000.00", "t100": "80000.00"}
    terms = _gx_base() | {
        "sale_mode": "tiers",
        "tiers": [
            {
                "code": code,
                "name": f"{code[1:]}元档",
                "premium": f"{code[1:]}.00",
                "item_params": {
                    "accident_death": {"amount": amount},
                    "accident_disability": {"sum": amount},
                },
            }
            for code, amount in sums.items()
        ],
        "exclusive_group": None,
        "waiting_period": {"days": 0},
        "covered_conditions": [],
        "benefit_items": [
            {
                "code": "accident_death",
                "name": "意外伤害身故",
                "events": ["death"],
                "causes": ["accident"],
                "formula": "fixed",
                "params": {"amount": sums["t26"]},
                "waiting_applies": False,
                "ends_cover": True,
                "exclusive_group": "accident_death_disability",
            },
            {
                "code": "accident_disability",
                "name": "意外伤害致残",
                "events": ["disability"],
                "causes": ["accident"],
                "formula": "schedule_percent",
                "params": {
                    "base": "disability_grade",
                    "schedule": dict(DISABILITY_SCHEDULE),
                    "sum": sums["t26"],
                    "per_share": False,
                },
                "waiting_applies": False,
                "exclusive_group": "accident_death_disability",
            },
        ],
        "consolations": {},
        "annual_cap": None,
        "notes": [
            "演示计划: 按档销售(26/50/74/100元档), 非种子文档所载计划。",
            "假定: 各档意外身故与伤残基准金额分别为2万、4万、6万、8万元; 身故与伤残互斥。",
        ],
    }
    return {
        "key": "gx_tiered_accident",
        "tenant": "guangxi",
        "owner_level": "office",
        "owner_name": None,
        "name": "职工意外伤害互助保障计划(按档, 演示)",
        "short_name": "意外伤害(按档)",
        "source": "演示数据（按档计划）",
        "version": {"label": "按档演示版", "valid_from": "2019-01-01", "terms": terms},
    }


def _build() -> list[dict[str, Any]]:
    return [
        _gx_comprehensive(),
        _gx_designated(
            "gx_designated_disease",
            "广西壮族自治区职工指定疾病(手术)互助保障计划",
            "职工指定疾病(手术)",
            "40.00",
            "15000.00",
            "3000.00",
            "500.00",
            [],
        ),
        _gx_designated(
            "gx_migrant_workers",
            "广西壮族自治区农民工互助保障计划",
            "农民工",
            "20.00",
            "7500.00",
            "1500.00",
            "260.00",
            ["migrant_worker"],
        ),
        _gx_female(),
        _gx_accident(),
        _shaoxing_cadres(),
    ]


#: The six demo plans, in catalogue order. Treat as read-only; use plan_by_key for a copy.
PLANS: list[dict[str, Any]] = _build()

#: Plans the demo adds to the seeds' six (not in ``PLANS``): one sold in tiers.
DEMO_EXTRA_PLANS: list[dict[str, Any]] = [_gx_tiered_accident()]

#: Demo tenants the plans belong to (SPEC §13).
TENANTS: dict[str, str] = {
    "guangxi": "广西职工保障互助协会(中国职工保险互助会广西办事处)",
    "shaoxing": "中国职工保险互助会浙江省办事处(绍兴)",
}


def plan_by_key(key: str) -> dict[str, Any]:
    """A deep copy of one demo plan, safe to modify."""
    for plan in (*PLANS, *DEMO_EXTRA_PLANS):
        if plan["key"] == key:
            return copy.deepcopy(plan)
    raise KeyError(key)
