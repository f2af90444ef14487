"""Contract types and Contract Profiles."""

import calendar
import datetime

from django.conf import settings
from django.db import models


class ContractType(models.Model):
    """A kind of contract (NDA, MSA, Order Form...).

    A Salesforce Contract_Type__c record maps to one of these by its
    ContractDesk_Code__c value, which equals ``code`` here.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TermType(models.TextChoices):
    AUTO_RENEW = "auto_renew", "Auto-Renew"
    FIXED = "fixed", "Fixed"
    PERPETUAL = "perpetual", "Perpetual"


class ContractStatus(models.TextChoices):
    IN_PROCESS = "in_process", "In Process"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    EXPIRED = "expired", "Expired"


class Contract(models.Model):
    """A Contract Profile: one agreement with one company.

    Its number is derived from the primary key when it is first saved, so two
    workers creating contracts at once can never draw the same number.
    Contracts are archived, never deleted; a child contract (an amendment or an
    order form under a master agreement) points at its parent.
    """

    # NULL only between the first INSERT and the UPDATE that sets it. A blank
    # string there would break the unique constraint when two contracts are saved at once.
    number = models.CharField(max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    title = models.CharField(max_length=255)
    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="contracts")
    contract_type = models.ForeignKey(ContractType, on_delete=models.PROTECT, related_name="contracts")
    status = models.CharField(max_length=20, choices=ContractStatus.choices, default=ContractStatus.IN_PROCESS)
    term_type = models.CharField(max_length=20, choices=TermType.choices)
    effective_date = models.DateField(null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    salesforce_opportunity_id = models.CharField(max_length=18, blank=True)
    salesforce_opportunity_name = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.number is None:
            self.number = f"CD-{self.created_at:%Y}-{self.pk:05d}"
            type(self).objects.filter(pk=self.pk).update(number=self.number)

    @property
    def expiration_date(self):
        """Return the last day of a Fixed or Auto-Renew term, or None when it has no end."""
        if self.term_type == TermType.PERPETUAL or not (self.effective_date and self.term_months):
            return None
        return add_months(self.effective_date, self.term_months) - datetime.timedelta(days=1)


def add_months(start: datetime.date, months: int) -> datetime.date:
    """Return the same day ``months`` later, clamped to the end of a shorter month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)
