"""sObject Collections upsert: `PATCH composite/sobjects/{O}/{externalIdField}` (API 46.0 and later).

Up to 200 records of the object in the URL are created or updated by the external id
field the URL names, in request order, and the results come back in that order with
`created` true or false. With `allOrNone`, one failing record rolls back all of them.
"""

import functools

from starlette.responses import Response

from ..errors import SalesforceError
from ..permissions import UserAccess
from ..schema import FieldDef, ObjectDef
from ..user_records import create_record, update_record, visible_object
from .common import ApiCall, json_response
from .composite import UpsertOutcome, check_collection_body, record_type, run_collection
from .sobjects import external_id_field, matching_ids


async def collection_upsert(call: ApiCall) -> Response:
    """PATCH /composite/sobjects/{name}/{field}: upsert up to 200 records by an external id."""
    access = call.org.permissions.for_user(call.user_id)
    object_def = visible_object(call.org, access, call.request.path_params["name"])
    field_def = external_id_field(object_def, call.request.path_params["field"])
    body = await call.json()
    check_collection_body(body)

    records = body["records"]
    operation = functools.partial(
        _upsert_one, object_def=object_def, field_def=field_def,
        repeated=_repeated_values(records, field_def),
    )
    return json_response(run_collection(call, records, bool(body.get("allOrNone", False)), operation))


def _external_value(record: object, field_def: FieldDef) -> object:
    if not isinstance(record, dict):
        return None
    return next((value for key, value in record.items() if key.lower() == field_def.name.lower()), None)


def _match_key(value: object, field_def: FieldDef) -> str:
    """Return the form in which two external id values count as the same."""
    text = str(value)
    return text if field_def.case_sensitive else text.lower()


def _repeated_values(records: list, field_def: FieldDef) -> set[str]:
    """Return the external id values that more than one record of the request carries."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for record in records:
        value = _external_value(record, field_def)
        if value in (None, ""):
            continue
        key = _match_key(value, field_def)
        if key in seen:
            repeated.add(key)
        seen.add(key)
    return repeated


def _upsert_one(
    call: ApiCall, access: UserAccess, record: object, *,
    object_def: ObjectDef, field_def: FieldDef, repeated: set[str],
) -> UpsertOutcome:
    """Create or update one record of the collection by its external id value."""
    declared = record_type(call, access, record)
    if declared.name != object_def.name:
        raise SalesforceError(
            "INVALID_TYPE",
            f"The record's type {declared.name} is not {object_def.name}, the object in the "
            "request URL; an upsert collection holds records of one object only",
            fields=[],
        )
    if field_def.name != "Id" and any(key.lower() == "id" for key in record):
        raise SalesforceError(
            "INVALID_FIELD",
            f"cannot specify Id in an upsert by {field_def.name}; remove Id from the record",
            fields=["Id"],
        )

    value = _external_value(record, field_def)
    values = {
        key: item for key, item in record.items()
        if key != "attributes" and key.lower() != field_def.name.lower()
    }
    if value in (None, ""):
        if field_def.name == "Id":
            # Without an Id value, an upsert by Id creates the record.
            return UpsertOutcome(create_record(call.org, access, object_def, values), created=True)
        raise SalesforceError(
            "MISSING_ARGUMENT", f"{field_def.name} not specified", fields=[field_def.name],
        )
    if _match_key(value, field_def) in repeated:
        raise SalesforceError(
            "DUPLICATE_EXTERNAL_ID",
            f"Duplicate external id specified: {value}; several records of this request "
            f"carry it in {field_def.name}",
            fields=[field_def.name],
        )

    matches = matching_ids(call.org, object_def, field_def, str(value))
    if len(matches) > 1:
        raise SalesforceError(
            "DUPLICATE_EXTERNAL_ID",
            f"{field_def.name}: more than one record found for external id field: "
            f"{', '.join(matches)}",
            fields=[field_def.name],
        )
    if matches:
        update_record(call.org, access, object_def, matches[0], values)
        return UpsertOutcome(matches[0], created=False)
    if field_def.name == "Id":
        raise SalesforceError(
            "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {value}", fields=["Id"],
        )
    created_id = create_record(call.org, access, object_def, {**values, field_def.name: value})
    return UpsertOutcome(created_id, created=True)
