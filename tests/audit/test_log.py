"""The audit log is written by every service write and can never be rewritten (SPEC §14)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from mutualaid.accounts import services
from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import OrganisationKind, Role, Staff
from tests import factories


def _only_event(**filters) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, events
    return events[0]


# --- Every service write leaves an event with who, where, before and after ------------------


def test_tenant_create(db):
    tenant, root = services.tenant_create(name="丙省办事处", slug="bing", office_name="丙省办事处")
    event = _only_event(action="tenant.create")
    assert (event.tenant_id, event.organisation_id, event.actor_id) == (tenant.pk, root.pk, None)
    assert (event.object_type, event.object_id) == ("tenancy.tenant", str(tenant.pk))
    assert event.before is None and event.after == {"name": "丙省办事处"}


def test_organisation_create(world):
    child = services.organisation_create(
        actor=world.actor(world.office_admin),
        parent=world.county,
        name="甲县城区代办处",
        kind=OrganisationKind.AGENT,
        code="JX-3",
    )
    event = _only_event(action="organisation.create")
    assert (event.actor_id, event.organisation_id, event.tenant_id) == (
        world.office_admin.pk,
        child.pk,
        world.tenant.pk,
    )
    assert (event.object_id, event.object_repr) == (str(child.pk), "甲县城区代办处")
    assert event.before is None
    assert event.after == {"name": "甲县城区代办处", "kind": "agent", "code": "JX-3"}


def test_organisation_update(world):
    services.organisation_update(
        actor=world.actor(world.office_admin),
        organisation=world.unit,
        name="甲县人民医院工会",
        code="JX-1",
    )
    event = _only_event(action="organisation.update")
    assert event.before == {"name": "甲县医院工会", "kind": "unit", "code": ""}
    assert event.after == {"name": "甲县人民医院工会", "kind": "unit", "code": "JX-1"}
    assert event.organisation_id == world.unit.pk


def test_staff_create(world):
    staff = services.staff_create(
        actor=world.actor(world.county_cadre),
        organisation=world.unit,
        username="jx_agent2",
        display_name="刘代办",
        password="Zhigong2026ok",
        roles=[Role.AGENT],
    )
    event = _only_event(action="staff.create")
    assert (event.actor_id, event.organisation_id, event.object_id) == (
        world.county_cadre.pk,
        world.unit.pk,
        str(staff.user_id),
    )
    assert event.after == {
        "username": "jx_agent2",
        "organisation": str(world.unit.pk),
        "roles": ["agent"],
    }
    assert "Zhigong2026ok" not in str(event.after) and "password" not in event.after


def test_staff_update(world):
    staff = Staff.objects.select_related("user", "organisation").get(user=world.agent)
    services.staff_update(
        actor=world.actor(world.county_cadre),
        staff=staff,
        organisation=world.sibling_unit,
        roles=[Role.AGENT, Role.CADRE],
        display_name="陈代办",
        is_active=False,
    )
    event = _only_event(action="staff.update")
    assert event.before == {
        "organisation": str(world.unit.pk),
        "roles": ["agent"],
        "is_active": True,
        "display_name": "agent",
    }
    assert event.after == {
        "organisation": str(world.sibling_unit.pk),
        "roles": ["agent", "cadre"],
        "is_active": False,
        "display_name": "陈代办",
    }
    # Filed under the node the user moves to.
    assert event.organisation_id == world.sibling_unit.pk


def test_event_and_change_share_one_transaction(world, monkeypatch):
    """If the audit write fails, the change it describes is not kept either."""

    def broken_record(**kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(services, "record", broken_record)
    with pytest.raises(DatabaseError):
        services.organisation_update(
            actor=world.actor(world.office_admin), organisation=world.unit, name="改名失败"
        )
    world.unit.refresh_from_db()
    assert world.unit.name == "甲县医院工会"


# --- Append-only: the model and the database both refuse -------------------------------------


@pytest.fixture
def event(db):
    tenant, root = factories.make_tenant()
    return factories.make_audit_event(root, action="test.original", after={"n": 1})


def test_model_save_of_an_existing_event_is_refused(event):
    event.action = "test.rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.original"


def test_model_delete_is_refused(event):
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda pk: AuditEvent.objects.filter(pk=pk).update(action="test.rewritten"),
        lambda pk: AuditEvent.objects.filter(pk=pk).delete(),
        lambda pk: connection.cursor().execute(
            "UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [pk]
        ),
        lambda pk: connection.cursor().execute("DELETE FROM audit_auditevent WHERE id = %s", [pk]),
        lambda pk: connection.cursor().execute("UPDATE audit_auditevent SET after = NULL"),
    ],
    ids=["queryset-update", "queryset-delete", "sql-update", "sql-delete", "sql-update-all"],
)
def test_the_database_refuses_updates_and_deletes(event, rewrite):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            rewrite(event.pk)
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert (fresh.action, fresh.after) == ("test.original", {"n": 1})
