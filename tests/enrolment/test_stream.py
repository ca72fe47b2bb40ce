"""The roster import writing new members while it checks (enrolment.services.stream): the
same members, lines, report and audit as the import without it, whatever the chunk size."""

from __future__ import annotations

import pytest
from django.db import DataError, connection, transaction
from django.utils import translation

from enrolment.models import EnrolmentLine
from enrolment.services import lines
from enrolment.services.common import RosterRejected
from members.models import Member
from mutualaid.audit.models import AuditEvent
from tests import factories
from tests.enrolment.support import new_enrolment, roster, row_of

NO_STREAM = 10**9


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class Undo(Exception):  # noqa: N818 - carries the snapshot out of the rolled-back block
    pass


def mixed_roster(units):
    """Rows that test every way the stream's picks can differ from the final verdict."""
    here = factories.make_member(units.a1, name="张三")
    renamed = factories.make_member(units.a1, name="李四")
    elsewhere = factories.make_member(units.a2, name="王五")
    rows = roster(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, first_row=2)
    rows[2]["id_number"] = rows[1]["id_number"]  # repeated within a chunk of 2+
    rows[9]["id_number"] = rows[0]["id_number"]  # repeated across chunks
    good = rows[3]["id_number"]
    rows[3]["id_number"] = good[:-1] + ("1" if good[-1] == "0" else "0")  # bad check digit
    rows[4]["name"] = ""  # no name
    rows[5]["phone"] = "12345"  # bad phone
    rows[6]["shares"] = 0  # refused by a per-line rule
    rows[7]["shares"] = 4  # refused by a whole-roster share rule (mixed cap)
    rows[8].update(id_number=factories.make_id_number(birth="19300101"))  # too old
    rows[10]["category"] = "职工"
    rows[11]["phone"] = "13800138000"
    rows += [
        row_of(here, 1, row=15),
        row_of(renamed, 1, row=16) | {"name": "李四四"},  # name mismatch
        row_of(elsewhere, 1, row=17),  # registered in another unit
    ]
    return rows


def snapshot(settings, size, actor, enrolment, rows, *, only_valid=True):
    """lines_import with ROSTER_STREAM_ROWS = ``size``: what it reported and wrote, undone."""
    settings.ROSTER_STREAM_ROWS = size
    members_before = set(Member.objects.filter(unit=enrolment.unit).values_list("pk", flat=True))
    try:
        with transaction.atomic():
            try:
                report = lines.lines_import(
                    actor=actor, enrolment=enrolment, rows=rows, only_valid=only_valid
                )
            except RosterRejected as refused:
                report = refused.report
            members = (
                Member.objects.filter(unit=enrolment.unit)
                .exclude(pk__in=members_before)
                .order_by("id_number")
                .values_list(
                    "id_number",
                    "name",
                    "sex",
                    "birth_date",
                    "phone",
                    "category",
                    "employment_status",
                    "is_union_member",
                    "organisation_id",
                )
            )
            lines_written = (
                EnrolmentLine.objects.filter(enrolment=enrolment)
                .order_by("id")  # the roster's order
                .values_list(
                    "member__id_number",
                    "shares",
                    "tier",
                    "category",
                    "previous_shares",
                    "premium",
                    "status",
                    "problem",
                    "row_number",
                )
            )
            created = AuditEvent.objects.filter(action__in=["member.create", "member.bulk_create"])
            audit = sorted((e.action, str(e.after)) for e in created)
            raise Undo(
                {
                    "report": (
                        report.total,
                        report.valid,
                        report.invalid,
                        report.members_created,
                        report.lines_written,
                        [e.as_dict() for e in report.errors],
                    ),
                    "members": list(members),
                    "lines": list(lines_written),
                    "audit": audit,
                }
            )
    except Undo as undo:
        return undo.args[0]


@pytest.mark.parametrize("on_roster", [False, True])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 16])
def test_the_stream_writes_and_reports_what_the_import_without_it_does(
    settings, actors, units, plans, size, on_roster
):
    enrolment = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    rows = mixed_roster(units)
    if on_roster:  # lines already there: counted by the share rules, one named again
        listed = factories.make_member(units.a1)
        settings.ROSTER_STREAM_ROWS = NO_STREAM
        lines.lines_import(
            actor=actors.agent,
            enrolment=enrolment,
            rows=[row_of(listed, 1, row=50), *roster(1, first_row=51)],
        )
        rows.append(row_of(listed, 1, row=18))
    without = snapshot(settings, NO_STREAM, actors.agent, enrolment, rows)
    streamed = snapshot(settings, size, actors.agent, enrolment, rows)
    # The roster does exercise the refusals.
    assert without["report"][1:3] == ((5, 12) if on_roster else (5, 11))
    assert {e["code"] for e in without["report"][5]} >= {
        "duplicate_in_roster",
        "id_number_checksum",
        "name_required",
        "phone_invalid",
        "name_mismatch",
        "member_in_other_unit",
    }
    assert streamed == without


@pytest.mark.parametrize("size", [1, 4])
def test_a_single_new_member_is_audited_alike(settings, actors, units, plans, size):
    enrolment = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    rows = [row_of(factories.make_member(units.a1), 1, row=2), *roster(1, first_row=3)]
    without = snapshot(settings, NO_STREAM, actors.agent, enrolment, rows)
    streamed = snapshot(settings, size, actors.agent, enrolment, rows)
    assert without["audit"][0][0] == "member.create"
    assert streamed == without


def test_a_refused_roster_leaves_no_streamed_member(settings, actors, units, plans):
    enrolment = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    rows = mixed_roster(units)
    settings.ROSTER_STREAM_ROWS = 2
    members = Member.objects.count()
    with pytest.raises(RosterRejected):
        lines.lines_import(actor=actors.agent, enrolment=enrolment, rows=rows)
    assert Member.objects.count() == members
    assert not EnrolmentLine.objects.filter(enrolment=enrolment).exists()


def test_a_failure_of_the_writer_is_raised_as_without_it_and_undoes_everything(
    settings, actors, units, plans, world
):
    """A name PostgreSQL cannot store (a NUL character) fails the COPY on the writer's thread:
    the same error as without a stream, nothing written, and the caller's transaction goes on
    with its keys deferred again (PostgreSQL undoes SET CONSTRAINTS with the savepoint)."""
    enrolment = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    rows = roster(1, 1, 1, 1)
    rows[1]["name"] = "张\x00三"
    members = Member.objects.count()
    for size in (NO_STREAM, 2):
        settings.ROSTER_STREAM_ROWS = size
        with pytest.raises(DataError):
            lines.lines_import(actor=actors.agent, enrolment=enrolment, rows=rows)
        assert Member.objects.count() == members
        assert not EnrolmentLine.objects.filter(enrolment=enrolment).exists()
    # Deferred again: a member of another tenant's unit is refused only at COMMIT.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_member (id, tenant_id, unit_id, organisation_id, name, "
            "id_number, sex, birth_date, phone, category, employment_status, is_union_member, "
            "created_at, updated_at) VALUES (gen_random_uuid(), %s, %s, %s, '张三', %s, 'male', "
            "'1980-01-01', '', 'worker', 'in_service', true, now(), now())",
            [world.tenant.pk, units.other_tenant.pk, units.other_tenant.pk, "110105198001010018"],
        )
        cursor.execute("DELETE FROM members_member WHERE id_number = '110105198001010018'")


@pytest.mark.parametrize("size", [2, 5])
def test_under_row_level_security_the_stream_writes_the_same(
    settings, actors, units, plans, world, size
):
    """As the jobs run it: the application role in the tenant's scope, where COPY goes through
    a temporary table (enrolment.db), on the writer's thread as on the caller's."""
    from mutualaid.tenancy.context import tenant_scope

    enrolment = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    rows = mixed_roster(units)
    without = snapshot(settings, NO_STREAM, actors.agent, enrolment, rows)
    with tenant_scope(world.tenant.pk, origin="job"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT row_security_active('members_member'::regclass)")
            assert cursor.fetchone()[0]
        streamed = snapshot(settings, size, actors.agent, enrolment, rows)
    assert streamed == without
