"""Convert the repository's Salesforce package from SFDX source format to Metadata API format.

SFDX source splits an object into a folder (`objects/X/X.object-meta.xml` and one file
per field under `objects/X/fields/`), while the Metadata API takes one `objects/X.object`
file with the fields inside as <fields> elements, plus a package.xml naming every
component. This does in memory what `sf project convert source` writes to disk, for the
metadata types the package uses.
"""

import io
import json
import xml.etree.ElementTree as ElementTree
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

NAMESPACE = "http://soap.sforce.com/2006/04/metadata"
_NS = {"md": NAMESPACE}

# SFDX folder -> (metadata type, source suffix, Metadata API suffix) of whole-file types.
FILE_TYPES = {
    "layouts": ("Layout", ".layout-meta.xml", ".layout"),
    "permissionsets": ("PermissionSet", ".permissionset-meta.xml", ".permissionset"),
    "tabs": ("CustomTab", ".tab-meta.xml", ".tab"),
}

# Folder inside objects/X/ -> (child element in the .object file, metadata type, source suffix).
OBJECT_CHILDREN = {
    "fields": ("fields", "CustomField", ".field-meta.xml"),
    "listViews": ("listViews", "ListView", ".listView-meta.xml"),
    "validationRules": ("validationRules", "ValidationRule", ".validationRule-meta.xml"),
    "recordTypes": ("recordTypes", "RecordType", ".recordType-meta.xml"),
    "compactLayouts": ("compactLayouts", "CompactLayout", ".compactLayout-meta.xml"),
    "fieldSets": ("fieldSets", "FieldSet", ".fieldSet-meta.xml"),
    "webLinks": ("webLinks", "WebLink", ".webLink-meta.xml"),
    "businessProcesses": ("businessProcesses", "BusinessProcess", ".businessProcess-meta.xml"),
}


class PackageConversionError(ValueError):
    """The SFDX source cannot be converted; the message names the file and what to change."""


@dataclass
class MetadataPackage:
    """A package in Metadata API format: its files by path (package.xml included) and members by type."""

    files: dict[str, bytes] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    api_version: str = ""

    @property
    def component_count(self) -> int:
        """How many components package.xml names."""
        return sum(len(names) for names in self.members.values())

    def zip_bytes(self) -> bytes:
        """Return the package as a zip with package.xml at its root (deploy with singlePackage)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(self.files):
                archive.writestr(path, self.files[path])
        return buffer.getvalue()


def convert_source(project_dir: Path) -> MetadataPackage:
    """Read the SFDX project at project_dir and return it in Metadata API format.

    The API version comes from sourceApiVersion in sfdx-project.json. Raises
    PackageConversionError for a folder or file this converter does not handle, so a
    component is never left out of the package without a word.
    """
    project_file = project_dir / "sfdx-project.json"
    try:
        project = json.loads(project_file.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise PackageConversionError(
            f"Cannot read {project_file}: {error}. Pass the folder that contains sfdx-project.json."
        ) from error
    api_version = project.get("sourceApiVersion")
    if not api_version:
        raise PackageConversionError(f"{project_file} has no sourceApiVersion; add one, such as \"62.0\".")

    package = MetadataPackage(api_version=api_version)
    for entry in project.get("packageDirectories", []):
        source = project_dir / entry["path"]
        if (source / "main" / "default").is_dir():
            source = source / "main" / "default"
        _convert_folder(source, package)

    for names in package.members.values():
        names.sort()
    package.files["package.xml"] = _manifest(package)
    return package


def _convert_folder(source: Path, package: MetadataPackage) -> None:
    for folder in sorted(path for path in source.iterdir() if path.is_dir()):
        if folder.name == "objects":
            for object_folder in sorted(path for path in folder.iterdir() if path.is_dir()):
                _convert_object(object_folder, package)
        elif folder.name in FILE_TYPES:
            _convert_files(folder, package)
        else:
            raise PackageConversionError(
                f"{folder}: the converter does not handle this folder's metadata; it converts objects/, "
                f"{'/, '.join(sorted(FILE_TYPES))}/. Remove the folder or extend package_convert.py."
            )


def _convert_files(folder: Path, package: MetadataPackage) -> None:
    metadata_type, source_suffix, target_suffix = FILE_TYPES[folder.name]
    for path in sorted(folder.iterdir()):
        if not path.name.endswith(source_suffix):
            raise PackageConversionError(f"{path}: expected only *{source_suffix} files in {folder.name}/.")
        name = path.name.removesuffix(source_suffix)
        root = _parse(path)
        package.files[f"{folder.name}/{name}{target_suffix}"] = _serialise(root)
        package.members.setdefault(metadata_type, []).append(name)


def _convert_object(object_folder: Path, package: MetadataPackage) -> None:
    """Inline an object folder's child files into one .object file, as the Metadata API expects."""
    name = object_folder.name
    object_file = object_folder / f"{name}.object-meta.xml"
    # A folder without an object file adds fields to an object the org already has
    # (a standard object such as Account); the .object file then carries only those.
    root = _parse(object_file) if object_file.exists() else ElementTree.Element(f"{{{NAMESPACE}}}CustomObject")
    package.members.setdefault("CustomObject", []).append(name)

    for child_folder in sorted(path for path in object_folder.iterdir() if path.is_dir()):
        if child_folder.name not in OBJECT_CHILDREN:
            raise PackageConversionError(
                f"{child_folder}: the converter does not handle this object child folder; it converts "
                f"{', '.join(sorted(OBJECT_CHILDREN))}. Remove the folder or extend package_convert.py."
            )
        tag, metadata_type, suffix = OBJECT_CHILDREN[child_folder.name]
        children = []
        for path in sorted(child_folder.iterdir()):
            if not path.name.endswith(suffix):
                raise PackageConversionError(f"{path}: expected only *{suffix} files in {child_folder.name}/.")
            child_name = path.name.removesuffix(suffix)
            child = _parse(path)
            child.tag = f"{{{NAMESPACE}}}{tag}"
            _ensure_full_name(child, child_name)
            children.append(child)
            package.members.setdefault(metadata_type, []).append(f"{name}.{child_name}")
        _insert_in_order(root, tag, children)

    package.files[f"objects/{name}.object"] = _serialise(root)


def _ensure_full_name(child: ElementTree.Element, name: str) -> None:
    # Inside an .object file each child names itself; SFDX files may leave that to the file name.
    full_name = child.find("md:fullName", _NS)
    if full_name is None:
        full_name = ElementTree.Element(f"{{{NAMESPACE}}}fullName")
        child.insert(0, full_name)
    full_name.text = full_name.text or name


def _insert_in_order(root: ElementTree.Element, tag: str, children: list[ElementTree.Element]) -> None:
    """Insert children where the WSDL sequence puts their tag, which orders CustomObject's elements by name.

    Salesforce rejects an element out of its sequence position ("Element ... invalid at
    this location"), so the <fields> go after <fieldSets> and before <label>.
    """
    position = len(root)
    for index, existing in enumerate(root):
        if existing.tag.split("}")[-1] > tag:
            position = index
            break
    for offset, child in enumerate(children):
        root.insert(position + offset, child)


def _parse(path: Path) -> ElementTree.Element:
    try:
        # The repository's own package source, not data received from anyone.
        root = ElementTree.parse(path).getroot()  # noqa: S314
    except (OSError, ElementTree.ParseError) as error:
        raise PackageConversionError(f"Cannot read {path}: {error}. Fix the file and convert again.") from error
    if not root.tag.startswith(f"{{{NAMESPACE}}}"):
        raise PackageConversionError(f"{path}: the root element is not in the {NAMESPACE} namespace.")
    return root


def _serialise(root: ElementTree.Element) -> bytes:
    for element in root.iter():
        element.tail = None
        if element.text is not None and not element.text.strip() and len(element):
            element.text = None
    ElementTree.indent(root, space="    ")
    body = ElementTree.tostring(root, encoding="unicode", default_namespace=NAMESPACE)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _manifest(package: MetadataPackage) -> bytes:
    root = ElementTree.Element(f"{{{NAMESPACE}}}Package")
    for metadata_type in sorted(package.members):
        types = ElementTree.SubElement(root, f"{{{NAMESPACE}}}types")
        for member in package.members[metadata_type]:
            ElementTree.SubElement(types, f"{{{NAMESPACE}}}members").text = member
        ElementTree.SubElement(types, f"{{{NAMESPACE}}}name").text = metadata_type
    ElementTree.SubElement(root, f"{{{NAMESPACE}}}version").text = package.api_version
    return _serialise(root)
