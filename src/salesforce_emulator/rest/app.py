"""The Starlette application: OAuth, REST routes and Salesforce-style 404/405 errors."""

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from ..errors import SalesforceError
from ..oauth import OAuthError, OrgUrls
from ..org import Org
from . import (
    admin,
    bulk,
    collection_upsert,
    composite,
    composite_requests,
    metadata_rest,
    metadata_soap,
    query,
    replication,
    soap,
    sobjects,
    userinfo,
)
from .common import (
    ApiCall,
    RequestHeadLimit,
    api_endpoint,
    error_response,
    json_response,
    limit_info_headers,
    unexpected_error,
    version_list,
)
from .slashes import CollapseSlashes

log = structlog.get_logger(__name__)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def token(request: Request) -> Response:
    """POST /services/oauth2/token."""
    org: Org = request.app.state.org
    form = await request.form()
    base_url = _base_url(request)
    urls = OrgUrls(login_url=base_url, instance_url=request.app.state.base_url or base_url)
    try:
        body = org.oauth.token(dict(form), urls)
    except OAuthError as error:
        return json_response(error.to_json(), status=error.status)
    return json_response(body)


async def revoke(request: Request) -> Response:
    """POST /services/oauth2/revoke: end an access or refresh token."""
    org: Org = request.app.state.org
    form = await request.form()
    value = form.get("token") or request.query_params.get("token") or ""
    if not org.sessions.revoke(str(value)):
        return json_response(
            {"error": "unsupported_token_type", "error_description": "this token type is not supported"},
            status=400,
        )
    return Response(status_code=200)


async def identity(request: Request) -> Response:
    """GET /id/{org_id}/{user_id}: the identity of the session's user, as OAuth clients read it."""
    org: Org = request.app.state.org
    try:
        session = org.sessions.authenticate(request.headers.get("authorization"))
    except SalesforceError as error:
        return error_response(error)
    if request.path_params["user_id"] != session.user_id or request.path_params["org_id"] != org.org_id:
        return json_response(
            {"error": "Bad_Id", "error_description": "The id of the identity URL does not match the session"},
            status=403,
        )

    user = org.users.by_id(session.user_id)
    base_url = request.app.state.base_url or _base_url(request)
    data = f"{base_url}/services/data/v{{version}}"
    return json_response({
        "id": f"{base_url}/id/{org.org_id}/{user['Id']}",
        "asserted_user": True,
        "user_id": user["Id"],
        "organization_id": org.org_id,
        "username": user["Username"],
        "nick_name": user["CommunityNickname"],
        "display_name": user["Name"],
        "email": user["Email"],
        "first_name": user["FirstName"],
        "last_name": user["LastName"],
        "active": bool(user["IsActive"]),
        "user_type": "STANDARD",
        "language": user["LanguageLocaleKey"],
        "locale": user["LocaleSidKey"],
        "utcOffset": 0,
        "urls": {
            "rest": data + "/",
            "sobjects": data + "/sobjects/",
            "query": data + "/query/",
            "limits": data + "/limits/",
            "profile": f"{base_url}/{user['Id']}",
        },
    })


async def versions(request: Request) -> Response:
    """GET /services/data/: the API versions the org serves (no session needed)."""
    return json_response(version_list())


async def resources(call: ApiCall) -> Response:
    """GET /services/data/vXX.X/: the resources of one API version."""
    base = f"/services/data/v{call.version}"
    names = ["sobjects", "query", "queryAll", "composite", "limits", "jobs"]
    listing = {name: f"{base}/{name}" for name in names}
    # Salesforce lists the session user's identity URL as an absolute URL.
    base_url = call.request.app.state.base_url or _base_url(call.request)
    listing["identity"] = f"{base_url}/id/{call.org.org_id}/{call.user_id}"
    return json_response(listing)


async def limits(call: ApiCall) -> Response:
    """GET /limits: the org's limits; only API requests are counted."""
    used = call.org.usage.used_today()
    maximum = call.org.usage.daily_limit

    def entry(limit: int, remaining: int) -> dict:
        return {"Max": limit, "Remaining": remaining}

    return json_response({
        "DailyApiRequests": entry(maximum, max(0, maximum - used)),
        "DailyAsyncApexExecutions": entry(250000, 250000),
        "DailyBulkV2QueryFileStorageMB": entry(976562, 976562),
        "DailyBulkV2QueryJobs": entry(10000, 10000),
        "DataStorageMB": entry(5, 5),
        "FileStorageMB": entry(20, 20),
    })


async def _http_error(request: Request, error: HTTPException) -> Response:
    # Routing errors in Salesforce's shape, with Sforce-Limit-Info for a live REST session.
    headers = limit_info_headers(request)
    if error.status_code == 405:
        return error_response(SalesforceError(
            "METHOD_NOT_ALLOWED",
            f"HTTP Method '{request.method}' not allowed. Allowed are "
            f"{error.headers.get('Allow', '') if error.headers else ''}",
            status=405,
        ), headers)
    if error.status_code == 404:
        return error_response(SalesforceError(
            "NOT_FOUND", "The requested resource does not exist", status=404,
        ), headers)
    return error_response(
        SalesforceError("UNKNOWN_EXCEPTION", str(error.detail), status=error.status_code), headers,
    )


async def _unexpected_error(request: Request, error: Exception) -> Response:
    # A bug in the emulator: log it with its traceback and answer as Salesforce does.
    return unexpected_error(request, error, limit_info_headers(request))


def _routes(path: str, endpoint, methods: list[str]) -> list[Route]:
    """Register a path with and without a trailing slash, as Salesforce accepts both."""
    return [
        Route(path, endpoint, methods=methods),
        Route(path + "/", endpoint, methods=methods),
    ]


def build_app(org: Org, base_url: str | None = None) -> Starlette:
    """Build the ASGI application that serves org."""
    api_routes = [
        Route("/", api_endpoint(resources), methods=["GET"]),
        *_routes("/sobjects", api_endpoint(sobjects.global_describe), ["GET"]),
        *_routes("/sobjects/{name}", api_endpoint(sobjects.sobject_basic_info), ["GET", "POST"]),
        *_routes("/sobjects/{name}/describe", api_endpoint(sobjects.describe), ["GET"]),
        # Data replication (getUpdated and getDeleted); before the record route, which would
        # take "updated" and "deleted" for record ids.
        *_routes("/sobjects/{name}/updated", api_endpoint(replication.updated), ["GET"]),
        *_routes("/sobjects/{name}/deleted", api_endpoint(replication.deleted), ["GET"]),
        *_routes(
            "/sobjects/{name}/{record_id}", api_endpoint(sobjects.record),
            ["GET", "PATCH", "DELETE"],
        ),
        *_routes(
            "/sobjects/{name}/{record_id}/{field}", api_endpoint(sobjects.record_field),
            ["GET", "PATCH", "POST", "DELETE"],
        ),
        *_routes("/query", api_endpoint(query.query), ["GET"]),
        *_routes("/query/{locator}", api_endpoint(query.query), ["GET"]),
        *_routes("/queryAll", api_endpoint(query.query_all), ["GET"]),
        *_routes("/queryAll/{locator}", api_endpoint(query.query_all), ["GET"]),
        *_routes("/composite", api_endpoint(composite_requests.composite), ["POST"]),
        *_routes("/composite/batch", api_endpoint(composite_requests.batch), ["POST"]),
        *_routes("/composite/tree/{name}", api_endpoint(composite.tree), ["POST"]),
        *_routes(
            "/composite/sobjects", api_endpoint(composite.collections),
            ["POST", "PATCH", "DELETE"],
        ),
        *_routes("/composite/sobjects/{name}", api_endpoint(composite.collection_read), ["GET", "POST"]),
        # sObject Collections upsert by an external id field.
        *_routes(
            "/composite/sobjects/{name}/{field}", api_endpoint(collection_upsert.collection_upsert),
            ["PATCH"],
        ),
        *_routes("/limits", api_endpoint(limits), ["GET"]),
        # Bulk API 2.0 query jobs.
        *_routes("/jobs/query", api_endpoint(bulk.jobs), ["GET", "POST"]),
        *_routes("/jobs/query/{job_id}", api_endpoint(bulk.job), ["GET", "PATCH", "DELETE"]),
        *_routes("/jobs/query/{job_id}/results", api_endpoint(bulk.results), ["GET"]),
        # Metadata API deploy through REST, beside the SOAP endpoint below.
        *_routes("/metadata/deployRequest", api_endpoint(metadata_rest.deploy_request), ["POST"]),
        *_routes(
            "/metadata/deployRequest/{deploy_id}", api_endpoint(metadata_rest.deploy_request_status), ["GET"],
        ),
    ]
    routes = [
        Route("/services/oauth2/token", token, methods=["POST"]),
        Route("/services/oauth2/revoke", revoke, methods=["POST"]),
        # OpenID Connect UserInfo: the claims of the access token's user.
        Route("/services/oauth2/userinfo", userinfo.userinfo, methods=["GET", "POST"]),
        Route("/services/Soap/u/{version}", soap.soap_login, methods=["POST"]),
        # The serverUrl a login returns names the org; logout is sent there.
        Route("/services/Soap/u/{version}/{org_id}", soap.soap_login, methods=["POST"]),
        # Metadata API deploy: the SOAP body names the call, whatever follows the version.
        Route("/services/Soap/m/{version}", metadata_soap.metadata_soap, methods=["POST"]),
        Route("/services/Soap/m/{version}/{rest:path}", metadata_soap.metadata_soap, methods=["POST"]),
        Route("/id/{org_id}/{user_id}", identity, methods=["GET"]),
        Route("/_emulator/faults", admin.faults, methods=["POST", "DELETE"]),
        Route("/_emulator/usage", admin.usage, methods=["GET"]),
        *_routes("/services/data", versions, ["GET"]),
        Route("/services/data/v{version}", api_endpoint(resources), methods=["GET"]),
        Mount("/services/data/v{version}", routes=api_routes),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _unexpected_error},
        # Outside clients: the Salesforce CLI asks for //services/data (see slashes.py).
        # Bad input: a URI or request head longer than Salesforce's 16,384 bytes (414/431).
        middleware=[Middleware(RequestHeadLimit), Middleware(CollapseSlashes)],
    )
    app.router.redirect_slashes = False
    app.state.org = org
    app.state.base_url = base_url
    return app
