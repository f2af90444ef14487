"""The checks a deploy runs on each component before anything is installed.

Definition checks look at one component alone: required elements, valid field types.
Reference checks look at what it names (objects, fields, tabs) in the schema the org
would have after the deploy. Messages follow Salesforce's wording where it is known
("In field: field - no CustomField named X.Y found", "You cannot deploy to a required
field: X.Y"); the others are documented in docs/emulator.md as the emulator's own.
"""

import re

from ..schema import Schema
from ..schema.metadata_xml import NS, TYPE_MAP, child_flag, child_text
from .components import CUSTOM_FIELD, CUSTOM_OBJECT, CUSTOM_TAB, LAYOUT, PERMISSION_SET, Component

# Every value of the Metadata API's FieldType enum. Salesforce rejects a value outside it
# as a parse error. A value inside it but missing from TYPE_MAP is unsupported by the emulator.
SALESFORCE_FIELD_TYPES = frozenset({
    "AutoNumber", "Lookup", "MasterDetail", "MetadataRelationship", "Checkbox", "Currency",
    "Date", "DateTime", "Email", "EncryptedText", "ExternalLookup", "IndirectLookup",
    "Number", "Percent", "Phone", "Picklist", "MultiselectPicklist", "Summary", "Text",
    "TextArea", "LongTextArea", "Url", "Hierarchy", "File", "CustomDataType", "Html",
    "Geolocation", "Time",
})

# Elements a field of each type must have, beyond fullName, label and type.
_REQUIRED_BY_TYPE = {
    "Text": ("length",),
    "EncryptedText": ("length",),
    "LongTextArea": ("length", "visibleLines"),
    "Html": ("length", "visibleLines"),
    "MultiselectPicklist": ("valueSet", "visibleLines"),
    "Picklist": ("valueSet",),
    "Number": ("precision", "scale"),
    "Currency": ("precision", "scale"),
    "Percent": ("precision", "scale"),
    "Lookup": ("referenceTo", "relationshipName"),
    "MasterDetail": ("referenceTo", "relationshipName"),
    "AutoNumber": ("displayFormat",),
}
_FORMULA_EXEMPT = ("length", "precision", "scale", "visibleLines")
_CUSTOM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*__c$")


def check_definition(component: Component, standard_names: set[str]) -> None:
    """Record the problems a component has on its own (missing elements, bad types)."""
    if component.element is None or component.failed:
        return
    if component.type == CUSTOM_OBJECT:
        _check_object(component, standard_names)
    elif component.type == CUSTOM_FIELD:
        _check_field(component)
    elif component.type == PERMISSION_SET and not child_text(component.element, "label"):
        component.fail("Must specify a non-empty label for the PermissionSet")


def _check_object(component: Component, standard_names: set[str]) -> None:
    element = component.element
    if component.full_name.lower() in standard_names:
        return
    if not _CUSTOM_NAME.match(component.full_name):
        component.fail(
            f"{component.full_name} is neither a standard object of the emulator nor a custom object "
            "name (letters, digits and underscores, ending in __c)"
        )
        return

    if not child_text(element, "label"):
        component.fail("Must specify a non-empty label for the CustomObject")
    if not child_text(element, "pluralLabel"):
        component.fail("Must specify a non-empty plural label for the CustomObject")
    name_field = element.find("md:nameField", NS)
    if name_field is None:
        component.fail("Required field is missing: nameField")
        return
    for required in ("label", "type"):
        if not child_text(name_field, required):
            component.fail(f"Required field is missing: {required}", name_field)
    if child_text(name_field, "type") not in (None, "Text", "AutoNumber"):
        component.fail("The name field of a custom object must be of type Text or AutoNumber", name_field)


def _check_field(component: Component) -> None:
    element = component.element
    field_name = component.full_name.split(".", 1)[1]
    if not _CUSTOM_NAME.match(field_name):
        component.fail(
            f"Invalid fullName {field_name!r}: a custom field name has letters, digits and "
            "underscores and ends in __c"
        )

    field_type = child_text(element, "type")
    if not field_type:
        component.fail("Required field is missing: type")
        return
    if field_type not in SALESFORCE_FIELD_TYPES:
        type_element = element.find("md:type", NS)
        component.fail(
            f"Error parsing file: '{field_type}' is not a valid value for the enum 'FieldType'", type_element,
        )
        return
    if field_type not in TYPE_MAP:
        component.fail(
            f"The Salesforce emulator does not support fields of type {field_type}; "
            f"it supports {', '.join(sorted(TYPE_MAP))}"
        )
        return

    if not child_text(element, "label"):
        component.fail("Must specify a non-empty label for the CustomField")
    is_formula = child_text(element, "formula") is not None
    for required in _REQUIRED_BY_TYPE.get(field_type, ()):
        if is_formula and required in _FORMULA_EXEMPT:
            continue
        if element.find(f"md:{required}", NS) is None:
            component.fail(f"Required field is missing: {required}")


def check_references(component: Component, schema: Schema, tab_names: set[str]) -> None:
    """Record the problems of the objects, fields and tabs a component names.

    schema is the org's schema as it would be after the deploy; tab_names are the
    lower-cased names of the custom tabs the org would have.
    """
    if component.element is None or component.failed:
        return
    if component.type == CUSTOM_FIELD:
        _check_field_references(component, schema)
    elif component.type == LAYOUT:
        _check_layout(component, schema)
    elif component.type == CUSTOM_TAB:
        _check_tab(component, schema)
    elif component.type == PERMISSION_SET:
        _check_permission_set(component, schema, tab_names)


def _check_field_references(component: Component, schema: Schema) -> None:
    if schema.get(component.object_name) is None:
        component.fail(f"In field: fullName - no CustomObject named {component.object_name} found")
        return
    target = child_text(component.element, "referenceTo")
    if target and schema.get(target) is None:
        component.fail(
            f"referenceTo value of '{target}' does not resolve to a valid sObject type",
            component.element.find("md:referenceTo", NS),
        )


def _check_layout(component: Component, schema: Schema) -> None:
    object_def = schema.get(component.object_name)
    if "-" not in component.full_name or object_def is None:
        component.fail(f"In field: fullName - no CustomObject named {component.object_name} found")
        return
    for item in component.element.iterfind("md:layoutSections/md:layoutColumns/md:layoutItems", NS):
        field_name = child_text(item, "field")
        if field_name and object_def.field(field_name) is None:
            component.fail(
                f"In field: field - no CustomField named {object_def.name}.{field_name} found",
                item.find("md:field", NS),
            )


def _check_tab(component: Component, schema: Schema) -> None:
    if child_flag(component.element, "customObject") and schema.get(component.full_name) is None:
        component.fail(f"In field: customObject - no CustomObject named {component.full_name} found")


def _check_permission_set(component: Component, schema: Schema, tab_names: set[str]) -> None:
    for element in component.element.findall("md:objectPermissions", NS):
        object_name = child_text(element, "object") or ""
        if schema.get(object_name) is None:
            component.fail(
                f"In field: object - no CustomObject named {object_name} found", element.find("md:object", NS),
            )

    for element in component.element.findall("md:fieldPermissions", NS):
        _check_field_permission(component, schema, element)

    for element in component.element.findall("md:tabSettings", NS):
        tab = child_text(element, "tab") or ""
        if not tab.startswith("standard-") and tab.lower() not in tab_names:
            component.fail(f"In field: tab - no CustomTab named {tab} found", element.find("md:tab", NS))


def _check_field_permission(component: Component, schema: Schema, element) -> None:
    qualified = child_text(element, "field") or ""
    object_name, _, field_name = qualified.partition(".")
    object_def = schema.get(object_name)
    field_def = object_def.field(field_name) if object_def is not None and field_name else None
    field_element = element.find("md:field", NS)
    if field_def is None:
        component.fail(f"In field: field - no CustomField named {qualified} found", field_element)
    elif not field_def.nillable and field_def.type != "boolean":
        # Required and master-detail fields are always readable and editable, so
        # Salesforce refuses field permissions on them.
        component.fail(f"You cannot deploy to a required field: {qualified}", field_element)
