"""Documents kept under a contract, and their versions."""

from django.conf import settings
from django.db import models


class Document(models.Model):
    """A document in a contract's Documents section (the agreement, an exhibit...).

    The file itself lives in its versions; the newest version is the current one.
    """

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def latest_version(self) -> "DocumentVersion | None":
        return self.versions.order_by("-number").first()


class VersionSource(models.TextChoices):
    SALESFORCE_REQUEST = "salesforce_request", "Salesforce contract request"
    UPLOAD = "upload", "Uploaded in contractdesk"
    SIGNATURE = "signature", "Signed copy"


class DocumentVersion(models.Model):
    """One stored file of a document. Versions are never changed once written.

    ``sha256`` is computed from the stored bytes, so a copy downloaded anywhere
    (including Salesforce Files) can be checked against it.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    filename = models.CharField(max_length=255)
    media_type = models.CharField(max_length=127)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=255, unique=True)
    source = models.CharField(max_length=32, choices=VersionSource.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    salesforce_content_version_id = models.CharField(max_length=18, blank=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_document_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"
