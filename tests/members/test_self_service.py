"""Member self-service (issue 17): the sign-in's security, the member's pages, the
member's reports and uploads through the agent's services. Real PostgreSQL and Redis;
text messages through the locmem SMS backend (settings_test)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from claims.models import ClaimDocument, IncidentReport
from members.models import Member
from members.selfservice import codes
from members.selfservice.models import CodePurpose, OneTimeCode
from members.selfservice.session import SESSION_KEY
from mutualaid.audit.models import AuditEvent
from mutualaid.notifications import sms
from tests import factories, isolation
from tests.urlwalk import PATTERNS

PHONE = isolation.MEMBER_PHONE
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clean_limits_and_outbox():
    def clean():
        client = cache._cache.get_client(None, write=True)
        for key in client.scan_iter("*member-sign-in*"):
            client.delete(key)
        sms.outbox.clear()

    clean()
    yield
    clean()


@pytest.fixture
def member(world):
    unit = factories.make_unit(world.unit)
    person = factories.make_member(unit, name="自助会员", phone=PHONE)
    plan = factories.make_plan(world.office, name="职工重大疾病互助保障")
    start = timezone.localdate() - dt.timedelta(days=100)
    factories.make_policy(person, plan, start=start, waiting_days=90, shares=2)
    return person


def _ask(client, id_number, phone=PHONE):
    return client.post(reverse("me:login"), {"id_number": id_number, "phone": phone})


def _code_from_outbox() -> str:
    return re.search(r"\d{6}", sms.outbox[-1].text).group(0)


def _enter(client, code):
    return client.post(reverse("me:code"), {"code": code})


def _signed_in(client) -> bool:
    return client.get(reverse("me:cover")).status_code == 200


# --- No enumeration ------------------------------------------------------------------


def _answer(client, id_number, phone=PHONE):
    client.cookies.clear()
    response = _ask(client, id_number, phone)
    return (
        response.status_code,
        response.get("Location"),
        response.content,
        sorted(response.cookies.keys()),
        {k: (v["max-age"], v["httponly"], v["samesite"]) for k, v in response.cookies.items()},
    )


def test_same_answer_for_known_unknown_and_wrong_phone(client, member):
    known = _answer(client, member.id_number)
    assert len(sms.outbox) == 1 and sms.outbox[0].to == PHONE
    unknown = _answer(client, factories.make_id_number(birth="19700101"))
    wrong_phone = _answer(client, member.id_number, "13800000000")
    garbage = _answer(client, "not an id number")
    assert known == unknown == wrong_phone == garbage
    assert known[0] == 302 and known[1].startswith(reverse("me:code"))
    assert len(sms.outbox) == 1  # nothing sent for the others
    # The code page reads the same whatever was typed.
    assert client.get(known[1]).content.count(b"6") >= 1


def test_the_code_page_is_the_same_for_known_and_unknown(client, member):
    _ask(client, member.id_number)
    known = client.get(reverse("me:code")).content
    client.cookies.clear()
    _ask(client, factories.make_id_number(birth="19700101"))
    unknown = client.get(reverse("me:code")).content
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", known) == strip.sub(b"", unknown)


# --- The code --------------------------------------------------------------------------


def test_sign_in_with_the_code_rotates_the_session_and_opens_my_cover(client, member):
    _ask(client, member.id_number)
    before = client.cookies["sessionid"].value
    code = _code_from_outbox()
    row = OneTimeCode.objects.get(member=member)
    assert code not in row.digest and len(row.digest) == 64  # stored hashed
    response = _enter(client, code)
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != before
    page = client.get(reverse("me:cover"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "职工重大疾病互助保障" in text
    waiting_end = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    assert f"{waiting_end} 起全额保障" in text
    assert AuditEvent.objects.filter(action="member.signed_in", object_id=str(member.pk)).exists()
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]


def test_five_wrong_codes_lock_the_code(client, member):
    _ask(client, member.id_number)
    code = _code_from_outbox()
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(5):
        response = _enter(client, wrong)
        assert response.status_code == 200
    assert "15" in response.content.decode()  # "ask for a new code in 15 minutes"
    assert OneTimeCode.objects.get(member=member).locked_at is not None
    _enter(client, code)
    assert not _signed_in(client)
    assert AuditEvent.objects.filter(action="member.sign_in_locked").count() == 1
    # A new session does not help: the lock holds in the database.
    client.cookies.clear()
    OneTimeCode.objects.filter(member=member).update(
        created_at=timezone.now() - dt.timedelta(minutes=2)
    )
    _ask(client, member.id_number)
    assert len(sms.outbox) == 1  # no new code during the lock
    _enter(client, code)
    assert not _signed_in(client)


def test_an_unknown_id_number_locks_the_same_way(client, member):
    _ask(client, factories.make_id_number(birth="19700101"))
    answers = [_enter(client, "123456").content for _ in range(5)]
    client.cookies.clear()
    _ask(client, member.id_number)
    wrong = "123456" if _code_from_outbox() != "123456" else None
    if wrong is None:
        pytest.skip("the code drawn was the wrong one typed")
    known_client_answers = [_enter(client, wrong).content for _ in range(5)]
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    unknown = [strip.sub(b"", a).decode() for a in answers]
    known = [strip.sub(b"", a).decode() for a in known_client_answers]
    for n, (a, b) in enumerate(zip(unknown, known, strict=True)):
        assert a == b, (n, [line for line in difflib.unified_diff(a.splitlines(), b.splitlines())])


def test_a_used_code_is_refused(client, member):
    _ask(client, member.id_number)
    code = _code_from_outbox()
    _enter(client, code)
    assert _signed_in(client)
    client.post(reverse("me:logout"))
    assert not _signed_in(client)
    _ask(client, member.id_number)  # within the minute: no new code, the old one is used
    assert len(sms.outbox) == 1
    _enter(client, code)
    assert not _signed_in(client)


@pytest.mark.parametrize(
    ("age", "opens"),
    [(codes.CODE_TTL - 5, True), (codes.CODE_TTL + 1, False), (3600, False)],
)
def test_an_expired_code_is_refused(client, member, age, opens):
    _ask(client, member.id_number)
    code = _code_from_outbox()
    OneTimeCode.objects.filter(member=member).update(
        created_at=timezone.now() - dt.timedelta(seconds=age)
    )
    _enter(client, code)
    assert _signed_in(client) is opens


@pytest.mark.parametrize(("age", "sent"), [(10, 1), (codes.RESEND_AFTER - 2, 1), (61, 2)])
def test_resend_only_after_a_minute(client, member, age, sent):
    _ask(client, member.id_number)
    OneTimeCode.objects.filter(member=member).update(
        created_at=timezone.now() - dt.timedelta(seconds=age)
    )
    response = client.post(reverse("me:resend"))
    assert response.status_code == 302
    assert len(sms.outbox) == sent
    assert OneTimeCode.objects.filter(member=member).count() == sent


def test_rate_limit_per_id_number(client, member, settings):
    settings.MEMBER_SIGN_IN_LIMITS = {"id": (3, 3600), "address": (100, 3600)}
    answers = []
    for n in range(4):
        client.cookies.clear()
        answers.append(
            client.post(
                reverse("me:login"),
                {"id_number": member.id_number, "phone": PHONE},
                REMOTE_ADDR=f"10.0.0.{n + 1}",
            ).status_code
        )
    assert answers == [302, 302, 302, 429]
    # The same for an unknown number: the limit says nothing about who exists.
    unknown = factories.make_id_number(birth="19700101")
    answers = [
        client.post(
            reverse("me:login"), {"id_number": unknown, "phone": PHONE}, REMOTE_ADDR="10.0.1.1"
        ).status_code
        for _ in range(4)
    ]
    assert answers == [302, 302, 302, 429]


def test_rate_limit_per_address(client, member, settings):
    settings.MEMBER_SIGN_IN_LIMITS = {"id": (100, 3600), "address": (3, 3600)}
    answers = [
        client.post(
            reverse("me:login"),
            {"id_number": factories.make_id_number(birth=f"1980010{n + 1}"), "phone": PHONE},
            REMOTE_ADDR="10.9.9.9",
        ).status_code
        for n in range(4)
    ]
    assert answers == [302, 302, 302, 429]
    other = client.post(
        reverse("me:login"),
        {"id_number": member.id_number, "phone": PHONE},
        REMOTE_ADDR="10.9.9.10",
    )
    assert other.status_code == 302


def test_behind_the_proxy_each_client_has_its_own_address_limit(client, member, settings):
    """Behind the office's proxy every request comes from the proxy's address: the limit
    counts the client's address the proxy forwards, not the proxy's, so one busy address
    does not lock every member of the province out (and a forged header does not help)."""
    settings.PROXY_COUNT = 1
    settings.MEMBER_SIGN_IN_LIMITS = {"id": (100, 3600), "address": (3, 3600)}

    def ask(n, forwarded):
        client.cookies.clear()
        return client.post(
            reverse("me:login"),
            {"id_number": factories.make_id_number(birth=f"1980020{n + 1}"), "phone": PHONE},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    # One client, a fresh forged address on each request: still one client.
    answers = [ask(n, f"198.51.100.{n}, 203.0.113.7") for n in range(4)]
    assert answers == [302, 302, 302, 429]
    assert ask(5, "203.0.113.8") == 302  # another client behind the same proxy


def test_code_tries_are_limited_per_address(client, member, settings):
    settings.MEMBER_SIGN_IN_LIMITS = {"verify": (2, 600)}
    _ask(client, member.id_number)
    assert [_enter(client, "000000").status_code for _ in range(3)] == [200, 200, 429]


def test_a_person_of_two_offices_picks_after_the_code(client, member, world):
    other = factories.make_member(
        factories.make_unit(world.other_unit), id_number=member.id_number, phone=PHONE
    )
    _ask(client, member.id_number)
    assert len(sms.outbox) == 1  # one message, one code for both
    response = _enter(client, _code_from_outbox())
    assert response.status_code == 302 and reverse("me:pick") in response["Location"]
    page = client.get(reverse("me:pick")).content.decode()
    assert world.tenant.name in page and world.other_tenant.name in page
    client.post(reverse("me:pick"), {"tenant": str(other.tenant_id)})
    assert client.session[SESSION_KEY]["m"] == str(other.pk)


# --- The session -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "seen", "open_"),
    [(0, 0, True), (0, 29 * 60, True), (0, 31 * 60, False), (8 * 3600 + 60, 10, False)],
)
def test_session_idle_and_absolute_limits(client, member, started, seen, open_):
    isolation.member_session(client, member)
    session = client.session
    now = int(time.time())
    session[SESSION_KEY] = {**session[SESSION_KEY], "at": now - started, "seen": now - seen}
    session.save()
    assert _signed_in(client) is open_


STAFF_PAGES = [
    p
    for p in PATTERNS
    if p.name
    and not p.params
    and not p.name.startswith("me:")
    and p.name not in ("login", "logout", "home", "healthz", "set_language", "api-schema")
    and not p.name.startswith("password_")
    and p.name not in ("admin:login", "admin:logout", "api-docs")
]


def test_a_member_session_opens_no_staff_page(client, member):
    isolation.member_session(client, member)
    assert _signed_in(client)
    opened = []
    for pattern in STAFF_PAGES:
        url = reverse(pattern.name)
        response = client.get(url, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        if member.name in response.content.decode(errors="replace"):
            opened.append(url)
        if response.redirect_chain:
            assert final.startswith(("/accounts/login/", "/admin/login/")), (url, final)
        else:
            assert response.status_code in (401, 403, 404, 405), (url, response.status_code)
    assert not opened
    home = client.get("/")
    assert member.name not in home.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/members/", "/api/v1/units/", "/api/v1/claims/reports/"])
def test_a_member_session_writes_nothing_through_the_api(client, member, path):
    isolation.member_session(client, member)
    response = client.post(path, data={"name": "x"}, content_type="application/json")
    assert response.status_code in (401, 403, 404)
    assert client.get(path).status_code in (401, 403, 404)


# --- Pages and actions ---------------------------------------------------------------------


def test_my_claims_show_the_progress_deadline_and_amount(client, member, world):
    plan = factories.make_plan(world.office)
    policy = factories.make_policy(member, plan)
    claim = factories.make_claim(member, plan, policy=policy, status="paid", amount="3000.00")
    isolation.member_session(client, member)
    page = client.get(reverse("me:claims")).content.decode()
    assert "¥3000.00" in page and claim.paid_on.isoformat() in page
    detail = client.get(reverse("me:claim", args=[claim.pk])).content.decode()
    assert claim.report.deadline.isoformat() in detail
    assert claim.report.number in detail


def test_member_reports_through_the_agents_service(client, member, world, login):
    isolation.member_session(client, member)
    page = client.get(reverse("me:report"))
    assert page.status_code == 200
    assert "reporter_name" not in page.content.decode()
    plan_id = page.context["form"].fields["plan"].widget.choices[0][0]
    day = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(
        reverse("me:report"),
        {
            "plan": plan_id,
            "event_kind": "illness",
            "event_date": day.isoformat(),
            "description": "确诊",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = IncidentReport.objects.get(member=member)
    assert report.by_member and report.created_by is None
    assert report.reporter_name == member.name
    assert AuditEvent.objects.filter(action="claim.reported_by_member").count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert report.deadline.isoformat() in detail
    # The same validation path: a future date is refused with the agent's message.
    bad = client.post(
        reverse("me:report"),
        {
            "plan": plan_id,
            "event_kind": "illness",
            "event_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "description": "确诊",
        },
    )
    assert bad.status_code == 400
    # The reviewer and the agent see it in their inboxes, marked as the member's.
    client.logout()
    for user in (world.reviewer, world.agent):
        inbox = login(user).get("/").content.decode()
        assert report.number in inbox, user
        assert "会员本人" in inbox or "Reported by members" in inbox
    page = login(world.agent).get(reverse("claims:claim_detail", args=[report.claim.pk]))
    assert 'data-testid="by-member"' in page.content.decode()


def test_member_uploads_are_content_checked_and_marked(client, member, world):
    plan = factories.make_plan(world.office)
    claim = factories.make_claim(member, plan, policy=factories.make_policy(member, plan))
    isolation.member_session(client, member)
    url = reverse("me:document_add", args=[claim.pk])
    exe = SimpleUploadedFile("诊断.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    refused = client.post(url, {"kind": "diagnosis", "file": exe})
    assert refused.status_code == 400
    assert not ClaimDocument.objects.filter(claim=claim).exists()
    ok = client.post(url, {"kind": "diagnosis", "file": SimpleUploadedFile("诊断.pdf", PDF)})
    assert ok.status_code == 302
    document = ClaimDocument.objects.get(claim=claim)
    assert document.by_member and document.uploaded_by is None
    assert AuditEvent.objects.filter(action="claim.document_added_by_member").count() == 1
    # Not on a claim with the reviewer.
    claim.status = "submitted"
    claim.save(update_fields=["status"])
    late = client.post(url, {"kind": "receipts", "file": SimpleUploadedFile("b.pdf", PDF)})
    assert late.status_code == 400


def test_phone_change_needs_both_codes(client, member):
    isolation.member_session(client, member)
    client.post(reverse("me:phone"), {"step": "send", "phone": "13700000001"})
    assert [m.to for m in sms.outbox] == [PHONE, "13700000001"]
    old_code = re.search(r"\d{6}", sms.outbox[0].text).group(0)
    new_code = re.search(r"\d{6}", sms.outbox[1].text).group(0)
    wrong = client.post(
        reverse("me:phone"), {"step": "confirm", "old_code": new_code, "new_code": old_code}
    )
    assert wrong.status_code == 200
    assert Member.objects.get(pk=member.pk).phone == PHONE
    # A wrong try uses neither code: the right pair still works.
    ok = client.post(
        reverse("me:phone"), {"step": "confirm", "old_code": old_code, "new_code": new_code}
    )
    assert ok.status_code == 302
    assert Member.objects.get(pk=member.pk).phone == "13700000001"
    assert AuditEvent.objects.filter(action="member.phone_changed").count() == 1
    again = client.post(
        reverse("me:phone"), {"step": "confirm", "old_code": old_code, "new_code": new_code}
    )
    assert again.status_code == 200  # used codes open nothing twice
    assert set(OneTimeCode.objects.values_list("purpose", flat=True)) == {
        CodePurpose.PHONE_OLD,
        CodePurpose.PHONE_NEW,
    }


# --- Query counts ----------------------------------------------------------------------------


def test_query_counts_of_my_cover_and_my_claims(
    client, member, world, django_assert_max_num_queries
):
    plan = factories.make_plan(world.office)
    for n in range(3):
        factories.make_claim(member, plan, event_date=dt.date(2026, 8, n + 1))
    isolation.member_session(client, member)
    # The session, the scope's enter and leave (+2), the member's tenant activated, the
    # member; then the page's own: policies and tranches (cover), claims (claims).
    with django_assert_max_num_queries(7):
        assert client.get(reverse("me:cover")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("me:claims")).status_code == 200


def test_my_certificate_is_my_row_alone(client, member, world):
    from enrolment.models import Policy
    from premiums import documents

    plan = factories.make_plan(world.office)
    neighbour = factories.make_member(member.unit, name="邻居会员", phone="13900000003")
    enrolment = factories.make_enrolment(
        member.unit, plan, members=[member, neighbour], status="in_force"
    )
    mine = factories.make_policy(member, plan, enrolment=enrolment)
    factories.make_policy(neighbour, plan, enrolment=enrolment)
    rows = documents.certificate_rows(enrolment, policy_id=mine.pk)
    assert [r["name"] for r in rows] == [member.name]
    context = documents.certificate_context(enrolment, policy=Policy.objects.get(pk=mine.pk))
    assert context["member_copy"] and context["share_total"] == 1
    isolation.member_session(client, member)
    response = client.get(reverse("me:certificate", args=[mine.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_tenant_lookup_answers_tenant_ids_alone(member, world):
    from django.db import connection

    from members.selfservice import services
    from mutualaid.tenancy.context import tenant_scope

    twin = factories.make_member(
        factories.make_unit(world.other_unit), id_number=member.id_number, phone=PHONE
    )
    with tenant_scope(None, origin="test"), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, count(*) FROM members_member")
        role, visible = cursor.fetchone()
        assert role == "mutualaid_app" and visible == 0  # no member before a tenant
        found = services.member_tenants(member.id_number)
        assert sorted(found) == sorted([member.tenant_id, twin.tenant_id])
        assert services.member_tenants("110101199001011234") == []
        assert services.member_tenants("") == []


def test_the_demo_member_seed_demo_prints_can_sign_in_and_sees_a_claim(db, client, settings):
    """README: a newcomer signs in at /me/login/ with the member seed_demo prints."""
    import io

    from django.core.management import call_command

    settings.DEMO = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    found = re.search(r"ID number (\d{17}[\dX]), phone (\d{11})", out.getvalue())
    assert found, out.getvalue()[-600:]
    id_number, phone = found.groups()
    assert _ask(client, id_number, phone).status_code == 302
    assert sms.outbox and sms.outbox[-1].to == phone
    _enter(client, _code_from_outbox())
    page = client.get(reverse("me:claims"))
    assert page.status_code == 200
    from claims.models import Claim

    claim = Claim.objects.filter(member__id_number=id_number).first()
    assert claim is not None and claim.number in page.content.decode()
