"""The API schema says what the API answers (mutualaid/api/schema.py); the fuzz beside this
file holds every response to it. These pin the parts the fuzz cannot reach or name."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

ERROR_CODES = {"400", "401", "403", "404", "429"}


@pytest.fixture
def openapi(client, world):
    client.force_login(world.agent, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield f"{method.upper()} {path}", operation


def test_every_operation_documents_its_errors_as_json(openapi):
    for label, operation in _operations(openapi):
        responses = operation["responses"]
        assert ERROR_CODES <= set(responses), label
        for code in ERROR_CODES:
            assert list(responses[code]["content"]) == ["application/json"], (label, code)


def test_lists_are_documented_as_rows_or_pages_of_rows(openapi):
    schemas = openapi["components"]["schemas"]
    lists = [(label, op) for label, op in _operations(openapi) if op["operationId"][-5:] == "_list"]
    assert len(lists) >= 20
    for label, operation in lists:
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        body = schemas[body["$ref"].rsplit("/", 1)[-1]] if "$ref" in body else body
        if body["type"] == "object":
            assert body["properties"]["next"]["nullable"] is True, label
            body = body["properties"]["results"]
        assert body["type"] == "array", label


def test_files_are_documented_with_their_media_types(openapi):
    paths = openapi["paths"]

    def media(path):
        return set(paths[path]["get"]["responses"]["200"]["content"])

    batch = "/api/v1/payout-batches/{batch_id}/"
    assert media(batch + "bank-file/xlsx/") == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    }
    assert media(batch + "bank-file/csv/") == {"text/csv"}
    assert media(batch + "notices/") == {"application/pdf"}
    assert media("/api/v1/claims/{claim_id}/notice/") == {"application/pdf"}
    assert media("/api/v1/claims/{claim_id}/documents/{document_id}/file/") == {
        "application/pdf",
        "image/jpeg",
        "image/png",
    }
    for label, operation in _operations(openapi):
        for response in operation["responses"].values():
            assert "application/octet-stream" not in response.get("content", {}), label


def test_read_only_fields_through_a_missing_relation_are_nullable(openapi):
    schemas = openapi["components"]["schemas"]
    assert schemas["Batch"]["properties"]["approved_by_name"]["nullable"] is True
    assert schemas["Batch"]["properties"]["built_by_name"]["nullable"] is True
    assert schemas["Renewal"]["properties"]["renewal_status"]["nullable"] is True
    # A row's own required relation is never null.
    assert "nullable" not in schemas["Unit"]["properties"]["name"]


def test_an_unknown_api_url_is_a_json_404_and_a_page_elsewhere(client, world):
    client.force_login(world.agent, backend="django.contrib.auth.backends.ModelBackend")
    for url in ("/api/v1/claims/not-a-uuid/", "/api/v1/nowhere"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail"}
    response = client.get("/claims/not-a-uuid/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_schema_and_docs_need_a_login_and_the_docs_lead_back_to_the_portal(client, world):
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/accounts/login/?next=/api/docs/")

    token = factories.make_token(world.agent).key
    assert client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200

    client.force_login(world.agent, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get("/api/docs/").content.decode()
    assert 'data-testid="back-to-portal"' in html
    assert 'href="/"' in html and 'href="/account/tokens/"' in html


def test_the_schema_speaks_chinese(openapi):
    assert "认证" in openapi["info"]["description"]
    tags = {tag["name"]: tag["description"] for tag in openapi["tags"]}
    assert "令牌" in tags["tokens"]
    some = next(iter(_operations(openapi)))[1]
    assert "令牌" in some["responses"]["401"]["description"]


def test_every_path_ends_with_a_slash_and_old_paths_redirect_for_one_release(openapi, world):
    assert [path for path in openapi["paths"] if not path.endswith("/")] == []

    from mutualaid.api.moved import MOVED_ROUTES

    assert len(MOVED_ROUTES) == 23
    client = factories_client(world.agent)
    old = client.post(
        "/api/v1/claims/8f0c6a52-1111-4c4c-9b9b-000000000000/submit?x=1",
        {},
        content_type="application/json",
    )
    new = "/api/v1/claims/8f0c6a52-1111-4c4c-9b9b-000000000000/submit/?x=1"
    assert old.status_code == 308 and old["Location"] == new
    assert old["Deprecation"].startswith("@") and "2027" in old["Sunset"]
    assert old["Link"] == f'<{new}>; rel="successor-version"'
    assert "已弃用" in old.json()["detail"]
    # Followed, the POST stays a POST and reaches the new path (here: no such claim).
    assert client.post(old["Location"], {}, content_type="application/json").status_code == 404
    bank = client.get("/api/v1/payout-batches/8f0c6a52-1111-4c4c-9b9b-000000000000/bank-file.csv")
    assert bank["Location"].endswith("/bank-file/csv/")


def factories_client(user):
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Token {factories.make_token(user).key}")


def test_every_operation_has_a_chinese_summary(openapi):
    import re

    missing = [
        label
        for label, operation in _operations(openapi)
        if not re.search(r"[\u4e00-\u9fff]", operation.get("summary", ""))
    ]
    assert missing == []
