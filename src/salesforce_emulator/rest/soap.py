"""The SOAP login and logout calls of the Partner API (POST /services/Soap/u/XX.X), used
by jsforce and other clients for username-password sign-in. No other Partner API call
is implemented."""

import xml.etree.ElementTree as ElementTree
from xml.sax.saxutils import escape

import structlog
from starlette.requests import Request
from starlette.responses import Response

from .common import SUPPORTED_VERSIONS

_PARTNER_NS = "urn:partner.soap.sforce.com"
_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_CONTENT_TYPE = "text/xml; charset=utf-8"

log = structlog.get_logger(__name__)


def _fault(code: str, message: str, status: int = 500) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_ENVELOPE_NS}" xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {escape(message)}</faultstring>"
        '<detail><sf:LoginFault xsi:type="sf:LoginFault">'
        f"<sf:exceptionCode>{code}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
        "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, status_code=status, media_type=_CONTENT_TYPE)


def _client_fault(message: str) -> Response:
    """Return a SOAP 1.1 Client fault for a request that is not a well-formed envelope."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_ENVELOPE_NS}"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>soapenv:Client</faultcode><faultstring>{escape(message)}</faultstring>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, status_code=500, media_type=_CONTENT_TYPE)


class MalformedEnvelope(ValueError):
    """A request body that is not well-formed XML, or that declares a document type."""


def _parse_envelope(payload: bytes) -> ElementTree.Element:
    # SOAP 1.1 forbids document type declarations, so refusing them also keeps entity
    # expansion out of the XML parser.
    if b"<!DOCTYPE" in payload.upper():
        raise MalformedEnvelope("a SOAP message must not contain a document type declaration")
    try:
        return ElementTree.fromstring(payload)  # noqa: S314 - no DTD allowed, see above
    except ElementTree.ParseError as error:
        raise MalformedEnvelope(f"the request body is not well-formed XML: {error}") from None


def _login_arguments(root: ElementTree.Element) -> tuple[str, str] | None:
    login = root.find(f".//{{{_PARTNER_NS}}}login")
    if login is None:
        return None
    username = login.findtext(f"{{{_PARTNER_NS}}}username") or ""
    password = login.findtext(f"{{{_PARTNER_NS}}}password") or ""
    return username, password


async def soap_login(request: Request) -> Response:
    """POST /services/Soap/u/{version}: answer a Partner API login with a session."""
    org = request.app.state.org
    version = request.path_params["version"]
    if version not in SUPPORTED_VERSIONS:
        return _fault("UNSUPPORTED_API_VERSION", f"Invalid Api version specified on URL: {version}")

    try:
        root = _parse_envelope(await request.body())
    except MalformedEnvelope as error:
        log.info("SOAP request rejected", path=request.url.path, reason=str(error))
        return _client_fault(f"Unable to read the SOAP request: {error}; send a SOAP 1.1 envelope")
    if root.find(f".//{{{_PARTNER_NS}}}logout") is not None:
        return _logout(org, root)
    arguments = _login_arguments(root)
    if arguments is None:
        return _fault("INVALID_OPERATION", "Only the login and logout calls of the Partner API are supported")
    user = org.users.check_password(*arguments)
    if user is None:
        return _fault("INVALID_LOGIN", "Invalid username, password, security token; or user locked out.")

    org.users.record_login(user["Id"])
    session = org.sessions.issue(user["Id"], None)
    base_url = request.app.state.base_url or str(request.base_url).rstrip("/")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_ENVELOPE_NS}" xmlns="{_PARTNER_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse><result>'
        f"<metadataServerUrl>{base_url}/services/Soap/m/{version}/{org.org_id}</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
        f"<serverUrl>{base_url}/services/Soap/u/{version}/{org.org_id}</serverUrl>"
        f"<sessionId>{escape(session.token)}</sessionId><userId>{user['Id']}</userId>"
        "<userInfo>"
        f"<organizationId>{org.org_id}</organizationId><organizationName>ContractDesk Emulator</organizationName>"
        f"<profileId>{user['ProfileId']}</profileId><userEmail>{escape(user['Email'])}</userEmail>"
        f"<userFullName>{escape(user['Name'] or '')}</userFullName><userId>{user['Id']}</userId>"
        f"<userName>{escape(user['Username'])}</userName><userTimeZone>{user['TimeZoneSidKey']}</userTimeZone>"
        "</userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, media_type=_CONTENT_TYPE)


def _logout(org, root: ElementTree.Element) -> Response:
    """End the session named in the SessionHeader, as the Partner API's logout call does."""
    token = root.findtext(f".//{{{_PARTNER_NS}}}SessionHeader/{{{_PARTNER_NS}}}sessionId") or ""
    if not token or not org.sessions.revoke(token):
        return _fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_ENVELOPE_NS}" xmlns="{_PARTNER_NS}">'
        "<soapenv:Body><logoutResponse/></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, media_type=_CONTENT_TYPE)
