"""sObject resources: describe, create, read, update, delete, upsert and file bodies."""

from starlette.responses import FileResponse, Response

from ..errors import SalesforceError, not_found
from ..render import record_url
from .common import ApiCall, json_response, no_content
from .describe import describe_global, describe_object, object_summary
from .multipart import is_multipart, read_upload


def _object(call: ApiCall):
    object_def = call.org.schema.get(call.request.path_params["name"])
    if object_def is None:
        raise not_found()
    return object_def


async def global_describe(call: ApiCall) -> Response:
    """GET /sobjects: every object of the org."""
    return json_response(describe_global(call.org.schema, call.version))


async def sobject_basic_info(call: ApiCall) -> Response:
    """GET /sobjects/{name}: the object summary; POST creates a record."""
    object_def = _object(call)
    if call.request.method == "POST":
        return await create(call)
    return json_response({
        "objectDescribe": object_summary(object_def, call.version),
        "recentItems": [],
    })


async def create(call: ApiCall) -> Response:
    """POST /sobjects/{name}: create a record from JSON, or a file from a multipart body."""
    object_def = _object(call)
    if is_multipart(call.request):
        if object_def.name != "ContentVersion":
            raise SalesforceError(
                "INVALID_MULTIPART_REQUEST",
                f"Multipart inserts are supported for ContentVersion, not {object_def.name}",
            )
        values, blob = await read_upload(call.request, call.org.files)
        record_id = call.org.create(object_def.name, values, call.user_id, blob=blob)
    else:
        values = await call.json()
        record_id = call.org.create(object_def.name, values, call.user_id)
    return json_response({"id": record_id, "success": True, "errors": []}, status=201)


async def describe(call: ApiCall) -> Response:
    """GET /sobjects/{name}/describe."""
    return json_response(describe_object(_object(call), call.org.schema, call.version))


async def record(call: ApiCall) -> Response:
    """GET, PATCH or DELETE /sobjects/{name}/{id}."""
    object_def = _object(call)
    record_id = call.request.path_params["record_id"]
    method = call.request.method

    if method == "GET":
        fields_param = call.request.query_params.get("fields")
        field_names = [name.strip() for name in fields_param.split(",")] if fields_param else None
        return json_response(
            call.org.records.read(object_def.name, record_id, call.version, field_names),
        )
    if method == "PATCH":
        values = await call.json()
        call.org.records.update(object_def.name, record_id, values, call.user_id)
        return no_content()
    call.org.records.delete(object_def.name, record_id, call.user_id)
    return no_content()


async def record_field(call: ApiCall) -> Response:
    """GET a file body (`/ContentVersion/{id}/VersionData`) or PATCH upsert by external id."""
    object_def = _object(call)
    first = call.request.path_params["record_id"]
    second = call.request.path_params["field"]

    if call.request.method == "GET":
        field_def = object_def.field(second)
        if field_def is not None and field_def.type == "base64":
            path = call.org.content.body_path(first)
            return FileResponse(path, media_type="application/octetstream")
        return json_response(_read_by_external_id(call, object_def, first, second))
    return await _upsert(call, object_def, first, second)


def _external_id_field(object_def, field_name: str):
    field_def = object_def.field(field_name)
    if field_def is None or not (field_def.external_id or field_def.name == "Id"):
        raise SalesforceError(
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {field_name}",
            status=404,
        )
    return field_def


def _matching_ids(call: ApiCall, object_def, field_def, value: str) -> list[str]:
    with call.org.store.read() as connection:
        rows = connection.execute(
            f'SELECT "Id" FROM "sobj_{object_def.name}" '  # noqa: S608 - schema names only, values bound
            f'WHERE "{field_def.name}" = ? AND "IsDeleted" = 0',
            (value,),
        ).fetchall()
    return [row["Id"] for row in rows]


def _read_by_external_id(call: ApiCall, object_def, field_name: str, value: str) -> dict:
    field_def = _external_id_field(object_def, field_name)
    matches = _matching_ids(call, object_def, field_def, value)
    if not matches:
        raise not_found()
    return call.org.records.read(object_def.name, matches[0], call.version)


async def _upsert(call: ApiCall, object_def, field_name: str, value: str) -> Response:
    if call.request.method != "PATCH":
        raise SalesforceError(
            "METHOD_NOT_ALLOWED",
            f"HTTP Method '{call.request.method}' not allowed. Allowed are GET,PATCH",
            status=405,
        )
    field_def = _external_id_field(object_def, field_name)
    values = await call.json()
    if not isinstance(values, dict):
        raise SalesforceError("JSON_PARSER_ERROR", "The request body must be a JSON object")

    matches = _matching_ids(call, object_def, field_def, value)
    if len(matches) > 1:
        urls = [record_url(object_def.name, match, call.version) for match in matches]
        return json_response(urls, status=300)
    if matches:
        call.org.records.update(object_def.name, matches[0], values, call.user_id)
        return json_response(
            {"id": matches[0], "success": True, "errors": [], "created": False}, status=200,
        )

    record_id = call.org.create(
        object_def.name, {**values, field_def.name: value}, call.user_id,
    )
    return json_response({"id": record_id, "success": True, "errors": [], "created": True}, status=201)
