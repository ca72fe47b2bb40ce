"""The one parser of a plan version's terms into the engine's ``PlanTerms``.

Published versions never change (``plans.services`` refuses edits), so their parsed terms
are kept in a small per-process cache keyed by version id; drafts are parsed every time.
Terms that do not parse (an unfinished draft) are a ``DomainError`` the user can act on.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from mutualaid.core.errors import DomainError
from plans.models import PlanVersion
from plans.rules import InvalidTerms, PlanTerms

_CACHE_LIMIT = 256
_TERMS_CACHE: dict[Any, PlanTerms] = {}


def terms_of(version: PlanVersion) -> PlanTerms:
    """The version's terms as the engine reads them."""
    terms = _TERMS_CACHE.get(version.pk)
    if terms is None:
        try:
            terms = PlanTerms.from_dict(version.engine_terms())
        except InvalidTerms:
            raise DomainError(_("The plan's terms are not complete: ask the office.")) from None
        if version.is_published:
            if len(_TERMS_CACHE) > _CACHE_LIMIT:
                _TERMS_CACHE.clear()
            _TERMS_CACHE[version.pk] = terms
    return terms
