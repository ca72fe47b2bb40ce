"""The API schema (``/api/schema/``): drf-spectacular's inference plus what every operation
may answer besides success.

Invariant: every status code the API can send is in the schema with the body it has, so a
client generated from it (and the fuzz in ``tests/api/test_fuzz.py``) meets no surprise.
Errors are DRF's: ``{"detail": "..."}`` for 401/403/404/429 (an unknown ``/api/`` URL too,
``not_found`` below), and ``{field: [messages]}`` — or ``{"detail": ...}`` for a body that
does not parse — for 400. Each view documents its own success answers.

Output fields are read from the models as DRF reads them: a field whose source walks a
relation that may be missing (``approved_by.display_name``) answers null, and a read-only
choice of a ``blank=True`` column answers "" — DRF drops both facts from read-only fields,
so the schema takes them from the model.
"""

from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers

API_PREFIX = "/api/"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


#: 400: field name (or ``non_field_errors`` / ``detail``) → messages, as the pages show them.
VALIDATION_ERROR = {
    "type": "object",
    "description": "字段名（或 `non_field_errors`、`detail`）→ 消息列表，与页面上显示的相同。",
    "additionalProperties": {},
}

ERROR_RESPONSES = {
    "400": OpenApiResponse(VALIDATION_ERROR, description="请求或其中的值不被接受。"),
    "401": OpenApiResponse(
        ErrorSerializer, description="没有令牌或会话，或令牌无效、已撤销、已过期。"
    ),
    "403": OpenApiResponse(ErrorSerializer, description="调用者的角色不允许此操作。"),
    "404": OpenApiResponse(ErrorSerializer, description="调用者范围内没有此对象，或没有此地址。"),
    "429": OpenApiResponse(
        ErrorSerializer, description="请求太频繁：按 `Retry-After` 头（秒）等待后重试。"
    ),
}


def _source_fields(field) -> list:
    """The model fields a ModelSerializer field's source walks, as far as they are model
    fields (``organisation.name`` → [Unit.organisation, Organisation.name]); [] otherwise."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None) or []
    walked = []
    for attr in attrs:
        if model is None:
            break
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            break  # a property or method: the model says nothing about it
        walked.append(model_field)
        model = model_field.related_model
    return walked


class PortalAutoSchema(AutoSchema):
    """Adds the error answers (``ERROR_RESPONSES``) to every operation that does not
    document that code itself, and the nulls and blanks of read-only fields."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in ERROR_RESPONSES.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if field.read_only and isinstance(field, serializers.ChoiceField) and not field.allow_blank:
            walked = _source_fields(field)
            if (
                len(walked) == len(field.source_attrs)
                and isinstance(walked[-1], models.CharField)
                and walked[-1].blank
            ):
                field = copy.copy(field)
                field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # DRF answers null as soon as a step of a dotted source is None: a nullable column or
        # foreign key, a missing reverse one-to-one (``ForeignObjectRel.null`` is True). A
        # reverse many-relation is a manager, never None.
        if field.read_only and not field.allow_null:
            if any(
                model_field.null and not (model_field.one_to_many or model_field.many_to_many)
                for model_field in _source_fields(field)
            ):
                meta["nullable"] = True
        return meta


def not_found(request, exception):
    """The project's 404 handler: JSON like every other API error under ``/api/`` (a URL
    that matches no route, e.g. a malformed id), the HTML page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <secret>`` (mutualaid/api/authentication.py)."""

    target_class = "mutualaid.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "接口令牌：`Authorization: Token mah_…`（在门户“接口令牌”页面创建）。",
        }
