"""Adversarial uploads: disguised types, macro documents, hostile names; and the download headers."""

import io
import zipfile
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.rights.models import Attachment
from gonghui.rights.services.attachments import PDF, attachment_response, attachment_store, storage_dir
from gonghui.rights.testing import make_case

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MACRO_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)


def _zip(parts: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _store(people, case, name, content):
    return attachment_store(actor=people.cadre, upload=SimpleUploadedFile(name, content), case=case)


def test_it_keeps_a_pdf_renamed_exe_as_a_pdf(people, tree):
    case = make_case(people.cadre, tree.west_a)
    attachment = _store(people, case, "工资条.exe", PDF_BYTES)
    assert attachment.content_type == PDF and attachment.original_name == "工资条.pdf"
    assert attachment.stored_name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("合同.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # an .exe renamed .pdf
        ("照片.png", b"<!doctype html><html><script>alert(1)</script></html>"),  # HTML renamed .png
        ("照片.png", b"\n\n<html><body onload=alert(1)>"),
        ("空.pdf", b""),
        ("压缩包.docx", _zip({"readme.txt": "hello"})),  # a zip that is not an Office file
        ("坏的.docx", b"PK\x03\x04" + b"\x00" * 40),  # a broken zip
        # a macro document (.docm) renamed .docx: vbaProject.bin and a macro-enabled content type
        (
            "劳动合同.docx",
            _zip(
                {
                    "[Content_Types].xml": MACRO_TYPES,
                    "word/document.xml": "<w:document/>",
                    "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro",
                }
            ),
        ),
        # the same without the vbaProject part name giving it away
        ("劳动合同.docx", _zip({"[Content_Types].xml": MACRO_TYPES, "word/document.xml": "<w:document/>"})),
        (
            "考勤表.xlsx",
            _zip(
                {
                    "[Content_Types].xml": "<Types/>",
                    "xl/workbook.xml": "<workbook/>",
                    "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro",
                }
            ),
        ),
    ],
)
def test_it_refuses_disguised_and_dangerous_content(people, tree, name, content):
    case = make_case(people.cadre, tree.west_a)
    with pytest.raises(ValidationError) as error:
        _store(people, case, name, content)
    assert "upload" in error.value.message_dict
    assert not Attachment.objects.exists()
    assert not storage_dir().exists() or not list(storage_dir().iterdir())


def test_it_refuses_a_file_just_over_the_limit_and_keeps_one_at_it(people, tree, settings):
    settings.GONGHUI_RIGHTS_UPLOAD_MAX_MB = 1
    case = make_case(people.cadre, tree.west_a)
    at_limit = PDF_BYTES + b"\x00" * (1024 * 1024 - len(PDF_BYTES))
    assert _store(people, case, "a.pdf", at_limit).size == 1024 * 1024
    with pytest.raises(ValidationError):
        _store(people, case, "b.pdf", at_limit + b"\x00")
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\工资条.pdf", "工资条.pdf"),
        ("C:\\Users\\李春花\\Desktop\\劳动仲裁申请书.pdf", "劳动仲裁申请书.pdf"),
        (".pdf", None),
        ("工资\r\nSet-Cookie: a=b.pdf", "工资Set-Cookie: a=b.pdf"),
        ("工资\x00条\x1b.pdf", "工资条.pdf"),
        ("\u202egpj.exe", None),  # right-to-left override: looks like "exe.jpg"
    ],
)
def test_it_keeps_only_a_clean_base_name(people, tree, raw, kept):
    case = make_case(people.cadre, tree.west_a)
    attachment = _store(people, case, raw, PDF_BYTES)
    name = attachment.original_name
    assert name.endswith(".pdf") and "/" not in name and "\\" not in name
    assert all(ch.isprintable() for ch in name) and "\u202e" not in name
    if kept:
        assert name == kept
    assert (storage_dir() / attachment.stored_name).resolve().parent == storage_dir().resolve()
    response = attachment_response(attachment)
    assert "\n" not in response["Content-Disposition"] and "\r" not in response["Content-Disposition"]


def test_a_very_long_chinese_name_is_shortened_to_fit(people, tree):
    case = make_case(people.cadre, tree.west_a)
    attachment = _store(people, case, "杭州顺达物流有限公司拖欠工资证据材料" * 40 + ".pdf", PDF_BYTES)
    assert len(attachment.original_name) <= 200 and attachment.original_name.endswith(".pdf")
    Attachment.objects.get(pk=attachment.pk)  # it fits the column (PostgreSQL would refuse otherwise)


def test_the_download_encodes_a_chinese_name_and_forbids_sniffing(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    attachment = _store(people, case, '劳动合同 (2026) "最终版".pdf', PDF_BYTES)
    response = login(people.cadre).get(reverse("rights:case_download", args=[case.pk, attachment.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" + quote(attachment.original_name) in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_out_of_scope_or_made_up_download_is_404(people, tree, login):
    case = make_case(people.cadre, tree.west_a)
    attachment = _store(people, case, "a.pdf", PDF_BYTES)
    other = make_case(people.sibling_cadre, tree.west_b)
    client = login(people.sibling_cadre)
    assert client.get(reverse("rights:case_download", args=[case.pk, attachment.pk])).status_code == 404
    assert client.get(reverse("rights:case_download", args=[other.pk, attachment.pk])).status_code == 404
    assert client.get(reverse("rights:case_download", args=[other.pk, 999999])).status_code == 404
    (storage_dir() / attachment.stored_name).unlink()
    assert login(people.cadre).get(reverse("rights:case_download", args=[case.pk, attachment.pk])).status_code == 404
