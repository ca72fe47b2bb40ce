"""A long certificate is rendered in parts on the cores and joined (mutualaid.pdf): the
joined file prints the same words and figures as one rendering, every page carries
"第 x 页 / 共 y 页" counted through the whole file, and each part's font subset has its
own name."""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from django.utils import translation
from pypdf import PdfReader

from mutualaid import pdf
from premiums import documents
from tests.premiums.pdfcheck import render_pages, text_of
from tests.premiums.test_pdfs import assert_our_font_only

NAMES = ["王伟", "欧阳娜娜", "阿卜杜热合曼·买买提艾力·克依木托合提", "张㛃", "李喆"]


def context(members: int, *, long_names: bool = False) -> dict:
    """``long_names``: some names wrap onto a second line, so pages hold fewer rows than
    the cut assumes."""
    names = NAMES if long_names else NAMES[:2]
    rows = [
        {
            "n": i + 1,
            "name": names[i % len(names)] + f"{i}",
            "id_number": f"4504**********{i:04d}",
            "shares": "3",
            "waiting": "2份: 无; 1份: 2026-07-14" if i % 7 == 0 else "2026-07-14",
        }
        for i in range(members)
    ]
    return {
        "enrolment": SimpleNamespace(
            coverage_start=dt.date(2026, 3, 16),
            coverage_end=dt.date(2027, 3, 15),
            payment_date=dt.date(2026, 3, 15),
        ),
        "issuer": "中国职工保险互助会广西办事处",
        "unit_name": "苍梧县人民医院工会",
        "plan_name": "广西壮族自治区职工指定疾病(手术)互助保障计划",
        "version_label": "2019年版",
        "rows": rows,
        "member_count": members,
        "share_total": members * 3,
        "premium": "¥12,000.00",
        "premium_capitals": "人民币壹万贰仟元整",
        "invoice": SimpleNamespace(number="JF2026000123"),
        "certificate_number": "PZ20260316-ABCDEF12",
        "printed_on": dt.date(2026, 3, 31),
    }


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def words(text: str) -> list[str]:
    """The printed words apart from page furniture (page numbers, repeated header rows)."""
    text = re.sub(r"第 \d+ 页 / 共 \d+ 页", "", text)
    furniture = {"序号", "姓名", "身份证号码", "份数", "观察期届满", "PZ20260316-ABCDEF12"}
    return [w for w in text.split() if w not in furniture]


@pytest.fixture
def zh():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(("parts", "long_names"), [(2, False), (3, False), (2, True)])
def test_parts_print_what_one_rendering_prints_with_pages_numbered_through(zh, parts, long_names):
    ctx = context(120, long_names=long_names)
    whole = documents.certificate_bytes(ctx, parts=1)
    joined = documents.certificate_bytes(ctx, parts=parts)
    assert len(documents.certificate_htmls(ctx, parts=parts)) == parts
    assert words(text_of(joined)) == words(text_of(whole))
    pages = page_texts(joined)
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text, (number, text[-80:])
        assert text.count("页 / 共") == 1  # the number is printed once, not once per part
        assert "PZ20260316-ABCDEF12" in text  # the footer's certificate number
    # Cut where pages end: no page left half empty, so no more pages than one rendering;
    # with wrapped names a part's last page may be part-filled (one page more at most).
    assert 0 <= len(pages) - len(page_texts(whole)) <= (parts - 1 if long_names else 0)
    assert_our_font_only(joined)
    render_pages(
        joined, f"certificate-{parts}-parts-{long_names}", dpi=80, first=1, last=len(pages)
    )


def test_each_part_has_its_own_subset_name(zh):
    joined = documents.certificate_bytes(context(120), parts=2)
    reader = PdfReader(io.BytesIO(joined))
    by_name: dict[str, set[int]] = {}
    for page in reader.pages:
        for ref in page["/Resources"].get_object()["/Font"].values():
            by_name.setdefault(str(ref.get_object()["/BaseFont"]), set()).add(ref.idnum)
    # Two parts and the page numbers: three subsets, three names.
    assert len(by_name) == 3, by_name
    assert all(len(ids) == 1 for ids in by_name.values()), by_name


@pytest.mark.parametrize(
    ("rows", "workers", "expected"),
    [(0, 2, 1), (299, 2, 1), (300, 1, 1), (600, 2, 2), (1000, 2, 2), (1000, 4, 3), (5000, 8, 8)],
)
def test_how_many_parts(rows, workers, expected):
    assert pdf.part_count(rows, workers=workers) == expected


@pytest.mark.parametrize(
    ("rows", "parts", "first_page", "per_page", "lengths"),
    [
        (1000, 2, 23, 35, [513, 487]),
        (1000, 1, 23, 35, [1000]),
        (20, 2, 23, 35, [20]),  # fits on the first page: one part
        (60, 3, 23, 35, [23, 37]),  # only one page boundary inside: two parts
        (100, 2, 23, 35, [58, 42]),
    ],
)
def test_runs_end_where_pages_end(rows, parts, first_page, per_page, lengths):
    runs = pdf.split_rows(list(range(rows)), parts, first_page=first_page, per_page=per_page)
    assert [len(run) for run in runs] == lengths
    assert [x for run in runs for x in run] == list(range(rows))


def test_a_failing_part_is_an_error_not_a_short_file(zh):
    with pytest.raises(pdf.PdfError):
        pdf.html_parts_to_pdf(['<img src="http://example.com/x.png">', "<p>ok</p>"])


def test_a_part_whose_child_hangs_is_rendered_here(zh, monkeypatch):
    monkeypatch.setattr(pdf, "PART_TIMEOUT_SECONDS", 0)
    ctx = context(80)
    joined = documents.certificate_bytes(ctx, parts=2)
    assert words(text_of(joined)) == words(text_of(documents.certificate_bytes(ctx, parts=1)))


@pytest.mark.parametrize(
    ("cores", "loadavg", "free"),
    [
        (2, "0.00 0.00 0.00 1/160 900", 2),  # only this process runs: both cores
        (2, "1.63 0.82 0.45 1/165 944", 2),  # a burst that just ended: the average lags
        (2, "0.10 0.10 0.10 2/165 944", 1),  # one other task runs now
        (2, "9.00 9.00 9.00 9/300 944", 1),
        (8, "3.50 3.50 3.50 4/300 944", 5),
        (1, "0.00 0.00 0.00 1/100 944", 1),
    ],
)
def test_parts_only_on_cores_free_now(monkeypatch, cores, loadavg, free):
    """This process counts as free; a busy machine gets the document whole (parts would
    only add the join's cost); what runs now counts, not the last minute's average."""
    monkeypatch.setattr(pdf, "cores", lambda: cores)
    assert pdf.free_cores(loadavg) == free


@pytest.mark.parametrize(
    ("cores", "load", "free"),
    [(2, 0.0, 2), (2, 1.0, 2), (2, 1.01, 1), (2, 1.99, 1), (2, 9.0, 1), (8, 3.5, 5), (1, 0.0, 1)],
)
def test_without_proc_the_load_average_decides(monkeypatch, cores, load, free):
    monkeypatch.setattr(pdf, "cores", lambda: cores)
    monkeypatch.setattr(pdf.os, "getloadavg", lambda: (load, load, load))
    assert pdf.free_cores("") == free


def test_this_machine_now():
    """Read from /proc here: between one part and one per core."""
    assert 1 <= pdf.free_cores() <= pdf.cores()
    assert 1 <= pdf.part_count(10_000) <= pdf.cores()
