"""``manage.py catalogue``: the state of the Chinese catalogue for a reviewer.

Lists the strings of the code that have no translation (or a fuzzy one), and the msgids
used in more than one file without a context: each is a word to read once against all its
places (does "members" mean 人 on a receipt and 个人 in a funding line? then each place gets
a context, ``pgettext``/``{% translate … context … %}``). Exits non-zero when something is
untranslated or fuzzy; the reused words are for reading, not a failure.
"""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.catalogue import fresh_catalogue, fuzzy, reused, untranslated


class Command(BaseCommand):
    help = "Untranslated, fuzzy and reused msgids of the zh_Hans catalogue (read from the code)."

    def add_arguments(self, parser):
        parser.add_argument("--reused", action="store_true", help="List the reused msgids too.")

    def handle(self, *args, **options):
        with tempfile.TemporaryDirectory() as workdir:
            entries = fresh_catalogue(Path(workdir))
        missing = untranslated(entries) + fuzzy(entries)
        if options.get("reused"):
            shared = reused(entries)
            self.stdout.write(f"{len(shared)} msgids used in more than one file, no context:")
            for entry in shared:
                msgstr = entry.msgstr[0] if entry.msgstr else ""
                self.stdout.write(f"  {entry.msgid!r} → {msgstr!r}: {', '.join(entry.files)}")
        for entry in missing:
            where = ", ".join(entry.references[:3])
            flag = "fuzzy" if "fuzzy" in entry.flags else "untranslated"
            self.stdout.write(f"{flag}: {entry.msgctxt or ''} {entry.msgid!r} ({where})")
        if missing:
            raise CommandError(f"{len(missing)} catalogue entries need a translation.")
        self.stdout.write(self.style.SUCCESS(f"{len(entries)} entries, all translated."))
