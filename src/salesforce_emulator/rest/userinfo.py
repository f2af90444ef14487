"""The OpenID Connect UserInfo endpoint, `GET` or `POST /services/oauth2/userinfo`.

The access token comes in an `Authorization: Bearer` header, or in an `oauth_token` or
`access_token` parameter of the query string or form body. A rejected request gets 403
with a plain-text code, as Salesforce's identity service returns it: `Missing_OAuth_Token`
without a token and `Bad_OAuth_Token` for an unknown, revoked or expired one.
"""

import structlog
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..errors import SalesforceError
from ..org import Org
from .common import SUPPORTED_VERSIONS, json_response

log = structlog.get_logger(__name__)

TOKEN_PARAMETERS = ("oauth_token", "access_token")


def _plain_text_error(request: Request, status: int, code: str) -> Response:
    log.info("userinfo request rejected", method=request.method, status=status, error_code=code)
    return PlainTextResponse(code, status_code=status)


async def _token(request: Request) -> str | None:
    """Return the access token from the Authorization header or a request parameter."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()

    parameters = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        parameters.update({key: str(value) for key, value in form.items()})
    for name in TOKEN_PARAMETERS:
        if parameters.get(name):
            return parameters[name]
    return None


def _url_version(request: Request) -> str | None:
    """Return the API version for the URLs: a supported number, the newest for `latest`, or the placeholder."""
    requested = request.query_params.get("version")
    if not requested:
        return "{version}"
    if requested == "latest":
        return SUPPORTED_VERSIONS[-1]
    return requested if requested in SUPPORTED_VERSIONS else None


async def userinfo(request: Request) -> Response:
    """Return the UserInfo claims of the access token's user."""
    org: Org = request.app.state.org
    token = await _token(request)
    if token is None:
        return _plain_text_error(request, 403, "Missing_OAuth_Token")
    try:
        session = org.sessions.authenticate_token(token)
    except SalesforceError:
        return _plain_text_error(request, 403, "Bad_OAuth_Token")

    version = _url_version(request)
    if version is None:
        return _plain_text_error(request, 406, "Invalid_Version")

    base_url = request.app.state.base_url or str(request.base_url).rstrip("/")
    return json_response(org.oauth.userinfo(session.user_id, base_url, version))
