"""The Metadata API's REST deploy resource: /services/data/vXX.X/metadata/deployRequest.

The Salesforce CLI deploys through it when configured for REST, and jsforce through
`metadata.deployRest()`. It starts the same deploys as the SOAP `deploy` call: a
multipart POST with the zip in a part named `file` and `{"deployOptions": {...}}` in a
part named `entity_content`, then GET deployRequest/<id> for the DeployResult as JSON.
"""


from starlette.datastructures import UploadFile
from starlette.responses import Response

from .. import ids
from ..errors import SalesforceError, not_found
from ..metadata import DeployOptions
from ..values import format_datetime
from .common import ApiCall, json_response, parse_json_body

# The largest zip the Metadata API takes in one deploy (39 MB compressed).
MAX_ZIP_BYTES = 39 * 1024 * 1024

_OPTION_NAMES = {
    "checkOnly": "check_only",
    "rollbackOnError": "rollback_on_error",
    "singlePackage": "single_package",
    "allowMissingFiles": "allow_missing_files",
    "ignoreWarnings": "ignore_warnings",
}
_DATE_FIELDS = ("completedDate", "createdDate", "lastModifiedDate", "startDate")


async def deploy_request(call: ApiCall) -> Response:
    """POST metadata/deployRequest: queue a deploy and return 201 with its id and DeployResult."""
    _check_access(call)
    form = await call.request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise SalesforceError("INVALID_MULTIPART_REQUEST", "The request needs a part named file with the zip file")
    zip_bytes = await upload.read(MAX_ZIP_BYTES + 1)
    if len(zip_bytes) > MAX_ZIP_BYTES:
        raise SalesforceError("INVALID_MULTIPART_REQUEST", "The zip file is larger than 39 MB, the most a deploy takes")

    options, given = _deploy_options(form.get("entity_content"))
    deploy_id = call.org.metadata.deploy(zip_bytes, options, call.user_id)
    body = {
        "id": deploy_id,
        "validatedDeployRequestId": None,
        "deployOptions": given,
        "deployResult": _result_json(call.org.metadata.status(deploy_id), include_details=False),
    }
    return json_response(body, status=201)


async def deploy_request_status(call: ApiCall) -> Response:
    """GET metadata/deployRequest/{id}[?includeDetails=true]: the deploy's DeployResult."""
    _check_access(call)
    deploy_id = call.request.path_params["deploy_id"]
    if not ids.is_valid_id(deploy_id):
        raise not_found()
    result = call.org.metadata.status(ids.to_18(deploy_id))
    if result is None:
        raise not_found()

    include_details = call.request.query_params.get("includeDetails", "").lower() == "true"
    return json_response({
        "id": result["id"],
        "url": str(call.request.url),
        "deployResult": _result_json(result, include_details),
    })


def _check_access(call: ApiCall) -> None:
    if not call.org.metadata.can_deploy(call.user_id):
        # The emulator's choice of status and wording: the SOAP API's INSUFFICIENT_ACCESS
        # message, as a REST error.
        raise SalesforceError(
            "INSUFFICIENT_ACCESS",
            "use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions",
            status=403,
        )


def _deploy_options(entity_content) -> tuple[DeployOptions, dict]:
    if entity_content is None:
        return DeployOptions(), {}
    text = entity_content if isinstance(entity_content, str) else ""
    parsed = parse_json_body(text.encode(), "The entity_content part")
    if not isinstance(parsed, dict):
        raise SalesforceError(
            "JSON_PARSER_ERROR", 'The entity_content part must be JSON such as {"deployOptions": {...}}',
        )
    given = parsed.get("deployOptions") or {}

    options = DeployOptions()
    for name, attribute in _OPTION_NAMES.items():
        if name in given:
            setattr(options, attribute, bool(given[name]))
    options.test_level = given.get("testLevel") or None
    options.run_tests = list(given.get("runTests") or [])
    return options, given


def _result_json(result: dict, include_details: bool) -> dict:
    body = {name: value for name, value in result.items() if name != "details"}
    for name in _DATE_FIELDS:
        if body.get(name):
            body[name] = format_datetime(body[name])
    if include_details:
        details = result["details"]
        body["details"] = {
            "componentFailures": [_message_json(message) for message in details["componentFailures"]],
            "componentSuccesses": [_message_json(message) for message in details["componentSuccesses"]],
            "runTestResult": {"numFailures": 0, "numTestsRun": 0, "totalTime": 0.0},
        }
    return body


def _message_json(message: dict) -> dict:
    body = {name: value for name, value in message.items() if value is not None}
    if body.get("createdDate"):
        body["createdDate"] = format_datetime(body["createdDate"])
    return body
