"""sObject resources: describe, create, read, update, delete, upsert, file bodies and user passwords.

Each handler acts as the calling user: objects they cannot read return 404 NOT_FOUND,
and writes are checked against their object and field permissions.
"""

import datetime
import email.utils

from starlette.responses import FileResponse, Response

from .. import ids
from ..errors import SalesforceError, not_found
from ..org import Org
from ..permissions import UserAccess
from ..render import record_url
from ..user_records import create_record, delete_record, read_record, update_record, visible_object
from ..values import parse_datetime
from .common import ApiCall, json_response, no_content
from .describe import describe_global, describe_last_modified, describe_object, object_summary
from .multipart import is_multipart, read_upload
from .user_password import user_password


def user_access(call: ApiCall) -> UserAccess:
    """Return the calling user's object and field permissions."""
    return call.org.permissions.for_user(call.user_id)


async def global_describe(call: ApiCall) -> Response:
    """GET /sobjects: every object the user can read."""
    return json_response(describe_global(call.org.schema, call.version, user_access(call)))


async def sobject_basic_info(call: ApiCall) -> Response:
    """GET /sobjects/{name}: the object summary; POST creates a record."""
    access = user_access(call)
    object_def = visible_object(call.org, access, call.request.path_params["name"])
    if call.request.method == "POST":
        return await _create(call, access, object_def)
    return json_response({
        "objectDescribe": object_summary(object_def, call.version, access),
        "recentItems": [],
    })


async def _create(call: ApiCall, access: UserAccess, object_def) -> Response:
    """Create a record from JSON, or a file from a multipart body."""
    if is_multipart(call.request):
        if object_def.name != "ContentVersion":
            raise SalesforceError(
                "INVALID_MULTIPART_REQUEST",
                f"Multipart inserts are supported for ContentVersion, not {object_def.name}",
            )
        values, blob = await read_upload(call.request, call.org.files)
        try:
            record_id = create_record(call.org, access, object_def, values, blob=blob)
        except SalesforceError:
            if blob is not None:
                call.org.files.delete(blob.name)
            raise
    else:
        values = await call.json()
        record_id = create_record(call.org, access, object_def, values)
    return json_response({"id": record_id, "success": True, "errors": []}, status=201)


def _if_modified_since(call: ApiCall) -> datetime.datetime | None:
    """Return the If-Modified-Since time of the request, or None if absent or not an HTTP date."""
    header = call.request.headers.get("if-modified-since")
    if not header:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _not_modified(modified: datetime.datetime) -> Response:
    return Response(status_code=304, headers={
        "Last-Modified": email.utils.format_datetime(modified.astimezone(datetime.UTC), usegmt=True),
    })


async def describe(call: ApiCall) -> Response:
    """GET /sobjects/{name}/describe; 304 when the object's metadata is unchanged since If-Modified-Since."""
    access = user_access(call)
    object_def = visible_object(call.org, access, call.request.path_params["name"])
    modified = describe_last_modified(call.org, object_def)
    since = _if_modified_since(call)
    if since is not None and modified.replace(microsecond=0) <= since:
        return _not_modified(modified)

    response = json_response(describe_object(object_def, call.org.schema, call.version, access))
    response.headers["Last-Modified"] = email.utils.format_datetime(modified, usegmt=True)
    return response


async def record(call: ApiCall) -> Response:
    """GET, PATCH or DELETE /sobjects/{name}/{id}."""
    access = user_access(call)
    object_def = visible_object(call.org, access, call.request.path_params["name"])
    record_id = call.request.path_params["record_id"]
    method = call.request.method

    if method == "GET":
        fields_param = call.request.query_params.get("fields")
        field_names = [name.strip() for name in fields_param.split(",")] if fields_param else None
        body = read_record(call.org, access, object_def, record_id, call.version, field_names)
        since = _if_modified_since(call)
        if since is not None:
            modified = _last_modified(call, object_def, body["attributes"]["url"].rsplit("/", 1)[1])
            if modified <= since:
                return _not_modified(modified)
        return json_response(body)
    if method == "PATCH":
        values = await call.json()
        update_record(call.org, access, object_def, record_id, values)
        return no_content()
    delete_record(call.org, access, object_def, record_id)
    return no_content()


def _last_modified(call: ApiCall, object_def, record_id: str) -> datetime.datetime:
    with call.org.store.read() as connection:
        row = call.org.store.fetch_row(connection, object_def.name, record_id)
    return parse_datetime(row["LastModifiedDate"].replace("Z", "+00:00"))


async def record_field(call: ApiCall) -> Response:
    """Serve `/sobjects/{name}/{first}/{second}`.

    That is a file body (GET `/ContentVersion/{id}/VersionData`), a user's password
    (`/User/{id}/password`), or a record by external id (GET reads, PATCH upserts).
    """
    access = user_access(call)
    object_def = visible_object(call.org, access, call.request.path_params["name"])
    first = call.request.path_params["record_id"]
    second = call.request.path_params["field"]
    method = call.request.method

    if object_def.name == "User" and second.lower() == "password":
        return await user_password(call, access, first)
    if method == "GET":
        field_def = object_def.field(second)
        if field_def is not None and field_def.type == "base64":
            path = call.org.content.body_path(first)
            return FileResponse(path, media_type="application/octetstream")
        return _read_by_external_id(call, access, object_def, first, second)
    if method == "PATCH":
        return await _upsert(call, access, object_def, first, second)
    raise SalesforceError(
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are GET,PATCH",
        status=405,
    )


def external_id_field(object_def, field_name: str):
    """Return the field an upsert or read by external id names, or raise 404 NOT_FOUND."""
    field_def = object_def.field(field_name)
    if field_def is None or not (field_def.external_id or field_def.name == "Id"):
        raise SalesforceError(
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {field_name}",
            status=404,
        )
    return field_def


def matching_ids(org: Org, object_def, field_def, value: str) -> list[str]:
    """Return the ids of the live records whose field has this value."""
    if field_def.name == "Id":
        try:
            value = ids.to_18(value)
        except ids.MalformedIdError:
            return []
    with org.store.read() as connection:
        rows = connection.execute(
            f'SELECT "Id" FROM "sobj_{object_def.name}" '  # noqa: S608 - schema names only, values bound
            f'WHERE "{field_def.name}" = ? AND "IsDeleted" = 0',
            (value,),
        ).fetchall()
    return [row["Id"] for row in rows]


def _several_matches(call: ApiCall, object_def, matches: list[str]) -> Response:
    """Return 300 Multiple Choices with the URL of each record the external id matches."""
    urls = [record_url(object_def.name, match, call.version) for match in matches]
    return json_response(urls, status=300)


def _read_by_external_id(
    call: ApiCall, access: UserAccess, object_def, field_name: str, value: str,
) -> Response:
    field_def = external_id_field(object_def, field_name)
    matches = matching_ids(call.org, object_def, field_def, value)
    if not matches:
        raise not_found()
    if len(matches) > 1:
        return _several_matches(call, object_def, matches)
    return json_response(read_record(call.org, access, object_def, matches[0], call.version))


async def _upsert(
    call: ApiCall, access: UserAccess, object_def, field_name: str, value: str,
) -> Response:
    field_def = external_id_field(object_def, field_name)
    values = await call.json()
    if not isinstance(values, dict):
        raise SalesforceError("JSON_PARSER_ERROR", "The request body must be a JSON object")

    matches = matching_ids(call.org, object_def, field_def, value)
    if not matches and field_def.name == "Id":
        # Records cannot be created with a chosen Id, so an upsert by Id only updates.
        raise not_found()
    if len(matches) > 1:
        return _several_matches(call, object_def, matches)
    if matches:
        update_record(call.org, access, object_def, matches[0], values)
        return json_response(
            {"id": matches[0], "success": True, "errors": [], "created": False}, status=200,
        )

    record_id = create_record(call.org, access, object_def, {**values, field_def.name: value})
    return json_response({"id": record_id, "success": True, "errors": [], "created": True}, status=201)
