"""Load the standard sObjects from the package's standard_objects.json."""

import json
from importlib import resources

from .model import FieldDef, ObjectDef, PicklistValue, label_from_name

_PICKLIST_KEYS = ("value", "label", "default", "active")


def system_fields() -> list[FieldDef]:
    """Return the audit fields every sObject carries, in describe order."""
    return [
        FieldDef(
            name="Id", label="Record ID", type="id", length=18, nillable=False,
            createable=False, updateable=False, id_lookup=True, defaulted_on_create=True,
        ),
        FieldDef(
            name="IsDeleted", label="Deleted", type="boolean", nillable=False,
            createable=False, updateable=False, defaulted_on_create=True,
        ),
        FieldDef(
            name="CreatedDate", label="Created Date", type="datetime", nillable=False,
            createable=False, updateable=False, defaulted_on_create=True,
        ),
        FieldDef(
            name="CreatedById", label="Created By ID", type="reference", length=18,
            nillable=False, createable=False, updateable=False, defaulted_on_create=True,
            reference_to=["User"], relationship_name="CreatedBy",
        ),
        FieldDef(
            name="LastModifiedDate", label="Last Modified Date", type="datetime",
            nillable=False, createable=False, updateable=False, defaulted_on_create=True,
        ),
        FieldDef(
            name="LastModifiedById", label="Last Modified By ID", type="reference",
            length=18, nillable=False, createable=False, updateable=False,
            defaulted_on_create=True, reference_to=["User"],
            relationship_name="LastModifiedBy",
        ),
        FieldDef(
            name="SystemModstamp", label="System Modstamp", type="datetime", nillable=False,
            createable=False, updateable=False, defaulted_on_create=True,
        ),
    ]


def _picklist_value(spec: str | dict) -> PicklistValue:
    if isinstance(spec, str):
        return PicklistValue(value=spec, label=spec)

    extra = {key: value for key, value in spec.items() if key not in _PICKLIST_KEYS}
    return PicklistValue(
        value=spec["value"],
        label=spec.get("label", spec["value"]),
        default=spec.get("default", False),
        active=spec.get("active", True),
        attributes=extra,
    )


def field_from_spec(spec: dict) -> FieldDef:
    """Build a FieldDef from one field entry of standard_objects.json."""
    field_type = spec["type"]
    values = [_picklist_value(value) for value in spec.get("values", [])]
    default = spec.get("default")
    if field_type == "boolean" and default is None:
        default = False

    field_def = FieldDef(
        name=spec["name"],
        label=spec.get("label") or label_from_name(spec["name"]),
        type=field_type,
        length=spec.get("length", 18 if field_type == "reference" else 0),
        precision=spec.get("precision", 0),
        scale=spec.get("scale", 0),
        digits=spec.get("digits", 0),
        nillable=not spec.get("required", False) and field_type != "boolean",
        createable=spec.get("createable", True),
        updateable=spec.get("updateable", True),
        unique=spec.get("unique", False),
        external_id=spec.get("externalId", False),
        id_lookup=spec.get("idLookup", False),
        name_field=spec.get("nameField", False),
        calculated=spec.get("calculated", False),
        default_value=default,
        defaulted_on_create=spec.get("defaultedOnCreate", default is not None),
        picklist_values=values,
        restricted_picklist=spec.get("restricted", False),
        reference_to=spec.get("referenceTo", []),
        relationship_name=spec.get("relationshipName"),
        child_relationship_name=spec.get("childRelationship"),
        cascade_delete=spec.get("cascadeDelete", False),
        extra_type_info=spec.get("extraTypeInfo"),
        compound_of=spec.get("compoundOf", []),
    )
    if field_def.name_field or field_def.unique or field_def.external_id:
        field_def.id_lookup = True
    return field_def


def load_standard_objects() -> list[ObjectDef]:
    """Read standard_objects.json and return its sObjects with system fields added."""
    text = resources.files(__package__).joinpath("standard_objects.json").read_text("utf-8")
    document = json.loads(text)

    objects = []
    for spec in document["objects"]:
        object_def = ObjectDef(
            name=spec["name"],
            label=spec["label"],
            label_plural=spec["labelPlural"],
            key_prefix=spec["keyPrefix"],
            createable=spec.get("createable", True),
            updateable=spec.get("updateable", True),
            deletable=spec.get("deletable", True),
        )
        for field_def in system_fields():
            object_def.add_field(field_def)
        for field_spec in spec["fields"]:
            object_def.add_field(field_from_spec(field_spec))
        objects.append(object_def)
    return objects
