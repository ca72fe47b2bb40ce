"""Reading our PDFs back: text (pypdf), embedded fonts, glyphs used, and page images."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ContentStream

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def fonts_of(data: bytes) -> set[str]:
    """BaseFont names of every font the pages use (subset tags like ABCDEF+ stripped)."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for ref in (fonts or {}).values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]).lstrip("/").split("+")[-1])
            for descendant in font.get("/DescendantFonts", []):
                names.add(str(descendant.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def font_files_embedded(data: bytes) -> bool:
    """Every descendant font carries its own font file (nothing left to the reader's system)."""
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in (page["/Resources"].get_object().get("/Font") or {}).values():
            for descendant in ref.get_object().get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    return False
    return True


def font_programs(data: bytes) -> list[bytes]:
    """The embedded font files (decoded streams) of every descendant font."""
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in (page["/Resources"].get_object().get("/Font") or {}).values():
            for descendant in ref.get_object().get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        out.append(descriptor[key].get_object().get_data())
    return out


def glyph_ids(data: bytes) -> set[int]:
    """Glyph ids shown by the text operators (WeasyPrint writes Identity-H: 2 bytes a glyph).
    Glyph 0 is .notdef: a character the font lacks, printed as an empty box."""
    reader = PdfReader(io.BytesIO(data))
    used: set[int] = set()
    for page in reader.pages:
        content = ContentStream(page.get_contents(), reader)
        for operands, operator in content.operations:
            if operator == b"Tj":
                strings = [operands[0]]
            elif operator == b"TJ":
                strings = [item for item in operands[0] if not isinstance(item, (int, float))]
                strings = [
                    s
                    for s in strings
                    if hasattr(s, "original_bytes") or isinstance(s, (bytes, str))
                ]
            else:
                continue
            for item in strings:
                raw = (
                    item.original_bytes
                    if hasattr(item, "original_bytes")
                    else bytes(item, "latin-1")
                    if isinstance(item, str)
                    else item
                )
                used.update(
                    int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)
                )
    return used


def render_pages(
    data: bytes, name: str, *, dpi: int = 80, first: int = 1, last: int = 1
) -> list[Path]:
    """PNG images of pages (pdftoppm, from Debian's poppler-utils), kept as test artifacts."""
    if shutil.which("pdftoppm") is None:
        raise RuntimeError(
            "pdftoppm is missing: apt-get install -y poppler-utils (make sysdeps-test)"
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / f"{name}.pdf"
    pdf_path.write_bytes(data)
    prefix = ARTIFACTS / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(first),
            "-l",
            str(last),
            str(pdf_path),
            str(prefix),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))
