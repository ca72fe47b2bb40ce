"""The Chinese catalogue is complete (issue 14): it compiles cleanly, every string of the
code has a translation and none is fuzzy, no translated call hides in an f-string (where
makemessages cannot see it: "roster-20261205.xlsx" shipped that way), and the words that
mean two things carry a context where they are printed. ``manage.py catalogue --reused``
lists every msgid used in more than one file for a reviewer."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from portal.catalogue import (
    SOURCE_FOLDERS,
    catalogue,
    catalogue_path,
    fresh_catalogue,
    fuzzy,
    reused,
    untranslated,
)

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return fresh_catalogue(tmp_path_factory.mktemp("catalogue"))


def describe(entries) -> list[str]:
    return [f"{e.msgctxt or ''}|{e.msgid!r} ({', '.join(e.references[:2])})" for e in entries]


def test_the_catalogue_compiles_cleanly():
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is missing: apt-get install -y gettext (make sysdeps-test)")
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue_path())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "untranslated" not in done.stderr and "fuzzy" not in done.stderr, done.stderr
    call_command("compilemessages", locale=["zh_Hans"], verbosity=0)


def test_the_committed_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = catalogue()
    assert len(entries) > 1000
    assert describe(untranslated(entries) + fuzzy(entries)) == []


def test_every_string_of_the_code_has_a_translation(fresh):
    assert len(fresh) > 1000
    assert describe(untranslated(fresh) + fuzzy(fresh)) == []


GETTEXT_IN_FSTRING = re.compile(r"""\bf(["'])[^"'\n]*\{[^}\n]*\b(_|gettext|pgettext|ngettext)\(""")


def test_no_translated_call_inside_an_f_string():
    found = []
    for folder in SOURCE_FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if GETTEXT_IN_FSTRING.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []


#: Words with two meanings and where each must carry its context (issue 14): a printed
#: count is "6 人，18 份", not the field names 人数/份数; a workflow's history is not the
#: calculator's "计算步骤"; a statement's line is not a plan's "给付项目".
TWO_MEANINGS = {
    "members": "templates/pdf/",
    "shares": "templates/pdf/",
    "Steps": "templates/enrolment/",
    "Item": "stats/",
}


@pytest.mark.parametrize(("msgid", "place"), sorted(TWO_MEANINGS.items()))
def test_two_meanings_have_their_contexts(fresh, msgid, place):
    plain = [e for e in fresh if e.msgid == msgid and e.msgctxt is None]
    files = [f for e in plain for f in e.files]
    assert not [f for f in files if f.startswith(place)], files


def test_the_reviewer_s_list_of_reused_msgids(fresh):
    shared = reused(fresh)
    assert any(e.msgid == "Cover" for e in shared)  # used in several files, one meaning
    assert all(len(e.files) > 1 and e.msgctxt is None for e in shared)
    out = StringIO()
    call_command("catalogue", "--reused", stdout=out)
    assert "msgids used in more than one file" in out.getvalue()
    assert "all translated" in out.getvalue()
