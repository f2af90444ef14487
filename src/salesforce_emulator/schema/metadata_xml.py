"""Build schema definitions from Metadata API XML elements.

Custom objects, custom fields and permission sets have the same XML in an SFDX source
folder and in a Metadata API deploy (namespace http://soap.sforce.com/2006/04/metadata).
The SFDX loader and the deploy both parse them here, from elements already read, so a
field means the same thing however it reaches the org.
"""

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

from .model import FieldDef, ObjectDef, PicklistValue, label_from_name
from .standard import system_fields

NAMESPACE = "http://soap.sforce.com/2006/04/metadata"
NS = {"md": NAMESPACE}


class PackageError(ValueError):
    """Metadata that cannot be read as a package: bad XML, an unsupported field type, ..."""


@dataclass
class ObjectPermission:
    """Object-level access a permission set grants."""

    object_name: str
    allow_create: bool = False
    allow_read: bool = False
    allow_edit: bool = False
    allow_delete: bool = False
    view_all_records: bool = False
    modify_all_records: bool = False


@dataclass
class PackagePermissionSet:
    """A permission set as declared in the package."""

    name: str
    label: str
    description: str | None = None
    object_permissions: dict[str, ObjectPermission] = field(default_factory=dict)
    # "Object.Field" -> (readable, editable)
    field_permissions: dict[str, tuple[bool, bool]] = field(default_factory=dict)


def child_text(element: ElementTree.Element, tag: str, default: str | None = None) -> str | None:
    """Return the stripped text of the first child named tag, or default when absent or empty."""
    child = element.find(f"md:{tag}", NS)
    if child is None or child.text is None:
        return default
    return child.text.strip()


def child_flag(element: ElementTree.Element, tag: str, default: bool = False) -> bool:
    """Return a child's text as a boolean (`true`, in any case, is True)."""
    value = child_text(element, tag)
    if value is None:
        return default
    return value.lower() == "true"


def child_int(element: ElementTree.Element, tag: str, default: int = 0) -> int:
    """Return a child's text as an integer, or default when absent."""
    value = child_text(element, tag)
    return int(value) if value else default


def object_from_element(root: ElementTree.Element, api_name: str) -> ObjectDef:
    """Build a custom object's ObjectDef (system, name and owner fields) from its CustomObject element."""
    label = child_text(root, "label") or label_from_name(api_name)
    object_def = ObjectDef(
        name=api_name,
        label=label,
        label_plural=child_text(root, "pluralLabel") or label + "s",
        key_prefix=None,
        custom=True,
    )
    for field_def in system_fields():
        object_def.add_field(field_def)

    name_element = root.find("md:nameField", NS)
    name_label = f"{label} Name"
    name_type = "Text"
    display_format = None
    if name_element is not None:
        name_label = child_text(name_element, "label") or name_label
        name_type = child_text(name_element, "type") or "Text"
        display_format = child_text(name_element, "displayFormat")

    auto_number = name_type == "AutoNumber"
    object_def.add_field(FieldDef(
        name="Name",
        label=name_label,
        type="string",
        length=30 if auto_number else 80,
        nillable=auto_number,
        createable=not auto_number,
        updateable=not auto_number,
        name_field=True,
        id_lookup=True,
        auto_number=auto_number,
        display_format=display_format,
        defaulted_on_create=auto_number,
    ))

    # Objects on the detail side of a master-detail relationship have no owner; their
    # OwnerId is removed once fields are known (see drop_owner_of_detail_objects).
    object_def.add_field(FieldDef(
        name="OwnerId", label="Owner ID", type="reference", length=18, nillable=False,
        defaulted_on_create=True, reference_to=["User"], relationship_name="Owner",
    ))
    return object_def


# Metadata API field type -> (describe type, default length)
TYPE_MAP = {
    "Text": ("string", 255),
    "TextArea": ("textarea", 255),
    "LongTextArea": ("textarea", 32768),
    "Html": ("textarea", 32768),
    "EncryptedText": ("encryptedstring", 175),
    "Email": ("email", 80),
    "Phone": ("phone", 40),
    "Url": ("url", 255),
    "Picklist": ("picklist", 255),
    "MultiselectPicklist": ("multipicklist", 4099),
    "Checkbox": ("boolean", 0),
    "Number": ("double", 0),
    "Currency": ("currency", 0),
    "Percent": ("percent", 0),
    "Date": ("date", 0),
    "DateTime": ("datetime", 0),
    "Time": ("time", 0),
    "Lookup": ("reference", 18),
    "MasterDetail": ("reference", 18),
    "AutoNumber": ("string", 30),
    "Summary": ("double", 0),
}


def field_from_element(root: ElementTree.Element, default_name: str) -> FieldDef:
    """Build a FieldDef from a CustomField element (a field file's root, or an object's <fields>).

    default_name is used when the element has no <fullName>. Raises PackageError for a
    field type the emulator does not support and for a lookup without <referenceTo>.
    """
    api_name = child_text(root, "fullName") or default_name
    metadata_type = child_text(root, "type")
    if metadata_type not in TYPE_MAP:
        raise PackageError(
            f"field type {metadata_type!r} is not supported by the emulator; "
            f"supported types are {', '.join(sorted(TYPE_MAP))}"
        )

    describe_type, default_length = TYPE_MAP[metadata_type]
    formula = child_text(root, "formula")
    calculated = formula is not None or metadata_type == "Summary"
    field_def = FieldDef(
        name=api_name,
        label=child_text(root, "label") or label_from_name(api_name),
        type=describe_type,
        length=child_int(root, "length", default_length),
        precision=child_int(root, "precision"),
        scale=child_int(root, "scale"),
        custom=True,
        unique=child_flag(root, "unique"),
        case_sensitive=child_flag(root, "caseSensitive"),
        external_id=child_flag(root, "externalId"),
        calculated=calculated,
        inline_help_text=child_text(root, "inlineHelpText"),
        visible_lines=child_int(root, "visibleLines"),
    )
    field_def.id_lookup = field_def.unique or field_def.external_id
    if calculated:
        field_def.createable = False
        field_def.updateable = False

    if metadata_type == "LongTextArea":
        field_def.extra_type_info = "plaintextarea"
    elif metadata_type == "Html":
        field_def.extra_type_info = "richtextarea"
        field_def.html_formatted = True
    elif metadata_type == "AutoNumber":
        field_def.auto_number = True
        field_def.display_format = child_text(root, "displayFormat")
        field_def.createable = False
        field_def.updateable = False
        field_def.defaulted_on_create = True

    required = child_flag(root, "required") or metadata_type == "MasterDetail"
    if required and describe_type != "boolean":
        field_def.nillable = False
    if describe_type == "boolean":
        field_def.nillable = False
        field_def.default_value = (child_text(root, "defaultValue") or "false").lower() == "true"
        field_def.defaulted_on_create = True
    else:
        _apply_default_value(field_def, child_text(root, "defaultValue"))

    if describe_type in ("picklist", "multipicklist"):
        _apply_value_set(field_def, root)
    if describe_type == "reference":
        _apply_reference(field_def, root, metadata_type)
    return field_def


def _apply_default_value(field_def: FieldDef, formula: str | None) -> None:
    # Default values are formulas; only literal ones can be applied without a formula
    # engine. NOTE: defaults such as TODAY() or $User.Id are ignored (the field stays
    # empty); a formula evaluator would fix that.
    if formula is None:
        return
    if len(formula) >= 2 and formula[0] == formula[-1] and formula[0] in "'\"":
        field_def.default_value = formula[1:-1]
    elif field_def.type in ("double", "currency", "percent"):
        try:
            field_def.default_value = float(formula)
        except ValueError:
            return
    else:
        return
    field_def.defaulted_on_create = True


def _apply_value_set(field_def: FieldDef, root: ElementTree.Element) -> None:
    value_set = root.find("md:valueSet", NS)
    if value_set is None:
        return

    field_def.restricted_picklist = child_flag(value_set, "restricted")
    definition = value_set.find("md:valueSetDefinition", NS)
    if definition is None:
        return

    for value_element in definition.findall("md:value", NS):
        value = child_text(value_element, "fullName") or ""
        is_default = child_flag(value_element, "default")
        field_def.picklist_values.append(PicklistValue(
            value=value,
            label=child_text(value_element, "label") or value,
            default=is_default,
            active=child_flag(value_element, "isActive", True),
        ))
        if is_default:
            field_def.default_value = value
            field_def.defaulted_on_create = True


def _apply_reference(field_def: FieldDef, root: ElementTree.Element, metadata_type: str) -> None:
    target = child_text(root, "referenceTo")
    if not target:
        raise PackageError(f"a {metadata_type} field needs <referenceTo>")

    field_def.reference_to = [target]
    field_def.relationship_name = field_def.name.removesuffix("__c") + "__r"
    child_name = child_text(root, "relationshipName")
    if child_name:
        field_def.child_relationship_name = child_name + "__r"
    field_def.relationship_label = child_text(root, "relationshipLabel")

    if metadata_type == "MasterDetail":
        field_def.cascade_delete = True
        field_def.updateable = child_flag(root, "reparentableMasterDetail")
    else:
        constraint = child_text(root, "deleteConstraint", "SetNull")
        field_def.cascade_delete = constraint == "Cascade"
        field_def.restricted_delete = constraint == "Restrict"


def permission_set_from_element(root: ElementTree.Element, name: str) -> PackagePermissionSet:
    """Build a PackagePermissionSet from a PermissionSet element; name comes from its file name."""
    permission_set = PackagePermissionSet(
        name=name,
        label=child_text(root, "label") or name,
        description=child_text(root, "description"),
    )

    for element in root.findall("md:objectPermissions", NS):
        object_name = child_text(element, "object") or ""
        permission_set.object_permissions[object_name] = ObjectPermission(
            object_name=object_name,
            allow_create=child_flag(element, "allowCreate"),
            allow_read=child_flag(element, "allowRead"),
            allow_edit=child_flag(element, "allowEdit"),
            allow_delete=child_flag(element, "allowDelete"),
            view_all_records=child_flag(element, "viewAllRecords"),
            modify_all_records=child_flag(element, "modifyAllRecords"),
        )

    for element in root.findall("md:fieldPermissions", NS):
        field_name = child_text(element, "field") or ""
        permission_set.field_permissions[field_name] = (
            child_flag(element, "readable"), child_flag(element, "editable"),
        )
    return permission_set
