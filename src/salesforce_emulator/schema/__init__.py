"""The org's schema: standard objects from a data file, custom ones from deployed metadata
and SFDX source."""

from pathlib import Path

import structlog

from .metadata_xml import PackagePermissionSet
from .model import ANY_OBJECT, ChildRelationship, FieldDef, ObjectDef, PicklistValue, Schema
from .sfdx import Package, PackageError, drop_owner_of_detail_objects, load_package
from .standard import load_standard_objects

__all__ = [
    "ANY_OBJECT", "ChildRelationship", "FieldDef", "ObjectDef", "Package", "PackageError",
    "PicklistValue", "Schema", "apply_package", "build_schema", "merge_packages",
]

log = structlog.get_logger(__name__)


def build_schema(
    package_dir: Path | None, deployed: Package | None = None,
) -> tuple[Schema, Package]:
    """Combine the standard objects with what deployed metadata and the SFDX folder add.

    deployed contains the components installed earlier through the Metadata API. The folder
    at package_dir is applied after them, so where both define a field the folder wins.
    Custom objects come back without key prefixes; the store assigns them so they stay
    the same across restarts.
    """
    schema = Schema()
    for object_def in load_standard_objects():
        schema.add(object_def)

    packages = [deployed] if deployed is not None else []
    if package_dir is not None:
        packages.append(load_package(Path(package_dir), set(schema.objects)))

    for package in packages:
        apply_package(schema, package)
    schema.link_relationships()
    return schema, merge_packages(packages)


def apply_package(schema: Schema, package: Package) -> None:
    """Add a package's custom objects and fields to schema, keeping fields defined before.

    As in a Metadata API deploy, an object defined again keeps the custom fields the new
    definition does not mention; nothing is removed. Call schema.link_relationships()
    afterwards.
    """
    for object_name, fields in package.standard_object_fields.items():
        object_def = schema.get(object_name)
        if object_def is None:
            log.warning("package fields skipped: no such standard object", object=object_name)
            continue
        for field_def in fields:
            object_def.add_field(field_def)

    for object_def in package.custom_objects:
        earlier = schema.get(object_def.name)
        if earlier is not None:
            object_def.key_prefix = earlier.key_prefix
            for field_def in earlier.fields.values():
                if field_def.custom and object_def.field(field_def.name) is None:
                    object_def.add_field(field_def)
        drop_owner_of_detail_objects(object_def)
        schema.add(object_def)


def merge_packages(packages: list[Package]) -> Package:
    """Combine packages in order; a later object or permission set replaces one of the same name."""
    merged = Package()
    custom_objects: dict[str, ObjectDef] = {}
    permission_sets: dict[str, PackagePermissionSet] = {}
    for package in packages:
        for object_def in package.custom_objects:
            custom_objects[object_def.name] = object_def
        for object_name, fields in package.standard_object_fields.items():
            merged.standard_object_fields.setdefault(object_name, []).extend(fields)
        for permission_set in package.permission_sets:
            permission_sets[permission_set.name] = permission_set
    merged.custom_objects = list(custom_objects.values())
    merged.permission_sets = list(permission_sets.values())
    return merged
