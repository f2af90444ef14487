"""Requests that outside clients (the Salesforce CLI, jsforce) send, checked over real HTTPS."""

from pathlib import Path

import pytest

from salesforce_emulator.testing import running_emulator

from .conftest import API_VERSION, RestClient

PACKAGE = Path(__file__).parent / "fixtures" / "replication_package"
COLUMN_KEYS = {
    "aggregate", "apexType", "booleanType", "columnName", "custom", "displayName",
    "foreignKeyName", "insertable", "joinColumns", "numberType", "textType", "updatable",
}


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """An emulator with Gadget__c, whose external id Serial__c is not unique."""
    with running_emulator(tmp_path_factory.mktemp("org"), PACKAGE) as running:
        yield running


@pytest.fixture
def api(org):
    client = RestClient(org, org.access_token())
    yield client
    client.http.close()


def _columns(api: RestClient, soql: str) -> dict:
    response = api.get("/query/", params={"q": soql, "columns": "true"})
    assert response.status_code == 200, response.text
    return response.json()


# Paths with repeated slashes (sf org login access-token keeps "https://host/") ------------

def test_double_slash_versions(api):
    response = api.get(api.emulator.instance_url + "//services/data")

    assert response.status_code == 200
    assert response.json()[0]["version"] == "50.0"


def test_double_slash_rest_path(api):
    response = api.get(api.base.replace("/services/", "//services/") + "//sobjects/Account/describe")

    assert response.status_code == 200
    assert response.json()["name"] == "Account"


# Query columns (sf data query) -----------------------------------------------------------

def test_columns_of_plain_fields(api):
    api.create("Account", {"Name": "Columns Inc"})

    body = _columns(api, "SELECT Id, Name, NumberOfEmployees, AnnualRevenue FROM Account")
    columns = {column["columnName"]: column for column in body["columnMetadata"]}

    assert "records" not in body
    assert body["entityName"] == "Account"
    assert body["idSelected"] is True
    assert body["keyPrefix"] == "001"
    assert [column["columnName"] for column in body["columnMetadata"]] == [
        "Id", "Name", "NumberOfEmployees", "AnnualRevenue",
    ]
    assert all(set(column) == COLUMN_KEYS for column in body["columnMetadata"])
    assert columns["Id"]["apexType"] == "Id"
    assert columns["Id"]["updatable"] is False
    assert columns["Name"]["apexType"] == "String"
    assert columns["Name"]["textType"] is True
    assert columns["Name"]["insertable"] is True
    assert columns["Name"]["updatable"] is True
    assert columns["NumberOfEmployees"]["apexType"] == "Integer"
    assert columns["NumberOfEmployees"]["numberType"] is True
    assert columns["AnnualRevenue"]["numberType"] is True
    assert columns["Name"]["aggregate"] is False
    assert columns["Name"]["joinColumns"] == []


def test_columns_of_custom_field(api):
    body = _columns(api, "SELECT Name, Serial__c FROM Gadget__c")
    serial = body["columnMetadata"][1]

    assert body["idSelected"] is False
    assert serial["columnName"] == "Serial__c"
    assert serial["custom"] is True
    assert serial["displayName"] == "Serial__c"


def test_columns_of_parent_fields(api):
    body = _columns(api, "SELECT Name, Account.Name, Account.Owner.Name FROM Contact")
    account = body["columnMetadata"][1]
    owner_path = body["columnMetadata"][2]

    assert account["columnName"] == "Account"
    assert account["apexType"] == "Account"
    assert [column["columnName"] for column in account["joinColumns"]] == ["Name"]
    assert account["joinColumns"][0]["displayName"] == "Account.Name"
    assert owner_path["columnName"] == "Account"
    owner = owner_path["joinColumns"][0]
    assert owner["columnName"] == "Owner"
    assert owner["apexType"] == "User"
    assert owner["joinColumns"][0]["columnName"] == "Name"
    assert owner["joinColumns"][0]["displayName"] == "Account.Owner.Name"


def test_columns_of_child_subquery(api):
    body = _columns(api, "SELECT Name, (SELECT LastName, Email FROM Contacts) FROM Account")
    contacts = body["columnMetadata"][1]

    assert contacts["columnName"] == "Contacts"
    assert contacts["aggregate"] is True
    assert [column["columnName"] for column in contacts["joinColumns"]] == ["LastName", "Email"]


def test_columns_of_aggregate_query(api):
    body = _columns(
        api, "SELECT StageName, COUNT(Id), MAX(Amount) top, AVG(Amount) FROM Opportunity GROUP BY StageName",
    )
    stage, count, top, average = body["columnMetadata"]

    assert body["groupBy"] is True
    assert stage["columnName"] == "StageName"
    assert stage["aggregate"] is False
    assert count["columnName"] == "expr0"
    assert count["displayName"] == "COUNT(Id)"
    assert count["aggregate"] is True
    assert count["apexType"] == "Integer"
    assert top["columnName"] == "top"
    assert top["displayName"] == "MAX(Amount)"
    assert average["columnName"] == "expr1"
    assert average["apexType"] == "Double"


def test_columns_of_count_query(api):
    body = _columns(api, "SELECT COUNT() FROM Account")

    assert body["columnMetadata"] == []


def test_columns_with_invalid_field(api):
    response = api.get("/query/", params={"q": "SELECT Nope__c FROM Account", "columns": "true"})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_FIELD"


def test_columns_false_runs_query(api):
    response = api.get("/query/", params={"q": "SELECT Id FROM Account", "columns": "false"})

    assert response.status_code == 200
    assert "records" in response.json()


# Organization fields the CLI reads -------------------------------------------------------

def test_organization_fields_for_cli(api):
    soql = (
        "SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, "
        "OrganizationType FROM Organization"
    )
    response = api.query(soql)
    assert response.status_code == 200, response.text
    record = response.json()["records"][0]

    assert record["IsSandbox"] is False
    assert record["TrialExpirationDate"] is None
    assert record["OrganizationType"] == "Developer Edition"
    assert record["InstanceName"] == "EM1"
    assert record["NamespacePrefix"] is None


def test_organization_fiscal_year_start(api):
    response = api.query("SELECT FiscalYearStartMonth, DefaultAccountAccess FROM Organization")
    assert response.status_code == 200, response.text
    record = response.json()["records"][0]

    assert record["FiscalYearStartMonth"] == 1
    assert record["DefaultAccountAccess"] == "Edit"


# Read by external id ---------------------------------------------------------------------

def test_read_by_external_id_single_match(api):
    record_id = api.create("Gadget__c", {"Name": "Solo", "Serial__c": "SN-SOLO"})

    response = api.get("/sobjects/Gadget__c/Serial__c/SN-SOLO")

    assert response.status_code == 200
    assert response.json()["Id"] == record_id


def test_read_by_external_id_several_matches(api):
    first = api.create("Gadget__c", {"Name": "Pair A", "Serial__c": "SN-PAIR"})
    second = api.create("Gadget__c", {"Name": "Pair B", "Serial__c": "SN-PAIR"})

    response = api.get("/sobjects/Gadget__c/Serial__c/SN-PAIR")

    assert response.status_code == 300
    assert response.json() == [
        f"/services/data/v{API_VERSION}/sobjects/Gadget__c/{first}",
        f"/services/data/v{API_VERSION}/sobjects/Gadget__c/{second}",
    ]


def test_read_by_external_id_no_match(api):
    response = api.get("/sobjects/Gadget__c/Serial__c/SN-NONE")

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"


# sObject Collections upsert ---------------------------------------------------------------

def _upsert(api: RestClient, records: list, all_or_none: bool = False, field: str = "Serial__c"):
    body = {
        "allOrNone": all_or_none,
        "records": [{"attributes": {"type": "Gadget__c"}, **record} for record in records],
    }
    return api.patch(f"/composite/sobjects/Gadget__c/{field}", json=body)


def test_collection_upsert_creates_and_updates(api):
    existing = api.create("Gadget__c", {"Name": "Old", "Serial__c": "CU-OLD"})

    response = _upsert(api, [
        {"Serial__c": "CU-NEW", "Name": "New", "Colour__c": "Red"},
        {"Serial__c": "CU-OLD", "Colour__c": "Blue"},
    ])
    created, updated = response.json()
    new_row = api.get(f"/sobjects/Gadget__c/{created['id']}").json()
    old_row = api.get(f"/sobjects/Gadget__c/{existing}").json()

    assert response.status_code == 200
    assert created == {"id": created["id"], "success": True, "errors": [], "created": True}
    assert updated == {"id": existing, "success": True, "errors": [], "created": False}
    assert new_row["Serial__c"] == "CU-NEW"
    assert new_row["Colour__c"] == "Red"
    assert old_row["Name"] == "Old"
    assert old_row["Colour__c"] == "Blue"


def test_collection_upsert_partial_failure(api):
    response = _upsert(api, [
        {"Serial__c": "CU-P1", "Name": "Fine"},
        {"Name": "No serial"},
        {"Serial__c": "CU-P2", "Name": "Bad", "Nope__c": 1},
    ])
    fine, missing, invalid = response.json()

    assert response.status_code == 200
    assert fine["success"] is True
    assert fine["created"] is True
    assert missing["success"] is False
    assert missing["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert invalid["errors"][0]["statusCode"] == "INVALID_FIELD"


def test_collection_upsert_all_or_none_rolls_back(api):
    response = _upsert(api, [
        {"Serial__c": "CU-AON", "Name": "Rolled back"},
        {"Serial__c": "CU-AON2", "Name": "Bad", "Nope__c": 1},
    ], all_or_none=True)
    first, second = response.json()
    left = api.query("SELECT Id FROM Gadget__c WHERE Serial__c = 'CU-AON'").json()

    assert first["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert second["errors"][0]["statusCode"] == "INVALID_FIELD"
    assert left["totalSize"] == 0


def test_collection_upsert_duplicate_external_ids(api):
    api.create("Gadget__c", {"Name": "Dup A", "Serial__c": "CU-DUP"})
    api.create("Gadget__c", {"Name": "Dup B", "Serial__c": "CU-DUP"})

    response = _upsert(api, [
        {"Serial__c": "CU-DUP", "Colour__c": "Red"},
        {"Serial__c": "CU-TWICE", "Name": "One"},
        {"Serial__c": "cu-twice", "Name": "Two"},
    ])
    in_org, first, second = response.json()

    assert in_org["errors"][0]["statusCode"] == "DUPLICATE_EXTERNAL_ID"
    assert first["errors"][0]["statusCode"] == "DUPLICATE_EXTERNAL_ID"
    assert second["errors"][0]["statusCode"] == "DUPLICATE_EXTERNAL_ID"


def test_collection_upsert_wrong_type(api):
    body = {"records": [{"attributes": {"type": "Account"}, "Serial__c": "CU-T", "Name": "x"}]}

    response = api.patch("/composite/sobjects/Gadget__c/Serial__c", json=body)

    assert response.status_code == 200
    assert response.json()[0]["errors"][0]["statusCode"] == "INVALID_TYPE"


def test_collection_upsert_field_not_external_id(api):
    response = _upsert(api, [{"Colour__c": "Red"}], field="Colour__c")

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"


def test_collection_upsert_too_many_records(api):
    records = [{"Serial__c": f"CU-MANY-{index}"} for index in range(201)]

    response = _upsert(api, records)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


# Permission sets owned by profiles ---------------------------------------------------------

def _owned_permission_set(api: RestClient, profile_name: str) -> dict:
    profile = api.query(f"SELECT Id FROM Profile WHERE Name = '{profile_name}'").json()["records"][0]
    soql = (
        "SELECT PermissionsModifyAllData, PermissionsViewAllData, PermissionsApiEnabled, "
        f"PermissionsManageUsers FROM PermissionSet WHERE IsOwnedByProfile = true AND ProfileId = '{profile['Id']}'"
    )
    response = api.query(soql)
    assert response.status_code == 200, response.text
    return response.json()["records"][0]


def test_admin_profile_permission_set(api):
    owned = _owned_permission_set(api, "System Administrator")

    assert owned["PermissionsModifyAllData"] is True
    assert owned["PermissionsViewAllData"] is True
    assert owned["PermissionsApiEnabled"] is True
    assert owned["PermissionsManageUsers"] is True


def test_standard_profile_permission_set(api):
    owned = _owned_permission_set(api, "Standard User")

    assert owned["PermissionsModifyAllData"] is False
    assert owned["PermissionsApiEnabled"] is True


def test_new_profile_permission_set(api):
    api.create("Profile", {"Name": "Viewer", "PermissionsViewAllData": True})

    owned = _owned_permission_set(api, "Viewer")

    assert owned["PermissionsViewAllData"] is True
    assert owned["PermissionsModifyAllData"] is False


def test_owned_permission_set_fixed_on_start(tmp_path):
    # Store an owned set as orgs created before the fix did.
    with running_emulator(tmp_path / "org") as org, org.org.store.transaction() as connection:
        connection.execute(
                'UPDATE "sobj_PermissionSet" SET "PermissionsModifyAllData" = 0 '
                'WHERE "IsOwnedByProfile" = 1',
            )

    with running_emulator(tmp_path / "org") as org:
        client = RestClient(org, org.access_token())
        owned = _owned_permission_set(client, "System Administrator")
        client.http.close()

    assert owned["PermissionsModifyAllData"] is True
