"""Minutes attachments: PDF, DOCX, JPG or PNG, at most 10 MB. The extension AND the content
must agree (the first bytes are sniffed; a .docx must be a zip holding word/document.xml), so a
renamed executable or HTML page is refused before anything is stored."""

from __future__ import annotations

import io
import os
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


def sniff(head: bytes, data_for_zip=None) -> str | None:
    """The extension the content really has, from its first bytes."""
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"PK\x03\x04") and data_for_zip is not None:
        try:
            with zipfile.ZipFile(data_for_zip) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return ".docx"
    return None


def check_attachment(upload) -> None:
    """Refuse a file of the wrong type or size with a clear message."""
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        raise ValidationError(
            {"minutes": _("Only PDF, Word (.docx), JPG or PNG files can be attached; “%(name)s” is not one.") % {"name": os.path.basename(name)}}
        )
    size = getattr(upload, "size", None) or 0
    if size > MAX_BYTES:
        raise ValidationError(
            {"minutes": _("The file is %(size).1f MB; attachments may be at most 10 MB.") % {"size": size / 1048576}}
        )
    upload.seek(0)
    if ext == ".docx":
        data = upload.read(MAX_BYTES + 1)
        real = sniff(data[:8], io.BytesIO(data))
    else:
        real = sniff(upload.read(16))
    upload.seek(0)
    if real is None or ALLOWED[real] != ALLOWED[ext]:
        raise ValidationError(
            {"minutes": _("The content of “%(name)s” is not a %(kind)s file; it may be damaged or renamed.")
             % {"name": os.path.basename(name), "kind": ext.lstrip(".").upper()}}
        )
