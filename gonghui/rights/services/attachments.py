"""Attachments of cases and hardship files: evidence (pay slips, contracts, photos), certificates.

Uploads are checked by their content, not their name (a renamed executable stays out); only PDF,
JPEG, PNG and Office .docx/.xlsx are kept. Files are stored under `FILES_DIR/rights/` (inside the
instance directory, outside the web root and the static files) under a random name, and are only
served as downloads by views that fetch the attachment through the owner's scope.
"""

from __future__ import annotations

import hashlib
import secrets
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.scoping import path_in_scope
from gonghui.rights.choices import CaseEventKind
from gonghui.rights.models import Attachment, CaseEvent, RightsCase

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSION = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx"}
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"  # for the file input's `accept` (a hint only)


def storage_dir() -> Path:
    return Path(settings.FILES_DIR) / "rights"


def max_bytes() -> int:
    return settings.GONGHUI_RIGHTS_UPLOAD_MAX_MB * 1024 * 1024


def sniff(head: bytes, path_or_file) -> str | None:
    """The content type found in the file's bytes, or None when it is none we accept."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return _sniff_office(path_or_file)
    return None


# The content-types part is a few kB; a bigger one is not a document we want to read.
CONTENT_TYPES_MAX = 256 * 1024


def _sniff_office(path_or_file) -> str | None:
    """.docx and .xlsx are zip files; the part that names them tells which (and a plain zip, .jar
    or .apk has neither). A macro document (.docm/.xlsm renamed .docx/.xlsx) is refused: its
    macros (vbaProject.bin) run when a colleague opens it and enables content."""
    try:
        with zipfile.ZipFile(path_or_file) as archive:
            names = set(archive.namelist())
            info = archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
            if info is None or info.file_size > CONTENT_TYPES_MAX:
                return None
            content_types = archive.read(info).lower()
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    if b"macroenabled" in content_types or b"vbaproject" in content_types:
        return None
    if any(name.lower().rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml") for name in names):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def clean_name(raw: str, content_type: str) -> str:
    """The uploaded file's base name (no directories), ending with the extension of its real type."""
    # Non-printable characters (line breaks would break the download's header; a right-to-left
    # override makes "gpj.exe" read "exe.jpg") go; browsers drop them already, the API may not.
    printable = "".join(ch for ch in (raw or "") if ch.isprintable())
    name = PureWindowsPath(PurePosixPath(printable).name).name.strip()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[:150] or _("attachment")
    return stem + EXTENSION[content_type]


def _owner_path(case, hardship_file) -> str:
    if (case is None) == (hardship_file is None):
        raise ValueError("an attachment belongs to exactly one case or hardship file")
    owner = case if case is not None else hardship_file
    return type(owner).objects.filter(pk=owner.pk).values_list("unit_path", flat=True).get()


def attachment_store(*, actor, upload, case=None, hardship_file=None, description: str = "") -> Attachment:
    """Keep an uploaded file for a case (with a line on its timeline) or a hardship file (the
    caller records the hardship file's own event)."""
    require_path = _owner_path(case, hardship_file)
    if not path_in_scope(actor, Action.CHANGE, require_path):
        raise PermissionDenied
    if upload is None:
        raise ValidationError({"upload": _("Choose a file to upload.")})
    if upload.size > max_bytes():
        raise ValidationError(
            {
                "upload": _("The file is larger than %(max)s MB; scan it at a lower resolution or split it.")
                % {"max": settings.GONGHUI_RIGHTS_UPLOAD_MAX_MB}
            }
        )
    if upload.size == 0:
        raise ValidationError({"upload": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head, upload)
    upload.seek(0)
    if content_type is None:
        raise ValidationError(
            {"upload": _("Only PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx) files can be attached.")}
        )
    description = " ".join((description or "").split())
    if len(description) > 200:
        raise ValidationError({"description": _("Keep the description within 200 characters.")})

    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16) + EXTENSION[content_type]
    target = directory / stored_name
    digest = hashlib.sha256()
    with open(target, "xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    target.chmod(0o600)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                case=case,
                hardship_file=hardship_file,
                stored_name=stored_name,
                original_name=clean_name(getattr(upload, "name", ""), content_type),
                content_type=content_type,
                size=upload.size,
                sha256=digest.hexdigest(),
                description=description,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
            )
            if case is not None:
                RightsCase.objects.filter(pk=case.pk).select_for_update().get()
                CaseEvent.objects.create(
                    case=case,
                    kind=CaseEventKind.ATTACHMENT,
                    actor=attachment.uploaded_by,
                    attachment=attachment,
                    note=description,
                )
            audit_record(
                action=AuditAction.CREATE,
                actor=actor,
                obj=attachment,
                org_unit=(case or hardship_file).org_unit,
                object_repr=f"{case or hardship_file} #{stored_name[:8]}",
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return attachment


def attachment_owner_path(attachment: Attachment) -> str:
    owner = attachment.case if attachment.case_id else attachment.hardship_file
    return owner.unit_path


def attachment_response(attachment: Attachment, *, actor=None, request=None) -> FileResponse:
    """The file as a download (never shown inline: a crafted PDF or image cannot run in our
    origin). The caller fetched `attachment` through the owner's scope; with `actor` given, the
    download is audited here."""
    path = storage_dir() / attachment.stored_name
    if not path.is_file() or path.resolve().parent != storage_dir().resolve():
        raise Http404
    if actor is not None:
        audit_record(
            action=AuditAction.EXPORT,
            actor=actor,
            obj=attachment,
            org_unit=(attachment.case or attachment.hardship_file).org_unit,
            object_repr=f"{attachment.case or attachment.hardship_file} #{attachment.stored_name[:8]}",
            detail={"download": True},
            request=request,
        )
    response = FileResponse(
        open(path, "rb"), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
