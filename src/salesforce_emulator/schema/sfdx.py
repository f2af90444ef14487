"""Read custom objects, custom fields and permission sets from an SFDX source folder.

The folder is the one a developer deploys with `sf project deploy start`. It contains
sfdx-project.json, whose packageDirectories name the folders with `main/default/objects`
and `main/default/permissionsets` beneath them. Files use the Metadata API XML of the
http://soap.sforce.com/2006/04/metadata namespace.
"""

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from .model import FieldDef, ObjectDef, PicklistValue, label_from_name
from .standard import system_fields

NAMESPACE = "http://soap.sforce.com/2006/04/metadata"
_NS = {"md": NAMESPACE}

log = structlog.get_logger(__name__)


class PackageError(ValueError):
    """An SFDX source folder that cannot be read as a package."""


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


@dataclass
class Package:
    """The custom objects, custom fields and permission sets an SFDX source folder adds to an org."""

    custom_objects: list[ObjectDef] = field(default_factory=list)
    # Standard object name -> custom fields the package adds to it.
    standard_object_fields: dict[str, list[FieldDef]] = field(default_factory=dict)
    permission_sets: list[PackagePermissionSet] = field(default_factory=list)


def _text(element: ElementTree.Element, tag: str, default: str | None = None) -> str | None:
    child = element.find(f"md:{tag}", _NS)
    if child is None or child.text is None:
        return default
    return child.text.strip()


def _flag(element: ElementTree.Element, tag: str, default: bool = False) -> bool:
    value = _text(element, tag)
    if value is None:
        return default
    return value.lower() == "true"


def _int(element: ElementTree.Element, tag: str, default: int = 0) -> int:
    value = _text(element, tag)
    return int(value) if value else default


def _parse_xml(path: Path) -> ElementTree.Element:
    try:
        # The package is the developer's own SFDX source on disk, not data from a client.
        return ElementTree.parse(path).getroot()  # noqa: S314
    except ElementTree.ParseError as error:
        raise PackageError(f"{path} is not well-formed XML: {error}") from error


def source_folders(package_dir: Path) -> list[Path]:
    """Return the `main/default` folders of the package directories in sfdx-project.json."""
    project_file = package_dir / "sfdx-project.json"
    if not project_file.exists():
        raise PackageError(
            f"{project_file} is missing; pass the folder that contains sfdx-project.json "
            "as the package directory"
        )

    project = json.loads(project_file.read_text("utf-8"))
    folders = []
    for entry in project.get("packageDirectories", []):
        folder = package_dir / entry["path"] / "main" / "default"
        if not folder.is_dir():
            # Source may also sit directly under the package path.
            folder = package_dir / entry["path"]
        folders.append(folder)
    return folders


def load_package(package_dir: Path, standard_names: set[str]) -> Package:
    """Read the custom objects, custom fields and permission sets of an SFDX folder.

    standard_names are the standard objects the emulator has. A folder under
    objects/ with one of those names adds fields to that object instead of defining it.
    """
    package = Package()
    lowered_standard = {name.lower(): name for name in standard_names}

    for folder in source_folders(package_dir):
        for object_folder in sorted((folder / "objects").glob("*")):
            if not object_folder.is_dir():
                continue
            _load_object_folder(object_folder, lowered_standard, package)

        for path in sorted((folder / "permissionsets").glob("*.permissionset-meta.xml")):
            package.permission_sets.append(_parse_permission_set(path))
    return package


def _load_object_folder(object_folder: Path, lowered_standard: dict, package: Package) -> None:
    name = object_folder.name
    fields = [
        parse_field(path, name)
        for path in sorted((object_folder / "fields").glob("*.field-meta.xml"))
    ]

    standard_name = lowered_standard.get(name.lower())
    if standard_name:
        package.standard_object_fields.setdefault(standard_name, []).extend(fields)
        return

    object_file = object_folder / f"{name}.object-meta.xml"
    if not object_file.exists():
        log.warning(
            "package object skipped: no object file and not a standard object of the emulator",
            object=name, folder=str(object_folder),
        )
        return

    object_def = parse_object(object_file, name)
    for field_def in fields:
        object_def.add_field(field_def)
    package.custom_objects.append(object_def)


def parse_object(path: Path, api_name: str) -> ObjectDef:
    """Build a custom object's ObjectDef (system, name and owner fields) from its object file."""
    root = _parse_xml(path)
    label = _text(root, "label") or label_from_name(api_name)
    object_def = ObjectDef(
        name=api_name,
        label=label,
        label_plural=_text(root, "pluralLabel") or label + "s",
        key_prefix=None,
        custom=True,
    )
    for field_def in system_fields():
        object_def.add_field(field_def)

    name_element = root.find("md:nameField", _NS)
    name_label = f"{label} Name"
    name_type = "Text"
    display_format = None
    if name_element is not None:
        name_label = _text(name_element, "label") or name_label
        name_type = _text(name_element, "type") or "Text"
        display_format = _text(name_element, "displayFormat")

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


def drop_owner_of_detail_objects(object_def: ObjectDef) -> None:
    """Remove OwnerId from a custom object that is the detail of a master-detail field."""
    is_detail = any(
        field_def.custom and field_def.type == "reference" and field_def.cascade_delete
        and not field_def.nillable
        for field_def in object_def.fields.values()
    )
    if is_detail and "OwnerId" in object_def.fields:
        del object_def.fields["OwnerId"]
        object_def._lower.pop("ownerid", None)


# Metadata API field type -> (describe type, default length)
_TYPE_MAP = {
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


def parse_field(path: Path, object_name: str) -> FieldDef:
    """Build a FieldDef from one *.field-meta.xml file."""
    root = _parse_xml(path)
    api_name = _text(root, "fullName") or path.name.removesuffix(".field-meta.xml")
    metadata_type = _text(root, "type")
    if metadata_type not in _TYPE_MAP:
        raise PackageError(
            f"{path}: field type {metadata_type!r} is not supported by the emulator; "
            f"supported types are {', '.join(sorted(_TYPE_MAP))}"
        )

    describe_type, default_length = _TYPE_MAP[metadata_type]
    formula = _text(root, "formula")
    calculated = formula is not None or metadata_type == "Summary"
    field_def = FieldDef(
        name=api_name,
        label=_text(root, "label") or label_from_name(api_name),
        type=describe_type,
        length=_int(root, "length", default_length),
        precision=_int(root, "precision"),
        scale=_int(root, "scale"),
        custom=True,
        unique=_flag(root, "unique"),
        case_sensitive=_flag(root, "caseSensitive"),
        external_id=_flag(root, "externalId"),
        calculated=calculated,
        inline_help_text=_text(root, "inlineHelpText"),
        visible_lines=_int(root, "visibleLines"),
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
        field_def.display_format = _text(root, "displayFormat")
        field_def.createable = False
        field_def.updateable = False
        field_def.defaulted_on_create = True

    required = _flag(root, "required") or metadata_type == "MasterDetail"
    if required and describe_type != "boolean":
        field_def.nillable = False
    if describe_type == "boolean":
        field_def.nillable = False
        field_def.default_value = (_text(root, "defaultValue") or "false").lower() == "true"
        field_def.defaulted_on_create = True
    else:
        _apply_default_value(field_def, _text(root, "defaultValue"))

    if describe_type in ("picklist", "multipicklist"):
        _apply_value_set(field_def, root)
    if describe_type == "reference":
        _apply_reference(field_def, root, metadata_type, path)
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
    value_set = root.find("md:valueSet", _NS)
    if value_set is None:
        return

    field_def.restricted_picklist = _flag(value_set, "restricted")
    definition = value_set.find("md:valueSetDefinition", _NS)
    if definition is None:
        return

    for value_element in definition.findall("md:value", _NS):
        value = _text(value_element, "fullName") or ""
        is_default = _flag(value_element, "default")
        field_def.picklist_values.append(PicklistValue(
            value=value,
            label=_text(value_element, "label") or value,
            default=is_default,
            active=_flag(value_element, "isActive", True),
        ))
        if is_default:
            field_def.default_value = value
            field_def.defaulted_on_create = True


def _apply_reference(
    field_def: FieldDef, root: ElementTree.Element, metadata_type: str, path: Path,
) -> None:
    target = _text(root, "referenceTo")
    if not target:
        raise PackageError(f"{path}: a {metadata_type} field needs <referenceTo>")

    field_def.reference_to = [target]
    field_def.relationship_name = field_def.name.removesuffix("__c") + "__r"
    child_name = _text(root, "relationshipName")
    if child_name:
        field_def.child_relationship_name = child_name + "__r"
    field_def.relationship_label = _text(root, "relationshipLabel")

    if metadata_type == "MasterDetail":
        field_def.cascade_delete = True
        field_def.updateable = _flag(root, "reparentableMasterDetail")
    else:
        constraint = _text(root, "deleteConstraint", "SetNull")
        field_def.cascade_delete = constraint == "Cascade"
        field_def.restricted_delete = constraint == "Restrict"


def _parse_permission_set(path: Path) -> PackagePermissionSet:
    root = _parse_xml(path)
    name = path.name.removesuffix(".permissionset-meta.xml")
    permission_set = PackagePermissionSet(
        name=name,
        label=_text(root, "label") or name,
        description=_text(root, "description"),
    )

    for element in root.findall("md:objectPermissions", _NS):
        object_name = _text(element, "object") or ""
        permission_set.object_permissions[object_name] = ObjectPermission(
            object_name=object_name,
            allow_create=_flag(element, "allowCreate"),
            allow_read=_flag(element, "allowRead"),
            allow_edit=_flag(element, "allowEdit"),
            allow_delete=_flag(element, "allowDelete"),
            view_all_records=_flag(element, "viewAllRecords"),
            modify_all_records=_flag(element, "modifyAllRecords"),
        )

    for element in root.findall("md:fieldPermissions", _NS):
        field_name = _text(element, "field") or ""
        permission_set.field_permissions[field_name] = (
            _flag(element, "readable"), _flag(element, "editable"),
        )
    return permission_set
