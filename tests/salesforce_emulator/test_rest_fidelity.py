"""REST details clients rely on: upserts, replication windows, If-Modified-Since, queryAll, file versions."""

import base64
import datetime
import email.utils
import time
from pathlib import Path

import pytest

from salesforce_emulator.testing import running_emulator

from .conftest import API_VERSION, RestClient

PACKAGE = Path(__file__).parent / "fixtures" / "replication_package"


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


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _http_date(moment: datetime.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(datetime.UTC), usegmt=True)


# Upsert --------------------------------------------------------------------------------

def test_upsert_creates_then_updates(api):
    created = api.patch("/sobjects/Gadget__c/Serial__c/SN-1", json={"Name": "First", "Colour__c": "Red"})
    updated = api.patch("/sobjects/Gadget__c/Serial__c/SN-1", json={"Colour__c": "Blue"})
    row = api.get(f"/sobjects/Gadget__c/{created.json()['id']}").json()

    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "success": True, "errors": [], "created": True}
    assert updated.status_code == 200
    assert updated.json() == {"id": created.json()["id"], "success": True, "errors": [], "created": False}
    assert row["Serial__c"] == "SN-1"
    assert row["Colour__c"] == "Blue"


def test_upsert_with_several_matches(api):
    first = api.create("Gadget__c", {"Name": "Twin A", "Serial__c": "SN-TWIN"})
    second = api.create("Gadget__c", {"Name": "Twin B", "Serial__c": "SN-TWIN"})

    response = api.patch("/sobjects/Gadget__c/Serial__c/SN-TWIN", json={"Colour__c": "Green"})

    assert response.status_code == 300
    assert response.json() == [
        f"/services/data/v{API_VERSION}/sobjects/Gadget__c/{first}",
        f"/services/data/v{API_VERSION}/sobjects/Gadget__c/{second}",
    ]
    assert api.get(f"/sobjects/Gadget__c/{first}").json()["Colour__c"] is None


def test_upsert_by_id_updates_only(api):
    record_id = api.create("Gadget__c", {"Name": "By id"})

    updated = api.patch(f"/sobjects/Gadget__c/Id/{record_id[:15]}", json={"Colour__c": "Pink"})
    missing = api.patch("/sobjects/Gadget__c/Id/a00Em0000009999", json={"Colour__c": "Pink"})

    assert updated.status_code == 200
    assert updated.json()["id"] == record_id
    assert missing.status_code == 404


def test_upsert_on_field_that_is_not_external_id(api):
    response = api.patch("/sobjects/Gadget__c/Colour__c/Red", json={"Name": "x"})

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"
    assert "Colour__c" in response.json()[0]["message"]


def test_read_by_external_id(api):
    record_id = api.create("Gadget__c", {"Name": "Lookup", "Serial__c": "SN-READ"})

    response = api.get("/sobjects/Gadget__c/Serial__c/SN-READ")

    assert response.status_code == 200
    assert response.json()["Id"] == record_id


# Replication ---------------------------------------------------------------------------

def test_updated_records_in_window(api):
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    record_id = api.create("Gadget__c", {"Name": "Replicated"})
    end = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=2)

    response = api.get("/sobjects/Gadget__c/updated/", params={"start": _iso(start), "end": _iso(end)})
    body = response.json()

    assert response.status_code == 200
    assert record_id in body["ids"]
    assert set(body) == {"ids", "latestDateCovered"}
    assert body["latestDateCovered"].endswith(":00.000+0000")


def test_updated_window_excludes_later_changes(api):
    record_id = api.create("Gadget__c", {"Name": "Too new"})
    past_end = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    past_start = past_end - datetime.timedelta(hours=1)

    body = api.get("/sobjects/Gadget__c/updated/", params={
        "start": _iso(past_start), "end": _iso(past_end),
    }).json()

    assert record_id not in body["ids"]


def test_deleted_records_in_window(api):
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    record_id = api.create("Gadget__c", {"Name": "Doomed"})
    api.delete(f"/sobjects/Gadget__c/{record_id}")
    end = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=2)

    body = api.get("/sobjects/Gadget__c/deleted/", params={"start": _iso(start), "end": _iso(end)}).json()
    updated = api.get("/sobjects/Gadget__c/updated/", params={"start": _iso(start), "end": _iso(end)}).json()
    deleted = {entry["id"]: entry["deletedDate"] for entry in body["deletedRecords"]}

    assert record_id in deleted
    assert deleted[record_id].endswith("+0000")
    assert body["earliestDateAvailable"] <= body["latestDateCovered"]
    assert record_id not in updated["ids"]


@pytest.mark.parametrize(("params", "error_code", "message"), [
    ({"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"}, "INVALID_REPLICATION_DATE",
     "startDate must chronologically precede endDate"),
    ({"start": "2000-01-01T00:00:00Z", "end": "2000-01-02T00:00:00Z"}, "INVALID_REPLICATION_DATE",
     "cannot be more than 30 days ago"),
    ({"start": "yesterday", "end": "2026-01-01T00:00:00Z"}, "INVALID_REPLICATION_DATE", "not a valid date-time"),
    ({"end": "2026-01-01T00:00:00Z"}, "MISSING_ARGUMENT", "start parameter is required"),
])
def test_replication_errors(api, params, error_code, message):
    response = api.get("/sobjects/Gadget__c/updated/", params=params)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == error_code
    assert message in response.json()[0]["message"]


def test_deleted_goes_back_15_days(api):
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=20)

    response = api.get("/sobjects/Gadget__c/deleted/", params={
        "start": _iso(start), "end": _iso(start + datetime.timedelta(days=1)),
    })

    assert response.status_code == 400
    assert "15 days" in response.json()[0]["message"]


def test_plus_sign_left_unencoded(api, org):
    start = _iso(datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5))
    end = _iso(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5))

    response = api.http.get(
        f"{api.base}/sobjects/Gadget__c/updated/?start={start}&end={end}", verify=api.verify, timeout=30,
    )

    assert response.status_code == 200


# If-Modified-Since ---------------------------------------------------------------------

def test_describe_not_modified(api):
    first = api.get("/sobjects/Gadget__c/describe")
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)

    unchanged = api.get("/sobjects/Gadget__c/describe", headers={"If-Modified-Since": _http_date(later)})
    older = api.get("/sobjects/Gadget__c/describe", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})

    assert first.status_code == 200
    assert "Last-Modified" in first.headers
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert older.status_code == 200
    assert older.json()["name"] == "Gadget__c"


def test_record_not_modified_since(api):
    record_id = api.create("Gadget__c", {"Name": "Cached"})
    after_create = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)

    unchanged = api.get(f"/sobjects/Gadget__c/{record_id}", headers={"If-Modified-Since": _http_date(after_create)})
    time.sleep(1.1)
    api.patch(f"/sobjects/Gadget__c/{record_id}", json={"Colour__c": "Teal"})
    changed = api.get(f"/sobjects/Gadget__c/{record_id}", headers={"If-Modified-Since": _http_date(after_create)})

    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert changed.json()["Colour__c"] == "Teal"


def test_invalid_if_modified_since_is_ignored(api):
    record_id = api.create("Gadget__c", {"Name": "Bad header"})

    response = api.get(f"/sobjects/Gadget__c/{record_id}", headers={"If-Modified-Since": "not a date"})

    assert response.status_code == 200


# queryAll ------------------------------------------------------------------------------

def test_query_all_returns_deleted_rows(api):
    kept = api.create("Gadget__c", {"Name": "QA kept", "Serial__c": "QA"})
    gone = api.create("Gadget__c", {"Name": "QA gone", "Serial__c": "QA"})
    api.delete(f"/sobjects/Gadget__c/{gone}")
    soql = "SELECT Id, IsDeleted FROM Gadget__c WHERE Serial__c = 'QA' ORDER BY Name DESC"

    everything = api.get("/queryAll/", params={"q": soql}).json()
    live = api.query(soql).json()

    assert [(record["Id"], record["IsDeleted"]) for record in everything["records"]] == [(kept, False), (gone, True)]
    assert [record["Id"] for record in live["records"]] == [kept]


def test_query_all_pages_keep_deleted_rows(api):
    records = [{"attributes": {"type": "Gadget__c"}, "Name": f"Paged {index}", "Serial__c": "PAGED"}
               for index in range(200)]
    created = api.post("/composite/sobjects", json={"records": records}).json()
    created += api.post("/composite/sobjects", json={"records": records[:50]}).json()
    ids = [result["id"] for result in created]
    api.delete("/composite/sobjects", params={"ids": ",".join(ids[:100])})

    first = api.get(
        "/queryAll/", params={"q": "SELECT Id, IsDeleted FROM Gadget__c WHERE Serial__c = 'PAGED'"},
        headers={"Sforce-Query-Options": "batchSize=200"},
    ).json()
    second = api.get(first["nextRecordsUrl"]).json()
    deleted = [record for record in first["records"] + second["records"] if record["IsDeleted"]]

    assert first["totalSize"] == 250
    assert len(first["records"]) == 200
    assert second["done"] is True
    assert len(deleted) == 100


# Files -------------------------------------------------------------------------------

def test_new_version_moves_is_latest(api):
    first = api.create("ContentVersion", {
        "Title": "Contract", "PathOnClient": "contract.txt",
        "VersionData": base64.b64encode(b"first draft").decode(),
    })
    document_id = api.get(f"/sobjects/ContentVersion/{first}").json()["ContentDocumentId"]
    second = api.create("ContentVersion", {
        "Title": "Contract v2", "PathOnClient": "contract.txt", "ContentDocumentId": document_id,
        "VersionData": base64.b64encode(b"second draft").decode(),
    })

    versions = api.query(
        f"SELECT Id, IsLatest, VersionNumber FROM ContentVersion WHERE ContentDocumentId = '{document_id}' "
        "ORDER BY VersionNumber",
    ).json()["records"]
    document = api.get(f"/sobjects/ContentDocument/{document_id}").json()
    latest_body = api.get(f"/sobjects/ContentVersion/{second}/VersionData")

    assert [(version["Id"], version["IsLatest"], version["VersionNumber"]) for version in versions] == [
        (first, False, "1"), (second, True, "2"),
    ]
    assert document["LatestPublishedVersionId"] == second
    assert latest_body.content == b"second draft"


def test_version_of_unknown_document_fails(api):
    response = api.post("/sobjects/ContentVersion", json={
        "Title": "Orphan", "PathOnClient": "orphan.txt", "ContentDocumentId": "069Em0000009999AAA",
        "VersionData": base64.b64encode(b"x").decode(),
    })

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"


# sObject Collections retrieve by POST ----------------------------------------------------

def test_collection_retrieve_by_post(api):
    record_id = api.create("Gadget__c", {"Name": "Retrieved", "Colour__c": "Gold"})

    response = api.post("/composite/sobjects/Gadget__c", json={
        "ids": [record_id, "a00Em0000009999AAA"], "fields": ["Name", "Colour__c"],
    })

    assert response.status_code == 200
    assert response.json()[0]["Colour__c"] == "Gold"
    assert response.json()[1] is None
