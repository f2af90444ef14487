"""The org's schema: standard objects from a data file, custom ones from SFDX source."""

from pathlib import Path

from .model import ANY_OBJECT, ChildRelationship, FieldDef, ObjectDef, PicklistValue, Schema
from .sfdx import Package, PackageError, drop_owner_of_detail_objects, load_package
from .standard import load_standard_objects

__all__ = [
    "ANY_OBJECT", "ChildRelationship", "FieldDef", "ObjectDef", "Package", "PackageError",
    "PicklistValue", "Schema", "build_schema",
]


def build_schema(package_dir: Path | None) -> tuple[Schema, Package]:
    """Combine the standard objects with what the SFDX folder at package_dir adds.

    Custom objects come back without key prefixes; the store assigns them so they stay
    the same across restarts.
    """
    schema = Schema()
    for object_def in load_standard_objects():
        schema.add(object_def)

    package = Package()
    if package_dir is not None:
        package = load_package(Path(package_dir), set(schema.objects))

    for object_name, fields in package.standard_object_fields.items():
        object_def = schema.get(object_name)
        for field_def in fields:
            object_def.add_field(field_def)
    for object_def in package.custom_objects:
        drop_owner_of_detail_objects(object_def)
        schema.add(object_def)

    schema.link_relationships()
    return schema, package
