"""Supporting documents (SPEC §8, §14): PDF, JPEG or PNG recognised by their bytes, size
limited, stored outside the web root (never under MEDIA_ROOT or the static files)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import ClaimDocument
from claims.services import applications
from mutualaid.audit.models import AuditEvent
from mutualaid.core.errors import DomainError
from tests.claims.services_support import PDF, image_bytes, pdf_upload, report

EVENT = dt.date(2026, 8, 1)


@pytest.fixture
def claim(world, covered):
    member, plan, _ = covered
    return report(world, member, plan, event_date=EVENT).claim


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(claim) -> list[Path]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / str(claim.tenant_id) / str(claim.pk)
    return sorted(folder.glob("*")) if folder.exists() else []


def add(world, claim, file, kind="diagnosis"):
    return applications.document_add(
        actor=world.actor(world.agent), claim=claim, kind=kind, upload=file
    )


def _inside(path: Path, root) -> bool:
    return path.resolve().is_relative_to(Path(root).resolve())


@pytest.mark.django_db
def test_a_pdf_is_stored_outside_the_web_root(world, claim):
    doc = add(world, claim, pdf_upload("诊断证明书.pdf"))
    path = applications.document_path(doc)
    assert path.read_bytes() == PDF
    assert (doc.content_type, doc.size, doc.original_name) == (
        "application/pdf",
        len(PDF),
        "诊断证明书.pdf",
    )
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert _inside(path, settings.PRIVATE_MEDIA_ROOT)
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        assert not _inside(path, public), public
        assert not _inside(Path(settings.PRIVATE_MEDIA_ROOT), public), public
    # The stored name is ours, never the uploaded one.
    assert path.name == f"{doc.pk}.pdf"
    assert AuditEvent.objects.filter(
        action="claim.document_added", object_id=str(claim.pk)
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fmt, content_type, suffix", [("PNG", "image/png", ".png"), ("JPEG", "image/jpeg", ".jpg")]
)
def test_images_are_recognised_by_content_not_name(world, claim, fmt, content_type, suffix):
    data = image_bytes(fmt)
    doc = add(world, claim, upload("身份证正面.pdf", data, "application/pdf"), kind="id_card")
    assert doc.content_type == content_type
    assert applications.document_path(doc).suffix == suffix


@pytest.mark.django_db
def test_a_path_in_the_file_name_is_dropped(world, claim):
    doc = add(world, claim, pdf_upload("../../../etc/passwd.pdf"))
    assert doc.original_name == "passwd.pdf"
    assert _inside(applications.document_path(doc), settings.PRIVATE_MEDIA_ROOT)


WRONG = {
    "an .exe renamed .pdf": ("病历.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
    "a text file renamed .pdf": ("诊断.pdf", "诊断: 肺癌\n".encode() * 20),
    "an HTML page renamed .jpg": ("票据.jpg", b"<html><script>alert(1)</script></html>"),
    "a zip (docx) file": ("证明.docx", b"PK\x03\x04" + b"\x00" * 100),
    "a GIF": ("照片.gif", b"GIF89a" + b"\x00" * 100),
    "a PDF header in the middle": ("x.pdf", b"junk\n%PDF-1.4\n%%EOF\n"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name, data", WRONG.values(), ids=list(WRONG))
def test_a_file_of_the_wrong_type_is_refused(world, claim, name, data):
    with pytest.raises(DomainError) as refused:
        add(world, claim, upload(name, data))
    assert [e.code for e in refused.value.error_dict["file"]] == ["file_type"]
    assert not ClaimDocument.objects.filter(claim=claim).exists()
    assert stored_files(claim) == []


DAMAGED = {
    "a truncated PDF": PDF[: len(PDF) // 2],
    "a PNG cut short": image_bytes("PNG")[:40],
    "a JPEG header then noise": b"\xff\xd8\xff\xe0" + b"\x13" * 300,
    "an empty file": b"",
}


@pytest.mark.django_db
@pytest.mark.parametrize("data", DAMAGED.values(), ids=list(DAMAGED))
def test_a_damaged_file_is_refused(world, claim, data):
    with pytest.raises(DomainError) as refused:
        add(world, claim, upload("document.pdf", data))
    assert "file" in refused.value.message_dict
    assert stored_files(claim) == []


@pytest.mark.django_db
def test_an_oversize_file_is_refused_before_it_is_read(world, claim, settings):
    settings.CLAIM_DOCUMENT_MAX_BYTES = 1024
    big = PDF[:-6] + b"\n" + b"0" * 2048 + b"\n%%EOF\n"
    with pytest.raises(DomainError) as refused:
        add(world, claim, upload("扫描件.pdf", big))
    assert "MB" in refused.value.message_dict["file"][0]

    class Lying(SimpleUploadedFile):
        """A stream that claims to be small: the bytes read are what count."""

        @property
        def size(self):
            return 10

        @size.setter
        def size(self, value):
            pass

    with pytest.raises(DomainError):
        add(world, claim, Lying("扫描件.pdf", big, "application/pdf"))
    assert stored_files(claim) == []
    settings.CLAIM_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    assert add(world, claim, upload("扫描件.pdf", big)).size == len(big)


@pytest.mark.django_db
def test_the_kind_and_the_file_are_required(world, claim):
    with pytest.raises(DomainError) as refused:
        add(world, claim, pdf_upload(), kind="selfie")
    assert "kind" in refused.value.message_dict
    with pytest.raises(DomainError) as refused:
        add(world, claim, None)
    assert "file" in refused.value.message_dict


@pytest.mark.django_db
def test_only_people_reaching_the_claim_add_documents(world, claim):
    for user in (
        world.sibling_agent,
        world.other_county_agent,
        world.other_tenant_admin,
        world.finance,
    ):
        with pytest.raises(PermissionDenied):
            applications.document_add(
                actor=world.actor(user), claim=claim, kind="diagnosis", upload=pdf_upload()
            )
    assert stored_files(claim) == []
    # The reviewer may add a document the office received on paper.
    doc = applications.document_add(
        actor=world.actor(world.reviewer),
        claim=claim,
        kind="other",
        upload=pdf_upload("补充材料.pdf"),
    )
    assert doc.uploaded_by_id == world.reviewer.pk


@pytest.mark.django_db
def test_a_claim_needs_a_document_to_be_submitted(world, claim):
    agent = world.actor(world.agent)
    claim = applications.claim_update(
        actor=agent,
        claim=claim,
        data={
            "condition": "coronary_stent",
            "bank_name": "工商银行",
            "bank_account": "1234567890123",
        },
    )
    with pytest.raises(DomainError) as refused:
        applications.claim_submit(actor=agent, claim=claim)
    assert "file" in refused.value.message_dict
