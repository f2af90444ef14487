"""The SFDX-to-Metadata-API conversion of salesforce/, checked offline against the source files."""

import io
import json
import shutil
import xml.etree.ElementTree as ET
import zipfile

import pytest

from contractdesk.salesconnect.package_convert import PackageConversionError, convert_source
from tests.conftest import REPOSITORY

SOURCE = REPOSITORY / "salesforce"
DEFAULT = SOURCE / "force-app" / "main" / "default"
NS = {"md": "http://soap.sforce.com/2006/04/metadata"}


def parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 (converted from our own repository's files)


def local(tag: str) -> str:
    return tag.split("}")[1]


@pytest.fixture(scope="module")
def package():
    return convert_source(SOURCE)


def test_files_use_metadata_api_layout(package):
    assert sorted(package.files) == [
        "layouts/Contract_Request__c-Contract Request Layout.layout",
        "layouts/Contract_Type__c-Contract Type Layout.layout",
        "objects/Contract_Request__c.object",
        "objects/Contract_Type__c.object",
        "package.xml",
        "permissionsets/ContractDesk_Admin.permissionset",
        "permissionsets/ContractDesk_User.permissionset",
        "tabs/Contract_Request__c.tab",
        "tabs/Contract_Type__c.tab",
    ]


def test_manifest_names_every_component(package):
    manifest = parse(package.files["package.xml"])
    members = {
        types.findtext("md:name", namespaces=NS): [member.text for member in types.findall("md:members", NS)]
        for types in manifest.findall("md:types", NS)
    }
    source_fields = sorted(
        f"{path.parent.parent.name}.{path.name.removesuffix('.field-meta.xml')}"
        for path in DEFAULT.glob("objects/*/fields/*.field-meta.xml")
    )

    assert local(manifest.tag) == "Package"
    assert list(members) == ["CustomField", "CustomObject", "CustomTab", "Layout", "PermissionSet"]
    assert members["CustomField"] == source_fields
    assert members["CustomObject"] == ["Contract_Request__c", "Contract_Type__c"]
    assert members["CustomTab"] == ["Contract_Request__c", "Contract_Type__c"]
    assert members["Layout"] == ["Contract_Request__c-Contract Request Layout", "Contract_Type__c-Contract Type Layout"]
    assert members["PermissionSet"] == ["ContractDesk_Admin", "ContractDesk_User"]
    assert package.component_count == len(source_fields) + 8


def test_manifest_version_from_project(package):
    project = json.loads((SOURCE / "sfdx-project.json").read_text())

    assert parse(package.files["package.xml"]).findtext("md:version", namespaces=NS) == project["sourceApiVersion"]
    assert package.api_version == project["sourceApiVersion"]


@pytest.mark.parametrize("object_name", ["Contract_Request__c", "Contract_Type__c"])
def test_object_file_inlines_its_fields(package, object_name):
    converted = parse(package.files[f"objects/{object_name}.object"])
    source_object = ET.parse(DEFAULT / "objects" / object_name / f"{object_name}.object-meta.xml").getroot()  # noqa: S314
    source_fields = {
        path.name.removesuffix(".field-meta.xml"): ET.parse(path).getroot()  # noqa: S314
        for path in (DEFAULT / "objects" / object_name / "fields").glob("*.field-meta.xml")
    }
    fields = {element.findtext("md:fullName", namespaces=NS): element for element in converted.findall("md:fields", NS)}

    assert local(converted.tag) == "CustomObject"
    assert sorted(fields) == sorted(source_fields)
    for name, element in fields.items():
        source = source_fields[name]
        assert [(local(child.tag), (child.text or "").strip()) for child in element.iter()][1:] == [
            (local(child.tag), (child.text or "").strip()) for child in source.iter()
        ][1:], name
    kept = [local(child.tag) for child in converted if local(child.tag) != "fields"]
    assert kept == [local(child.tag) for child in source_object]


def test_object_elements_in_wsdl_order(package):
    # The CustomObject WSDL sequence is alphabetical; Salesforce rejects elements out of it.
    for name in ("objects/Contract_Request__c.object", "objects/Contract_Type__c.object"):
        tags = [local(child.tag) for child in parse(package.files[name])]
        assert tags == sorted(tags), name
        assert tags.index("fields") < tags.index("label")


def test_whole_files_keep_their_content(package):
    pairs = {
        "layouts/Contract_Request__c-Contract Request Layout.layout":
            DEFAULT / "layouts" / "Contract_Request__c-Contract Request Layout.layout-meta.xml",
        "permissionsets/ContractDesk_User.permissionset":
            DEFAULT / "permissionsets" / "ContractDesk_User.permissionset-meta.xml",
        "tabs/Contract_Type__c.tab": DEFAULT / "tabs" / "Contract_Type__c.tab-meta.xml",
    }
    for converted_name, source_path in pairs.items():
        converted = parse(package.files[converted_name])
        source = ET.parse(source_path).getroot()  # noqa: S314
        assert [(c.tag, (c.text or "").strip()) for c in converted.iter()] == [
            (c.tag, (c.text or "").strip()) for c in source.iter()
        ], converted_name


def test_every_file_is_metadata_xml(package):
    for name, data in package.files.items():
        assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'), name
        assert parse(data).tag.startswith("{http://soap.sforce.com/2006/04/metadata}"), name


def test_zip_has_manifest_at_root(package):
    with zipfile.ZipFile(io.BytesIO(package.zip_bytes())) as archive:
        names = archive.namelist()
        manifest = archive.read("package.xml")

    assert sorted(names) == sorted(package.files)
    assert manifest == package.files["package.xml"]


def test_standard_object_fields_only(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(SOURCE, project)
    fields = project / "force-app" / "main" / "default" / "objects" / "Account" / "fields"
    fields.mkdir(parents=True)
    (fields / "Tier__c.field-meta.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><CustomField xmlns="http://soap.sforce.com/2006/04/metadata">'
        "<label>Tier</label><length>10</length><type>Text</type></CustomField>"
    )

    converted = convert_source(project)
    account = parse(converted.files["objects/Account.object"])

    assert [local(child.tag) for child in account] == ["fields"]
    assert account.findtext("md:fields/md:fullName", namespaces=NS) == "Tier__c"
    assert "Account.Tier__c" in converted.members["CustomField"]


def test_unknown_folder_is_an_error(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(SOURCE, project)
    (project / "force-app" / "main" / "default" / "classes").mkdir()

    with pytest.raises(PackageConversionError, match="classes"):
        convert_source(project)


def test_missing_project_file_is_an_error(tmp_path):
    with pytest.raises(PackageConversionError, match="sfdx-project.json"):
        convert_source(tmp_path)
