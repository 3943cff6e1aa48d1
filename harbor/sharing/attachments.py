"""Attachments: stored with a SHA-256 checksum and a content type sniffed from the bytes, never trusted
from the client. Only documents, images and plain text are accepted; anything else is refused."""

from __future__ import annotations

import hashlib
import re
from typing import IO

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.errors import HarborError, NotFound, ValidationFailed
from harbor.core.permissions import require
from harbor.sharing import permissions as perms
from harbor.sharing.models import Attachment, Record

ALLOWED_BINARY = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
TEXT_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".txt": "text/plain",
    ".xml": "application/xml",
}
MAX_PER_RECORD = 20


def safe_filename(name: str) -> str:
    """The last path part, without control or separator characters, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"<>:|?*]", "_", base).strip(" .")
    return base[:200] or "attachment"


def sniff(content: bytes, filename: str) -> str:
    """The content type the bytes really have; ValidationFailed when it is not an accepted kind."""
    kind = filetype.guess(content)
    if kind is not None:
        if kind.mime in ALLOWED_BINARY:
            return str(kind.mime)
        raise ValidationFailed.for_field(
            "file", _("Files of type %(type)s are not accepted.") % {"type": kind.mime}
        )
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if b"\x00" not in content[:8192]:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return TEXT_TYPES.get(suffix, "text/plain")
    raise ValidationFailed.for_field("file", _("This kind of file is not accepted."))


def add_attachment(
    record: Record, *, actor: Actor, filename: str, stream: IO[bytes], size: int
) -> Attachment:
    """Attach a file to a record of the actor's organisation (editors and above)."""
    require(actor, perms.EDIT_RECORD, record)
    limit = settings.HARBOR_MAX_ATTACHMENT_BYTES
    if size > limit:
        raise ValidationFailed.for_field(
            "file", _("The file is larger than %(limit)d bytes.") % {"limit": limit}
        )
    if record.attachments.count() >= MAX_PER_RECORD:
        raise HarborError(
            "conflict", _("A record has at most %(n)d attachments.") % {"n": MAX_PER_RECORD}
        )
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed.for_field(
            "file", _("The file is larger than %(limit)d bytes.") % {"limit": limit}
        )
    if not content:
        raise ValidationFailed.for_field("file", _("The file is empty."))
    name = safe_filename(filename)
    content_type = sniff(content, name)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        attachment = Attachment(
            record=record,
            filename=name,
            content_type=content_type,
            size=len(content),
            sha256=digest,
        )
        attachment.file.save(f"{digest[:2]}/{digest}", ContentFile(content), save=False)
        attachment.save()
        record_audit(actor, "attachment.added", attachment, record=record.pk, sha256=digest)
    return attachment


def get_attachment(record: Record, attachment_id: int) -> Attachment:
    attachment = record.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("No such attachment."))
    return attachment
