"""Salesforce Files: ContentVersion uploads, VersionData downloads and document links."""

import base64
import hashlib
import json
import os

import pytest
import requests


def multipart_upload(api, values: dict, body: bytes, filename: str = "contract.pdf") -> requests.Response:
    files = {
        "entity_content": (None, json.dumps(values), "application/json"),
        "VersionData": (filename, body, "application/octet-stream"),
    }
    return api.post("/sobjects/ContentVersion", files=files)


def download(api, version_id: str) -> bytes:
    response = api.get(f"/sobjects/ContentVersion/{version_id}/VersionData")
    assert response.status_code == 200, response.text
    return response.content


@pytest.fixture
def account_id(api) -> str:
    return api.create("Account", {"Name": "Files Co"})


def test_multipart_round_trip(api, account_id):
    body = os.urandom(3 * 1024 * 1024 + 17)

    response = multipart_upload(api, {
        "Title": "Master agreement", "PathOnClient": "master agreement.pdf",
        "FirstPublishLocationId": account_id,
    }, body)
    version_id = response.json()["id"]

    assert response.status_code == 201, response.text
    assert version_id.startswith("068")
    assert hashlib.sha256(download(api, version_id)).hexdigest() == hashlib.sha256(body).hexdigest()


def test_version_fields_are_filled_in(api, account_id):
    body = b"%PDF-1.7 small"
    version_id = multipart_upload(api, {
        "Title": "Order form", "PathOnClient": "order.PDF", "FirstPublishLocationId": account_id,
    }, body).json()["id"]

    version = api.get(f"/sobjects/ContentVersion/{version_id}").json()

    assert version["ContentSize"] == len(body)
    assert version["Checksum"] == hashlib.md5(body, usedforsecurity=False).hexdigest()
    assert version["FileExtension"] == "pdf"
    assert version["FileType"] == "PDF"
    assert version["IsLatest"] is True
    assert version["VersionNumber"] == "1"
    assert version["ContentDocumentId"].startswith("069")
    assert version["VersionData"].endswith(f"/sobjects/ContentVersion/{version_id}/VersionData")


def test_first_publish_location_links_the_record(api, account_id):
    version_id = multipart_upload(api, {
        "Title": "Linked", "PathOnClient": "linked.docx", "FirstPublishLocationId": account_id,
    }, b"docx bytes").json()["id"]
    document_id = api.get(f"/sobjects/ContentVersion/{version_id}").json()["ContentDocumentId"]

    by_record = api.query(
        "SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.LatestPublishedVersionId, ShareType "
        f"FROM ContentDocumentLink WHERE LinkedEntityId = '{account_id}'"
    ).json()["records"]
    by_document = api.query(
        f"SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '{document_id}'"
    ).json()["records"]

    assert len(by_record) == 1
    assert by_record[0]["ContentDocumentId"] == document_id
    assert by_record[0]["ContentDocument"]["Title"] == "Linked"
    assert by_record[0]["ContentDocument"]["LatestPublishedVersionId"] == version_id
    assert {link["LinkedEntityId"] for link in by_document} == {account_id, api.emulator.org.admin_id}


def test_json_base64_upload(api, account_id):
    body = b"plain text contract"

    response = api.post("/sobjects/ContentVersion", json={
        "Title": "Notes", "PathOnClient": "notes.txt", "FirstPublishLocationId": account_id,
        "VersionData": base64.b64encode(body).decode(),
    })

    assert response.status_code == 201, response.text
    assert download(api, response.json()["id"]) == body


def test_new_version_of_a_document(api, account_id):
    first_id = multipart_upload(api, {
        "Title": "Draft", "PathOnClient": "draft.docx", "FirstPublishLocationId": account_id,
    }, b"version one").json()["id"]
    document_id = api.get(f"/sobjects/ContentVersion/{first_id}").json()["ContentDocumentId"]

    second_id = multipart_upload(api, {
        "Title": "Signed", "PathOnClient": "signed.pdf", "ContentDocumentId": document_id,
        "ReasonForChange": "signed copy",
    }, b"version two").json()["id"]

    versions = api.query(
        f"SELECT Id, VersionNumber, IsLatest FROM ContentVersion WHERE ContentDocumentId = '{document_id}' "
        "ORDER BY VersionNumber"
    ).json()["records"]
    document = api.get(f"/sobjects/ContentDocument/{document_id}").json()
    assert [(version["VersionNumber"], version["IsLatest"]) for version in versions] == [("1", False), ("2", True)]
    assert document["LatestPublishedVersionId"] == second_id
    assert document["Title"] == "Signed"
    assert document["FileType"] == "PDF"


def test_version_child_subquery(api, account_id):
    multipart_upload(api, {"Title": "Sub", "PathOnClient": "sub.pdf", "FirstPublishLocationId": account_id}, b"x")

    record = api.query(
        f"SELECT Id, (SELECT ContentDocumentId FROM ContentDocumentLinks) FROM Account WHERE Id = '{account_id}'"
    ).json()["records"][0]

    assert record["ContentDocumentLinks"]["totalSize"] == 1


def test_link_document_to_another_record(api, account_id):
    version_id = multipart_upload(api, {"Title": "Shared", "PathOnClient": "shared.pdf"}, b"shared").json()["id"]
    document_id = api.get(f"/sobjects/ContentVersion/{version_id}").json()["ContentDocumentId"]

    created = api.post("/sobjects/ContentDocumentLink", json={
        "ContentDocumentId": document_id, "LinkedEntityId": account_id, "ShareType": "V", "Visibility": "AllUsers",
    })
    duplicate = api.post("/sobjects/ContentDocumentLink", json={
        "ContentDocumentId": document_id, "LinkedEntityId": account_id, "ShareType": "V",
    })
    bad_share = api.post("/sobjects/ContentDocumentLink", json={
        "ContentDocumentId": document_id, "LinkedEntityId": account_id, "ShareType": "X",
    })

    assert created.status_code == 201, created.text
    assert duplicate.json()[0]["errorCode"] == "DUPLICATE_VALUE"
    assert bad_share.json()[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_upload_without_body_is_rejected(api):
    response = api.post("/sobjects/ContentVersion", json={"Title": "Empty", "PathOnClient": "empty.pdf"})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert response.json()[0]["fields"] == ["VersionData"]


def test_failed_upload_leaves_no_file(api, emulator):
    before = set(os.listdir(emulator.org.files.folder))

    response = multipart_upload(api, {"Title": "Bad", "PathOnClient": "bad.pdf", "Bogus": 1}, b"abc")

    assert response.status_code == 400
    assert set(os.listdir(emulator.org.files.folder)) == before


def test_multipart_without_entity_content(api):
    response = api.post("/sobjects/ContentVersion", files={"VersionData": ("x.pdf", b"x", "application/pdf")})

    assert response.status_code == 400
    assert "entity_content" in response.json()[0]["message"]


def test_missing_version_body_is_not_found(api):
    response = api.get("/sobjects/ContentVersion/068Em00000000zzIAA/VersionData")

    assert response.status_code == 404
