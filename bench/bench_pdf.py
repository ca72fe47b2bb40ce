"""PDF speed: a one-page premium receipt and a 1,000-member enrolment certificate.

    .venv/bin/python bench/bench_pdf.py [--members 1000] [--runs 20] [--repeat 3]

SPEC §14 wants a one-page PDF ≤ 150 ms and a 1,000-member certificate ≤ 5 s (issue 19:
≤ 100 ms and ≤ 3 s). Both go through ``mutualaid.pdf`` (WeasyPrint, the bundled font by
@font-face, the print stylesheet and font configuration parsed once per process, as in
production) with the real templates; the contexts are built in memory (the certificate's
queries are measured by the page tests), so no database is used.

Prints the min/median/p95/max of ``--runs`` receipts (wall and own CPU); the certificate
as the project renders it (``premiums.documents.certificate_bytes``: in parts on the free
cores, whole when the tasks running now leave none), in parts on every core, in one process,
and the same-schema limit (the same rows as a plain table in the same font, no other CSS,
WeasyPrint as it comes), alternating ``--repeat`` times; each with bench.benchdb's Meter
(own CPU including the forked parts, split into parent and children; other_cpu_seconds =
the rest of the machine meanwhile), the machine line on stderr, and whether HarfBuzz's
subsetter is in use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
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
        "cover_start": enrolment.start_date,
        "cover_end": enrolment.end_date,
        "cover_actual": True,
        "received_as_of": "1,200.00",
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


def limit_html(context: dict) -> str:
    """The same-schema limit: the certificate's rows as a plain table, the same font by
    @font-face and nothing else (no heading, borders, header row or page rules)."""
    from django.utils.html import escape

    from mutualaid import pdf

    rows = "".join(
        f"<tr><td>{r['n']}</td><td>{escape(r['name'])}</td><td>{r['id_number']}</td>"
        f"<td>{r['shares']}</td><td>{escape(r['waiting'])}</td></tr>"
        for r in context["rows"]
    )
    return (
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><style>'
        f'@font-face {{ font-family: "{pdf.FONT_FAMILY}"; '
        f'src: url("fonts/{pdf.FONT_FILE.name}"); }}'
        f'html {{ font-family: "{pdf.FONT_FAMILY}"; font-size: 9pt; }}'
        f"</style></head><body><table>{rows}</table></body></html>"
    )


def limit_pdf(html: str) -> bytes:
    """WeasyPrint as it comes: a fresh font configuration, no shared stylesheet."""
    from weasyprint import HTML

    from mutualaid import pdf

    return HTML(string=html, base_url=pdf.STATIC_DIR.as_uri() + "/").write_pdf()


def timed(fn):
    """(result, Meter fields): own CPU includes forked children (the certificate's parts),
    so other_cpu_seconds is what the rest of the machine used."""
    import resource

    from bench.benchdb import Meter

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with Meter() as meter:
        result = fn()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    parent_cpu = meter.own
    meter.own += child_cpu
    if meter.others is not None:
        meter.others = max(0.0, meter.others - child_cpu)
    # On a quiet machine with a core per part, the wall time is about the longer of the
    # two: what this process did (the last part, the join) and what one child did.
    fields = meter.as_dict()
    fields["parent_cpu_seconds"] = round(parent_cpu, 2)
    fields["children_cpu_seconds"] = round(child_cpu, 2)
    return result, fields


def spread(values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "min": round(ordered[0], 3),
        "median": round(statistics.median(ordered), 3),
        "p95": round(p95, 3),
        "max": round(ordered[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20, help="receipts to time")
    parser.add_argument(
        "--repeat", type=int, default=3, help="alternating runs of each certificate variant"
    )
    args = parser.parse_args()
    setup()
    from django.utils import translation
    from pypdf import PdfReader

    from bench.benchdb import machine_line
    from mutualaid import pdf
    from mutualaid.core.checks import harfbuzz_subset_present
    from premiums import documents

    print(machine_line(), file=sys.stderr)
    report: dict = {"harfbuzz_subset": harfbuzz_subset_present(), "cores": pdf.cores()}
    with translation.override("zh-hans"):
        documents.certificate_bytes(certificate_context(40))  # warm-up: imports, templates, font
        # Receipts: template, layout, font subset and PDF, one after another as a view does.
        receipt_seconds, receipt_meters = [], []
        for _ in range(args.runs):
            data, meter = timed(lambda: pdf.render_pdf("pdf/receipt.html", receipt_context()))
            receipt_seconds.append(meter["seconds"])
            receipt_meters.append(meter)
        report["receipt_pages"] = len(PdfReader(io.BytesIO(data)).pages)
        report["receipt_bytes"] = len(data)
        report["receipt_ms"] = {k: round(v * 1000) for k, v in spread(receipt_seconds).items()}
        report["receipt_own_cpu_ms"] = {
            k: round(v * 1000)
            for k, v in spread([m["own_cpu_seconds"] for m in receipt_meters]).items()
        }
        report["receipt_other_cpu_seconds"] = round(
            sum(m["other_cpu_seconds"] or 0 for m in receipt_meters), 2
        )
        # Certificates: the project as it runs (parts on the cores), the project in one
        # process, and the same-schema limit, alternating so that load hits all alike.
        context = certificate_context(args.members)
        variants = {
            "certificate_project": lambda: documents.certificate_bytes(context),
            "certificate_parts_on_every_core": lambda: documents.certificate_bytes(
                context, parts=pdf.cores()
            ),
            "certificate_one_process": lambda: documents.certificate_bytes(context, parts=1),
            "limit_plain_table": lambda: limit_pdf(limit_html(context)),
        }
        runs: dict[str, list] = {name: [] for name in variants}
        for _ in range(args.repeat):
            for name, fn in variants.items():
                data, meter = timed(fn)
                runs[name].append(meter)
                report[f"{name}_pages"] = len(PdfReader(io.BytesIO(data)).pages)
                report[f"{name}_bytes"] = len(data)
        report["certificate_members"] = args.members
        # The project renders in parts only on free cores (pdf.free_cores: cores less the
        # tasks runnable now); on a busy machine it renders whole.
        report["certificate_parts_now"] = len(documents.certificate_htmls(context))
        for name, meters in runs.items():
            report[f"{name}_seconds"] = spread([m["seconds"] for m in meters])
            report[f"{name}_meters"] = meters
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
