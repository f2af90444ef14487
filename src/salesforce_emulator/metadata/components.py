"""Split a deploy archive into the components Salesforce reports on, one by one.

A Metadata API package contains one file per object (`objects/X.object`) with its fields
inside as <fields> elements, one file per layout, permission set and tab. Salesforce
deploys and reports each object and each field as its own component (CustomObject
`X`, CustomField `X.Field__c`), so the fields are taken out of their object here.
"""

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

from ..schema.metadata_xml import NS, child_text
from .archive import MANIFEST_NAME, DeployArchive
from .xmltree import ParsedXml, XmlSyntaxError, parse_xml

CUSTOM_OBJECT = "CustomObject"
CUSTOM_FIELD = "CustomField"
LAYOUT = "Layout"
PERMISSION_SET = "PermissionSet"
CUSTOM_TAB = "CustomTab"

# Metadata type -> (folder, file suffix, root element) of the types the emulator deploys.
SUPPORTED_TYPES = {
    CUSTOM_OBJECT: ("objects", ".object", "CustomObject"),
    LAYOUT: ("layouts", ".layout", "Layout"),
    PERMISSION_SET: ("permissionsets", ".permissionset", "PermissionSet"),
    CUSTOM_TAB: ("tabs", ".tab", "CustomTab"),
}
_TYPE_OF_FOLDER = {folder: (name, suffix) for name, (folder, suffix, _root) in SUPPORTED_TYPES.items()}


@dataclass
class Problem:
    """A reason a component cannot be deployed, and its position in the file."""

    message: str
    line: int | None = None
    column: int | None = None


@dataclass
class Component:
    """One deployable component: its type, full name, file and XML element."""

    type: str
    full_name: str
    file_name: str
    element: ElementTree.Element | None
    parsed: ParsedXml | None = None
    problems: list[Problem] = field(default_factory=list)

    def fail(self, message: str, element: ElementTree.Element | None = None) -> None:
        """Record a problem, placed at element (the component's own element by default)."""
        line, column = (None, None)
        if self.parsed is not None:
            line, column = self.parsed.position(element if element is not None else self.element)
        self.problems.append(Problem(message, line, column))

    @property
    def failed(self) -> bool:
        """True when the component has at least one problem."""
        return bool(self.problems)

    @property
    def object_name(self) -> str:
        """The object a field or layout belongs to ("X" of "X.Field__c" and "X-Layout Name")."""
        if self.type == CUSTOM_FIELD:
            return self.full_name.split(".", 1)[0]
        if self.type == LAYOUT:
            return self.full_name.split("-", 1)[0]
        return self.full_name


def collect_components(archive: DeployArchive, allow_missing_files: bool) -> list[Component]:
    """Return the components package.xml names, each with the problems found while reading it.

    Files in the zip that package.xml does not name fail with "Not in package.xml", and
    names without a file fail as Salesforce words it, unless allow_missing_files is set.
    A CustomObject named in package.xml brings all of its fields; a CustomField may also
    be named alone.
    """
    files = _read_files(archive)
    components: list[Component] = []
    named_fields = {name.lower() for name in archive.manifest.names(CUSTOM_FIELD)}
    all_fields = "*" in named_fields

    for metadata_type, members in archive.manifest.members.items():
        if metadata_type == CUSTOM_FIELD:
            continue
        if metadata_type not in SUPPORTED_TYPES:
            components.extend(_unsupported(metadata_type, members, archive))
            continue
        available = files.get(metadata_type, {})
        for member in _expand(members, available):
            found = available.get(member.lower())
            if found is None:
                if not allow_missing_files:
                    components.append(_missing(metadata_type, member, archive))
                continue
            components.append(found)
            if metadata_type == CUSTOM_OBJECT:
                components.extend(_fields_of(found, archive, lambda _name: True))

    def named(full_name: str) -> bool:
        return all_fields or full_name.lower() in named_fields

    # Objects package.xml does not name contribute the fields it names as CustomField.
    listed_objects = {component.full_name.lower() for component in components if component.type == CUSTOM_OBJECT}
    for object_component in files.get(CUSTOM_OBJECT, {}).values():
        if object_component.full_name.lower() not in listed_objects:
            components.extend(_fields_of(object_component, archive, named))

    components.extend(_missing_fields(archive, components, allow_missing_files))
    components.extend(_not_in_manifest(archive, files, components))
    components.extend(_destructive_changes(archive))
    return components


def _destructive_changes(archive: DeployArchive) -> list[Component]:
    """Fail the destructive change manifests, which the emulator does not carry out."""
    failures = []
    for name in sorted(archive.files):
        if name in ("destructiveChanges.xml", "destructiveChangesPre.xml", "destructiveChangesPost.xml"):
            component = Component("", name, archive.reported_name(name), None)
            component.fail("The Salesforce emulator does not delete components; remove this file from the zip")
            failures.append(component)
    return failures


def _read_files(archive: DeployArchive) -> dict[str, dict[str, Component]]:
    """Parse every file of a supported type; key by type, then by lower-cased full name."""
    found: dict[str, dict[str, Component]] = {}
    for path, data in sorted(archive.files.items()):
        folder, _, file_name = path.partition("/")
        if folder not in _TYPE_OF_FOLDER or "/" in file_name:
            continue
        metadata_type, suffix = _TYPE_OF_FOLDER[folder]
        if not file_name.endswith(suffix):
            continue

        full_name = file_name.removesuffix(suffix)
        component = Component(metadata_type, full_name, archive.reported_name(path), None)
        try:
            component.parsed = parse_xml(data)
        except XmlSyntaxError as error:
            component.problems.append(Problem(f"Error parsing file: {error.message}", error.line, error.column))
        else:
            component.element = component.parsed.root
            expected_root = SUPPORTED_TYPES[metadata_type][2]
            if component.element.tag != f"{{{NS['md']}}}{expected_root}":
                component.fail(
                    f"Error parsing file: the root element must be {expected_root} in the {NS['md']} namespace"
                )
        found.setdefault(metadata_type, {})[full_name.lower()] = component
    return found


def _expand(members: list[str], available: dict[str, Component]) -> list[str]:
    if "*" in members:
        names = [component.full_name for component in available.values()]
        return names + [member for member in members if member != "*" and member.lower() not in available]
    return members


def _fields_of(object_component: Component, archive: DeployArchive, wanted) -> list[Component]:
    """Return the CustomField components inside an object file that `wanted(full_name)` accepts."""
    if object_component.element is None:
        return []

    fields = []
    for element in object_component.element.findall("md:fields", NS):
        field_name = child_text(element, "fullName") or ""
        full_name = f"{object_component.full_name}.{field_name}"
        if not wanted(full_name):
            continue
        component = Component(
            CUSTOM_FIELD, full_name, object_component.file_name, element, object_component.parsed,
        )
        if not field_name:
            component.fail("Required field is missing: fullName")
        fields.append(component)
    return fields


def _unsupported(metadata_type: str, members: list[str], archive: DeployArchive) -> list[Component]:
    components = []
    for member in members:
        component = Component(metadata_type, member, archive.reported_name(MANIFEST_NAME), None)
        component.fail(
            f"The Salesforce emulator cannot deploy components of type {metadata_type}; "
            f"it deploys {', '.join(sorted([*SUPPORTED_TYPES, CUSTOM_FIELD]))}"
        )
        components.append(component)
    return components


def _missing(metadata_type: str, member: str, archive: DeployArchive) -> Component:
    component = Component(metadata_type, member, archive.reported_name(MANIFEST_NAME), None)
    # Salesforce's wording for a package.xml member without its file.
    component.fail(
        f"An object '{member}' of type {metadata_type} was named in package.xml, "
        "but was not found in zipped directory"
    )
    return component


def _missing_fields(archive, components, allow_missing_files: bool) -> list[Component]:
    if allow_missing_files:
        return []
    present = {component.full_name.lower() for component in components if component.type == CUSTOM_FIELD}
    return [
        _missing(CUSTOM_FIELD, name, archive)
        for name in archive.manifest.names(CUSTOM_FIELD)
        if name != "*" and name.lower() not in present
    ]


def _not_in_manifest(archive, files, components) -> list[Component]:
    """Fail the files of the zip, and the fields inside object files, that package.xml leaves out."""
    deployed = {(component.type, component.full_name.lower()) for component in components}
    extra = []
    for metadata_type, by_name in files.items():
        for component in by_name.values():
            if metadata_type == CUSTOM_OBJECT:
                fields = _fields_of(component, archive, lambda _name: True)
                if (CUSTOM_OBJECT, component.full_name.lower()) in deployed:
                    continue
                for field_component in fields:
                    if (CUSTOM_FIELD, field_component.full_name.lower()) not in deployed:
                        field_component.problems = [Problem("Not in package.xml")]
                        extra.append(field_component)
                continue
            if (metadata_type, component.full_name.lower()) not in deployed:
                component.problems = [Problem("Not in package.xml")]
                extra.append(component)
    return extra
