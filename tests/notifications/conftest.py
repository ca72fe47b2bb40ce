"""The enrolment, premiums and claims fixtures, shared (the walks go through all three)."""

from tests.claims.conftest import covered, seed_plans  # noqa: F401
from tests.enrolment.conftest import as_user, plans, units  # noqa: F401
