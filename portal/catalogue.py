"""Reading the translation catalogue (locale/<lang>/LC_MESSAGES/django.po) for the checks a
reviewer needs: entries left untranslated or fuzzy, and msgids used in more than one place
(a word reused for two meanings reads wrongly in one of them: "members" as 人数 on a
receipt; such a msgid gets a context, ``pgettext``/``{% translate … context … %}``).

A deliberately small reader of the PO format as ``makemessages`` writes it (no third-party
package): comments, msgctxt, msgid, msgid_plural, msgstr[n], continued string lines.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def files(self) -> list[str]:
        return sorted({ref.rsplit(":", 1)[0] for ref in self.references})

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr)


def catalogue_path(language: str = "zh_Hans") -> Path:
    return Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None  # which string a continued line belongs to
    started = False

    def finish():
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#") and target is not None and target[0] == "msgstr":
            finish()  # a comment after a msgstr starts the next entry (no blank line)
        if line.startswith("#~"):
            current.obsolete = True
            started = True
            continue
        if line.startswith("#:"):
            current.references.extend(line[2:].split())
            continue
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            name, index = target or ("msgid", 0)
        else:
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                name, index = "msgstr", int(keyword[7:-1])
            else:
                name, index = keyword, 0
            if name in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
            started = True
        target = (name, index)
        if name == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif name == "msgid":
            current.msgid += value
        elif name == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
        elif name == "msgstr":
            while len(current.msgstr) <= index:
                current.msgstr.append("")
            current.msgstr[index] += value
    finish()
    return entries


def catalogue(language: str = "zh_Hans") -> list[Entry]:
    """The live entries (not the header, not obsolete ones)."""
    return [e for e in read_po(catalogue_path(language)) if e.msgid and not e.obsolete]


def untranslated(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.translated]


def fuzzy(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if "fuzzy" in e.flags]


def reused(entries: list[Entry]) -> list[Entry]:
    """Entries without a context whose msgid is used in more than one file: each is a word
    a reviewer should read once against all its places (same meaning everywhere?)."""
    return [e for e in entries if e.msgctxt is None and len(e.files) > 1]


#: The folders whose files carry translatable strings (what ``makemessages`` should read).
SOURCE_FOLDERS = (
    "claims",
    "enrolment",
    "members",
    "mutualaid",
    "plans",
    "portal",
    "premiums",
    "stats",
    "templates",
)


def fresh_catalogue(workdir: Path, language: str = "zh_Hans") -> list[Entry]:
    """The catalogue as ``makemessages`` would make it from the code today, merged with the
    committed translations, without touching the committed file: the source folders are
    linked into ``workdir`` beside a copy of ``locale/``, and makemessages runs there.
    Entries untranslated here are strings of the code the catalogue lacks."""
    import os
    import shutil

    from django.core.management import call_command
    from django.test.utils import override_settings

    base = Path(settings.BASE_DIR)
    for folder in SOURCE_FOLDERS:
        (workdir / folder).symlink_to(base / folder, target_is_directory=True)
    shutil.copytree(base / "locale", workdir / "locale")
    here = os.getcwd()
    os.chdir(workdir)
    try:
        with override_settings(LOCALE_PATHS=[str(workdir / "locale")]):
            call_command(
                "makemessages",
                locale=[language],
                symlinks=True,
                ignore_patterns=["migrations/*", "*/migrations/*", "__pycache__"],
                verbosity=0,
            )
    finally:
        os.chdir(here)
    path = workdir / "locale" / language / "LC_MESSAGES" / "django.po"
    return [e for e in read_po(path) if e.msgid and not e.obsolete]
