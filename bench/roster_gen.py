"""Generate roster files and export rows for the benchmarks (and anyone who needs a big roster).

    .venv/bin/python bench/roster_gen.py 50000 /tmp/roster-50k.xlsx --bad 2

The .xlsx looks like a cadre's: a merged title row, a unit line, the template's header,
then N member rows with valid, unique ID numbers (``complete_id_number``) kept as text.
``--bad P`` makes about P % of the rows wrong in the ways real files are: a wrong check
digit, an ID stored as a number, a missing name, zero shares, a bad phone, an ID
repeated from an earlier row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()


REGIONS = ("110105", "450102", "450103", "450321", "440306", "310104", "510107", "420106")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙陆"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文"
CATEGORIES = ("职工", "职工", "职工", "农民工", "新就业形态劳动者", "工会干部")


def unique_id_numbers(n: int, *, seed: int = 0) -> list[str]:
    """``n`` distinct valid ID numbers (place, birth date 1960–2005, order code)."""
    from members.validation import complete_id_number

    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    first_day = dt.date(1960, 1, 1).toordinal()
    last_day = dt.date(2005, 12, 31).toordinal()
    while len(out) < n:
        birth = dt.date.fromordinal(rng.randint(first_day, last_day)).strftime("%Y%m%d")
        first17 = f"{rng.choice(REGIONS)}{birth}{rng.randint(0, 999):03d}"
        if first17 in seen:
            continue
        seen.add(first17)
        out.append(complete_id_number(first17))
    return out


def roster_rows(n: int, *, bad_percent: float = 0.0, seed: int = 0) -> Iterator[tuple]:
    """(序号, 姓名, 身份证号码, 份数, 人员类别, 联系电话, 备注) rows; bad ones as above."""
    rng = random.Random(seed + 1)
    ids = unique_id_numbers(n, seed=seed)
    for i, id_number in enumerate(ids):
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        shares: object = rng.randint(1, 5)
        phone = f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"
        id_cell: object = id_number
        if bad_percent and rng.random() * 100 < bad_percent:
            kind = rng.randrange(6)
            if kind == 0:  # wrong check digit
                last = "0" if id_number[-1] != "0" else "1"
                id_cell = id_number[:-1] + last
            elif kind == 1:  # typed as a number in Excel
                id_cell = float(id_number[:17] + "0")
            elif kind == 2:
                name = ""
            elif kind == 3:
                shares = 0
            elif kind == 4:
                phone = "12345"
            elif i:  # a repeat of an earlier row's ID
                id_cell = ids[rng.randrange(i)]
        yield (i + 1, name, id_cell, shares, rng.choice(CATEGORIES), phone, "")


def make_roster_xlsx(
    n: int,
    path: str | Path | None = None,
    *,
    bad_percent: float = 0.0,
    title_rows: bool = True,
    seed: int = 0,
) -> bytes | None:
    """The roster as .xlsx, to ``path`` (returns None) or as bytes."""
    import xlsxwriter

    target = str(path) if path else io.BytesIO()
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": not path})
    sheet = workbook.add_worksheet("花名册")
    as_text = workbook.add_format({"num_format": "@"})
    row = 0
    if title_rows:
        sheet.merge_range(0, 0, 0, 6, "南宁市某某集团有限公司职工互助保障参保人员名册")
        sheet.write_string(1, 0, "单位名称：南宁市某某集团有限公司")
        sheet.write_string(1, 3, "参保计划：GX 职工综合")
        sheet.write_string(1, 6, "填表日期：2026-03-01")
        row = 2
    sheet.write_row(row, 0, ["序号", "姓名", "身份证号码", "份数", "人员类别", "联系电话", "备注"])
    sheet.set_column(2, 2, 22, as_text)
    for values in roster_rows(n, bad_percent=bad_percent, seed=seed):
        row += 1
        seq, name, id_cell, shares, category, phone, note = values
        sheet.write_number(row, 0, seq)
        sheet.write_string(row, 1, name)
        if isinstance(id_cell, float):
            sheet.write_number(row, 2, id_cell)
        else:
            sheet.write_string(row, 2, id_cell, as_text)
        sheet.write_number(row, 3, shares)
        sheet.write_string(row, 4, category)
        sheet.write_string(row, 5, phone)
    sheet.write_string(row + 1, 0, "合计")
    workbook.close()
    return None if path else target.getvalue()


def export_rows(n: int, *, seed: int = 0) -> Iterator[tuple]:
    """Rows shaped like a policy export (name, ID, sex, shares, premium, from, to, unit)."""
    rng = random.Random(seed)
    start = dt.date(2026, 3, 16)
    from members.validation import complete_id_number

    for i in range(n):
        first17 = (
            f"{REGIONS[i % len(REGIONS)]}{19600101 + (i % 40) * 10000 + i % 28:08d}{i % 1000:03d}"
        )
        shares = 1 + i % 5
        begin = start + dt.timedelta(days=i % 365)
        yield (
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            complete_id_number(first17),
            "男" if int(first17[16]) % 2 else "女",
            shares,
            Decimal(30 * shares),
            begin,
            begin.replace(year=begin.year + 1) - dt.timedelta(days=1),
            f"南宁市第{i % 500 + 1}中学",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("path")
    parser.add_argument("--bad", type=float, default=0.0, help="percent of bad rows")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    setup_django()
    make_roster_xlsx(args.rows, args.path, bad_percent=args.bad, seed=args.seed)
    print(f"wrote {args.rows} rows to {args.path} ({Path(args.path).stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
