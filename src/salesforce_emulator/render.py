"""Stored rows as REST records: attributes, JSON values and file body paths."""

from .schema import FieldDef, ObjectDef
from .values import from_storage


def record_url(object_name: str, record_id: str, version: str) -> str:
    """Return the REST path of a record, as given in `attributes.url`."""
    return f"/services/data/v{version}/sobjects/{object_name}/{record_id}"


def render_value(object_def: ObjectDef, field_def: FieldDef, row, version: str) -> object:
    """Return one stored field value as JSON; file bodies become their download path."""
    stored = row[field_def.name]
    if field_def.type == "base64":
        if stored is None:
            return None
        return record_url(object_def.name, row["Id"], version) + f"/{field_def.name}"
    return from_storage(field_def, stored)


def render_record(object_def: ObjectDef, row, fields: list[FieldDef], version: str) -> dict:
    """Return a stored row as a REST record with its attributes."""
    record = {
        "attributes": {
            "type": object_def.name,
            "url": record_url(object_def.name, row["Id"], version),
        },
    }
    for field_def in fields:
        record[field_def.name] = render_value(object_def, field_def, row, version)
    return record
