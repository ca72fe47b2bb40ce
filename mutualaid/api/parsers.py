"""The API's JSON parser: a body is a JSON object of storable text, or a 400.

Every write endpoint reads its body as an object (``Serializer(data=request.data)``,
``{**current, **request.data}``); a list, a string or ``null`` used to reach that code
and fail there with a 500, and a NUL or a lone surrogate failed on the way to the
database or back out in the error message. Refusing them in the parser answers every
endpoint the same way, before any view runs.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from mutualaid.core.cleaning import is_storable_data
from mutualaid.core.middleware import unstorable_message


class ObjectJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # nested deeper than the interpreter's stack: not JSON of ours
            raise ParseError(_("The request body is nested too deeply.")) from None
        if not isinstance(data, dict):
            raise ParseError(_("The request body must be a JSON object ({…})."))
        if not is_storable_data(data):
            raise ParseError(unstorable_message())
        return data
