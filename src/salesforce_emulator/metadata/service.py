"""The org's deploy queue: deploy() returns at once, and a worker thread does the work.

Salesforce runs an org's deploys one at a time in the background and reports them
through checkDeployStatus: Pending while queued, InProgress while running, then
Succeeded, SucceededPartial or Failed. One worker thread per org does the same here.
"""

import queue
import threading
import time
from dataclasses import dataclass

import structlog

from ..values import now_stamp
from .deploy import DeployOptions, DeployOutcome, run_deploy
from .persistence import DeployedMetadata

log = structlog.get_logger(__name__)

_STOP = object()


@dataclass
class _Job:
    deploy_id: str
    zip_bytes: bytes
    options: DeployOptions


class MetadataService:
    """Queue deploys for an org, run them one by one and keep their results."""

    def __init__(self, org, deployed: DeployedMetadata) -> None:
        self.org = org
        self.deployed = deployed
        # Seconds each deploy waits after it starts, so tests can watch it InProgress.
        self.delay_seconds = 0.0
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._fail_interrupted_jobs()

    def deploy(self, zip_bytes: bytes, options: DeployOptions, user_id: str) -> str:
        """Queue a deploy of a zip file and return its id (an AsyncResult id, prefix 0Af)."""
        user = self.org.users.by_id(user_id)
        stamp = now_stamp()
        result = {
            "id": None,
            "checkOnly": options.check_only,
            "completedDate": None,
            "createdBy": user_id[:15],
            "createdByName": user["Name"] if user else "",
            "createdDate": stamp,
            "details": {"componentFailures": [], "componentSuccesses": []},
            "done": False,
            "errorMessage": None,
            "errorStatusCode": None,
            "ignoreWarnings": options.ignore_warnings,
            "lastModifiedDate": stamp,
            "numberComponentErrors": 0,
            "numberComponentsDeployed": 0,
            "numberComponentsTotal": 0,
            "numberTestErrors": 0,
            "numberTestsCompleted": 0,
            "numberTestsTotal": 0,
            "rollbackOnError": options.rollback_on_error,
            "runTestsEnabled": options.run_tests_enabled,
            "startDate": None,
            "stateDetail": None,
            "status": "Pending",
            "success": False,
        }
        deploy_id = self.deployed.create_job(result)
        log.info("deploy queued", deploy_id=deploy_id, user_id=user_id, check_only=options.check_only,
                 size=len(zip_bytes))
        self._ensure_worker()
        self._queue.put(_Job(deploy_id, zip_bytes, options))
        return deploy_id

    def can_deploy(self, user_id: str) -> bool:
        """True when the user's profile, or a permission set assigned to them, has Modify All Data."""
        with self.org.store.read() as connection:
            profile = connection.execute(
                'SELECT p."PermissionsModifyAllData" FROM "sobj_User" u '
                'JOIN "sobj_Profile" p ON p."Id" = u."ProfileId" WHERE u."Id" = ? AND u."IsDeleted" = 0',
                (user_id,),
            ).fetchone()
            assigned = connection.execute(
                'SELECT 1 FROM "sobj_PermissionSetAssignment" a '
                'JOIN "sobj_PermissionSet" s ON s."Id" = a."PermissionSetId" '
                'WHERE a."AssigneeId" = ? AND a."IsDeleted" = 0 AND s."IsDeleted" = 0 '
                'AND s."PermissionsModifyAllData" = 1',
                (user_id,),
            ).fetchone()
        return bool(profile and profile["PermissionsModifyAllData"]) or assigned is not None

    def status(self, deploy_id: str) -> dict | None:
        """Return a deploy's DeployResult as a dict, or None when there is no such deploy."""
        return self.deployed.job(deploy_id)

    def wait(self, deploy_id: str, timeout: float = 30.0) -> dict:
        """Block until a deploy is done and return its result (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.status(deploy_id)
            if result is None:
                raise LookupError(f"no deploy with id {deploy_id} in this org")
            if result["done"]:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"deploy {deploy_id} was not done after {timeout} s (status {result['status']})")
            time.sleep(0.02)

    def close(self) -> None:
        """Stop the worker after the deploy it is running, if any."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout=30)

    # Worker -------------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="salesforce-emulator-deploy", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            self._run(job)

    def _run(self, job: _Job) -> None:
        result = self.deployed.job(job.deploy_id)
        result.update(status="InProgress", startDate=now_stamp(), lastModifiedDate=now_stamp())
        self.deployed.save_job(result)
        if self.delay_seconds:
            time.sleep(self.delay_seconds)

        try:
            outcome = run_deploy(self.org, self.deployed, job.zip_bytes, job.options)
        except Exception as error:
            # A bug in the emulator: keep the traceback in the log and fail the deploy
            # the way Salesforce reports an internal error.
            log.exception("deploy failed unexpectedly", deploy_id=job.deploy_id)
            outcome = DeployOutcome(
                error_status_code="UNKNOWN_EXCEPTION",
                error_message=f"An unexpected error occurred in the Salesforce emulator ({type(error).__name__}); "
                "see its log for the traceback",
            )

        _finish(result, outcome)
        self.deployed.save_job(result)
        log.info("deploy finished", deploy_id=job.deploy_id, status=result["status"],
                 deployed=outcome.deployed_components, errors=outcome.failed_components)

    def _fail_interrupted_jobs(self) -> None:
        for result in self.deployed.unfinished_jobs():
            stamp = now_stamp()
            result.update(
                done=True, status="Failed", success=False, completedDate=stamp, lastModifiedDate=stamp,
                errorStatusCode="UNKNOWN_EXCEPTION",
                errorMessage="The Salesforce emulator stopped before this deploy finished; nothing of it was "
                "installed. Deploy the package again.",
            )
            self.deployed.save_job(result)


def _finish(result: dict, outcome: DeployOutcome) -> None:
    """Fill a job's result with a finished deploy's outcome and status."""
    stamp = now_stamp()
    if outcome.error_status_code or outcome.failed_components and not outcome.installed:
        status = "Failed"
    elif outcome.failed_components:
        status = "SucceededPartial"
    else:
        status = "Succeeded"

    result.update(
        done=True,
        status=status,
        success=status == "Succeeded",
        completedDate=stamp,
        lastModifiedDate=stamp,
        errorStatusCode=outcome.error_status_code,
        errorMessage=outcome.error_message,
        numberComponentErrors=outcome.failed_components,
        numberComponentsDeployed=outcome.deployed_components,
        numberComponentsTotal=outcome.total_components,
        details={"componentFailures": outcome.failures, "componentSuccesses": outcome.successes},
    )
