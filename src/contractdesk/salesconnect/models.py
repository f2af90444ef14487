"""Sync bookkeeping: inbound poll state and runs, and the outbound outbox."""

from django.db import models


class SyncState(models.Model):
    """Progress of the inbound poll of one Salesforce object.

    ``watermark`` only advances to the start of a run that completed, so a run
    that fails part-way is read again in full by the next one.
    """

    sobject = models.CharField(max_length=80, unique=True)
    watermark = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.sobject} since {self.watermark}"


class ApiUsage(models.Model):
    """The org's API usage as Salesforce last reported it in Sforce-Limit-Info.

    Only one row exists. The usage counts every integration of the org, not
    only SalesConnect, over Salesforce's rolling 24 hours.
    """

    used = models.PositiveIntegerField()
    daily_limit = models.PositiveIntegerField()
    observed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.used}/{self.daily_limit} API calls at {self.observed_at:%Y-%m-%d %H:%M}"

    @property
    def share_used(self) -> float:
        return self.used / self.daily_limit if self.daily_limit else 0.0


class SyncRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    # Some records could not be taken in for a reason a person can fix (a bad
    # file, a missing Account); the run itself completed.
    COMPLETED_WITH_PROBLEMS = "completed_with_problems", "Completed with problems"
    # The org could not be reached or returned an error. This is expected and retried later.
    FAILED = "failed", "Failed"
    # A bug: the traceback is kept in the log.
    ERRORED = "errored", "Errored"
    # Not run, because the org is near its daily API limit.
    THROTTLED = "throttled", "Paused for the API limit"


class SyncRun(models.Model):
    """One inbound poll of Salesforce, with its log shown to administrators."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=32, choices=SyncRunStatus.choices, default=SyncRunStatus.RUNNING)
    window_start = models.DateTimeField(null=True, blank=True)
    records_seen = models.PositiveIntegerField(default=0)
    requests_received = models.PositiveIntegerField(default=0)
    requests_flagged = models.PositiveIntegerField(default=0)
    requests_cancelled = models.PositiveIntegerField(default=0)
    log = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Sync run {self.pk} ({self.status})"

    def add_log(self, line: str) -> None:
        self.log = f"{self.log}{line}\n"


class OutboxKind(models.TextChoices):
    UPDATE_REQUEST = "update_request", "Update the Salesforce contract request"
    UPLOAD_DOCUMENT = "upload_document", "Upload a document version to Salesforce Files"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class OutboxMessage(models.Model):
    """A change that must reach Salesforce.

    It is written in the same database transaction as the change it carries,
    so nothing is lost when Salesforce is down. A worker delivers it later.
    ``locked_until`` is a lease: a worker claims a message by moving it into
    the future with a conditional update, so two workers never deliver the
    same message at once.
    """

    kind = models.CharField(max_length=32, choices=OutboxKind.choices)
    salesforce_id = models.CharField(max_length=18)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.salesforce_id} ({self.status})"
