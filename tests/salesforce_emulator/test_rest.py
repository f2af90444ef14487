"""REST resources: versions, describe, CRUD with validation, paging, tree, collections."""

import json
from pathlib import Path

import pytest

from .conftest import API_VERSION

SAMPLE_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "salesforce-sample"


def test_versions_need_no_session(emulator, api):
    response = api.get("/services/data/", headers={"Authorization": ""})
    versions = [entry["version"] for entry in response.json()]

    assert response.status_code == 200
    assert versions[0] == "50.0"
    assert versions[-1] == "64.0"


def test_unsupported_version_is_not_found(api):
    response = api.get("/services/data/v40.0/limits/")

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"


def test_limit_info_header_counts_calls(api):
    first = api.get("/limits/").headers["Sforce-Limit-Info"]
    second = api.get("/limits/").headers["Sforce-Limit-Info"]

    used_first = int(first.split("=")[1].split("/")[0])
    used_second = int(second.split("=")[1].split("/")[0])
    assert second.endswith("/100000")
    assert used_second == used_first + 1


def test_call_count_follows_calls(emulator, api):
    before = emulator.call_count()
    api.get("/limits/")
    api.get("/sobjects/")

    assert emulator.call_count() == before + 2


def test_describe_global_lists_custom_objects(api):
    sobjects = {entry["name"]: entry for entry in api.get("/sobjects/").json()["sobjects"]}

    assert sobjects["Account"]["keyPrefix"] == "001"
    assert sobjects["Widget__c"]["custom"] is True
    assert sobjects["Widget__c"]["urls"]["describe"] == f"/services/data/v{API_VERSION}/sobjects/Widget__c/describe"


def test_describe_fields(api):
    describe = api.get("/sobjects/Widget__c/describe").json()
    fields = {field["name"]: field for field in describe["fields"]}

    assert describe["name"] == "Widget__c"
    assert fields["Colour__c"]["type"] == "picklist"
    assert fields["Colour__c"]["restrictedPicklist"] is True
    assert [value["value"] for value in fields["Colour__c"]["picklistValues"]] == ["Red", "Blue"]
    assert fields["Account__c"]["referenceTo"] == ["Account"]
    assert fields["Account__c"]["relationshipName"] == "Account__r"
    assert fields["Code__c"]["externalId"] is True
    assert fields["Id"]["type"] == "id"
    account = api.get("/sobjects/Account/describe").json()
    assert {"relationshipName": "Widgets__r", "childSObject": "Widget__c"}.items() <= next(
        relationship for relationship in account["childRelationships"]
        if relationship["relationshipName"] == "Widgets__r"
    ).items()


def test_describe_unknown_object(api):
    response = api.get("/sobjects/Nothing__c/describe")

    assert response.status_code == 404
    assert response.json() == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


def test_create_read_update_delete(api):
    created = api.post("/sobjects/Account", json={"Name": "Crud Co", "NumberOfEmployees": "12"})
    account_id = created.json()["id"]

    assert created.status_code == 201
    assert created.json() == {"id": account_id, "success": True, "errors": []}
    assert account_id.startswith("001")
    assert len(account_id) == 18

    record = api.get(f"/sobjects/Account/{account_id}").json()
    assert record["attributes"] == {
        "type": "Account", "url": f"/services/data/v{API_VERSION}/sobjects/Account/{account_id}",
    }
    assert record["Name"] == "Crud Co"
    assert record["NumberOfEmployees"] == 12
    assert record["OwnerId"] == api.emulator.org.admin_id
    assert record["CreatedDate"].endswith("+0000")

    updated = api.patch(f"/sobjects/Account/{account_id}", json={"Phone": "555"})
    assert updated.status_code == 204
    assert updated.content == b""
    after = api.get(f"/sobjects/Account/{account_id[:15]}", params={"fields": "Phone,Name"}).json()
    assert after["Phone"] == "555"
    assert set(after) == {"attributes", "Phone", "Name"}

    assert api.delete(f"/sobjects/Account/{account_id}").status_code == 204
    gone = api.get(f"/sobjects/Account/{account_id}")
    assert gone.status_code == 404
    assert gone.json()[0]["errorCode"] == "NOT_FOUND"


def test_update_bumps_system_modstamp(api):
    account_id = api.create("Account", {"Name": "Stamp"})
    before = api.get(f"/sobjects/Account/{account_id}").json()["SystemModstamp"]

    api.patch(f"/sobjects/Account/{account_id}", json={"Phone": "1"})

    assert api.get(f"/sobjects/Account/{account_id}").json()["SystemModstamp"] >= before


@pytest.mark.parametrize(("values", "status", "code", "fields"), [
    ({"Code__c": "V1", "Bogus__c": 1}, 400, "INVALID_FIELD", []),
    ({"Colour__c": "Red"}, 400, "REQUIRED_FIELD_MISSING", ["Code__c"]),
    ({"Code__c": "V2", "Colour__c": "Green"}, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ["Colour__c"]),
    ({"Code__c": "X" * 11}, 400, "STRING_TOO_LONG", ["Code__c"]),
    ({"Code__c": "V3", "Weight__c": 1000}, 400, "NUMBER_OUTSIDE_VALID_RANGE", ["Weight__c"]),
    ({"Code__c": "V4", "Weight__c": "heavy"}, 400, "JSON_PARSER_ERROR", ["Weight__c"]),
    ({"Code__c": "V5", "Account__c": "not-an-id"}, 400, "FIELD_INTEGRITY_EXCEPTION", ["Account__c"]),
    ({"Code__c": "V6", "Account__c": "003Em0000000001IAA"}, 400, "FIELD_INTEGRITY_EXCEPTION", ["Account__c"]),
    ({"Code__c": "V7", "Account__c": "001Em00000000zzIAA"}, 400, "INVALID_CROSS_REFERENCE_KEY", ["Account__c"]),
    ({"Code__c": "V8", "Name": "W-9999"}, 400, "INVALID_FIELD_FOR_INSERT_UPDATE", ["Name"]),
    ({"Code__c": "V9", "CreatedDate": "2020-01-01T00:00:00Z"}, 400, "INVALID_FIELD_FOR_INSERT_UPDATE", ["CreatedDate"]),
])
def test_create_validation_errors(api, values, status, code, fields):
    response = api.post("/sobjects/Widget__c", json=values)
    error = response.json()[0]

    assert response.status_code == status
    assert error["errorCode"] == code
    assert error["fields"] == fields
    assert error["message"]


def test_unknown_field_message(api):
    response = api.post("/sobjects/Account", json={"Name": "x", "Nope": 1})

    assert response.json() == [{
        "message": "No such column 'Nope' on sobject of type Account",
        "errorCode": "INVALID_FIELD",
        "fields": [],
    }]


def test_duplicate_external_id(api):
    api.create("Widget__c", {"Code__c": "DUP"})

    response = api.post("/sobjects/Widget__c", json={"Code__c": "dup"})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "DUPLICATE_VALUE"


def test_defaults_and_auto_number(api):
    widget_id = api.create("Widget__c", {"Code__c": "DEF"})
    widget = api.get(f"/sobjects/Widget__c/{widget_id}").json()

    assert widget["Colour__c"] == "Blue"
    assert widget["In_Stock__c"] is True
    assert widget["Name"].startswith("W-")
    assert len(widget["Name"]) == 6


def test_malformed_json_body(api):
    response = api.post("/sobjects/Account", data=b"{not json", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_method_not_allowed(api):
    response = api.request("PUT", "/sobjects/Account/001Em0000000001IAA", json={})

    assert response.status_code == 405
    assert response.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"


def test_upsert_by_external_id(api):
    created = api.patch("/sobjects/Widget__c/Code__c/UPS1", json={"Colour__c": "Red"})
    updated = api.patch("/sobjects/Widget__c/Code__c/UPS1", json={"Colour__c": "Blue"})

    assert created.status_code == 201
    assert created.json()["created"] is True
    assert updated.status_code == 200
    assert updated.json() == {"id": created.json()["id"], "success": True, "errors": [], "created": False}
    assert api.get(f"/sobjects/Widget__c/{created.json()['id']}").json()["Colour__c"] == "Blue"


def test_opportunity_stage_sets_probability(api):
    account_id = api.create("Account", {"Name": "Stage Co"})
    opportunity_id = api.create("Opportunity", {
        "Name": "Deal", "AccountId": account_id, "StageName": "Negotiation/Review",
        "CloseDate": "2026-01-31", "Amount": 200,
    })
    opportunity = api.get(f"/sobjects/Opportunity/{opportunity_id}").json()

    assert opportunity["Probability"] == 90.0
    assert opportunity["IsClosed"] is False
    assert opportunity["ExpectedRevenue"] == 180.0


def test_query_paging_with_batch_size(api):
    records = [
        {"attributes": {"type": "Widget__c", "referenceId": f"page{number}"}, "Code__c": f"P{number:03d}"}
        for number in range(450)
    ]
    for start in range(0, 450, 200):
        response = api.post("/composite/tree/Widget__c", json={"records": records[start:start + 200]})
        assert response.status_code == 201, response.text

    soql = "SELECT Code__c FROM Widget__c WHERE Code__c LIKE 'P%' ORDER BY Code__c"
    first = api.query(soql, headers={"Sforce-Query-Options": "batchSize=200"}).json()
    codes = [record["Code__c"] for record in first["records"]]
    next_url = first["nextRecordsUrl"]
    pages = 1
    while next_url:
        page = api.get(next_url).json()
        codes += [record["Code__c"] for record in page["records"]]
        next_url = page.get("nextRecordsUrl")
        pages += 1
        assert page["totalSize"] == 450

    assert first["totalSize"] == 450
    assert first["done"] is False
    assert first["nextRecordsUrl"].startswith(f"/services/data/v{API_VERSION}/query/01g")
    assert pages == 3
    assert codes == [f"P{number:03d}" for number in range(450)]


def test_default_batch_is_2000(api):
    response = api.query("SELECT Id FROM Widget__c", headers={"Sforce-Query-Options": "batchSize=5000"}).json()

    assert len(response["records"]) == min(2000, response["totalSize"])


def test_invalid_query_locator(api):
    response = api.get("/query/01gEm0000000000AAA-2000")

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_query_errors_over_http(api):
    response = api.query("SELECT Id FROM Account WHERE")

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_tree_with_nested_children(api):
    response = api.post("/composite/tree/Account", json={"records": [{
        "attributes": {"type": "Account", "referenceId": "acc"},
        "Name": "Tree Co",
        "Contacts": {"records": [
            {"attributes": {"type": "Contact", "referenceId": "c1"}, "LastName": "One"},
            {"attributes": {"type": "Contact", "referenceId": "c2"}, "LastName": "Two"},
        ]},
        "Widgets__r": {"records": [
            {"attributes": {"type": "Widget__c", "referenceId": "w1"}, "Code__c": "TREE1"},
        ]},
    }]})
    body = response.json()

    assert response.status_code == 201
    assert body["hasErrors"] is False
    assert [result["referenceId"] for result in body["results"]] == ["acc", "c1", "c2", "w1"]
    account_id = body["results"][0]["id"]
    contacts = api.query(f"SELECT LastName, Name FROM Contact WHERE AccountId = '{account_id}' ORDER BY LastName")
    assert [record["Name"] for record in contacts.json()["records"]] == ["One", "Two"]


def test_tree_failure_creates_nothing(api):
    response = api.post("/composite/tree/Account", json={"records": [
        {"attributes": {"type": "Account", "referenceId": "ok"}, "Name": "Rolled Back Co"},
        {"attributes": {"type": "Account", "referenceId": "bad"}, "Phone": "1"},
    ]})

    assert response.status_code == 400
    assert response.json() == {"hasErrors": True, "results": [{
        "referenceId": "bad",
        "errors": [{"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Name]",
                    "fields": ["Name"]}],
    }]}
    assert api.query("SELECT Id FROM Account WHERE Name = 'Rolled Back Co'").json()["totalSize"] == 0


def test_tree_loads_sample_accounts(api):
    records = json.loads((SAMPLE_DATA / "Accounts.json").read_text())

    response = api.post("/composite/tree/Account", json=records)

    assert response.status_code == 201, response.text
    assert len(response.json()["results"]) == len(records["records"])


def test_tree_loads_sample_contacts_once_references_are_resolved(api):
    accounts = json.loads((SAMPLE_DATA / "Accounts.json").read_text())
    created = api.post("/composite/tree/Account", json=accounts).json()["results"]
    reference_ids = {result["referenceId"]: result["id"] for result in created}
    contacts = json.loads((SAMPLE_DATA / "Contacts.json").read_text())
    for record in contacts["records"]:
        record["AccountId"] = reference_ids[record["AccountId"].lstrip("@")]

    response = api.post("/composite/tree/Contact", json=contacts)

    assert response.status_code == 201, response.text


def test_collections_create_partial_success(api):
    response = api.post("/composite/sobjects", json={"allOrNone": False, "records": [
        {"attributes": {"type": "Account"}, "Name": "Coll One"},
        {"attributes": {"type": "Account"}},
        {"attributes": {"type": "Widget__c"}, "Code__c": "COLL"},
    ]})
    results = response.json()

    assert response.status_code == 200
    assert results[0]["success"] is True
    assert results[1] == {"success": False, "errors": [{
        "statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Name]", "fields": ["Name"],
    }]}
    assert results[2]["id"].startswith(api.emulator.org.schema.get("Widget__c").key_prefix)


def test_collections_all_or_none_rolls_back(api):
    response = api.post("/composite/sobjects", json={"allOrNone": True, "records": [
        {"attributes": {"type": "Account"}, "Name": "All Or None"},
        {"attributes": {"type": "Account"}},
    ]})
    results = response.json()

    assert [result["success"] for result in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert api.query("SELECT Id FROM Account WHERE Name = 'All Or None'").json()["totalSize"] == 0


def test_collections_update_and_delete(api):
    first = api.create("Account", {"Name": "Upd One"})
    second = api.create("Account", {"Name": "Upd Two"})

    updated = api.patch("/composite/sobjects", json={"allOrNone": False, "records": [
        {"attributes": {"type": "Account"}, "id": first, "Phone": "1"},
        {"attributes": {"type": "Account"}, "Id": second[:15], "Phone": "2"},
        {"attributes": {"type": "Account"}, "Phone": "3"},
    ]}).json()
    read = api.get("/composite/sobjects/Account", params={"ids": f"{first},{second}", "fields": "Phone"}).json()
    deleted = api.delete("/composite/sobjects", params={"ids": f"{first},{second}", "allOrNone": "false"}).json()

    assert [result["success"] for result in updated] == [True, True, False]
    assert updated[1]["id"] == second
    assert updated[2]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert [record["Phone"] for record in read] == ["1", "2"]
    assert [result["success"] for result in deleted] == [True, True]


def test_collections_limit_of_200(api):
    records = [{"attributes": {"type": "Account"}, "Name": f"N{number}"} for number in range(201)]

    response = api.post("/composite/sobjects", json={"records": records})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_delete_clears_lookups(api):
    account_id = api.create("Account", {"Name": "Parent To Delete"})
    widget_id = api.create("Widget__c", {"Code__c": "ORPHAN", "Account__c": account_id})

    api.delete(f"/sobjects/Account/{account_id}")

    assert api.get(f"/sobjects/Widget__c/{widget_id}").json()["Account__c"] is None


def test_faults_on_demand(emulator, api):
    emulator.faults.fail_next(2, status=503)
    first = api.get("/limits/")
    second = api.get("/limits/")
    third = api.get("/limits/")

    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"


def test_unable_to_lock_row_fault(emulator, api):
    emulator.faults.lock_rows_next()

    response = api.post("/sobjects/Account", json={"Name": "Locked"})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"


def test_account_delete_cascades(api):
    account_id = api.create("Account", {"Name": "Cascade Co"})
    contact_id = api.create("Contact", {"LastName": "Child", "AccountId": account_id})
    opportunity_id = api.create("Opportunity", {
        "Name": "Child deal", "AccountId": account_id, "StageName": "Prospecting", "CloseDate": "2026-03-01",
    })

    api.delete(f"/sobjects/Account/{account_id}")

    assert api.get(f"/sobjects/Contact/{contact_id}").status_code == 404
    assert api.get(f"/sobjects/Opportunity/{opportunity_id}").status_code == 404
