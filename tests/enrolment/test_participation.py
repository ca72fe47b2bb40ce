"""The participation rule counts against the unit's declared union membership when it is
recorded, else its registered members, and says which (issue 16 item 4; SPEC §3).

Boundaries: "units under 30 must enrol everyone" — 不满 30: 29 is under, 30 is not;
"at least 80%" — 以上 includes it: 24 of 30 pass, 23 do not.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from enrolment.rules import DECLARED, REGISTERED, participation_base, participation_problems
from enrolment.services import lines, workflow
from enrolment.services.common import StepRefused
from tests import factories
from tests.enrolment.support import codes, new_enrolment
from tests.enrolment.test_rules import rules

RULE = {"min_ratio": "0.8", "all_below_headcount": 30}


@pytest.mark.parametrize(
    ("declared", "registered_eligible", "registered_ineligible", "base"),
    [
        (0, 15, 0, (15, REGISTERED)),  # nothing recorded: the registered members
        (None, 15, 3, (15, REGISTERED)),
        (20, 15, 0, (20, DECLARED)),  # the unit: 20 declared, 15 registered
        (20, 15, 5, (15, DECLARED)),  # a women's plan: the 5 registered men do not count
        (20, 18, 5, (18, DECLARED)),  # never fewer than the registered eligible members
        (10, 15, 0, (15, DECLARED)),  # more registered than declared (non-union members)
    ],
)
def test_the_base_of_the_rule(declared, registered_eligible, registered_ineligible, base):
    assert (
        participation_base(
            declared=declared,
            registered_eligible=registered_eligible,
            registered_ineligible=registered_ineligible,
        )
        == base
    )


@pytest.mark.parametrize(
    ("eligible", "enrolled", "refused"),
    [
        (29, 28, "participation_all"),  # under 30: everyone
        (29, 29, None),
        (30, 24, None),  # 30 is not under 30; 24 of 30 is 80%: passes
        (30, 23, "participation_ratio"),
        (20, 15, "participation_all"),
    ],
)
@pytest.mark.parametrize("source", [DECLARED, REGISTERED])
def test_the_rule_at_its_boundaries_and_its_message(eligible, enrolled, refused, source):
    with translation.override("en"):
        problems = participation_problems(
            rules(participation=RULE),
            eligible=eligible,
            enrolled=enrolled,
            source=source,
            declared=20,
        )
    assert [p.code for p in problems] == ([refused] if refused else [])
    if refused:
        said = problems[0].message
        assert ("declared" in said) is (source == DECLARED)
        assert ("registered in the portal" in said) is (source == REGISTERED)


def test_a_unit_declaring_20_cannot_pass_with_the_15_it_registered(world, actors, units):
    plan = factories.make_plan(
        world.office, terms=factories.plan_terms(participation=RULE, eligibility={})
    )
    factories.make_unit(world.unit, union_member_count=20)
    members = [factories.make_member(units.a1) for _ in range(15)]
    enrolment = new_enrolment(actors.agent, factories.make_unit(world.unit), plan)
    for member in members:
        lines.line_add(actor=actors.agent, enrolment=enrolment, member=member, shares=1)
    with translation.override("zh-hans"), pytest.raises(StepRefused) as refused:
        workflow.enrolment_submit(actor=actors.agent, enrolment=enrolment)
    assert codes(refused.value.errors) == {"participation_all"}
    assert "申报" in refused.value.errors[0].message and "20" in refused.value.errors[0].message

    # Without a declared number, the 15 registered members are the base, and all joined.
    factories.make_unit(world.unit, union_member_count=0)
    workflow.enrolment_submit(actor=actors.agent, enrolment=enrolment)


def test_a_womens_plan_leaves_the_registered_men_out_of_the_declared_count(world, actors, units):
    plan = factories.make_plan(
        world.office,
        terms=factories.plan_terms(participation=RULE, eligibility={"sex": "F"}),
    )
    factories.make_unit(world.unit, union_member_count=6)
    women = [
        factories.make_member(units.a1, id_number=factories.make_id_number(male=False))
        for _ in range(4)
    ]
    for _ in range(2):
        factories.make_member(units.a1, id_number=factories.make_id_number(male=True))
    enrolment = new_enrolment(actors.agent, factories.make_unit(world.unit), plan)
    for member in women:
        lines.line_add(actor=actors.agent, enrolment=enrolment, member=member, shares=1)
    # 6 declared − 2 registered men = 4 eligible, all 4 on the roster.
    workflow.enrolment_submit(actor=actors.agent, enrolment=enrolment)
