"""Inbound sync: find submitted and cancelled contract requests in Salesforce and take them in.

The poll reads a window of ``SystemModstamp`` that starts a little before the
last watermark, so a record committed late in the previous window is still
seen. Records are keyed by Id, so seeing one twice changes nothing. The
watermark moves to the start of this run only when every record in the
window was handled.
"""

import datetime
import traceback

import structlog
from django.conf import settings
from django.utils import timezone

from contractdesk.documents.files import FileRejected, StoredFile, store_stream
from contractdesk.intake.models import RequestFile
from contractdesk.intake.services import IncomingFile, already_taken_in, cancel_request, receive_request
from contractdesk.salesconnect.client import SalesforceClient, soql_quote
from contractdesk.salesconnect.errors import SalesforceError
from contractdesk.salesconnect.models import SyncRun, SyncRunStatus, SyncState

log = structlog.get_logger(__name__)

REQUEST_OBJECT = "Contract_Request__c"
REQUEST_FIELDS = [
    "Id",
    "Name",
    "Status__c",
    "Account__c",
    "Account__r.Name",
    "Account__r.BillingStreet",
    "Account__r.BillingCity",
    "Account__r.BillingState",
    "Account__r.BillingPostalCode",
    "Account__r.BillingCountry",
    "Account__r.Phone",
    "Account__r.Website",
    "Opportunity__c",
    "Opportunity__r.Name",
    "Opportunity__r.StageName",
    "Opportunity__r.Probability",
    "Contract_Type__c",
    "Contract_Type__r.Name",
    "Contract_Type__r.ContractDesk_Code__c",
    "Contract_Type__r.Required_Stage__c",
    "Contract_Type__r.Minimum_Probability__c",
    "Term_Type__c",
    "Effective_Date__c",
    "Term_Months__c",
    "Proposed_Value__c",
    "Description__c",
    "CreatedBy.Name",
    "SystemModstamp",
]


def sync_contract_requests(client: SalesforceClient) -> SyncRun:
    """Run one inbound poll and return its SyncRun, whose log records what happened."""
    state, _ = SyncState.objects.get_or_create(sobject=REQUEST_OBJECT)
    run_started = timezone.now()
    overlap = datetime.timedelta(seconds=settings.SALESCONNECT["POLL_OVERLAP_SECONDS"])
    window_start = state.watermark - overlap if state.watermark else None
    _close_interrupted_runs()
    run = SyncRun.objects.create(window_start=window_start)
    structlog.contextvars.bind_contextvars(sync_run_id=run.pk)

    try:
        all_handled, bug_seen = _take_in_window(client, run, window_start)
    except SalesforceError as exc:
        run.status = SyncRunStatus.FAILED
        run.add_log(f"Salesforce could not be read: {exc}")
        log.warning("salesconnect.sync_failed", error=str(exc))
    except Exception:
        run.status = SyncRunStatus.ERRORED
        run.add_log(traceback.format_exc())
        log.exception("salesconnect.sync_errored")
    else:
        if all_handled:
            state.watermark = run_started
            state.save(update_fields=["watermark", "updated_at"])
        if bug_seen:
            run.status = SyncRunStatus.ERRORED
        elif not all_handled:
            run.status = SyncRunStatus.FAILED
        elif run.requests_flagged:
            run.status = SyncRunStatus.COMPLETED_WITH_PROBLEMS
        else:
            run.status = SyncRunStatus.SUCCEEDED
    finally:
        run.finished_at = timezone.now()
        run.save()
        structlog.contextvars.unbind_contextvars("sync_run_id")
    _prune_empty_runs(run)

    log.info("salesconnect.sync_finished", status=run.status, received=run.requests_received)
    return run


def record_throttled_run(reason: str) -> SyncRun:
    """Show in the sync monitor that polling is paused for the API limit.

    One row stands for a whole pause: later polls during it update that row.
    """
    latest = SyncRun.objects.order_by("-started_at", "-pk").first()
    now = timezone.now()
    if latest is not None and latest.status == SyncRunStatus.THROTTLED:
        latest.finished_at = now
        latest.log = f"{reason}\n"
        latest.save(update_fields=["finished_at", "log"])
        return latest
    log.warning("salesconnect.sync_paused_for_api_limit", reason=reason)
    return SyncRun.objects.create(status=SyncRunStatus.THROTTLED, finished_at=now, log=f"{reason}\n")


def _close_interrupted_runs() -> None:
    """Mark runs left Running by a worker that stopped mid-run; only one run is active at a time."""
    interrupted = SyncRun.objects.filter(status=SyncRunStatus.RUNNING)
    for run in interrupted:
        run.add_log("The worker stopped before this run finished; the next run read its window again.")
        run.status = SyncRunStatus.ERRORED
        run.finished_at = timezone.now()
        run.save(update_fields=["log", "status", "finished_at"])


def _prune_empty_runs(run: SyncRun) -> None:
    """Keep only the latest of the runs that found nothing, so the monitor shows runs that did something."""
    if run.status != SyncRunStatus.SUCCEEDED or run.records_seen:
        return
    SyncRun.objects.filter(status=SyncRunStatus.SUCCEEDED, records_seen=0).exclude(pk=run.pk).delete()


def _take_in_window(client: SalesforceClient, run: SyncRun, window_start) -> tuple[bool, bool]:
    """Handle every submitted or cancelled request changed since ``window_start``.

    Returns whether every record was handled (if not, the watermark stays put
    and the next run reads them again) and whether a record hit a bug.
    """
    where = "Status__c IN ('Submitted', 'Cancelled')"
    if window_start is not None:
        where += f" AND SystemModstamp >= {window_start.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}"
    soql = f"SELECT {', '.join(REQUEST_FIELDS)} FROM {REQUEST_OBJECT} WHERE {where} ORDER BY SystemModstamp"

    all_handled = True
    bug_seen = False
    seen: set[str] = set()
    for record in client.query(soql):
        if record["Id"] in seen or already_taken_in(record):
            continue
        seen.add(record["Id"])
        run.records_seen += 1
        try:
            _take_in(client, run, record)
        except SalesforceError as exc:
            all_handled = False
            run.add_log(f"{record['Id']}: could not be read from Salesforce, will retry: {exc}")
            log.warning("salesconnect.request_read_failed", salesforce_id=record["Id"], error=str(exc))
        except Exception:
            # A bug on one record must not hold back the others. The run is marked
            # errored and the watermark stays, so the record is tried again.
            bug_seen = True
            all_handled = False
            run.add_log(f"{record['Id']}: failed with an unexpected error:\n{traceback.format_exc()}")
            log.exception("salesconnect.request_errored", salesforce_id=record["Id"])
    return all_handled, bug_seen


def _take_in(client: SalesforceClient, run: SyncRun, record: dict) -> None:
    if record["Status__c"] == "Cancelled":
        if cancel_request(record) is not None:
            run.requests_cancelled += 1
            run.add_log(f"{record['Id']}: cancelled by the salesperson")
        return

    files = _download_files(client, record["Id"])
    request = receive_request(record, files)
    run.requests_received += 1
    if request.problem:
        run.requests_flagged += 1
        run.add_log(f"{record['Id']}: {request.request_number} flagged: {request.problem}")
    else:
        run.add_log(f"{record['Id']}: {request.request_number} received with {len(files)} file(s)")


def _download_files(client: SalesforceClient, record_id: str) -> list[IncomingFile]:
    """Download the latest version of every file linked to the request.

    A file already stored for this request is not downloaded again. A file
    that cannot be used becomes an IncomingFile with its problem, never an
    exception, so the request still reaches the queue.
    """
    links = client.query(
        f"SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = {soql_quote(record_id)}"
    )
    document_ids = sorted({link["ContentDocumentId"] for link in links})
    if not document_ids:
        return []

    quoted = ", ".join(soql_quote(document_id) for document_id in document_ids)
    versions = client.query(
        "SELECT Id, ContentDocumentId, Title, PathOnClient, FileExtension, ContentSize "
        f"FROM ContentVersion WHERE ContentDocumentId IN ({quoted}) AND IsLatest = true"
    )
    known = {
        known_file.salesforce_content_version_id: known_file
        for known_file in RequestFile.objects.filter(request__salesforce_id=record_id).exclude(storage_key="")
    }
    return [_download_one(client, version, known.get(version["Id"])) for version in versions]


def _download_one(client: SalesforceClient, version: dict, known: RequestFile | None) -> IncomingFile:
    filename = _filename(version)
    incoming = {
        "content_version_id": version["Id"],
        "content_document_id": version["ContentDocumentId"],
        "filename": filename,
    }
    if known is not None:
        stored = StoredFile(known.storage_key, known.size, known.sha256, known.media_type)
        return IncomingFile(**incoming, stored=stored)

    max_bytes = settings.CONTRACTDESK_MAX_FILE_BYTES
    declared_size = version.get("ContentSize") or 0
    if declared_size > max_bytes:
        # Refuse before downloading: the declared size is enough to know.
        problem = (
            f"{filename} is larger than the {max_bytes / (1024 * 1024):g} MB limit. "
            "Attach a smaller file, or split the contract into several files."
        )
        return IncomingFile(**incoming, problem=problem)

    try:
        stored = store_stream(client.download_version_data(version["Id"]), filename, max_bytes)
    except FileRejected as exc:
        return IncomingFile(**incoming, problem=exc.reason)
    return IncomingFile(**incoming, stored=stored)


def _filename(version: dict) -> str:
    path = version.get("PathOnClient") or ""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if name:
        return name
    extension = version.get("FileExtension")
    return f"{version.get('Title') or 'contract'}{f'.{extension}' if extension else ''}"
