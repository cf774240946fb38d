import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.rights.choices import CaseEventKind
from gonghui.rights.models import Attachment
from gonghui.rights.services.attachments import DOCX, PDF, PNG, XLSX, attachment_response, attachment_store, storage_dir
from gonghui.rights.testing import make_case

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected", "stored_as"),
    [
        ("工资条.pdf", PDF_BYTES, PDF, "工资条.pdf"),
        ("现场照片.PNG", PNG_BYTES, PNG, "现场照片.png"),
        ("劳动合同.docx", _office("word/document.xml"), DOCX, "劳动合同.docx"),
        ("考勤表.xlsx", _office("xl/workbook.xml"), XLSX, "考勤表.xlsx"),
        ("照片.jpg", PNG_BYTES, PNG, "照片.png"),  # named .jpg, really a PNG: the content decides
    ],
)
def test_it_keeps_accepted_types_by_content(people, tree, name, content, expected, stored_as):
    case = make_case(people.cadre, tree.west_a)
    attachment = attachment_store(actor=people.cadre, upload=SimpleUploadedFile(name, content), case=case)
    assert attachment.content_type == expected
    assert attachment.original_name == stored_as
    path = storage_dir() / attachment.stored_name
    assert path.read_bytes() == content
    assert name.split(".")[0] not in attachment.stored_name
    event = case.events.get(kind=CaseEventKind.ATTACHMENT)
    assert event.attachment_id == attachment.pk


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("证据.pdf", b"MZ\x90\x00 this is an executable"),
        ("说明.docx", _office("META-INF/MANIFEST.MF")),
        ("空.pdf", b""),
        ("脚本.png", b"<script>alert(1)</script>"),
    ],
)
def test_it_refuses_other_content_whatever_the_name(people, tree, name, content):
    case = make_case(people.cadre, tree.west_a)
    with pytest.raises(ValidationError) as error:
        attachment_store(actor=people.cadre, upload=SimpleUploadedFile(name, content), case=case)
    assert "upload" in error.value.message_dict
    assert not Attachment.objects.exists()
    assert not storage_dir().exists() or not any(storage_dir().iterdir())


def test_it_refuses_files_over_the_size_limit(people, tree, settings):
    settings.GONGHUI_RIGHTS_UPLOAD_MAX_MB = 1
    case = make_case(people.cadre, tree.west_a)
    big = SimpleUploadedFile("扫描件.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as error:
        attachment_store(actor=people.cadre, upload=big, case=case)
    assert "1 MB" in error.value.message_dict["upload"][0]
    assert not Attachment.objects.exists()


def test_it_refuses_an_actor_outside_the_scope(people, tree):
    case = make_case(people.cadre, tree.west_a)
    for actor in (people.sibling_cadre, people.viewer):
        with pytest.raises(PermissionDenied):
            attachment_store(actor=actor, upload=SimpleUploadedFile("a.pdf", PDF_BYTES), case=case)
    assert not Attachment.objects.exists()


def test_the_download_is_an_attachment_with_the_original_name(people, tree):
    case = make_case(people.cadre, tree.west_a)
    attachment = attachment_store(
        actor=people.cadre, upload=SimpleUploadedFile("../../工资条.pdf", PDF_BYTES), case=case
    )
    assert attachment.original_name == "工资条.pdf"
    response = attachment_response(attachment, actor=people.cadre)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == PDF
    assert b"".join(response.streaming_content) == PDF_BYTES
