"""Field values: JSON input to SQLite storage, and storage back to Salesforce JSON.

Storage forms are chosen so SQLite compares and sorts them as SOQL does: datetimes as
UTC text `YYYY-MM-DDTHH:MM:SS.fffZ`, dates as `YYYY-MM-DD`, checkboxes as 0/1, ids as
18-character text, multi-select picklists as `a;b;c`.
"""

import datetime
import decimal
import re

from . import ids
from .errors import SalesforceError
from .schema import FieldDef

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def now_stamp() -> str:
    """Return the current time in the storage form of datetime fields."""
    return store_datetime(datetime.datetime.now(datetime.UTC))


def store_datetime(moment: datetime.datetime) -> str:
    """Convert an aware datetime to the storage form, in UTC with milliseconds."""
    utc = moment.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def format_datetime(stored: str) -> str:
    """Convert a stored datetime to Salesforce's JSON form (`2026-12-04T19:56:09.000+0000`)."""
    return stored[:-1] + "+0000" if stored.endswith("Z") else stored


def parse_datetime(text: str) -> datetime.datetime:
    """Parse an ISO 8601 date-time as Salesforce accepts it; a missing zone means UTC."""
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def _parse_error(field_def: FieldDef, java_type: str, value: object) -> SalesforceError:
    token = "VALUE_STRING" if isinstance(value, str) else type(value).__name__.upper()
    return SalesforceError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {java_type} from {token} value {value} or "
        f"request may be missing a required field ({field_def.name})",
        fields=[field_def.name],
    )


def to_storage(field_def: FieldDef, value: object) -> object:
    """Convert a JSON value for field_def to its storage form, checking it as Salesforce does.

    Raises SalesforceError with the error code Salesforce uses for the problem.
    """
    if field_def.type == "boolean":
        return _boolean(field_def, value)
    if value is None or (value == "" and field_def.type != "base64"):
        # Salesforce stores an empty string as null.
        return None

    converter = _CONVERTERS.get(field_def.type, _text)
    return converter(field_def, value)


def _boolean(field_def: FieldDef, value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return int(value.lower() == "true")
    raise _parse_error(field_def, "boolean", value)


def _text(field_def: FieldDef, value: object) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float, str)):
        text = str(value)
    else:
        raise _parse_error(field_def, "string", value)

    if field_def.length and len(text) > field_def.length:
        raise SalesforceError(
            "STRING_TOO_LONG",
            f"{field_def.label}: data value too large: {text[:255]} "
            f"(max length={field_def.length})",
            fields=[field_def.name],
        )
    if field_def.type == "email" and not _EMAIL.match(text):
        raise SalesforceError(
            "INVALID_EMAIL_ADDRESS",
            f"{field_def.label}: invalid email address: {text}",
            fields=[field_def.name],
        )
    return text


def _picklist(field_def: FieldDef, value: object) -> str:
    text = _text(field_def, value)
    if field_def.restricted_picklist:
        allowed = {entry.value for entry in field_def.picklist_values if entry.active}
        if text not in allowed:
            raise SalesforceError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{field_def.label}: bad value for restricted picklist field: {text}",
                fields=[field_def.name],
            )
    return text


def _multipicklist(field_def: FieldDef, value: object) -> str:
    text = _text(field_def, value)
    chosen = [part.strip() for part in text.split(";") if part.strip()]
    if field_def.restricted_picklist:
        allowed = {entry.value for entry in field_def.picklist_values if entry.active}
        for part in chosen:
            if part not in allowed:
                raise SalesforceError(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"{field_def.label}: bad value for restricted picklist field: {part}",
                    fields=[field_def.name],
                )
    return ";".join(dict.fromkeys(chosen))


def _number(field_def: FieldDef, value: object) -> float | int:
    # The message names the Java type that failed to read the value: int for an int field,
    # double for the others. NOTE: the int wording is not checked against a real org.
    java_type = "int" if field_def.type == "int" else "double"
    if isinstance(value, bool):
        raise _parse_error(field_def, java_type, value)
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise _parse_error(field_def, java_type, value) from None
    if not number.is_finite():
        raise _parse_error(field_def, java_type, value)

    if field_def.type == "int":
        integer_digits = field_def.digits or 9
        scale = 0
    else:
        scale = field_def.scale
        integer_digits = (field_def.precision - field_def.scale) if field_def.precision else 18

    rounded = number.quantize(decimal.Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP)
    if abs(rounded) >= decimal.Decimal(10) ** integer_digits:
        raise SalesforceError(
            "NUMBER_OUTSIDE_VALID_RANGE",
            f"{field_def.label}: value outside of valid range on numeric field: {value}",
            fields=[field_def.name],
        )
    return int(rounded) if field_def.type == "int" else float(rounded)


def _date(field_def: FieldDef, value: object) -> str:
    if not isinstance(value, str):
        raise _parse_error(field_def, "date", value)
    try:
        # Salesforce takes the date part of a date-time given for a date field.
        return datetime.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise _parse_error(field_def, "date", value) from None


def _datetime(field_def: FieldDef, value: object) -> str:
    if not isinstance(value, str):
        raise _parse_error(field_def, "datetime", value)
    try:
        return store_datetime(parse_datetime(value))
    except ValueError:
        raise _parse_error(field_def, "datetime", value) from None


def _time(field_def: FieldDef, value: object) -> str:
    if not isinstance(value, str):
        raise _parse_error(field_def, "time", value)
    try:
        moment = datetime.time.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        raise _parse_error(field_def, "time", value) from None
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _reference(field_def: FieldDef, value: object) -> str:
    try:
        return ids.to_18(value)  # type: ignore[arg-type]
    except ids.MalformedIdError:
        raise incorrect_reference_type(field_def, value) from None


def incorrect_reference_type(field_def: FieldDef, value: object) -> SalesforceError:
    """Build the error for a lookup given an id that is malformed or of the wrong object."""
    return SalesforceError(
        "FIELD_INTEGRITY_EXCEPTION",
        f"{field_def.label}: id value of incorrect type: {value}",
        fields=[field_def.name],
    )


_CONVERTERS = {
    "picklist": _picklist,
    "multipicklist": _multipicklist,
    "int": _number,
    "double": _number,
    "currency": _number,
    "percent": _number,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "reference": _reference,
    "id": _reference,
}


def from_storage(field_def: FieldDef, stored: object) -> object:
    """Convert a stored value to the JSON value Salesforce returns for the field."""
    if field_def.type == "boolean":
        return bool(stored)
    if stored is None:
        return None
    if field_def.type == "datetime":
        return format_datetime(stored)  # type: ignore[arg-type]
    if field_def.type in ("double", "currency", "percent"):
        return float(stored)  # type: ignore[arg-type]
    if field_def.type == "int":
        return int(stored)  # type: ignore[call-overload]
    return stored
