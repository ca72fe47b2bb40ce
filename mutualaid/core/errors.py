"""Domain errors: one exception for every broken rule, one way to show it on a form, one way
to answer it from the API. And ``BadInput``: a request the portal cannot even read (a forged
page cursor, a NUL byte), answered 400 the same way on pages and API.

A ``DomainError`` always carries its messages keyed by field (``NON_FIELD`` for the whole
input), each with a code, so forms, the roster upload and the API read the same thing and
nothing has to guess whether a code was meant as a field name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, BadRequest, ValidationError

#: The key of messages about the whole input (Django's and DRF's name for it).
NON_FIELD = "non_field_errors"


class DomainError(ValidationError):
    """A rule of the domain was broken; forms show it on the field it names, the API
    answers 400 with the same messages keyed the same way.

    ``DomainError(message, field="shares", code="too_many")`` for one message, or
    ``DomainError({"shares": [ValidationError(...)], NON_FIELD: [...]})`` for several.
    """

    def __init__(
        self,
        message,
        *,
        field: str | None = None,
        code: str = "invalid",
        params: dict | None = None,
    ):
        if isinstance(message, Mapping):
            errors = {
                _key(name): [_as_error(item, code) for item in _listed(items)]
                for name, items in message.items()
            }
        else:
            errors = {_key(field): [ValidationError(message, code=code, params=params)]}
        super().__init__(errors)
        self.field = field or NON_FIELD
        self.code = code

    @property
    def text(self) -> str:
        """The first message, for callers that show one line."""
        return self.messages[0]


class BadInput(BadRequest):
    """The request itself is unreadable (not a rule of the domain): a forged or damaged page
    cursor, a NUL byte or a lone surrogate in a parameter.

    Raised anywhere below a view; ``mutualaid.core.middleware.InputGuardMiddleware`` answers
    it with a 400 page (or JSON under /api/) showing ``message``, and the API's base view
    with a DRF 400. A ``BadRequest``, so Django answers 400 even without them.
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _key(field: str | None) -> str:
    return NON_FIELD if field in (None, "", NON_FIELD_ERRORS) else field


def _listed(items):
    return items if isinstance(items, list | tuple) else [items]


def _as_error(item, code: str) -> ValidationError:
    return item if isinstance(item, ValidationError) else ValidationError(item, code=code)


def error_messages(error: ValidationError) -> dict[str, list[str]]:
    """Messages keyed by field (``NON_FIELD`` for the whole input) of any validation error."""
    if hasattr(error, "error_dict"):
        return {_key(name): messages for name, messages in error.message_dict.items()}
    return {NON_FIELD: list(error.messages)}


def bind_errors(
    form: forms.Form,
    errors: Mapping[str, list[str]],
    field_for: Callable[[str], str | None] | None = None,
) -> None:
    """Put messages on the fields their keys (or paths, through ``field_for``) name; on the
    form when it has no such visible field."""
    for path, messages in errors.items():
        name = field_for(path) if field_for and path != NON_FIELD else path
        field = form.fields.get(name) if name else None
        if field is None or field.widget.is_hidden:
            name = None
        for message in messages:
            form.add_error(name, message)


def bind_to_form(
    form: forms.Form,
    error: ValidationError,
    field_for: Callable[[str], str | None] | None = None,
) -> None:
    """Show a service's error on the form that sent the input."""
    bind_errors(form, error_messages(error), field_for)


def as_api_error(error: ValidationError):
    """The DRF 400 of a service's error: the same messages keyed the same way."""
    from rest_framework.exceptions import ValidationError as APIValidationError

    return APIValidationError(error_messages(error))
