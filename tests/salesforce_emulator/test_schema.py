"""Schema: standard objects from the data file, custom ones from SFDX source folders."""

import pytest

from salesforce_emulator.org import Org
from salesforce_emulator.schema import PackageError, build_schema

from .conftest import FIXTURE_PACKAGE, REPO_PACKAGE


def test_standard_objects_have_system_fields():
    schema, _package = build_schema(None)

    for name in ("Account", "Contact", "Opportunity", "User", "ContentVersion", "Organization"):
        object_def = schema.get(name)
        assert object_def is not None, name
        for field_name in ("Id", "CreatedDate", "SystemModstamp", "IsDeleted", "CreatedById"):
            assert object_def.field(field_name) is not None, f"{name}.{field_name}"


def test_standard_key_prefixes():
    schema, _package = build_schema(None)
    expected = {
        "Account": "001", "Contact": "003", "Opportunity": "006", "User": "005",
        "Profile": "00e", "PermissionSet": "0PS", "PermissionSetAssignment": "0Pa",
        "ContentVersion": "068", "ContentDocument": "069", "ContentDocumentLink": "06A",
        "Organization": "00D",
    }

    assert {name: schema.get(name).key_prefix for name in expected} == expected


def test_fixture_package_fields():
    schema, package = build_schema(FIXTURE_PACKAGE)
    widget = schema.get("widget__c")

    assert widget.label == "Widget"
    assert widget.key_prefix is None
    assert widget.field("Name").auto_number
    assert widget.field("Code__c").external_id
    assert widget.field("Code__c").unique
    assert widget.field("Code__c").length == 10
    assert not widget.field("Code__c").nillable
    assert widget.field("Colour__c").restricted_picklist
    assert widget.field("Colour__c").default_value == "Blue"
    assert widget.field("Sizes__c").type == "multipicklist"
    assert widget.field("Weight__c").type == "double"
    assert widget.field("Weight__c").precision == 5
    assert widget.field("In_Stock__c").default_value is True
    assert widget.field("Notes__c").extra_type_info == "plaintextarea"
    assert widget.field("Account__c").relationship_name == "Account__r"
    assert [package_set.name for package_set in package.permission_sets] == ["Widget_User"]


def test_package_adds_fields_to_standard_objects():
    schema, _package = build_schema(FIXTURE_PACKAGE)

    assert schema.get("Contact").field("Picture__c").type == "url"


def test_child_relationship_from_custom_lookup():
    schema, _package = build_schema(FIXTURE_PACKAGE)
    relationship = schema.get("Account").child_relationship("Widgets__r")

    assert relationship.child_object == "Widget__c"
    assert relationship.field == "Account__c"


def test_repository_package_contract_request():
    schema, package = build_schema(REPO_PACKAGE)
    request = schema.get("Contract_Request__c")

    assert request.label == "Contract Request"
    assert request.field("Name").label == "Request Name"
    assert request.field("Account__c").reference_to == ["Account"]
    assert request.field("Opportunity__c").reference_to == ["Opportunity"]
    assert request.field("Contract_Type__c").reference_to == ["Contract_Type__c"]
    assert request.field("Status__c").restricted_picklist
    assert request.field("Status__c").default_value == "Draft"
    assert [value.value for value in request.field("Term_Type__c").picklist_values] == [
        "Auto-Renew", "Fixed", "Perpetual",
    ]
    assert request.field("Proposed_Value__c").type == "currency"
    assert request.field("Sync_Message__c").length == 32768
    assert schema.get("Account").child_relationship("Contract_Requests__r") is not None
    assert {permission_set.label for permission_set in package.permission_sets} == {
        "ContractDesk User", "ContractDesk Admin",
    }


def test_repository_package_contract_type():
    schema, _package = build_schema(REPO_PACKAGE)
    contract_type = schema.get("Contract_Type__c")

    assert contract_type.field("ContractDesk_Code__c").external_id
    assert contract_type.field("ContractDesk_Code__c").unique
    assert contract_type.field("Minimum_Probability__c").type == "percent"
    assert contract_type.field("Active__c").default_value is True


def test_missing_project_file_is_reported(tmp_path):
    with pytest.raises(PackageError, match="sfdx-project.json"):
        build_schema(tmp_path)


def test_custom_key_prefixes_survive_restart(tmp_path):
    first = Org(tmp_path, FIXTURE_PACKAGE)
    prefix = first.schema.get("Widget__c").key_prefix
    first.close()

    second = Org(tmp_path, REPO_PACKAGE)
    assert second.schema.get("Contract_Request__c").key_prefix != prefix
    second.close()

    third = Org(tmp_path, FIXTURE_PACKAGE)
    assert third.schema.get("Widget__c").key_prefix == prefix
    third.close()


def test_permission_sets_become_records(tmp_path):
    org = Org(tmp_path, REPO_PACKAGE)
    result = org.queries.query(
        "SELECT Name, Label FROM PermissionSet WHERE IsCustom = true ORDER BY Name", "62.0",
        org.admin_id,
    )
    org.close()

    assert [record["Label"] for record in result["records"]] == [
        "ContractDesk Admin", "ContractDesk User",
    ]
