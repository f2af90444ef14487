"""The Metadata API's SOAP endpoint (POST /services/Soap/m/XX.X): deploy and checkDeployStatus.

Clients reach it under several paths: jsforce and the Salesforce CLI post to
/services/Soap/m/XX.X, the Partner login returns /services/Soap/m/XX.X/<org id>, and
simple-salesforce posts to /services/Soap/m/XX.X/deployRequest/<id>. Salesforce picks
the operation from the SOAP body, not the path, and so does this endpoint.
"""

import base64
import binascii
import xml.etree.ElementTree as ElementTree
from xml.sax.saxutils import escape

import structlog
from starlette.requests import Request
from starlette.responses import Response

from .. import ids
from ..errors import SalesforceError
from ..metadata import DeployOptions
from ..metadata.xmltree import XmlSyntaxError, parse_xml
from .common import SUPPORTED_VERSIONS

log = structlog.get_logger(__name__)

METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_CONTENT_TYPE = "text/xml; charset=utf-8"
_MD = f"{{{METADATA_NS}}}"

# DeployResult and DeployMessage elements in the order of the Metadata API WSDL.
_RESULT_FIELDS = (
    "checkOnly", "completedDate", "createdBy", "createdByName", "createdDate", "details", "done",
    "errorMessage", "errorStatusCode", "id", "ignoreWarnings", "lastModifiedDate",
    "numberComponentErrors", "numberComponentsDeployed", "numberComponentsTotal", "numberTestErrors",
    "numberTestsCompleted", "numberTestsTotal", "rollbackOnError", "runTestsEnabled", "startDate",
    "stateDetail", "status", "success",
)
_MESSAGE_FIELDS = (
    "changed", "columnNumber", "componentType", "created", "createdDate", "deleted", "fileName",
    "fullName", "id", "lineNumber", "problem", "problemType", "success",
)


class SoapFault(Exception):
    """A SOAP fault: faultcode (`sf:CODE` or `soapenv:Client`) and faultstring."""

    def __init__(self, code: str, message: str, prefix: str = "sf") -> None:
        super().__init__(message)
        self.faultcode = f"{prefix}:{code}"
        self.faultstring = f"{code}: {message}" if prefix == "sf" else message


async def metadata_soap(request: Request) -> Response:
    """POST /services/Soap/m/{version}[/...]: run one Metadata API call."""
    org = request.app.state.org
    try:
        version = request.path_params["version"]
        if version not in SUPPORTED_VERSIONS:
            raise SoapFault("UNSUPPORTED_API_VERSION", f"Invalid Api version specified on URL: {version}")
        header, operation = _read_envelope(await request.body())
        session = _authenticate(org, header)
        _count_call(org, session)
        body = _dispatch(org, session, operation)
    except SoapFault as fault:
        return _fault_response(fault)
    return Response(_envelope(body), media_type=_CONTENT_TYPE)


def _read_envelope(payload: bytes) -> tuple[ElementTree.Element | None, ElementTree.Element]:
    try:
        root = parse_xml(payload).root
    except XmlSyntaxError as error:
        message = f"The request is not a well-formed SOAP message: {error.message}"
        raise SoapFault("Client", message, "soapenv") from None
    body = root.find(f"{{{_ENVELOPE_NS}}}Body")
    if root.tag != f"{{{_ENVELOPE_NS}}}Envelope" or body is None or len(body) == 0:
        raise SoapFault("Client", "The request is not a SOAP 1.1 envelope with a Body", "soapenv")
    return root.find(f"{{{_ENVELOPE_NS}}}Header"), body[0]


def _authenticate(org, header: ElementTree.Element | None):
    token = ""
    if header is not None:
        token = (header.findtext(f"{_MD}SessionHeader/{_MD}sessionId") or "").strip()
    try:
        session = org.sessions.authenticate_token(token)
    except SalesforceError:
        raise SoapFault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session") from None

    if not org.metadata.can_deploy(session.user_id):
        raise SoapFault(
            "INSUFFICIENT_ACCESS",
            "use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions",
        )
    return session


def _count_call(org, session) -> None:
    # NOTE: the emulator counts each Metadata API call as one API request; no Salesforce
    # source was found that states whether Salesforce counts them toward the daily limit.
    used = org.usage.record_call(session.client_id, session.user_id)
    if used > org.usage.daily_limit:
        raise SoapFault("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def _dispatch(org, session, operation: ElementTree.Element) -> str:
    if operation.tag == f"{_MD}deploy":
        return _deploy(org, session, operation)
    if operation.tag == f"{_MD}checkDeployStatus":
        return _check_deploy_status(org, operation)
    raise SoapFault(
        "Client", f"No operation available for request {operation.tag}, please check the WSDL for the service.",
        "soapenv",
    )


def _deploy(org, session, operation: ElementTree.Element) -> str:
    encoded = "".join((operation.findtext(f"{_MD}ZipFile") or "").split())
    try:
        zip_bytes = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SoapFault("Client", f"The ZipFile element is not valid base64: {error}", "soapenv") from None
    if not zip_bytes:
        raise SoapFault("INVALID_OPERATION", "The deploy call needs a ZipFile with the base64 of a zip file")

    options = _deploy_options(operation.find(f"{_MD}DeployOptions"))
    deploy_id = org.metadata.deploy(zip_bytes, options, session.user_id)
    return (
        f"<deployResponse><result><done>false</done><id>{deploy_id}</id>"
        "<state>Queued</state></result></deployResponse>"
    )


def _deploy_options(element: ElementTree.Element | None) -> DeployOptions:
    options = DeployOptions()
    if element is None:
        return options

    def flag(tag: str) -> bool:
        return (element.findtext(f"{_MD}{tag}") or "").strip().lower() == "true"

    options.check_only = flag("checkOnly")
    options.rollback_on_error = flag("rollbackOnError")
    options.single_package = flag("singlePackage")
    options.allow_missing_files = flag("allowMissingFiles")
    options.ignore_warnings = flag("ignoreWarnings")
    options.test_level = (element.findtext(f"{_MD}testLevel") or "").strip() or None
    options.run_tests = [test.text.strip() for test in element.findall(f"{_MD}runTests") if test.text]
    return options


def _check_deploy_status(org, operation: ElementTree.Element) -> str:
    deploy_id = (operation.findtext(f"{_MD}asyncProcessId") or "").strip()
    include_details = (operation.findtext(f"{_MD}includeDetails") or "").strip().lower() == "true"
    if not ids.is_valid_id(deploy_id):
        raise SoapFault("MALFORMED_ID", f"Invalid id: {deploy_id}")

    result = org.metadata.status(ids.to_18(deploy_id))
    if result is None:
        raise SoapFault("INVALID_ID_FIELD", f"No deploy request with id {deploy_id} exists in this org")
    return f"<checkDeployStatusResponse><result>{_deploy_result_xml(result, include_details)}</result>" \
        "</checkDeployStatusResponse>"


def _deploy_result_xml(result: dict, include_details: bool) -> str:
    parts = []
    for name in _RESULT_FIELDS:
        if name == "details":
            if include_details:
                parts.append(f"<details>{_details_xml(result['details'])}</details>")
            continue
        parts.append(_element(name, result.get(name)))
    return "".join(parts)


def _details_xml(details: dict) -> str:
    parts = [
        f"<componentFailures>{_message_xml(message)}</componentFailures>"
        for message in details["componentFailures"]
    ]
    parts.extend(
        f"<componentSuccesses>{_message_xml(message)}</componentSuccesses>"
        for message in details["componentSuccesses"]
    )
    # The emulator has no Apex, so every deploy reports an empty test run.
    parts.append("<runTestResult><numFailures>0</numFailures><numTestsRun>0</numTestsRun>"
                 "<totalTime>0.0</totalTime></runTestResult>")
    return "".join(parts)


def _message_xml(message: dict) -> str:
    return "".join(_element(name, message.get(name)) for name in _MESSAGE_FIELDS)


def _element(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = escape(str(value))
    return f"<{name}>{text}</{name}>"


def _envelope(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_ENVELOPE_NS}" xmlns="{METADATA_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )


def _fault_response(fault: SoapFault) -> Response:
    log.info("metadata call failed", faultcode=fault.faultcode)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_ENVELOPE_NS}" xmlns:sf="{METADATA_NS}">'
        "<soapenv:Body><soapenv:Fault>"
        f"<faultcode>{fault.faultcode}</faultcode><faultstring>{escape(fault.faultstring)}</faultstring>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, status_code=500, media_type=_CONTENT_TYPE)
