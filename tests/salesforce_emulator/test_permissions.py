"""Object and field permissions: a standard user with and without the ContractDesk User permission set."""

import itertools

import pytest
import requests

from salesforce_emulator.testing import running_emulator

from .conftest import REPO_PACKAGE, RestClient


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """An emulator with the repository's package (Contract_Request__c and its permission sets)."""
    with running_emulator(tmp_path_factory.mktemp("org"), REPO_PACKAGE) as running:
        yield running


@pytest.fixture
def admin(org):
    client = RestClient(org, org.access_token())
    yield client
    client.http.close()


def _standard_user(admin: RestClient, alias: str) -> str:
    profile = admin.query("SELECT Id FROM Profile WHERE Name = 'Standard User'").json()["records"][0]
    return admin.create("User", {
        "Username": f"{alias}@example.com", "LastName": alias.title(), "Email": f"{alias}@example.com",
        "Alias": alias[:8], "ProfileId": profile["Id"], "TimeZoneSidKey": "GMT", "LocaleSidKey": "en_US",
        "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8",
    })


def _assign(admin: RestClient, user_id: str, permission_set: str) -> str:
    records = admin.query(f"SELECT Id FROM PermissionSet WHERE Name = '{permission_set}'").json()["records"]
    return admin.create("PermissionSetAssignment", {"AssigneeId": user_id, "PermissionSetId": records[0]["Id"]})


def _login(org, username: str, password: str) -> RestClient:
    response = requests.post(f"{org.login_url}/services/oauth2/token", data={
        "grant_type": "password", "client_id": org.client_id, "client_secret": org.client_secret,
        "username": username, "password": password,
    }, verify=str(org.ca_file), timeout=30)
    assert response.status_code == 200, response.text
    return RestClient(org, response.json()["access_token"])


@pytest.fixture
def account_id(admin) -> str:
    return admin.create("Account", {"Name": "Permissions Test Account"})


_SELLER_NUMBERS = itertools.count(1)


@pytest.fixture
def salesperson(org, admin):
    """A new Standard User who was given a password by the admin and logged in over OAuth."""
    alias = f"seller{next(_SELLER_NUMBERS)}"
    user_id = _standard_user(admin, alias)
    response = admin.post(f"/sobjects/User/{user_id}/password", json={"NewPassword": "Sell3rPassword"})
    assert response.status_code == 204, response.text
    client = _login(org, f"{alias}@example.com", "Sell3rPassword")
    client.user_id = user_id
    yield client
    client.http.close()


def test_without_permission_set_object_is_invisible(salesperson):
    query = salesperson.query("SELECT Id FROM Contract_Request__c")
    describe = salesperson.get("/sobjects/Contract_Request__c/describe")
    create = salesperson.post("/sobjects/Contract_Request__c", json={"Name": "Hidden"})
    names = {entry["name"] for entry in salesperson.get("/sobjects/").json()["sobjects"]}

    assert query.status_code == 400
    assert query.json()[0]["errorCode"] == "INVALID_TYPE"
    assert "sObject type 'Contract_Request__c' is not supported." in query.json()[0]["message"]
    assert describe.status_code == 404
    assert describe.json()[0]["errorCode"] == "NOT_FOUND"
    assert create.status_code == 404
    assert "Contract_Request__c" not in names
    assert "Account" in names


def test_permission_set_grants_create_and_edit(admin, salesperson, account_id):
    _assign(admin, salesperson.user_id, "ContractDesk_User")

    created = salesperson.post("/sobjects/Contract_Request__c", json={
        "Name": "Renewal", "Account__c": account_id, "Description__c": "Draft terms", "Status__c": "Draft",
    })
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    edited = salesperson.patch(f"/sobjects/Contract_Request__c/{request_id}", json={"Status__c": "Submitted"})
    row = salesperson.get(f"/sobjects/Contract_Request__c/{request_id}").json()

    assert edited.status_code == 204, edited.text
    assert row["Status__c"] == "Submitted"
    assert "Request_Number__c" in row


def test_salesconnect_fields_are_read_only(admin, salesperson, account_id):
    _assign(admin, salesperson.user_id, "ContractDesk_User")
    request_id = salesperson.create("Contract_Request__c", {"Name": "Read-only check", "Account__c": account_id})

    update = salesperson.patch(
        f"/sobjects/Contract_Request__c/{request_id}",
        json={"Request_Number__c": "CR-1", "Decision_Notes__c": "approved"},
    )
    insert = salesperson.post("/sobjects/Contract_Request__c", json={"Name": "x", "Contract_Number__c": "C-9"})
    admin_update = admin.patch(f"/sobjects/Contract_Request__c/{request_id}", json={"Request_Number__c": "CR-1"})

    assert update.status_code == 400
    assert update.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert update.json()[0]["fields"] == ["Request_Number__c", "Decision_Notes__c"]
    assert insert.status_code == 400
    assert insert.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert admin_update.status_code == 204


def test_describe_reflects_field_security(admin, salesperson):
    _assign(admin, salesperson.user_id, "ContractDesk_User")

    describe = salesperson.get("/sobjects/Contract_Request__c/describe").json()
    fields = {field["name"]: field for field in describe["fields"]}

    assert describe["createable"] is True
    assert describe["deletable"] is False
    assert fields["Status__c"]["updateable"] is True
    assert fields["Request_Number__c"]["updateable"] is False
    assert fields["Request_Number__c"]["createable"] is False
    assert fields["Request_Number__c"]["permissionable"] is True


def test_missing_delete_permission_is_forbidden(admin, salesperson, account_id):
    _assign(admin, salesperson.user_id, "ContractDesk_User")
    request_id = salesperson.create("Contract_Request__c", {"Name": "Keep me", "Account__c": account_id})

    response = salesperson.delete(f"/sobjects/Contract_Request__c/{request_id}")

    assert response.status_code == 403
    assert response.json()[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    assert salesperson.get(f"/sobjects/Contract_Request__c/{request_id}").status_code == 200


def test_read_only_object_cannot_be_created(admin, salesperson):
    _assign(admin, salesperson.user_id, "ContractDesk_User")

    read = salesperson.query("SELECT Id, Name FROM Contract_Type__c")
    create = salesperson.post("/sobjects/Contract_Type__c", json={"Name": "NDA", "ContractDesk_Code__c": "NDA"})

    assert read.status_code == 200
    assert create.status_code == 400
    assert create.json()[0] == {
        "message": "entity type cannot be inserted: Contract Type",
        "errorCode": "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
        "fields": [],
    }


def test_collections_check_each_record(admin, salesperson, account_id):
    _assign(admin, salesperson.user_id, "ContractDesk_User")

    response = salesperson.post("/composite/sobjects", json={"records": [
        {"attributes": {"type": "Contract_Request__c"}, "Name": "Allowed", "Account__c": account_id},
        {"attributes": {"type": "Contract_Type__c"}, "Name": "Refused", "ContractDesk_Code__c": "R"},
        {"attributes": {"type": "Contract_Request__c"}, "Name": "Read-only field",
         "Last_Synced__c": "2026-01-01T00:00:00Z"},
    ]})
    results = response.json()

    assert response.status_code == 200
    assert results[0]["success"] is True
    assert results[1]["errors"][0]["statusCode"] == "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"
    assert results[2]["errors"][0]["statusCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_composite_and_tree_use_the_callers_permissions(salesperson):
    composite = salesperson.post("/composite", json={"compositeRequest": [{
        "method": "POST", "url": "/services/data/v62.0/sobjects/Contract_Request__c",
        "referenceId": "request", "body": {"Name": "Via composite"},
    }]}).json()["compositeResponse"][0]
    tree = salesperson.post("/composite/tree/Contract_Request__c", json={"records": [
        {"attributes": {"type": "Contract_Request__c", "referenceId": "r1"}, "Name": "Via tree"},
    ]})

    assert composite["httpStatusCode"] == 404
    assert tree.status_code == 404


def test_query_hides_unreadable_fields(admin, org):
    user_id = _standard_user(admin, "fieldless")
    admin_set = admin.create("PermissionSet", {"Name": "Requests_Without_Notes", "Label": "Requests Without Notes"})
    admin.create("ObjectPermissions", {
        "ParentId": admin_set, "SobjectType": "Contract_Request__c", "PermissionsRead": True,
    })
    admin.create("FieldPermissions", {
        "ParentId": admin_set, "SobjectType": "Contract_Request__c",
        "Field": "Contract_Request__c.Status__c", "PermissionsRead": True,
    })
    admin.create("PermissionSetAssignment", {"AssigneeId": user_id, "PermissionSetId": admin_set})
    client = RestClient(org, org.access_token("fieldless@example.com"))

    allowed = client.query("SELECT Id, Status__c FROM Contract_Request__c")
    hidden = client.query("SELECT Decision_Notes__c FROM Contract_Request__c")
    client.http.close()

    assert allowed.status_code == 200
    assert hidden.status_code == 400
    assert hidden.json()[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Decision_Notes__c'" in hidden.json()[0]["message"]


def test_standard_user_cannot_manage_users(salesperson, admin):
    profile = admin.query("SELECT Id FROM Profile WHERE Name = 'Standard User'").json()["records"][0]

    response = salesperson.post("/sobjects/User", json={
        "Username": "nope@example.com", "LastName": "Nope", "Email": "nope@example.com", "Alias": "nope",
        "ProfileId": profile["Id"], "TimeZoneSidKey": "GMT", "LocaleSidKey": "en_US",
        "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8",
    })
    password = salesperson.post(f"/sobjects/User/{salesperson.user_id}/password", json={"NewPassword": "Other1234"})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"
    assert password.status_code == 403
    assert salesperson.query("SELECT Id FROM User").status_code == 200


def test_weak_password_is_rejected(admin):
    user_id = _standard_user(admin, "weakpass")

    response = admin.post(f"/sobjects/User/{user_id}/password", json={"NewPassword": "letters"})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_NEW_PASSWORD"


def test_profile_permissions_are_records(admin):
    records = admin.query(
        "SELECT SobjectType, PermissionsRead, PermissionsCreate FROM ObjectPermissions "
        "WHERE Parent.Profile.Name = 'Standard User'",
    ).json()["records"]
    user_set = admin.query(
        "SELECT Field, PermissionsEdit FROM FieldPermissions "
        "WHERE Parent.Name = 'ContractDesk_User' AND Field = 'Contract_Request__c.Request_Number__c'",
    ).json()["records"]

    assert {record["SobjectType"] for record in records} == {"Account", "Contact", "Opportunity"}
    assert all(record["PermissionsRead"] for record in records)
    assert user_set == [{
        "attributes": user_set[0]["attributes"],
        "Field": "Contract_Request__c.Request_Number__c", "PermissionsEdit": False,
    }]


def test_new_profile_owns_a_permission_set(admin):
    profile_id = admin.create("Profile", {"Name": "Contract Reviewer"})

    owned = admin.query(
        f"SELECT Name, Label, IsOwnedByProfile FROM PermissionSet WHERE ProfileId = '{profile_id}'",
    ).json()["records"]

    assert len(owned) == 1
    assert owned[0]["IsOwnedByProfile"] is True
    assert owned[0]["Label"] == "Contract Reviewer"
    assert owned[0]["Name"] == "X" + profile_id[:15]
