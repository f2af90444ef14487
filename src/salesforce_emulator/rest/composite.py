"""Composite resources: sObject Tree and sObject Collections.

Every record is created, updated, read or deleted as the calling user, with their object
and field permissions.
"""

import functools
from dataclasses import dataclass

from starlette.responses import Response

from ..errors import SalesforceError
from ..faults import CollectionFailure
from ..files import StoredBlob
from ..permissions import UserAccess
from ..user_records import create_record, delete_record, read_record, update_record, visible_object
from .collection_upload import binary_part_names, read_collection_upload
from .common import ApiCall, json_response
from .multipart import is_multipart

MAX_RECORDS = 200
MAX_TREE_DEPTH = 5


@dataclass(frozen=True)
class UpsertOutcome:
    """The record an upsert wrote, and whether it created the record."""

    record_id: str
    created: bool


def exceeded_limit() -> SalesforceError:
    return SalesforceError(
        "EXCEEDED_ID_LIMIT",
        f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
    )


# sObject Tree --------------------------------------------------------------------------

class _TreeFailure(Exception):
    def __init__(self, reference_id: str | None, error: SalesforceError) -> None:
        super().__init__(error.message)
        self.reference_id = reference_id
        self.error = error


async def tree(call: ApiCall) -> Response:
    """POST /composite/tree/{name}: create record trees in one all-or-nothing transaction."""
    access = call.org.permissions.for_user(call.user_id)
    object_def = visible_object(call.org, access, call.request.path_params["name"])
    body = await call.json()
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise SalesforceError(
            "JSON_PARSER_ERROR", "The request body must be an object with a records array",
        )
    if _count_tree(body["records"]) > MAX_RECORDS:
        raise exceeded_limit()

    results: list[dict] = []
    try:
        with call.org.store.transaction():
            level = [(object_def, record, None, None) for record in body["records"]]
            depth = 1
            while level:
                if depth > MAX_TREE_DEPTH:
                    raise _TreeFailure(None, SalesforceError(
                        "INVALID_INPUT", f"sObject trees can be at most {MAX_TREE_DEPTH} levels deep",
                    ))
                level = _create_level(call, access, level, results)
                depth += 1
    except _TreeFailure as failure:
        return json_response({
            "hasErrors": True,
            "results": [{
                "referenceId": failure.reference_id,
                "errors": [failure.error.to_save_result()],
            }],
        }, status=400)
    return json_response({"hasErrors": False, "results": results}, status=201)


def _count_tree(records: list) -> int:
    count = 0
    for record in records:
        count += 1
        if isinstance(record, dict):
            for value in record.values():
                if isinstance(value, dict) and isinstance(value.get("records"), list):
                    count += _count_tree(value["records"])
    return count


def _create_level(call: ApiCall, access: UserAccess, level: list, results: list) -> list:
    """Create one level of the trees; return the next level's (object, record, field, parent)."""
    next_level = []
    for object_def, record, parent_field, parent_id in level:
        if not isinstance(record, dict):
            raise _TreeFailure(None, SalesforceError("JSON_PARSER_ERROR", "Each record must be an object"))
        attributes = record.get("attributes") or {}
        reference_id = attributes.get("referenceId")
        if not reference_id:
            raise _TreeFailure(None, SalesforceError(
                "INVALID_INPUT", "Include a reference ID for each record in the request.",
            ))
        declared = attributes.get("type")
        if declared and declared.lower() != object_def.name.lower():
            raise _TreeFailure(reference_id, SalesforceError(
                "INVALID_INPUT",
                f"The record type {declared} does not match {object_def.name} for this position",
            ))

        values = {}
        children = []
        for name, value in record.items():
            if name == "attributes":
                continue
            relationship = object_def.child_relationship(name)
            if relationship is not None and isinstance(value, dict):
                child_def = call.org.schema.get(relationship.child_object)
                if not access.can_read(child_def):
                    raise _TreeFailure(reference_id, SalesforceError(
                        "INVALID_FIELD",
                        f"No such column '{name}' on sobject of type {object_def.name}",
                        fields=[],
                    ))
                children.extend(
                    (child_def, child, relationship.field, None) for child in value.get("records", [])
                )
                continue
            values[name] = value
        if parent_field:
            values[parent_field] = parent_id

        try:
            record_id = create_record(call.org, access, object_def, values)
        except SalesforceError as error:
            raise _TreeFailure(reference_id, error) from None
        results.append({"referenceId": reference_id, "id": record_id})
        next_level.extend(
            (child_def, child, field_name, record_id) for child_def, child, field_name, _ in children
        )
    return next_level


# sObject Collections -------------------------------------------------------------------

def _rolled_back() -> dict:
    return {
        "success": False,
        "errors": [{
            "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            "message": "Record rolled back because not all records were valid and the "
                       "request was using AllOrNone header",
            "fields": [],
        }],
    }


async def collections(call: ApiCall) -> Response:
    """POST (create), PATCH (update) or DELETE /composite/sobjects, up to 200 records."""
    method = call.request.method
    if method == "DELETE":
        return _delete_collection(call)
    if method == "POST" and is_multipart(call.request):
        return await _create_with_blobs(call)

    body = await call.json()
    check_collection_body(body)
    all_or_none = bool(body.get("allOrNone", False))
    operation = _create_one if method == "POST" else _update_one
    return json_response(run_collection(call, body["records"], all_or_none, operation))


def check_collection_body(body: object) -> None:
    """Raise unless body is `{"records": [...]}` with at most 200 records."""
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise SalesforceError(
            "JSON_PARSER_ERROR", "The request body must be an object with a records array",
        )
    if len(body["records"]) > MAX_RECORDS:
        raise exceeded_limit()


async def _create_with_blobs(call: ApiCall) -> Response:
    """POST /composite/sobjects as multipart: create records whose blob fields come in binary parts."""
    files = call.org.files
    upload = await read_collection_upload(call.request, files, check_collection_body)
    try:
        check_collection_body(upload.body)
        records = upload.body["records"]
        part_names = binary_part_names(records, upload)
        operation = functools.partial(_create_one_with_blob, blobs=upload.blobs)
        results = run_collection(call, records, bool(upload.body.get("allOrNone", False)), operation)
    except BaseException:
        upload.discard(files)
        raise

    # Records that failed or were rolled back keep no file on disk.
    failed_parts = [
        part_name for part_name, result in zip(part_names, results, strict=True)
        if part_name is not None and not result["success"]
    ]
    upload.discard(files, failed_parts)
    return json_response(results)


def _planned_failure(planned: list[CollectionFailure], index: int, item: object) -> SalesforceError | None:
    """Return the fault planned for the record at this position of the collection, if any."""
    record_id = item if isinstance(item, str) else None
    if isinstance(item, dict):
        record_id = next((value for key, value in item.items() if key.lower() == "id"), None)
    for failure in planned:
        if failure.matches(index, record_id):
            return failure.error
    return None


def run_collection(call: ApiCall, items: list, all_or_none: bool, operation) -> list[dict]:
    """Apply operation to each item in one transaction and return the save results in order.

    operation returns the record id, or an UpsertOutcome for upserts. A failing item is
    undone alone, unless all_or_none rolls back every item.
    """
    results: list[dict] = []
    failed = False
    store = call.org.store
    access = call.org.permissions.for_user(call.user_id)
    planned = call.org.faults.take_collection_failures()
    try:
        with store.transaction():
            for index, item in enumerate(items):
                try:
                    planned_error = _planned_failure(planned, index, item)
                    if planned_error is not None:
                        raise planned_error
                    with store.savepoint():
                        outcome = operation(call, access, item)
                    results.append(_success(outcome))
                except SalesforceError as error:
                    failed = True
                    results.append({"success": False, "errors": [error.to_save_result()]})
                    if all_or_none:
                        raise
    except SalesforceError:
        pass

    if failed and all_or_none:
        # Every record is reported: the failing one with its error, the rest rolled back.
        return [
            result if not result["success"] else _rolled_back() for result in results
        ] + [_rolled_back() for _ in items[len(results):]]
    return results


def _success(outcome: "str | UpsertOutcome") -> dict:
    if isinstance(outcome, UpsertOutcome):
        return {"id": outcome.record_id, "success": True, "errors": [], "created": outcome.created}
    return {"id": outcome, "success": True, "errors": []}


def record_type(call: ApiCall, access: UserAccess, record: object):
    """Return the sObject a collection record names in attributes.type, or raise INVALID_TYPE."""
    if not isinstance(record, dict):
        raise SalesforceError("JSON_PARSER_ERROR", "Each record must be a JSON object")
    object_name = (record.get("attributes") or {}).get("type")
    if not object_name:
        raise SalesforceError(
            "INVALID_TYPE", "Must send a concrete entity type.", fields=[],
        )
    object_def = call.org.schema.get(object_name)
    if object_def is None or not access.can_read(object_def):
        raise SalesforceError(
            "INVALID_TYPE", f"sObject type '{object_name}' is not supported.", fields=[],
        )
    return object_def


def _create_one(call: ApiCall, access: UserAccess, record: dict) -> str:
    object_def = record_type(call, access, record)
    if any(key.lower() == "id" for key in record):
        raise SalesforceError(
            "INVALID_FIELD", "cannot specify Id in an insert call", fields=["Id"],
        )
    return create_record(call.org, access, object_def, record)


def _create_one_with_blob(
    call: ApiCall, access: UserAccess, record: dict, blobs: dict[str, StoredBlob],
) -> str:
    """Create a record whose blob field, named by binaryPartNameAlias, is a stored binary part."""
    attributes = record.get("attributes") if isinstance(record, dict) else None
    part_name = attributes.get("binaryPartName") if isinstance(attributes, dict) else None
    if part_name is None:
        return _create_one(call, access, record)

    object_def = record_type(call, access, record)
    alias = attributes.get("binaryPartNameAlias")
    field_def = object_def.field(str(alias)) if alias else None
    if field_def is None or field_def.type != "base64":
        raise SalesforceError(
            "INVALID_FIELD",
            f"binaryPartNameAlias {alias!r} is not a blob field of {object_def.name}; name the "
            "field that takes the binary part, such as VersionData",
            fields=[str(alias)] if alias else [],
        )
    if any(key.lower() == "id" for key in record):
        raise SalesforceError(
            "INVALID_FIELD", "cannot specify Id in an insert call", fields=["Id"],
        )
    return create_record(call.org, access, object_def, record, blob=blobs[str(part_name)])


def _update_one(call: ApiCall, access: UserAccess, record: dict) -> str:
    object_def = record_type(call, access, record)
    record_id = next((value for key, value in record.items() if key.lower() == "id"), None)
    if not record_id:
        raise SalesforceError("MISSING_ARGUMENT", "Id not specified in an update call", fields=[])
    values = {key: value for key, value in record.items() if key.lower() != "id"}
    normalized = call.org.records.normalize_id(str(record_id), object_def)
    update_record(call.org, access, object_def, normalized, values)
    return normalized


def _delete_collection(call: ApiCall) -> Response:
    ids_param = call.request.query_params.get("ids", "")
    record_ids = [value.strip() for value in ids_param.split(",") if value.strip()]
    if not record_ids:
        raise SalesforceError("MISSING_ARGUMENT", "ids parameter is required", fields=[])
    if len(record_ids) > MAX_RECORDS:
        raise exceeded_limit()
    all_or_none = call.request.query_params.get("allOrNone", "false").lower() == "true"

    def delete_one(call: ApiCall, access: UserAccess, record_id: str) -> str:
        object_def = call.org.records.object_of_id(record_id)
        if object_def is None:
            raise SalesforceError("MALFORMED_ID", f"malformed id {record_id}", fields=[])
        delete_record(call.org, access, object_def, record_id)
        return call.org.records.normalize_id(record_id, object_def)

    return json_response(run_collection(call, record_ids, all_or_none, delete_one))


async def collection_read(call: ApiCall) -> Response:
    """Return records by id, null where not found.

    GET takes `?ids=&fields=` in the URL; POST takes `{"ids": [...], "fields": [...]}`
    for lists too long for a URL.
    """
    access = call.org.permissions.for_user(call.user_id)
    object_def = visible_object(call.org, access, call.request.path_params["name"])
    if call.request.method == "POST":
        body = await call.json()
        if not isinstance(body, dict):
            raise SalesforceError("JSON_PARSER_ERROR", "The request body must be an object with ids and fields")
        record_ids = [str(value) for value in body.get("ids") or []]
        field_names = [str(value) for value in body.get("fields") or []]
    else:
        ids_param = call.request.query_params.get("ids", "")
        fields_param = call.request.query_params.get("fields", "")
        record_ids = [value.strip() for value in ids_param.split(",") if value.strip()]
        field_names = [value.strip() for value in fields_param.split(",") if value.strip()]
    if not record_ids or not field_names:
        raise SalesforceError(
            "MISSING_ARGUMENT", "ids and fields parameters are required", fields=[],
        )
    if len(record_ids) > 2000:
        raise exceeded_limit()

    results = []
    for record_id in record_ids:
        try:
            results.append(read_record(call.org, access, object_def, record_id, call.version, field_names))
        except SalesforceError as error:
            if error.error_code != "NOT_FOUND":
                raise
            results.append(None)
    return json_response(results)
