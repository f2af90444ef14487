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

from .metadata_xml import (
    ObjectPermission,
    PackageError,
    PackagePermissionSet,
    field_from_element,
    object_from_element,
    permission_set_from_element,
)
from .model import FieldDef, ObjectDef

# The permission set types and PackageError were defined here before the element parsing
# moved to metadata_xml; importing them from this module keeps working.
__all__ = [
    "ObjectPermission", "Package", "PackageError", "PackagePermissionSet",
    "drop_owner_of_detail_objects", "load_package", "parse_field", "parse_object",
    "source_folders",
]

log = structlog.get_logger(__name__)


@dataclass
class Package:
    """The custom objects, custom fields and permission sets an SFDX source folder adds to an org."""

    custom_objects: list[ObjectDef] = field(default_factory=list)
    # Standard object name -> custom fields the package adds to it.
    standard_object_fields: dict[str, list[FieldDef]] = field(default_factory=dict)
    permission_sets: list[PackagePermissionSet] = field(default_factory=list)


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
    return object_from_element(_parse_xml(path), api_name)


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


def parse_field(path: Path, object_name: str) -> FieldDef:
    """Build a FieldDef from one *.field-meta.xml file."""
    try:
        return field_from_element(_parse_xml(path), path.name.removesuffix(".field-meta.xml"))
    except PackageError as error:
        raise PackageError(f"{path}: {error}") from error


def _parse_permission_set(path: Path) -> PackagePermissionSet:
    return permission_set_from_element(
        _parse_xml(path), path.name.removesuffix(".permissionset-meta.xml"),
    )
