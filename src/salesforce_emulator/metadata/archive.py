"""Read a deploy's zip file: find package.xml, read its manifest and the files beside it.

With singlePackage set, package.xml must sit at the root of the zip. Without it, the
package may also sit in one top-level folder (`unpackaged/package.xml`), as the Ant
Migration Tool and `sf project deploy start --metadata-dir` build it. File names in
the results keep the folder, as Salesforce reports them.
"""

import io
import zipfile
from dataclasses import dataclass, field

from ..schema.metadata_xml import NS, child_text
from .xmltree import XmlSyntaxError, parse_xml

MANIFEST_NAME = "package.xml"

# Uncompressed size and entry count above which a deploy is refused, from the Metadata
# API's documented limits for one deploy (600 MB unzipped, 10,000 files).
MAX_UNZIPPED_BYTES = 600 * 1024 * 1024
MAX_FILES = 10_000


class ArchiveError(ValueError):
    """A zip that cannot be deployed at all; file_name is the file the problem is about."""

    def __init__(self, problem: str, file_name: str = MANIFEST_NAME,
                 line: int | None = None, column: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.file_name = file_name
        self.line = line
        self.column = column


@dataclass
class Manifest:
    """The contents of package.xml: members per metadata type, and the package's API version."""

    members: dict[str, list[str]] = field(default_factory=dict)
    version: str | None = None

    def names(self, metadata_type: str) -> list[str]:
        """Return the members listed for a type (`*` included as written)."""
        return self.members.get(metadata_type, [])


@dataclass
class DeployArchive:
    """The files of one package: paths relative to package.xml, and the folder it sits in."""

    files: dict[str, bytes]
    manifest: Manifest
    # "" when package.xml is at the root of the zip, else "folder/".
    root: str = ""

    def reported_name(self, relative_path: str) -> str:
        """Return the file name as deploy results report it (with the package folder)."""
        return self.root + relative_path


def read_archive(zip_bytes: bytes, single_package: bool) -> DeployArchive:
    """Open the zip, locate package.xml and parse the manifest; raise ArchiveError when impossible."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile as error:
        raise ArchiveError(f"The deploy file is not a valid zip archive: {error}") from None

    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > MAX_FILES:
            raise ArchiveError(
                f"The zip file contains {len(entries)} files, but a deploy may contain at most {MAX_FILES}"
            )
        if sum(info.file_size for info in entries) > MAX_UNZIPPED_BYTES:
            raise ArchiveError("The zip file is larger than 600 MB when unzipped, the most a deploy may hold")

        root = _package_root([info.filename for info in entries], single_package)
        files = {}
        for info in entries:
            if not info.filename.startswith(root):
                continue
            try:
                files[info.filename[len(root):]] = archive.read(info)
            except (zipfile.BadZipFile, OSError) as error:
                raise ArchiveError(f"Cannot read {info.filename} from the zip file: {error}", info.filename) from None

    manifest = _parse_manifest(files.pop(MANIFEST_NAME), root + MANIFEST_NAME)
    return DeployArchive(files=files, manifest=manifest, root=root)


def _package_root(names: list[str], single_package: bool) -> str:
    if MANIFEST_NAME in names:
        return ""
    if not single_package:
        folders = [name.removesuffix(MANIFEST_NAME) for name in names if name.endswith("/" + MANIFEST_NAME)]
        top_level = [folder for folder in folders if folder.count("/") == 1]
        if len(top_level) == 1:
            return top_level[0]
    # The wording Salesforce uses when a deploy's zip has no manifest where it looks.
    raise ArchiveError("No package.xml found")


def _parse_manifest(data: bytes, file_name: str) -> Manifest:
    try:
        parsed = parse_xml(data)
    except XmlSyntaxError as error:
        raise ArchiveError(f"Error parsing file: {error.message}", file_name, error.line, error.column) from None

    root = parsed.root
    if root.tag != f"{{{NS['md']}}}Package":
        line, column = parsed.position(root)
        raise ArchiveError(
            "The root element of package.xml must be Package in the "
            f"{NS['md']} namespace",
            file_name, line, column,
        )

    manifest = Manifest(version=child_text(root, "version"))
    for types in root.findall("md:types", NS):
        type_name = child_text(types, "name")
        if not type_name:
            line, column = parsed.position(types)
            raise ArchiveError("Required field is missing: name", file_name, line, column)
        listed = manifest.members.setdefault(type_name, [])
        for member in types.findall("md:members", NS):
            # A member named twice is deployed once.
            name = (member.text or "").strip()
            if name and name.lower() not in {known.lower() for known in listed}:
                listed.append(name)
    return manifest
