"""Nothing a signed-in user receives is cached: every response to them, pages, API answers
(session or token) and error pages alike, says ``Cache-Control: no-store`` (issue 12,
item 8)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.cache import get_max_age

from tests import factories


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/members/?q=王",
        "/units/{unit}/",
        "/claims/",
        "/api/v1/units/",
        "/api/v1/members/?q=王",
        "/units/00000000-0000-0000-0000-000000000000/",  # a 404 for a signed-in user too
    ],
)
def test_every_response_to_a_signed_in_user_says_no_store(world, login, url):
    unit = factories.make_unit(world.unit)
    factories.make_member(unit, name="王建国")
    response = login(world.office_admin).get(url.format(unit=unit.pk))
    assert response.status_code in (200, 404)
    assert _no_store(response), response.get("Cache-Control")


def test_api_calls_with_a_token_say_no_store(world):
    token = factories.make_token(world.agent)
    response = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/units/")
    assert response.status_code == 200 and _no_store(response)


def test_a_view_that_set_its_own_cache_header_keeps_it_and_gains_no_store(world, login):
    response = login(world.office_admin).get("/healthz")
    assert _no_store(response) and get_max_age(response) == 0  # never_cache's max-age stays
