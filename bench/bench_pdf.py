"""PDF speed: a one-page premium receipt and a 1,000-member enrolment certificate.

    .venv/bin/python bench/bench_pdf.py [--members 1000] [--runs 20]

SPEC §14 wants a one-page PDF ≤ 150 ms and a 1,000-member certificate ≤ 5 s. Both go
through ``mutualaid.pdf`` (WeasyPrint, the bundled font by @font-face, a fresh font
configuration per document as in production) with the real templates; the context is
built in memory (the database part is two indexed queries, measured by the page tests).
Prints the median and worst of ``--runs`` receipts, the certificate's time and pages, and
whether HarfBuzz's subsetter is in use (without it WeasyPrint takes the slow path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙陆"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()


def receipt_context() -> dict:
    from mutualaid.money import capitals, fmt_yuan

    enrolment = SimpleNamespace(
        start_date=dt.date(2026, 3, 16),
        end_date=dt.date(2027, 3, 15),
        member_count=10,
        share_count=30,
    )
    invoice = SimpleNamespace(
        number="JF2026000123", amount=Decimal("1200.00"), paid_total=Decimal("1200.00")
    )
    payment = SimpleNamespace(
        receipt_number="SJ2026000456",
        paid_on=dt.date(2026, 3, 15),
        bank_reference="GX20260315-0042",
        note="工会经费账户转账",
    )
    return {
        "payment": payment,
        "invoice": invoice,
        "enrolment": enrolment,
        "issuer": "中国职工保险互助会广西办事处",
        "unit_name": "苍梧县人民医院工会",
        "plan_name": "广西壮族自治区职工指定疾病(手术)互助保障计划",
        "amount_capitals": capitals("1200.00"),
        "amount_figures": fmt_yuan(Decimal("1200")),
        "party_label": "工会",
        "recorded_by": "陆财务",
        "printed_on": dt.date(2026, 3, 31),
    }


def certificate_context(members: int) -> dict:
    from mutualaid.money import capitals, fmt_yuan

    rows = []
    for i in range(members):
        name = (
            SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13) % len(GIVEN)]
        )
        rows.append(
            {
                "n": i + 1,
                "name": name,
                "id_number": f"4504**********{i % 10000:04d}",
                "shares": "3",
                "waiting": "2份: 无; 1份: 2026-07-14" if i % 5 == 0 else "2026-07-14",
            }
        )
    premium = Decimal(members * 120)
    enrolment = SimpleNamespace(
        coverage_start=dt.date(2026, 3, 16),
        coverage_end=dt.date(2027, 3, 15),
        payment_date=dt.date(2026, 3, 15),
    )
    return {
        "enrolment": enrolment,
        "issuer": "中国职工保险互助会广西办事处",
        "unit_name": "苍梧县人民医院工会",
        "plan_name": "广西壮族自治区职工指定疾病(手术)互助保障计划",
        "version_label": "2019年版",
        "rows": rows,
        "member_count": members,
        "share_total": members * 3,
        "premium": fmt_yuan(premium),
        "premium_capitals": capitals(premium),
        "invoice": SimpleNamespace(number="JF2026000123"),
        "certificate_number": "PZ20260316-ABCDEF12",
        "printed_on": dt.date(2026, 3, 31),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    setup()
    from django.utils import translation
    from pypdf import PdfReader

    from mutualaid import pdf
    from mutualaid.core.checks import harfbuzz_subset_present

    with translation.override("zh-hans"):
        pdf.render_pdf("pdf/receipt.html", receipt_context())  # warm-up: imports, templates
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            data = pdf.render_pdf("pdf/receipt.html", receipt_context())
            times.append(time.perf_counter() - started)
        receipt_pages = len(PdfReader(io.BytesIO(data)).pages)
        started = time.perf_counter()
        certificate = pdf.render_pdf("pdf/certificate.html", certificate_context(args.members))
        certificate_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "harfbuzz_subset": harfbuzz_subset_present(),
                "receipt_pages": receipt_pages,
                "receipt_ms_median": round(statistics.median(times) * 1000),
                "receipt_ms_worst": round(max(times) * 1000),
                "receipt_bytes": len(data),
                "certificate_members": args.members,
                "certificate_pages": len(PdfReader(io.BytesIO(certificate)).pages),
                "certificate_seconds": round(certificate_seconds, 2),
                "certificate_bytes": len(certificate),
            }
        )
    )


if __name__ == "__main__":
    main()
