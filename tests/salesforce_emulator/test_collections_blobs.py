"""sObject Collections inserts of ContentVersion records with their files in binary parts."""

import hashlib
import json
import os

import pytest
import requests

from salesforce_emulator.rest import collection_upload


def collection_request(api, records: list, parts: list, all_or_none: bool = False,
                       json_part: str = "collection"):
    """POST /composite/sobjects as multipart: the JSON part first, then the binary parts in order."""
    files = [(json_part, (None, json.dumps({"allOrNone": all_or_none, "records": records}),
                          "application/json"))]
    files += [(name, (f"{name}.bin", body, "application/octet-stream")) for name, body in parts]
    return api.post("/composite/sobjects", files=files)


def version_record(part_name: str, title: str, **values) -> dict:
    return {
        "attributes": {
            "type": "ContentVersion",
            "binaryPartName": part_name,
            "binaryPartNameAlias": "VersionData",
        },
        "Title": title,
        "PathOnClient": f"{title}.pdf",
        **values,
    }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download_digest(api, version_id: str) -> str:
    response = api.get(f"/sobjects/ContentVersion/{version_id}/VersionData")
    assert response.status_code == 200, response.text
    return sha256(response.content)


def version_count(api) -> int:
    return api.query("SELECT COUNT() FROM ContentVersion").json()["totalSize"]


def stored_file_count(emulator) -> int:
    return len(list(emulator.org.files.folder.iterdir()))


@pytest.fixture
def account_id(api) -> str:
    return api.create("Account", {"Name": "Collection Files Co"})


@pytest.mark.parametrize("json_part", ["collection", "entity_content"])
def test_blob_insert_round_trip(api, account_id, json_part):
    bodies = [os.urandom(1024 * 1024 + 3), b"%PDF-1.7 small", os.urandom(70_001)]
    records = [
        version_record(f"binaryPart{index}", f"file {index}", FirstPublishLocationId=account_id)
        for index in range(len(bodies))
    ]
    parts = [(f"binaryPart{index}", body) for index, body in enumerate(bodies)]

    response = collection_request(api, records, parts, json_part=json_part)
    results = response.json()

    assert response.status_code == 200, response.text
    assert [result["success"] for result in results] == [True, True, True]
    for result, body in zip(results, bodies, strict=True):
        assert result["id"].startswith("068")
        assert download_digest(api, result["id"]) == sha256(body)


def test_blob_insert_keeps_input_order(api):
    # Parts arrive in the reverse order of the records; results follow the records.
    records = [version_record("first", "first"), version_record("second", "second")]
    parts = [("second", b"second body"), ("first", b"first body")]

    results = collection_request(api, records, parts).json()
    titles = [api.get(f"/sobjects/ContentVersion/{result['id']}").json()["Title"] for result in results]

    assert titles == ["first", "second"]
    assert download_digest(api, results[0]["id"]) == sha256(b"first body")
    assert download_digest(api, results[1]["id"]) == sha256(b"second body")


def test_blob_insert_creates_document_and_links(api, account_id):
    records = [version_record("part", "linked", FirstPublishLocationId=account_id)]

    version_id = collection_request(api, records, [("part", b"linked body")]).json()[0]["id"]
    version = api.get(f"/sobjects/ContentVersion/{version_id}").json()
    links = api.query(
        "SELECT LinkedEntityId, ShareType FROM ContentDocumentLink "
        f"WHERE ContentDocumentId = '{version['ContentDocumentId']}'",
    ).json()["records"]

    assert version["ContentDocumentId"].startswith("069")
    assert version["ContentSize"] == len(b"linked body")
    assert {(link["LinkedEntityId"], link["ShareType"]) for link in links} >= {(account_id, "V")}


def test_blob_insert_with_plain_records(api):
    records = [
        {"attributes": {"type": "Account"}, "Name": "Plain record beside a file"},
        version_record("part", "beside an account"),
    ]

    results = collection_request(api, records, [("part", b"file body")]).json()

    assert results[0]["id"].startswith("001")
    assert results[1]["id"].startswith("068")
    assert download_digest(api, results[1]["id"]) == sha256(b"file body")


def test_blob_insert_all_or_none_rolls_back(emulator, api):
    versions_before = version_count(api)
    files_before = stored_file_count(emulator)
    records = [
        version_record("good", "good"),
        version_record("bad", "bad", PathOnClient=None),
        version_record("after", "after"),
    ]

    response = collection_request(
        api, records, [("good", b"good"), ("bad", b"bad"), ("after", b"after")], all_or_none=True,
    )
    results = response.json()

    assert response.status_code == 200, response.text
    assert [result["success"] for result in results] == [False, False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert results[2]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert version_count(api) == versions_before
    assert stored_file_count(emulator) == files_before


def test_blob_insert_partial_failure_keeps_others(emulator, api):
    files_before = stored_file_count(emulator)
    records = [version_record("good", "good"), version_record("bad", "bad", PathOnClient=None)]

    results = collection_request(api, records, [("good", b"kept"), ("bad", b"dropped")]).json()

    assert results[0]["success"] is True
    assert results[1]["success"] is False
    assert download_digest(api, results[0]["id"]) == sha256(b"kept")
    assert stored_file_count(emulator) == files_before + 1


def test_blob_insert_planned_record_failure(emulator, api):
    files_before = stored_file_count(emulator)
    emulator.faults.fail_collection_record(index=1, error_code="UNABLE_TO_LOCK_ROW")
    records = [version_record("zero", "zero"), version_record("one", "one")]

    results = collection_request(api, records, [("zero", b"zero"), ("one", b"one")]).json()

    assert results[0]["success"] is True
    assert results[1]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert stored_file_count(emulator) == files_before + 1


def test_blob_insert_bad_alias(api):
    record = version_record("part", "aliased")
    record["attributes"]["binaryPartNameAlias"] = "Title"

    results = collection_request(api, [record], [("part", b"body")]).json()

    assert results[0]["success"] is False
    assert results[0]["errors"][0]["statusCode"] == "INVALID_FIELD"


def test_blob_insert_missing_binary_part(emulator, api):
    files_before = stored_file_count(emulator)
    records = [version_record("present", "present"), version_record("absent", "absent")]

    response = collection_request(api, records, [("present", b"body")])

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_MULTIPART_REQUEST"
    assert "absent" in response.json()[0]["message"]
    assert stored_file_count(emulator) == files_before


def test_blob_insert_part_named_by_no_record(emulator, api):
    files_before = stored_file_count(emulator)
    records = [version_record("named", "named")]

    response = collection_request(api, records, [("named", b"body"), ("stray", b"stray body")])

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_MULTIPART_REQUEST"
    assert "stray" in response.json()[0]["message"]
    assert stored_file_count(emulator) == files_before


def test_blob_insert_missing_json_part(emulator, api):
    files_before = stored_file_count(emulator)
    files = [("binaryPart1", ("a.bin", b"body", "application/octet-stream"))]

    response = api.post("/composite/sobjects", files=files)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_MULTIPART_REQUEST"
    assert response.json()[0]["message"] == "Multipart message must include a non-binary part"
    assert stored_file_count(emulator) == files_before


def test_blob_insert_too_many_records(api):
    records = [version_record(f"part{index}", f"file {index}") for index in range(201)]

    response = collection_request(api, records, [("part0", b"body")])

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_blob_insert_total_over_limit(emulator, api, monkeypatch):
    # The server runs in this process, so a lower limit keeps the test small.
    monkeypatch.setattr(collection_upload, "MAX_TOTAL_BYTES", 1000)
    files_before = stored_file_count(emulator)
    records = [version_record("one", "one"), version_record("two", "two")]

    response = collection_request(api, records, [("one", b"x" * 600), ("two", b"y" * 600)])

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "MAXIMUM_SIZE_OF_DOCUMENT"
    assert stored_file_count(emulator) == files_before


def test_blob_insert_total_at_limit(api, monkeypatch):
    monkeypatch.setattr(collection_upload, "MAX_TOTAL_BYTES", 1200)
    records = [version_record("one", "one"), version_record("two", "two")]

    response = collection_request(api, records, [("one", b"x" * 600), ("two", b"y" * 600)])

    assert response.status_code == 200, response.text
    assert [result["success"] for result in response.json()] == [True, True]


def test_json_part_with_lone_surrogate_is_rejected(emulator):
    token = emulator.access_token()
    collection = b'{"allOrNone": false, "records": [{"attributes": {"type": "Account"}, "Name": "\\ud800"}]}'

    response = requests.post(
        f"{emulator.instance_url}/services/data/v62.0/composite/sobjects",
        files={"collection": (None, collection, "application/json")},
        headers={"Authorization": f"Bearer {token}"},
        verify=str(emulator.ca_file),
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
