"""Test settings for the benefit engine: pure Python, reproducible, nothing written to the repo."""

from hypothesis import HealthCheck, settings

# No example database (it would write .hypothesis/ into the repository) and a fixed
# derandomised run, so a red build is reproducible on any machine.
settings.register_profile(
    "plans",
    database=None,
    derandomize=True,
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("plans")
