"""The streaming roster export, read back with python-calamine.

Rows are generated (an iterator, as a server-side cursor hands them over); one test
drives it from a real queryset of members through ``iter_values``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from import_export import fields, resources
from python_calamine import load_workbook

from enrolment.roster.export import columns_from_resource
from members.validation import complete_id_number
from mutualaid.core import xlsx as export_module
from mutualaid.core.xlsx import (
    DATE,
    DATETIME,
    ID_NUMBER,
    MONEY,
    NUMBER,
    ExportColumn,
    iter_values,
    write_xlsx,
)
from tests import factories

COLUMNS = [
    ExportColumn("姓名"),
    ExportColumn("身份证号码", ID_NUMBER, 22),
    ExportColumn("份数", NUMBER),
    ExportColumn("互助费", MONEY),
    ExportColumn("保障起期", DATE),
    ExportColumn("登记时间", DATETIME),
]


def generated_rows(n: int):
    start = dt.date(2026, 3, 16)
    for i in range(n):
        yield (
            f"会员{i}",
            complete_id_number(f"45010219800101{i % 1000:03d}"),
            i % 5 + 1,
            Decimal("30.00") * (i % 5 + 1),
            start + dt.timedelta(days=i % 30),
            dt.datetime(2026, 3, 15, 9, 30, tzinfo=dt.UTC) if i % 2 else None,
        )


def read_back(path, sheet=0):
    workbook = load_workbook(str(path))
    return workbook, workbook.get_sheet_by_index(sheet).to_python()


def test_export_masks_id_numbers_by_default(tmp_path):
    path = tmp_path / "roster.xlsx"
    reports = []
    count = write_xlsx(
        sheet_name="花名册",
        path=path,
        rows=generated_rows(2500),
        columns=COLUMNS,
        progress=reports.append,
        progress_every=1000,
    )
    assert count == 2500
    assert reports == [1000, 2000, 2500]

    _, table = read_back(path)
    assert table[0] == ["姓名", "身份证号码", "份数", "互助费", "保障起期", "登记时间"]
    body = table[1:]
    assert len(body) == 2500
    expected = list(generated_rows(2500))
    for got, want in zip(body[:50] + body[-50:], expected[:50] + expected[-50:], strict=True):
        assert got[0] == want[0]
        assert got[1] == want[1][:4] + "**********" + want[1][-4:]
        assert got[2] == want[2]
        assert got[3] == float(want[3])
        assert got[4] == want[4]
    # Aware datetimes are shown in local time (Asia/Shanghai), None as an empty cell.
    assert body[1][5] == dt.datetime(2026, 3, 15, 17, 30)
    assert body[0][5] == ""
    assert not any(want[1] in str(row) for row, want in zip(body, expected, strict=True))


def test_export_full_id_numbers_when_allowed(tmp_path):
    path = tmp_path / "roster.xlsx"
    write_xlsx(
        sheet_name="花名册",
        path=path,
        rows=generated_rows(10),
        columns=COLUMNS,
        full_id_numbers=True,
    )
    _, table = read_back(path)
    assert [row[1] for row in table[1:]] == [row[1] for row in generated_rows(10)]


def test_export_title_row_and_sheet_rollover(tmp_path, monkeypatch):
    monkeypatch.setattr(export_module, "MAX_SHEET_ROWS", 5)
    path = tmp_path / "roster.xlsx"
    count = write_xlsx(
        path=path, rows=generated_rows(7), columns=COLUMNS[:2], title="花名册", sheet_name="名册"
    )
    assert count == 7
    workbook, first = read_back(path)
    assert workbook.sheet_names == ["名册", "名册 (2)", "名册 (3)"]
    assert first[0][0] == "花名册" and first[1] == ["姓名", "身份证号码"]
    assert [row[0] for row in first[2:]] == ["会员0", "会员1", "会员2"]
    _, second = read_back(path, 1)
    assert [row[0] for row in second[2:]] == ["会员3", "会员4", "会员5"]
    _, third = read_back(path, 2)
    assert [row[0] for row in third[2:]] == ["会员6"]


def test_columns_from_an_import_export_resource(tmp_path):
    class MemberResource(resources.Resource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号码")
        unit = fields.Field(attribute="unit__organisation__name", column_name="单位")

    paths, columns = columns_from_resource(MemberResource())
    assert paths == ["name", "id_number", "unit__organisation__name"]
    assert [(c.header, c.kind) for c in columns] == [
        ("姓名", "text"),
        ("身份证号码", "id_number"),
        ("单位", "text"),
    ]


def test_unknown_column_kind_is_refused():
    with pytest.raises(ValueError):
        ExportColumn("x", "colour")


@pytest.mark.django_db
def test_export_from_a_queryset_through_a_server_side_cursor(tmp_path):
    from members.models import Member

    tenant, office = factories.make_tenant()
    unit = factories.make_node(office, "unit", "南宁市第一中学")
    members = [factories.make_member(unit, name=f"会员{i}") for i in range(3)]
    resource_paths = ["name", "id_number", "unit__organisation__name", "birth_date"]
    queryset = Member.objects.filter(tenant=tenant).order_by("name")
    path = tmp_path / "members.xlsx"
    columns = [
        ExportColumn("姓名"),
        ExportColumn("身份证号码", ID_NUMBER),
        ExportColumn("单位"),
        ExportColumn("出生日期", DATE),
    ]
    count = write_xlsx(
        sheet_name="花名册",
        path=path,
        rows=iter_values(queryset, resource_paths, chunk_size=2),
        columns=columns,
    )
    assert count == 3
    _, table = read_back(path)
    assert table[1:] == [
        [m.name, m.id_number[:4] + "*" * 10 + m.id_number[-4:], "南宁市第一中学", m.birth_date]
        for m in sorted(members, key=lambda m: m.name)
    ]
