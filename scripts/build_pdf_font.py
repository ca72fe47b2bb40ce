"""Build the PDF font bundled in static/fonts/ from Debian's fonts-noto-cjk (OFL-1.1).

    python scripts/build_pdf_font.py [/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

Takes the Simplified-Chinese face (Noto Sans CJK SC Regular) out of the collection and
keeps what our documents can print: Latin and Latin-1, general punctuation, currency,
arrows, circled numbers, box drawing and shapes, CJK symbols and punctuation, every
ideograph of the Unified (U+4E00–9FFF) and Extension A (U+3400–4DBF) blocks — rare
characters in people's names are often in Extension A — the compatibility ideographs,
and the full-width forms. OpenType layout features are kept (vertical forms, proportional
punctuation). The result is about 11 MB instead of 16 MB and does not change between
runs of the same input. Takes a couple of minutes: it runs once, when the font is updated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = Path(__file__).resolve().parents[1] / "static" / "fonts" / "NotoSansCJKsc-Regular.otf"
FACE = "Noto Sans CJK SC"
RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x017F),
    (0x02C6, 0x02DD),
    (0x0391, 0x03C9),
    (0x0401, 0x0451),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x218F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x2460, 0x24FF),
    (0x2500, 0x257F),
    (0x25A0, 0x25FF),
    (0x2600, 0x27BF),
    (0x3000, 0x303F),
    (0x3200, 0x32FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
]


def main(source: Path = SOURCE, target: Path = TARGET) -> None:
    collection = TTCollection(str(source))
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == FACE)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={c for low, high in RANGES for c in range(low, high + 1)})
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    print(f"{target}: {target.stat().st_size:,} bytes, {font['maxp'].numGlyphs:,} glyphs")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
