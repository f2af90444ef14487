"""Check the Salesforce package in salesforce/ against the SalesConnect field contract.

The package is Metadata API XML in SFDX source format. These tests parse it with the
standard library only, so they run without the Salesforce CLI or an org. They catch
drift from the field contract and the mistakes that make a real deploy fail, such as a
layout or permission set that names a field that does not exist.
"""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "salesforce"
SOURCE_ROOT = PACKAGE_ROOT / "force-app" / "main" / "default"
METADATA_NAMESPACE = "http://soap.sforce.com/2006/04/metadata"
NS = {"md": METADATA_NAMESPACE}

REQUEST = "Contract_Request__c"
CONTRACT_TYPE = "Contract_Type__c"

# Salesforce limits: the maximum help text and description lengths of a custom
# field, and the default maximum of fields with history tracking on one object.
MAX_HELP_TEXT_CHARS = 510
MAX_DESCRIPTION_CHARS = 1000
MAX_TRACKED_FIELDS = 20

# The field contract: type and the attributes that the product and the emulator rely on.
REQUEST_FIELDS = {
    "Account__c": {
        "type": "Lookup",
        "referenceTo": "Account",
        "relationshipName": "Contract_Requests",
        "relationshipLabel": "Contract Requests",
        "deleteConstraint": "SetNull",
    },
    "Opportunity__c": {
        "type": "Lookup",
        "referenceTo": "Opportunity",
        "relationshipName": "Contract_Requests",
        "deleteConstraint": "SetNull",
    },
    "Contract_Type__c": {
        "type": "Lookup",
        "referenceTo": CONTRACT_TYPE,
        "relationshipName": "Contract_Requests",
        "deleteConstraint": "SetNull",
    },
    "Term_Type__c": {"type": "Picklist"},
    "Effective_Date__c": {"type": "Date"},
    "Term_Months__c": {"type": "Number", "precision": "4", "scale": "0"},
    "Proposed_Value__c": {"type": "Currency", "precision": "16", "scale": "2"},
    "Description__c": {"type": "LongTextArea", "length": "32768", "visibleLines": "6"},
    "Status__c": {"type": "Picklist"},
    "Request_Number__c": {
        "type": "Text",
        "length": "30",
        "label": "ContractDesk Request Number",
    },
    "Decision_Notes__c": {"type": "LongTextArea", "length": "32768"},
    "Contract_Number__c": {"type": "Text", "length": "30"},
    "Contract_Status__c": {"type": "Picklist"},
    "Signature_Status__c": {"type": "Text", "length": "40"},
    "Contract_Link__c": {"type": "Url"},
    "Last_Synced__c": {"type": "DateTime"},
    "Sync_Message__c": {
        "type": "LongTextArea",
        "length": "32768",
        "label": "ContractDesk Message",
    },
}
CONTRACT_TYPE_FIELDS = {
    "ContractDesk_Code__c": {
        "type": "Text",
        "length": "40",
        "externalId": "true",
        "unique": "true",
        "required": "true",
    },
    "Required_Stage__c": {"type": "Text", "length": "80"},
    "Minimum_Probability__c": {"type": "Percent", "precision": "3", "scale": "0"},
    "Active__c": {"type": "Checkbox", "defaultValue": "true"},
}
CONTRACT_FIELDS = {REQUEST: REQUEST_FIELDS, CONTRACT_TYPE: CONTRACT_TYPE_FIELDS}

# Picklist values in display order, whether the picklist is restricted, and its default.
PICKLISTS = {
    "Term_Type__c": (["Auto-Renew", "Fixed", "Perpetual"], True, None),
    "Status__c": (
        ["Draft", "Submitted", "Pending", "Accepted", "Declined", "Cancelled"],
        True,
        "Draft",
    ),
    "Contract_Status__c": (["In Process", "Active", "Inactive", "Expired"], True, None),
}

SALESPERSON_FIELDS = [
    "Account__c",
    "Opportunity__c",
    "Contract_Type__c",
    "Term_Type__c",
    "Effective_Date__c",
    "Term_Months__c",
    "Proposed_Value__c",
    "Description__c",
    "Status__c",
]
SALESCONNECT_FIELDS = [
    "Request_Number__c",
    "Decision_Notes__c",
    "Contract_Number__c",
    "Contract_Status__c",
    "Signature_Status__c",
    "Contract_Link__c",
    "Last_Synced__c",
    "Sync_Message__c",
]

OBJECT_SETTINGS = {
    REQUEST: {
        "label": "Contract Request",
        "pluralLabel": "Contract Requests",
        "nameField/type": "Text",
        "nameField/label": "Request Name",
        "sharingModel": "ReadWrite",
        "deploymentStatus": "Deployed",
        "enableHistory": "true",
        "enableActivities": "false",
    },
    CONTRACT_TYPE: {
        "label": "Contract Type",
        "nameField/type": "Text",
        "nameField/label": "Contract Type Name",
        "deploymentStatus": "Deployed",
    },
}

# Standard fields that every custom object has, as layouts and search layouts name them.
STANDARD_FIELDS = {"Name", "OwnerId", "CreatedById", "LastModifiedById"}

REQUEST_LAYOUT = (
    SOURCE_ROOT
    / "layouts"
    / "Contract_Request__c-Contract Request Layout.layout-meta.xml"
)
CONTRACT_TYPE_LAYOUT = (
    SOURCE_ROOT / "layouts" / "Contract_Type__c-Contract Type Layout.layout-meta.xml"
)
LAYOUTS = {REQUEST: REQUEST_LAYOUT, CONTRACT_TYPE: CONTRACT_TYPE_LAYOUT}
PERMISSION_SETS = {
    "ContractDesk_User": "ContractDesk User",
    "ContractDesk_Admin": "ContractDesk Admin",
}


def parse(path):
    """Parse one metadata file and return its root element."""
    return ET.parse(path).getroot()  # noqa: S314 (our own repository's files)


def text(element, path):
    """Return the text at a namespaced path below element, or None if missing."""
    qualified = "/".join(f"md:{step}" for step in path.split("/"))
    return element.findtext(qualified, namespaces=NS)


def field_files(object_name):
    """Return the field meta files of one object, keyed by field API name."""
    folder = SOURCE_ROOT / "objects" / object_name / "fields"
    return {
        path.name.removesuffix(".field-meta.xml"): path
        for path in folder.glob("*.field-meta.xml")
    }


def load_fields(object_name):
    """Parse the field meta files of one object, keyed by field API name."""
    return {name: parse(path) for name, path in field_files(object_name).items()}


def permission_set(name):
    """Parse one permission set file."""
    return parse(SOURCE_ROOT / "permissionsets" / f"{name}.permissionset-meta.xml")


def field_permissions(root):
    """Map each field in a permission set to its (readable, editable) pair."""
    permissions = {}
    for entry in root.findall("md:fieldPermissions", NS):
        field = text(entry, "field")
        assert field not in permissions, f"{field} has two fieldPermissions entries"
        permissions[field] = (text(entry, "readable"), text(entry, "editable"))
    return permissions


def object_permissions(root, object_name):
    """Return the objectPermissions entry for one object as a flag-to-text dict."""
    for entry in root.findall("md:objectPermissions", NS):
        if text(entry, "object") == object_name:
            return {child.tag.split("}")[1]: child.text for child in entry}
    return None


def layout_items(layout_root):
    """Yield (section label, field, behavior) for every field placed on a layout."""
    for section in layout_root.findall("md:layoutSections", NS):
        label = text(section, "label")
        for item in section.findall("md:layoutColumns/md:layoutItems", NS):
            yield label, text(item, "field"), text(item, "behavior")


def existing_fields(object_name):
    """Return the custom and standard field API names of one object."""
    return set(field_files(object_name)) | STANDARD_FIELDS


def all_metadata_files():
    """Return every metadata file in the package."""
    return sorted(SOURCE_ROOT.rglob("*-meta.xml"))


def test_project_file_points_at_source():
    project = json.loads((PACKAGE_ROOT / "sfdx-project.json").read_text())

    directories = [entry["path"] for entry in project["packageDirectories"]]
    assert directories == ["force-app"]
    assert project["sourceApiVersion"] == "62.0"


def test_package_has_every_component():
    expected = [
        SOURCE_ROOT / "objects" / REQUEST / f"{REQUEST}.object-meta.xml",
        SOURCE_ROOT / "objects" / CONTRACT_TYPE / f"{CONTRACT_TYPE}.object-meta.xml",
        REQUEST_LAYOUT,
        CONTRACT_TYPE_LAYOUT,
        SOURCE_ROOT / "permissionsets" / "ContractDesk_User.permissionset-meta.xml",
        SOURCE_ROOT / "permissionsets" / "ContractDesk_Admin.permissionset-meta.xml",
        SOURCE_ROOT / "tabs" / f"{REQUEST}.tab-meta.xml",
        SOURCE_ROOT / "tabs" / f"{CONTRACT_TYPE}.tab-meta.xml",
    ]

    missing = [
        str(path.relative_to(PACKAGE_ROOT)) for path in expected if not path.is_file()
    ]
    assert missing == []


@pytest.mark.parametrize("path", all_metadata_files(), ids=lambda path: path.name)
def test_metadata_file_uses_namespace(path):
    root = parse(path)

    outside = {
        element.tag
        for element in root.iter()
        if not element.tag.startswith(f"{{{METADATA_NAMESPACE}}}")
    }
    assert outside == set()
    assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


@pytest.mark.parametrize("object_name", [REQUEST, CONTRACT_TYPE])
def test_object_settings(object_name):
    root = parse(
        SOURCE_ROOT / "objects" / object_name / f"{object_name}.object-meta.xml"
    )

    assert root.tag == f"{{{METADATA_NAMESPACE}}}CustomObject"
    for path, expected in OBJECT_SETTINGS[object_name].items():
        assert text(root, path) == expected, f"{object_name} {path}"


@pytest.mark.parametrize("object_name", [REQUEST, CONTRACT_TYPE])
def test_object_fields_match_contract(object_name):
    assert set(field_files(object_name)) == set(CONTRACT_FIELDS[object_name])


@pytest.mark.parametrize(
    ("object_name", "field_name"),
    [(obj, field) for obj, fields in CONTRACT_FIELDS.items() for field in fields],
)
def test_field_attributes(object_name, field_name):
    path = field_files(object_name).get(field_name)
    assert path is not None, f"{object_name}.{field_name} has no field file"
    root = parse(path)

    assert root.tag == f"{{{METADATA_NAMESPACE}}}CustomField"
    assert text(root, "fullName") == field_name
    for attribute, expected in CONTRACT_FIELDS[object_name][field_name].items():
        assert text(root, attribute) == expected, (
            f"{object_name}.{field_name} {attribute}"
        )


@pytest.mark.parametrize(
    ("object_name", "field_name"),
    [(obj, field) for obj, fields in CONTRACT_FIELDS.items() for field in fields],
)
def test_field_has_help_for_salespeople(object_name, field_name):
    root = parse(field_files(object_name)[field_name])

    label = text(root, "label") or ""
    description = text(root, "description") or ""
    help_text = text(root, "inlineHelpText") or ""
    assert label.strip()
    assert description.strip()
    assert help_text.strip()
    assert len(description) <= MAX_DESCRIPTION_CHARS
    assert len(help_text) <= MAX_HELP_TEXT_CHARS


@pytest.mark.parametrize("field_name", sorted(PICKLISTS))
def test_picklist_values_exact(field_name):
    values, restricted, default = PICKLISTS[field_name]
    root = parse(field_files(REQUEST)[field_name])
    definition = root.find("md:valueSet/md:valueSetDefinition", NS)
    assert definition is not None, f"{field_name} has no valueSetDefinition"
    entries = definition.findall("md:value", NS)

    assert [text(entry, "fullName") for entry in entries] == values
    assert [text(entry, "label") for entry in entries] == values
    assert text(root, "valueSet/restricted") == str(restricted).lower()
    defaults = [
        text(entry, "fullName") for entry in entries if text(entry, "default") == "true"
    ]
    assert defaults == ([default] if default else [])


def test_lookup_relationship_names_unique():
    # Salesforce rejects two lookups that give the same parent object the same
    # child relationship name.
    seen = {}
    for object_name in CONTRACT_FIELDS:
        for field_name, root in load_fields(object_name).items():
            if text(root, "type") not in ("Lookup", "MasterDetail"):
                continue
            key = (text(root, "referenceTo"), text(root, "relationshipName"))
            assert key not in seen, (
                f"{object_name}.{field_name} repeats {key} of {seen.get(key)}"
            )
            seen[key] = f"{object_name}.{field_name}"


@pytest.mark.parametrize("object_name", [REQUEST, CONTRACT_TYPE])
def test_history_tracking_within_limits(object_name):
    object_root = parse(
        SOURCE_ROOT / "objects" / object_name / f"{object_name}.object-meta.xml"
    )
    tracked = [
        name
        for name, root in load_fields(object_name).items()
        if text(root, "trackHistory") == "true"
    ]

    if text(object_root, "enableHistory") != "true":
        assert tracked == []
    assert len(tracked) <= MAX_TRACKED_FIELDS


@pytest.mark.parametrize("object_name", [REQUEST, CONTRACT_TYPE])
def test_layout_fields_exist(object_name):
    root = parse(LAYOUTS[object_name])
    known = existing_fields(object_name)

    placed = [field for _, field, _ in layout_items(root)]
    assert sorted(set(placed) - known) == []
    assert len(placed) == len(set(placed)), (
        f"a field appears twice on the {object_name} layout"
    )


@pytest.mark.parametrize("object_name", [REQUEST, CONTRACT_TYPE])
def test_layout_related_list_fields_exist(object_name):
    root = parse(LAYOUTS[object_name])

    for related in root.findall("md:relatedLists", NS):
        name = text(related, "relatedList")
        columns = [column.text for column in related.findall("md:fields", NS)]
        if "." not in name:
            assert columns == [], (
                f"{name} is a standard related list and takes no field columns here"
            )
            continue
        child_object, lookup_field = name.split(".")
        assert lookup_field in field_files(child_object), (
            f"{name}: no lookup {lookup_field}"
        )
        unknown = [
            column
            for column in columns
            if column != "NAME" and column not in field_files(child_object)
        ]
        assert unknown == [], f"{name} lists unknown fields"


def test_layout_contract_type_shows_requests():
    root = parse(CONTRACT_TYPE_LAYOUT)

    related = [
        text(entry, "relatedList") for entry in root.findall("md:relatedLists", NS)
    ]
    assert "Contract_Request__c.Contract_Type__c" in related


@pytest.mark.parametrize("object_name", [REQUEST, CONTRACT_TYPE])
def test_search_layout_fields_exist(object_name):
    root = parse(
        SOURCE_ROOT / "objects" / object_name / f"{object_name}.object-meta.xml"
    )
    search_layouts = root.find("md:searchLayouts", NS)
    assert search_layouts is not None

    named = {child.text for child in search_layouts}
    assert sorted(named - existing_fields(object_name)) == []


def test_request_layout_sections():
    root = parse(REQUEST_LAYOUT)
    items = list(layout_items(root))

    labels = [
        text(section, "label") for section in root.findall("md:layoutSections", NS)
    ]
    assert "Request Information" in labels
    assert "Request and Contract Statuses" in labels

    request_information = {
        field for label, field, _ in items if label == "Request Information"
    }
    assert request_information == {"Name", *SALESPERSON_FIELDS}

    statuses = {
        field: behavior
        for label, field, behavior in items
        if label == "Request and Contract Statuses"
    }
    assert set(statuses) == set(SALESCONNECT_FIELDS)
    assert set(statuses.values()) == {"Readonly"}


def test_request_layout_lists_files():
    root = parse(REQUEST_LAYOUT)

    related = [
        text(entry, "relatedList") for entry in root.findall("md:relatedLists", NS)
    ]
    assert "RelatedFileList" in related


@pytest.mark.parametrize("object_name", [REQUEST, CONTRACT_TYPE])
def test_layout_marks_required_fields(object_name):
    # Salesforce keeps a universally required field on every layout of its object
    # and marks it Required there.
    root = parse(LAYOUTS[object_name])
    behaviors = {field: behavior for _, field, behavior in layout_items(root)}

    required = [
        name
        for name, field in load_fields(object_name).items()
        if text(field, "required") == "true"
    ]
    for name in required:
        assert behaviors.get(name) == "Required", (
            f"{object_name}.{name} must be Required on the layout"
        )
    assert behaviors.get("Name") == "Required"


@pytest.mark.parametrize("name", sorted(PERMISSION_SETS))
def test_permission_set_label(name):
    root = permission_set(name)

    assert root.tag == f"{{{METADATA_NAMESPACE}}}PermissionSet"
    assert text(root, "label") == PERMISSION_SETS[name]


@pytest.mark.parametrize("name", sorted(PERMISSION_SETS))
def test_permission_set_references_exist(name):
    root = permission_set(name)

    for qualified in field_permissions(root):
        object_name, field_name = qualified.split(".")
        assert field_name in field_files(object_name), (
            f"{name} grants unknown field {qualified}"
        )
    for entry in root.findall("md:objectPermissions", NS):
        assert text(entry, "object") in CONTRACT_FIELDS
    for entry in root.findall("md:tabSettings", NS):
        tab = text(entry, "tab")
        assert (SOURCE_ROOT / "tabs" / f"{tab}.tab-meta.xml").is_file(), (
            f"{name} names unknown tab {tab}"
        )


@pytest.mark.parametrize("name", sorted(PERMISSION_SETS))
def test_permission_set_covers_every_field(name):
    # The Metadata API rejects fieldPermissions on a required field, because
    # everyone with access to the object can read and edit it.
    permissions = field_permissions(permission_set(name))

    for object_name in CONTRACT_FIELDS:
        for field_name, root in load_fields(object_name).items():
            qualified = f"{object_name}.{field_name}"
            if text(root, "required") == "true":
                assert qualified not in permissions, (
                    f"{name} must not list required field {qualified}"
                )
            else:
                assert qualified in permissions, (
                    f"{name} has no fieldPermissions for {qualified}"
                )


def test_user_cannot_edit_salesconnect_fields():
    permissions = field_permissions(permission_set("ContractDesk_User"))

    for field_name in SALESCONNECT_FIELDS:
        assert permissions[f"{REQUEST}.{field_name}"] == ("true", "false"), field_name


def test_user_can_edit_salesperson_fields():
    permissions = field_permissions(permission_set("ContractDesk_User"))

    for field_name in SALESPERSON_FIELDS:
        assert permissions[f"{REQUEST}.{field_name}"] == ("true", "true"), field_name


def test_user_reads_contract_types():
    permissions = field_permissions(permission_set("ContractDesk_User"))

    contract_type_permissions = {
        qualified: pair
        for qualified, pair in permissions.items()
        if qualified.startswith(f"{CONTRACT_TYPE}.")
    }
    assert contract_type_permissions != {}
    assert set(contract_type_permissions.values()) == {("true", "false")}


def test_user_object_permissions():
    root = permission_set("ContractDesk_User")

    assert object_permissions(root, REQUEST) == {
        "allowCreate": "true",
        "allowDelete": "false",
        "allowEdit": "true",
        "allowRead": "true",
        "modifyAllRecords": "false",
        "object": REQUEST,
        "viewAllRecords": "false",
    }
    assert object_permissions(root, CONTRACT_TYPE) == {
        "allowCreate": "false",
        "allowDelete": "false",
        "allowEdit": "false",
        "allowRead": "true",
        "modifyAllRecords": "false",
        "object": CONTRACT_TYPE,
        "viewAllRecords": "false",
    }


@pytest.mark.parametrize("object_name", [REQUEST, CONTRACT_TYPE])
def test_admin_object_permissions(object_name):
    permissions = object_permissions(permission_set("ContractDesk_Admin"), object_name)

    assert permissions is not None
    flags = {key: value for key, value in permissions.items() if key != "object"}
    assert flags == {
        "allowCreate": "true",
        "allowDelete": "true",
        "allowEdit": "true",
        "allowRead": "true",
        "modifyAllRecords": "true",
        "viewAllRecords": "true",
    }


def test_admin_can_edit_every_field():
    permissions = field_permissions(permission_set("ContractDesk_Admin"))

    assert permissions != {}
    assert set(permissions.values()) == {("true", "true")}


@pytest.mark.parametrize("object_name", [REQUEST, CONTRACT_TYPE])
def test_tab_for_object(object_name):
    root = parse(SOURCE_ROOT / "tabs" / f"{object_name}.tab-meta.xml")

    assert root.tag == f"{{{METADATA_NAMESPACE}}}CustomTab"
    assert text(root, "customObject") == "true"
    assert (text(root, "motif") or "").startswith("Custom")
