"""Install the Salesforce package in an org through the Metadata API, as an administrator would.

The SFDX source in salesforce/ is converted to Metadata API format (package_convert),
zipped, and sent with the SOAP `deploy` call. The deploy runs in the org's background,
so `checkDeployStatus` is polled with a growing interval until it is done. A deploy is
idempotent: components that are already in the org report as unchanged.
"""

import base64
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import requests
import structlog

from contractdesk.salesconnect.client import SalesforceClient
from contractdesk.salesconnect.errors import RETRYABLE_CODES, SalesforceError
from contractdesk.salesconnect.package_convert import MetadataPackage, convert_source

log = structlog.get_logger(__name__)

METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_NS = {"md": METADATA_NS, "soapenv": _ENVELOPE_NS}


@dataclass(frozen=True)
class PollSchedule:
    """How often to ask for a deploy's status: the first wait, its growth and its cap, in seconds."""

    first_interval: float = 0.5
    factor: float = 1.5
    max_interval: float = 10.0
    timeout: float = 600.0

    def intervals(self):
        """Yield the waits between status checks, growing by factor up to max_interval."""
        interval = self.first_interval
        while True:
            yield interval
            interval = min(interval * self.factor, self.max_interval)


DEFAULT_SCHEDULE = PollSchedule()


@dataclass(frozen=True)
class ComponentFailure:
    """One componentFailures entry: which file and component failed, and why."""

    component_type: str
    full_name: str
    file_name: str
    problem: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line else ""
        kind = f"{self.component_type} " if self.component_type else ""
        return f"{self.file_name}{where}: {kind}{self.full_name}: {self.problem}"


@dataclass
class DeployStatus:
    """A deploy's DeployResult as checkDeployStatus returns it."""

    deploy_id: str
    status: str
    done: bool
    success: bool
    check_only: bool = False
    components_deployed: int = 0
    components_total: int = 0
    component_errors: int = 0
    error_status_code: str | None = None
    error_message: str | None = None
    failures: list[ComponentFailure] = field(default_factory=list)


class PackageDeployError(SalesforceError):
    """The deploy finished without installing the package, or did not finish in time."""

    def __init__(self, message: str, status: DeployStatus | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.deploy_status = status


class MetadataApi:
    """The Metadata API's deploy and checkDeployStatus calls, sent with a client's session."""

    def __init__(self, client: SalesforceClient) -> None:
        self.client = client

    def deploy(self, zip_bytes: bytes, *, check_only: bool = False, rollback_on_error: bool = True) -> str:
        """Start a deploy of a zip whose package.xml is at its root; return the deploy id."""
        options = (
            f"<met:checkOnly>{_flag(check_only)}</met:checkOnly>"
            f"<met:rollbackOnError>{_flag(rollback_on_error)}</met:rollbackOnError>"
            "<met:singlePackage>true</met:singlePackage>"
            "<met:testLevel>NoTestRun</met:testLevel>"
        )
        result = self._call(
            f"<met:deploy><met:ZipFile>{base64.b64encode(zip_bytes).decode()}</met:ZipFile>"
            f"<met:DeployOptions>{options}</met:DeployOptions></met:deploy>",
            "deployResponse",
        )
        return result.findtext("md:id", namespaces=_NS)

    def check_deploy_status(self, deploy_id: str) -> DeployStatus:
        """Return the current DeployResult of a deploy, with its component failures."""
        result = self._call(
            f"<met:checkDeployStatus><met:asyncProcessId>{escape(deploy_id)}</met:asyncProcessId>"
            "<met:includeDetails>true</met:includeDetails></met:checkDeployStatus>",
            "checkDeployStatusResponse",
        )
        return _deploy_status(result)

    def _call(self, operation: str, response_name: str) -> ElementTree.Element:
        """Send one SOAP call and return its <result>; sign in again once if the session expired."""
        for renew in (False, True):
            session = self.client.session(renew=renew)
            envelope = (
                f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{_ENVELOPE_NS}" '
                f'xmlns:met="{METADATA_NS}"><soapenv:Header><met:SessionHeader>'
                f"<met:sessionId>{escape(session.access_token)}</met:sessionId></met:SessionHeader>"
                f"</soapenv:Header><soapenv:Body>{operation}</soapenv:Body></soapenv:Envelope>"
            )
            url = f"{session.instance_url}/services/Soap/m/{self.client.api_version}"
            try:
                response = self.client.http.post(
                    url, data=envelope.encode(), timeout=self.client.timeout, verify=self.client.verify,
                    headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
                )
            except requests.RequestException as exc:
                raise SalesforceError(f"The Metadata API call to {url} failed: {exc}", retryable=True) from exc

            root = _parse_response(response)
            fault = root.find("soapenv:Body/soapenv:Fault", _NS)
            if fault is None:
                result = root.find(f"soapenv:Body/md:{response_name}/md:result", _NS)
                if result is None:
                    raise SalesforceError(
                        f"The Metadata API returned no {response_name} result: {response.text[:300]}",
                        status=response.status_code,
                    )
                return result

            code = (fault.findtext("faultcode") or "").rpartition(":")[2]
            if code == "INVALID_SESSION_ID" and not renew:
                continue
            raise SalesforceError(
                fault.findtext("faultstring") or code,
                status=response.status_code, error_code=code, retryable=code in RETRYABLE_CODES,
            )
        raise AssertionError("unreachable: the second attempt either returns or raises")


def deploy_package(
    client: SalesforceClient,
    package: MetadataPackage,
    *,
    check_only: bool = False,
    schedule: PollSchedule = DEFAULT_SCHEDULE,
    on_status: Callable[[DeployStatus], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeployStatus:
    """Deploy a package, poll until the org is done with it, and return the final status.

    on_status is called with every status read, for progress output. Raises
    PackageDeployError when the deploy fails (its status carries the component
    failures) or is not done within schedule.timeout.
    """
    api = MetadataApi(client)
    deploy_id = api.deploy(package.zip_bytes(), check_only=check_only)
    log.info("salesforce.package_deploy_started", deploy_id=deploy_id, components=package.component_count,
             check_only=check_only)

    deadline = time.monotonic() + schedule.timeout
    read_failures = 0
    for interval in schedule.intervals():
        sleep(interval)
        try:
            status = api.check_deploy_status(deploy_id)
        except SalesforceError as exc:
            # A status read changes nothing in the org, so a passing failure is read again.
            read_failures += 1
            if not exc.retryable or read_failures >= client.read_attempts:
                raise
            log.warning("salesforce.package_deploy_status_retry", deploy_id=deploy_id, error=str(exc))
            continue
        read_failures = 0
        if on_status is not None:
            on_status(status)
        if status.done:
            break
        if time.monotonic() > deadline:
            raise PackageDeployError(
                f"Deploy {deploy_id} was not done after {schedule.timeout:.0f} s (status {status.status}). "
                "It may still finish: look it up under Setup, Deployment Status, in the org.",
                status, retryable=True,
            )

    log.info("salesforce.package_deploy_finished", deploy_id=deploy_id, status=status.status,
             deployed=status.components_deployed, errors=status.component_errors)
    if status.status != "Succeeded":
        raise PackageDeployError(_failure_summary(status), status, error_code=status.error_status_code or "")
    return status


def deploy_salesforce_package(
    client: SalesforceClient, source_dir: Path, *, check_only: bool = False, **kwargs,
) -> DeployStatus:
    """Convert the SFDX source at source_dir and deploy it; see deploy_package for the rest."""
    return deploy_package(client, convert_source(source_dir), check_only=check_only, **kwargs)


def _failure_summary(status: DeployStatus) -> str:
    if status.error_message:
        return f"Deploy {status.deploy_id} failed: {status.error_status_code}: {status.error_message}"
    installed = (
        "the components without errors were installed"
        if status.status == "SucceededPartial" else "nothing was installed"
    )
    return (
        f"Deploy {status.deploy_id} ended with status {status.status}: {status.component_errors} of "
        f"{status.components_total} components failed and {installed}. Fix the components listed and deploy again."
    )


def _deploy_status(result: ElementTree.Element) -> DeployStatus:
    def text(name: str, element: ElementTree.Element = result) -> str | None:
        return element.findtext(f"md:{name}", namespaces=_NS)

    def number(name: str, element: ElementTree.Element = result) -> int | None:
        value = text(name, element)
        return int(value) if value else None

    failures = [
        ComponentFailure(
            component_type=text("componentType", failure) or "",
            full_name=text("fullName", failure) or "",
            file_name=text("fileName", failure) or "",
            problem=text("problem", failure) or "",
            line=number("lineNumber", failure),
            column=number("columnNumber", failure),
        )
        for failure in result.findall("md:details/md:componentFailures", _NS)
    ]
    return DeployStatus(
        deploy_id=text("id") or "",
        status=text("status") or "",
        done=text("done") == "true",
        success=text("success") == "true",
        check_only=text("checkOnly") == "true",
        components_deployed=number("numberComponentsDeployed") or 0,
        components_total=number("numberComponentsTotal") or 0,
        component_errors=number("numberComponentErrors") or 0,
        error_status_code=text("errorStatusCode"),
        error_message=text("errorMessage"),
        failures=failures,
    )


def _parse_response(response: requests.Response) -> ElementTree.Element:
    try:
        # SOAP 1.1 forbids document type declarations, so a response with one is invalid.
        if b"<!DOCTYPE" in response.content.upper():
            raise ElementTree.ParseError("document type declaration in a SOAP response")
        return ElementTree.fromstring(response.content)  # noqa: S314 - no DTD, checked above
    except ElementTree.ParseError as exc:
        raise SalesforceError(
            f"The Metadata API returned HTTP {response.status_code} with a body that is not SOAP XML: "
            f"{response.text[:300]}",
            status=response.status_code, retryable=response.status_code >= 500,
        ) from exc


def _flag(value: bool) -> str:
    return "true" if value else "false"
