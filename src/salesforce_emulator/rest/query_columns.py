"""The query resource's column metadata (`query?q=...&columns=true`).

The Salesforce CLI (`sf data query`) and the Developer Console ask for it to name the
columns of a result table. The response describes the SELECT list instead of returning
records: one entry per selected item, with parent fields nested under their relationship
in `joinColumns`, child subqueries as aggregate entries whose `joinColumns` describe the
child's SELECT list, and aggregate functions under their alias or `exprN` name.
"""

from ..permissions import UserAccess
from ..schema import FieldDef, ObjectDef
from ..soql import nodes as ast
from ..soql import parse
from ..soql.compiler import CompiledQuery, OutputColumn

# Apex types of the field types the emulator knows; number fields with decimals are
# Decimal in Apex, as their values are in Apex code.
_APEX_TYPES = {
    "id": "Id", "reference": "Id", "boolean": "Boolean", "int": "Integer",
    "double": "Decimal", "currency": "Decimal", "percent": "Decimal",
    "date": "Date", "datetime": "Datetime", "time": "Time", "base64": "Blob",
}
_NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
_TEXT_TYPES = frozenset({
    "string", "textarea", "picklist", "multipicklist", "email", "phone", "url",
    "encryptedstring", "combobox",
})


def column_metadata(
    soql: str, compiled: CompiledQuery, access: UserAccess,
) -> dict:
    """Build the body of a `columns=true` query response for a compiled query."""
    select_items = parse(soql).select
    if compiled.is_count:
        columns = []
    elif compiled.is_aggregate:
        columns = _aggregate_columns(select_items, compiled)
    else:
        columns = _record_columns(compiled, access)

    object_def = compiled.object_def
    return {
        "columnMetadata": columns,
        "entityName": object_def.name,
        "groupBy": bool(compiled.group_sql),
        "idSelected": any(
            kind == "field" and not item.relationships and item.field_def.name == "Id"
            for kind, item in compiled.layout
        ),
        "keyPrefix": object_def.key_prefix,
    }


def _record_columns(compiled: CompiledQuery, access: UserAccess) -> list[dict]:
    columns = []
    for kind, item in compiled.layout:
        if kind == "child":
            columns.append(_column(
                item.relationship_name, item.relationship_name, aggregate=True,
                join_columns=_record_columns(item.compiled, access),
            ))
            continue
        columns.append(_field_path_column(compiled, item, access))
    return columns


def _field_path_column(compiled: CompiledQuery, item: OutputColumn, access: UserAccess) -> dict:
    """Describe a selected field; a parent field nests one entry per relationship it follows."""
    column = _field_column(item.object_def, item.field_def, access, ".".join(
        [*item.relationships, item.field_def.name],
    ))
    for depth in range(len(item.relationships), 0, -1):
        prefix = item.relationships[:depth]
        owner_def = compiled.parents[prefix[:-1]].object_def if depth > 1 else compiled.object_def
        parent_def = compiled.parents[prefix].object_def
        column = _column(
            prefix[-1], ".".join(prefix), apex_type=parent_def.name,
            field_def=owner_def.relationship(prefix[-1]), join_columns=[column],
        )
    return column


def _field_column(
    object_def: ObjectDef, field_def: FieldDef, access: UserAccess, display_name: str,
) -> dict:
    editable = access.field_editable(object_def, field_def)
    return _column(
        field_def.name,
        display_name,
        apex_type=_APEX_TYPES.get(field_def.type, "String"),
        field_def=field_def,
        insertable=field_def.createable and editable,
        updatable=field_def.updateable and editable,
    )


def _aggregate_columns(select_items: list, compiled: CompiledQuery) -> list[dict]:
    """Describe AggregateResult columns; the compiler adds one per SELECT item, in order."""
    columns = []
    for item, aggregate in zip(select_items, compiled.aggregates, strict=True):
        if aggregate.function is None:
            columns.append(_column(
                aggregate.name, aggregate.name,
                apex_type=_APEX_TYPES.get(aggregate.field_def.type, "String"),
                field_def=aggregate.field_def,
            ))
            continue
        columns.append(_column(
            aggregate.name,
            _function_text(item),
            aggregate=True,
            apex_type=_function_apex_type(aggregate.function, aggregate.field_def),
            number_type=aggregate.function in ("COUNT", "COUNT_DISTINCT", "AVG", "SUM")
            or aggregate.field_def.type in _NUMBER_TYPES,
        ))
    return columns


def _function_text(item: ast.SelectFunction) -> str:
    return f"{item.name}({item.path.text if item.path else ''})"


def _function_apex_type(function: str, field_def: FieldDef) -> str:
    if function in ("COUNT", "COUNT_DISTINCT"):
        return "Integer"
    if function == "AVG":
        return "Double"
    return _APEX_TYPES.get(field_def.type, "String")


def _column(
    name: str,
    display_name: str,
    *,
    aggregate: bool = False,
    apex_type: str | None = None,
    field_def: FieldDef | None = None,
    insertable: bool = False,
    updatable: bool = False,
    number_type: bool | None = None,
    join_columns: list[dict] | None = None,
) -> dict:
    """Build one entry of columnMetadata, with every key Salesforce returns."""
    field_type = field_def.type if field_def is not None else None
    return {
        "aggregate": aggregate,
        "apexType": apex_type,
        "booleanType": field_type == "boolean",
        "columnName": name,
        "custom": bool(field_def and field_def.custom),
        "displayName": display_name,
        "foreignKeyName": None,
        "insertable": insertable,
        "joinColumns": join_columns or [],
        "numberType": number_type if number_type is not None else field_type in _NUMBER_TYPES,
        "textType": field_type in _TEXT_TYPES,
        "updatable": updatable,
    }
