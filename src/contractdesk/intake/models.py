"""The request queue: contract requests submitted from Salesforce."""

from django.conf import settings
from django.db import models


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class ContractRequest(models.Model):
    """A contract request from Salesforce, waiting for or carrying a decision.

    It is keyed by the Salesforce record Id, so syncing the same submission
    twice updates one row. The Salesforce fields are a copy taken at intake;
    ``problem`` is set when the request cannot be decided as it is (a missing
    or unusable file, a deleted Account), and tells the salesperson what to fix.
    """

    salesforce_id = models.CharField(max_length=18, unique=True, verbose_name="Salesforce Id")
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    problem = models.TextField(blank=True)

    salesforce_account_id = models.CharField(max_length=18, blank=True)
    account_name = models.CharField(max_length=255, blank=True)
    account_snapshot = models.JSONField(default=dict, blank=True)
    salesforce_opportunity_id = models.CharField(max_length=18, blank=True)
    opportunity_name = models.CharField(max_length=120, blank=True)
    opportunity_stage = models.CharField(max_length=80, blank=True)
    salesforce_contract_type_id = models.CharField(max_length=18, blank=True)
    contract_type = models.ForeignKey(
        "contracts.ContractType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    term_type = models.CharField(max_length=20, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    description = models.TextField(blank=True)
    submitted_by_name = models.CharField(max_length=255, blank=True)
    salesforce_modstamp = models.DateTimeField(null=True, blank=True)

    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_notes = models.TextField(blank=True)
    company = models.ForeignKey(
        "companies.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.request_number} {self.name}"

    @property
    def request_number(self) -> str:
        return f"REQ-{self.pk:05d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def can_be_decided(self) -> bool:
        return self.is_open and not self.problem


class RequestFile(models.Model):
    """A file attached to the request in Salesforce, as downloaded at intake.

    A file that could not be used keeps its row with ``problem`` set and no
    stored bytes, so the queue shows what was wrong with it.
    """

    request = models.ForeignKey(ContractRequest, on_delete=models.CASCADE, related_name="files")
    salesforce_content_version_id = models.CharField(max_length=18)
    salesforce_content_document_id = models.CharField(max_length=18)
    filename = models.CharField(max_length=255)
    media_type = models.CharField(max_length=127, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    storage_key = models.CharField(max_length=255, blank=True)
    problem = models.TextField(blank=True)
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["filename", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "salesforce_content_version_id"], name="unique_request_content_version"
            ),
        ]

    def __str__(self) -> str:
        return self.filename
