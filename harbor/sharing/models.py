"""Records of the sharing hub, their versions, attachments, access keys and the change feed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from harbor.directory.models import Organisation, User
from harbor.reference.models import Country
from harbor.sharing.choices import Audience, ChangeAction, RecordKind, RecordStatus


def pick_language(
    texts: dict[str, str], original: str, wanted: str | None = None
) -> tuple[str, str]:
    """(language, text) for a reader: their language if present, else the original, else any."""
    language = (wanted or get_language() or original).lower()
    for candidate in (language, original):
        if texts.get(candidate):
            return candidate, texts[candidate]
    for candidate, text in texts.items():
        if text:
            return candidate, text
    return original, ""


class Record(models.Model):
    """One shared item (notice, regulation, opportunity, dataset, advisory, public-service information).

    The row holds the current version; every edit also stores a ``RecordVersion``. Who may read it is its
    sharing policy (audience, listed countries or organisations, residency), turned into access keys.
    """

    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    status = models.CharField(
        max_length=12, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="records")
    home_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    original_language = models.CharField(max_length=10)
    title = models.JSONField(default=dict)
    summary = models.JSONField(default=dict, blank=True)
    body = models.JSONField(default=dict, blank=True)
    topics = models.JSONField(default=list, blank=True)
    hs_codes = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True, help_text=_("countries concerned"))
    details = models.JSONField(default=dict, blank=True, help_text=_("kind-specific fields"))
    links = models.JSONField(default=list, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.OWNER)
    audience_countries = models.JSONField(default=list, blank=True)
    audience_organisations = models.JSONField(default=list, blank=True)
    residency = models.BooleanField(default=False, help_text=_("never leaves its home node"))
    version = models.PositiveIntegerField(default=1)
    external_id = models.CharField(max_length=200, blank=True, default="")
    is_demo = models.BooleanField(default=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "external_id"],
                condition=~models.Q(external_id=""),
                name="record_unique_external_id",
            )
        ]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["home_country"])]
        verbose_name = _("record")
        verbose_name_plural = _("records")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def text(self, field: str, language: str | None = None) -> tuple[str, str]:
        return pick_language(getattr(self, field), self.original_language, language)

    @property
    def display_title(self) -> str:
        return self.text("title")[1]


class RecordAccess(models.Model):
    """One access key that opens a record (``public``, ``members``, ``c_vn``, ``o_12``)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="access")
    key = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "record"], name="record_access_unique")
        ]

    def __str__(self) -> str:
        return self.key


class RecordVersion(models.Model):
    """A snapshot of a record after one edit, policy included; versions are never changed."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["record", "number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="record_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.number}"


class Attachment(models.Model):
    """A file attached to a record, stored with its checksum and sniffed content type."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class ChangeEvent(models.Model):
    """One entry of the change feed; ``access_terms`` is who learns of it (old and new readers)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=12, choices=ChangeAction.choices)
    version = models.PositiveIntegerField()
    access_keys = models.JSONField(
        default=list, help_text=_("keys that could read the record after the change")
    )
    previous_keys = models.JSONField(default=list, help_text=_("keys that could read it before"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} {self.record_id} v{self.version}"


class Subscription(models.Model):
    """A standing question: tell me of records of these kinds, countries, topics, HS codes or words.

    It reads with the rights of its user acting for its organisation, so it never receives a record that
    user could not open. Empty criteria match everything.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="subscriptions")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="subscriptions"
    )
    name = models.CharField(max_length=120)
    kinds = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    hs_prefixes = models.JSONField(default=list, blank=True)
    query = models.CharField(max_length=300, blank=True, default="")
    by_inbox = models.BooleanField(default=True)
    by_email = models.BooleanField(default=False)
    webhook_url = models.URLField(blank=True, default="", max_length=500)
    webhook_secret = models.CharField(max_length=64, blank=True, default="")
    feed_token = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return self.name


class InboxItem(models.Model):
    """A record delivered to a user's in-app inbox by one of their subscriptions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="inbox")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="inbox_items"
    )
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "record", "version"], name="inbox_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.record_id} v{self.version}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


class WebhookDelivery(models.Model):
    """One webhook call and its retries: the delivery log a subscriber can inspect."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    url = models.URLField(max_length=500)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "record", "version"], name="webhook_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.status})"


class TranslationStatus(models.TextChoices):
    PENDING = "pending", _("Being translated")
    DONE = "done", _("Translated")
    UNAVAILABLE = "unavailable", _("No translation engine")
    FAILED = "failed", _("Failed")


class RecordTranslation(models.Model):
    """A machine translation of one version of a record into one language, made by a task on first read.

    ``provenance`` holds, per field (title, summary, body), how its text was made: ``memory`` (every
    sentence from the translation memory), ``machine`` (some by an engine, named in ``engine``), or
    ``original`` when the field is empty. A new version of the record is translated afresh.
    """

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="translations")
    version = models.PositiveIntegerField()
    language = models.CharField(max_length=10)
    status = models.CharField(
        max_length=12, choices=TranslationStatus.choices, default=TranslationStatus.PENDING
    )
    title = models.TextField(blank=True, default="")
    summary = models.TextField(blank=True, default="")
    body = models.TextField(blank=True, default="")
    provenance = models.JSONField(default=dict, blank=True)
    engine = models.CharField(max_length=300, blank=True, default="")
    message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "version", "language"], name="record_translation_unique"
            )
        ]
        verbose_name = _("record translation")
        verbose_name_plural = _("record translations")

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version} → {self.language}"
