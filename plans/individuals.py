"""Which plan versions take individual applications (个人参保, issue 17.4), and from whom.

A version's ``individual_offer`` is one small JSON document, validated here (forms, the
seed and the services alike)::

    {"open": true,
     "occupations": ["快递员", "外卖配送员", "网约车司机", "货车司机"],
     "platforms": ["美团", "饿了么", "滴滴", "顺丰"],
     "funding": "federation_gift",          # or "member" (the applicant pays an invoice)
     "shares": 1}

``{}`` (the default) means closed. Occupations and platforms are the words a worker
recognises, in the order the form offers them; an application must name one of each
(a platform list left empty takes any platform, "其他" included).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from mutualaid.core.errors import DomainError

#: The default lists of new-form workers (新就业形态劳动者) and their platforms.
DEFAULT_OCCUPATIONS = ("快递员", "外卖配送员", "网约车司机", "货车司机", "网约配送员", "代驾司机")
DEFAULT_PLATFORMS = ("美团", "饿了么", "滴滴", "顺丰", "京东", "货拉拉", "满帮")
FUNDING_CHOICES = ("federation_gift", "member")
MAX_ENTRIES = 40
MAX_WORD = 30


def _words(raw: Any, field: str) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = raw.replace("，", "\n").replace(",", "\n").replace("、", "\n").splitlines()
    if not isinstance(raw, list | tuple):
        raise DomainError(_("Enter one name per line."), field=field, code="offer_words")
    out: list[str] = []
    for item in raw:
        word = " ".join(str(item or "").split())
        if not word:
            continue
        if len(word) > MAX_WORD:
            raise DomainError(
                _("“%(word)s” is too long: at most %(n)d characters.")
                % {"word": word[:MAX_WORD], "n": MAX_WORD},
                field=field,
                code="offer_word_length",
            )
        if word not in out:
            out.append(word)
    if len(out) > MAX_ENTRIES:
        raise DomainError(
            _("At most %(n)d entries.") % {"n": MAX_ENTRIES}, field=field, code="offer_too_many"
        )
    return out


def clean_offer(raw: Any) -> dict[str, Any]:
    """The stored document for what a form or the seed gives; ``{}`` when closed."""
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise DomainError(_("Invalid individual enrolment settings."), code="offer_invalid")
    if not raw.get("open"):
        return {}
    occupations = _words(raw.get("occupations"), "individual_occupations")
    if not occupations:
        raise DomainError(
            _("Name at least one occupation that may apply."),
            field="individual_occupations",
            code="offer_no_occupation",
        )
    platforms = _words(raw.get("platforms"), "individual_platforms")
    funding = raw.get("funding") or "federation_gift"
    if funding not in FUNDING_CHOICES:
        raise DomainError(
            _("Choose who pays for individual cover."),
            field="individual_funding",
            code="offer_funding",
        )
    try:
        shares = int(raw.get("shares") or 1)
    except (TypeError, ValueError):
        shares = 0
    if shares < 1:
        raise DomainError(
            _("The number of shares must be a whole number."),
            field="individual_shares",
            code="offer_shares",
        )
    return {
        "open": True,
        "occupations": occupations,
        "platforms": platforms,
        "funding": funding,
        "shares": shares,
    }


def is_open(offer: dict[str, Any] | None) -> bool:
    return bool(offer and offer.get("open"))
