"""simple-salesforce, unchanged, against the emulator: every call here goes through it.

simple-salesforce's `Salesforce(username=..., password=..., security_token=...)` always
sends its SOAP login to `https://{domain}.salesforce.com`, so it cannot reach another
host. Its public `SalesforceLogin` function runs the same SOAP login against the URL
given as `scratch_url`. The suite logs in with it and hands the session to
`Salesforce(session_id=..., instance=...)`, as a script for a scratch org does."""

import base64
import datetime
import hashlib
import time
import uuid
import zipfile

import pytest
import requests
from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from .conftest import API_VERSION

PAGING_RECORDS = 2050
TREE_BATCH = 200
METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
DEPLOY_TIMEOUT_SECONDS = 20
DEPLOY_DONE_STATES = {"Succeeded", "SucceededPartial", "Failed", "Canceled"}


def log_in(emulator, http: requests.Session) -> Salesforce:
    """Log in by SOAP with username, password and security token, and return a client."""
    session_id, instance = SalesforceLogin(
        username=emulator.username,
        password=emulator.password,
        security_token=emulator.security_token,
        sf_version=API_VERSION,
        scratch_url=emulator.login_url,
        session=http,
    )
    return Salesforce(session_id=session_id, instance=instance, session=http, version=API_VERSION)


@pytest.fixture
def http(emulator):
    session = requests.Session()
    session.verify = str(emulator.ca_file)
    yield session
    session.close()


@pytest.fixture
def sf(emulator, http) -> Salesforce:
    return log_in(emulator, http)


@pytest.fixture
def account_id(sf) -> str:
    return sf.Account.create({"Name": f"Conformance {uuid.uuid4().hex[:8]}"})["id"]


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


# Login ---------------------------------------------------------------------------------


def test_soap_login_returns_session_and_instance(emulator, http):
    session_id, instance = SalesforceLogin(
        username=emulator.username, password=emulator.password,
        security_token=emulator.security_token, sf_version=API_VERSION,
        scratch_url=emulator.login_url, session=http,
    )

    assert session_id
    assert f"https://{instance}" == emulator.instance_url


def test_soap_login_session_reads_own_user(emulator, sf):
    result = sf.query(f"SELECT Id, Username FROM User WHERE Username = '{emulator.username}'")

    assert result["totalSize"] == 1
    assert result["records"][0]["Username"] == emulator.username


def test_soap_login_wrong_password(emulator, http):
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        SalesforceLogin(
            username=emulator.username, password="not-the-password",
            security_token=emulator.security_token, sf_version=API_VERSION,
            scratch_url=emulator.login_url, session=http,
        )

    assert caught.value.code == "INVALID_LOGIN"


def test_soap_login_wrong_security_token(emulator, http):
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        SalesforceLogin(
            username=emulator.username, password=emulator.password, security_token="WrongToken123",
            sf_version=API_VERSION, scratch_url=emulator.login_url, session=http,
        )

    assert caught.value.code == "INVALID_LOGIN"


def test_soap_login_without_security_token(emulator, http):
    # The emulator treats every caller as inside the org's trusted IP ranges, where
    # Salesforce accepts the password alone.
    session_id, _ = SalesforceLogin(
        username=emulator.username, password=emulator.password, security_token="",
        sf_version=API_VERSION, scratch_url=emulator.login_url, session=http,
    )

    assert session_id


# Records -------------------------------------------------------------------------------


def test_record_create_get_update_delete(sf, account_id):
    created = sf.Contract_Request__c.create({
        "Name": "Renewal for Conformance", "Account__c": account_id,
        "Proposed_Value__c": 12500.5, "Term_Months__c": 24,
    })
    request_id = created["id"]

    assert created["success"] is True
    assert created["errors"] == []
    assert len(request_id) == 18

    record = sf.Contract_Request__c.get(request_id)
    assert record["Name"] == "Renewal for Conformance"
    assert record["Account__c"] == account_id
    assert record["Status__c"] == "Draft"
    assert record["Proposed_Value__c"] == 12500.5
    assert record["attributes"]["type"] == "Contract_Request__c"

    assert sf.Contract_Request__c.update(request_id, {"Status__c": "Submitted"}) == 204
    assert sf.Contract_Request__c.get(request_id)["Status__c"] == "Submitted"

    assert sf.Contract_Request__c.delete(request_id) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contract_Request__c.get(request_id)


def test_record_get_by_15_character_id(sf, account_id):
    record = sf.Account.get(account_id[:15])

    assert record["Id"] == account_id


def test_upsert_by_external_id(sf):
    code = uuid.uuid4().hex[:12].upper()

    created = sf.Contract_Type__c.upsert(f"ContractDesk_Code__c/{code}", {"Name": "Upserted NDA"})
    updated = sf.Contract_Type__c.upsert(f"ContractDesk_Code__c/{code}", {"Name": "Upserted MSA"})
    record = sf.Contract_Type__c.get_by_custom_id("ContractDesk_Code__c", code)

    assert created == 201
    assert updated == 200
    assert record["Name"] == "Upserted MSA"


def test_record_get_missing(sf, account_id):
    sf.Account.delete(account_id)

    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Account.get(account_id)

    assert caught.value.status == 404


# Queries -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paging_accounts(emulator) -> str:
    """Create PAGING_RECORDS accounts through sObject Tree and return their common name prefix."""
    prefix = unique("Paging")
    with pytest.MonkeyPatch.context() as patch, requests.Session() as http:
        patch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        patch.delenv("CURL_CA_BUNDLE", raising=False)
        http.verify = str(emulator.ca_file)
        client = log_in(emulator, http)
        for start in range(0, PAGING_RECORDS, TREE_BATCH):
            records = [
                {"attributes": {"type": "Account", "referenceId": f"ref{number}"}, "Name": f"{prefix} {number:05d}"}
                for number in range(start, min(start + TREE_BATCH, PAGING_RECORDS))
            ]
            result = client.restful("composite/tree/Account", method="POST", json={"records": records})
            assert result["hasErrors"] is False
    return prefix


def test_query_first_page_has_2000_records(sf, paging_accounts):
    result = sf.query(f"SELECT Id, Name FROM Account WHERE Name LIKE '{paging_accounts} %' ORDER BY Name")

    assert result["totalSize"] == PAGING_RECORDS
    assert result["done"] is False
    assert len(result["records"]) == 2000
    assert result["nextRecordsUrl"].startswith(f"/services/data/v{API_VERSION}/query/01g")


def test_query_more_reads_next_page(sf, paging_accounts):
    first = sf.query(f"SELECT Id, Name FROM Account WHERE Name LIKE '{paging_accounts} %' ORDER BY Name")

    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)

    assert second["done"] is True
    assert "nextRecordsUrl" not in second
    assert len(second["records"]) == PAGING_RECORDS - 2000
    assert second["records"][0]["Name"] == f"{paging_accounts} 02000"


def test_query_more_by_locator_id(sf, paging_accounts):
    first = sf.query(f"SELECT Id FROM Account WHERE Name LIKE '{paging_accounts} %'")
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1]

    second = sf.query_more(locator)

    assert len(second["records"]) == PAGING_RECORDS - 2000


def test_query_all_collects_every_page(sf, paging_accounts):
    result = sf.query_all(f"SELECT Id FROM Account WHERE Name LIKE '{paging_accounts} %'")

    assert result["totalSize"] == PAGING_RECORDS
    assert len({record["Id"] for record in result["records"]}) == PAGING_RECORDS


def test_query_batch_size_header(sf, paging_accounts):
    soql = f"SELECT Id FROM Account WHERE Name LIKE '{paging_accounts} %'"
    headers = {"Sforce-Query-Options": "batchSize=500"}

    first = sf.query(soql, headers=headers)
    pages = list(sf.query_all_iter(soql, headers=headers))

    assert len(first["records"]) == 500
    assert len(pages) == PAGING_RECORDS


def test_query_include_deleted(sf, account_id):
    sf.Account.delete(account_id)
    soql = f"SELECT Id, IsDeleted FROM Account WHERE Id = '{account_id}'"

    live = sf.query(soql)
    everything = sf.query_all(soql, include_deleted=True)

    assert live["totalSize"] == 0
    assert everything["records"][0]["IsDeleted"] is True


def test_query_parent_and_child_relationships(sf, account_id):
    name = unique("Related")
    sf.Contract_Request__c.create({"Name": name, "Account__c": account_id})

    child_side = sf.query(f"SELECT Name, Account__r.Name FROM Contract_Request__c WHERE Name = '{name}'")
    parent_side = sf.query(
        f"SELECT Name, (SELECT Name FROM Contract_Requests__r) FROM Account WHERE Id = '{account_id}'",
    )

    account = child_side["records"][0]["Account__r"]
    children = parent_side["records"][0]["Contract_Requests__r"]
    assert account["attributes"]["type"] == "Account"
    assert account["Name"].startswith("Conformance ")
    assert children["totalSize"] == 1
    assert children["records"][0]["Name"] == name


def test_query_count(sf, paging_accounts):
    result = sf.query(f"SELECT COUNT() FROM Account WHERE Name LIKE '{paging_accounts} %'")

    assert result["totalSize"] == PAGING_RECORDS
    assert result["records"] == []


def test_query_group_by(sf):
    name = unique("Grouped")
    records = [
        {"attributes": {"type": "Contract_Request__c"}, "Name": name, "Status__c": status}
        for status in ["Draft", "Draft", "Submitted", "Submitted", "Submitted"]
    ]
    sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": records})

    result = sf.query(
        f"SELECT Status__c, COUNT(Id) total FROM Contract_Request__c WHERE Name = '{name}' "
        "GROUP BY Status__c ORDER BY Status__c",
    )

    assert [row["Status__c"] for row in result["records"]] == ["Draft", "Submitted"]
    assert [row["total"] for row in result["records"]] == [2, 3]
    assert result["records"][0]["attributes"]["type"] == "AggregateResult"


# Composite resources -------------------------------------------------------------------


def test_composite_with_reference(sf):
    name = unique("Composite")
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST", "url": f"/services/data/v{API_VERSION}/sobjects/Account",
                "referenceId": "newAccount", "body": {"Name": name},
            },
            {
                "method": "POST", "url": f"/services/data/v{API_VERSION}/sobjects/Contract_Request__c",
                "referenceId": "newRequest",
                "body": {"Name": f"{name} request", "Account__c": "@{newAccount.id}"},
            },
            {
                "method": "GET", "referenceId": "readBack",
                "url": f"/services/data/v{API_VERSION}/sobjects/Contract_Request__c/@{{newRequest.id}}",
            },
        ],
    }

    result = sf.restful("composite", method="POST", json=body)

    responses = {item["referenceId"]: item for item in result["compositeResponse"]}
    assert responses["newAccount"]["httpStatusCode"] == 201
    assert responses["newRequest"]["httpStatusCode"] == 201
    assert responses["readBack"]["httpStatusCode"] == 200
    assert responses["readBack"]["body"]["Account__c"] == responses["newAccount"]["body"]["id"]


def test_composite_batch(sf, account_id):
    body = {
        "batchRequests": [
            {"method": "GET", "url": f"v{API_VERSION}/sobjects/Account/{account_id}"},
            {"method": "PATCH", "url": f"v{API_VERSION}/sobjects/Account/{account_id}",
             "richInput": {"Industry": "Energy"}},
        ],
    }

    result = sf.restful("composite/batch", method="POST", json=body)

    assert result["hasErrors"] is False
    assert [item["statusCode"] for item in result["results"]] == [200, 204]
    assert sf.Account.get(account_id)["Industry"] == "Energy"


def test_collections_create_update_read_delete(sf):
    names = [unique("Collection") for _ in range(3)]
    records = [{"attributes": {"type": "Account"}, "Name": name} for name in names]

    created = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": records})
    ids = [item["id"] for item in created]
    updates = [{"attributes": {"type": "Account"}, "id": record_id, "Industry": "Retail"} for record_id in ids]
    updated = sf.restful("composite/sobjects", method="PATCH", json={"allOrNone": True, "records": updates})
    read = sf.restful("composite/sobjects/Account", params={"ids": ",".join(ids), "fields": "Name,Industry"})
    deleted = sf.restful("composite/sobjects", method="DELETE", params={"ids": ",".join(ids)})

    assert all(item["success"] for item in created)
    assert all(item["success"] for item in updated)
    assert [record["Name"] for record in read] == names
    assert {record["Industry"] for record in read} == {"Retail"}
    assert [item["id"] for item in deleted] == ids
    assert all(item["success"] for item in deleted)


def test_collections_partial_failure(sf):
    records = [
        {"attributes": {"type": "Contract_Request__c"}, "Name": unique("Good")},
        {"attributes": {"type": "Contract_Request__c"}, "Name": unique("Bad"), "Status__c": "Nonsense"},
    ]

    result = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": records})

    assert result[0]["success"] is True
    assert result[1]["success"] is False
    assert result[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert result[1]["errors"][0]["fields"] == ["Status__c"]


# Files ---------------------------------------------------------------------------------


def test_file_upload_and_download(sf, account_id):
    request_id = sf.Contract_Request__c.create({"Name": unique("Files"), "Account__c": account_id})["id"]
    body = b"%PDF-1.7\n" + bytes(range(256)) * 40

    version_id = sf.ContentVersion.create({
        "Title": "Draft agreement", "PathOnClient": "draft agreement.pdf",
        "VersionData": base64.b64encode(body).decode(), "FirstPublishLocationId": request_id,
    })["id"]
    downloaded = sf.ContentVersion.get_base64(version_id, base64_field="VersionData")
    version = sf.ContentVersion.get(version_id)
    links = sf.query(
        f"SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '{request_id}'",
    )

    assert hashlib.sha256(downloaded).digest() == hashlib.sha256(body).digest()
    assert version["ContentSize"] == len(body)
    assert version["FileExtension"] == "pdf"
    assert links["records"][0]["ContentDocumentId"] == version["ContentDocumentId"]


# Describe and limits -------------------------------------------------------------------


def test_describe_global(sf):
    result = sf.describe()

    names = {item["name"] for item in result["sobjects"]}
    assert {"Account", "Contract_Request__c", "Contract_Type__c", "ContentVersion"} <= names
    assert result["maxBatchSize"] == 200


def test_describe_object(sf):
    result = sf.Contract_Request__c.describe()

    fields = {field["name"]: field for field in result["fields"]}
    statuses = [value["value"] for value in fields["Status__c"]["picklistValues"]]
    assert result["custom"] is True
    assert fields["Account__c"]["referenceTo"] == ["Account"]
    assert fields["Account__c"]["relationshipName"] == "Account__r"
    assert statuses == ["Draft", "Submitted", "Pending", "Accepted", "Declined", "Cancelled"]


def test_object_metadata(sf):
    result = sf.Contract_Request__c.metadata()

    assert result["objectDescribe"]["name"] == "Contract_Request__c"
    assert result["objectDescribe"]["keyPrefix"].startswith("a")


def test_limits_and_usage_header(sf):
    limits = sf.limits()

    assert limits["DailyApiRequests"]["Max"] == 100000
    assert sf.api_usage["api-usage"].total == 100000
    assert sf.api_usage["api-usage"].used >= 1


def test_updated_and_deleted_windows(sf, account_id):
    # getUpdated and getDeleted drop the seconds, so the window ends a minute ahead.
    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(minutes=2), now + datetime.timedelta(minutes=2)

    sf.Account.update(account_id, {"Industry": "Energy"})
    updated = sf.Account.updated(start, end)
    sf.Account.delete(account_id)
    deleted = sf.Account.deleted(start, end)

    assert account_id in updated["ids"]
    assert "latestDateCovered" in updated
    assert account_id in [record["id"] for record in deleted["deletedRecords"]]


# Bulk API 2.0 --------------------------------------------------------------------------


def test_bulk2_query(sf, paging_accounts):
    pages = list(sf.bulk2.Account.query(
        f"SELECT Id, Name FROM Account WHERE Name LIKE '{paging_accounts} %'", max_records=1000, wait=0.05,
    ))

    rows = [line for page in pages for line in page.splitlines()[1:] if line]
    assert pages[0].splitlines()[0] == '"Id","Name"'
    assert len(pages) == 3
    assert len(rows) == PAGING_RECORDS


# Metadata API deploy ------------------------------------------------------------------


def gadget_package(path) -> str:
    """Write a Metadata API package with one custom object and a text field; return its path."""
    manifest = (
        f'<?xml version="1.0" encoding="UTF-8"?><Package xmlns="{METADATA_NS}">'
        "<types><members>Py_Gadget__c</members><name>CustomObject</name></types>"
        f"<version>{API_VERSION}</version></Package>"
    )
    custom_object = (
        f'<?xml version="1.0" encoding="UTF-8"?><CustomObject xmlns="{METADATA_NS}">'
        "<deploymentStatus>Deployed</deploymentStatus>"
        "<fields><fullName>Serial__c</fullName><label>Serial</label><length>40</length><type>Text</type></fields>"
        "<label>Gadget</label><nameField><label>Gadget Name</label><type>Text</type></nameField>"
        "<pluralLabel>Gadgets</pluralLabel><sharingModel>ReadWrite</sharingModel></CustomObject>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("package.xml", manifest)
        archive.writestr("objects/Py_Gadget__c.object", custom_object)
    return str(path)


def wait_for_deploy(sf: Salesforce, async_id: str) -> dict:
    """Poll checkDeployStatus until the deploy is done, for at most DEPLOY_TIMEOUT_SECONDS."""
    deadline = time.monotonic() + DEPLOY_TIMEOUT_SECONDS
    while True:
        status = sf.checkDeployStatus(async_id)
        if status["state"] in DEPLOY_DONE_STATES:
            return status
        if time.monotonic() > deadline:
            pytest.fail(f"deploy {async_id} was still {status['state']} after {DEPLOY_TIMEOUT_SECONDS} s")
        time.sleep(0.1)


def test_metadata_deploy(sf, tmp_path):
    started = sf.deploy(gadget_package(tmp_path / "package.zip"), sandbox=False)
    status = wait_for_deploy(sf, started["asyncId"])

    fields = [field["name"] for field in sf.Py_Gadget__c.describe()["fields"]]
    created = sf.Py_Gadget__c.create({"Name": "G-1", "Serial__c": "S-1"})

    assert status["state"] == "Succeeded"
    assert "Serial__c" in fields
    assert created["success"] is True


# Errors --------------------------------------------------------------------------------


def test_malformed_query_error(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id FROM Account WHERE")

    assert caught.value.content[0]["errorCode"] == "MALFORMED_QUERY"


def test_invalid_field_error(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id, No_Such_Field__c FROM Account")

    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_required_field_error(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.create({"Industry": "Energy"})

    assert caught.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert caught.value.content[0]["fields"] == ["Name"]


def test_unknown_object_error(sf):
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.No_Such_Object__c.describe()

    assert caught.value.content[0]["errorCode"] == "NOT_FOUND"


def test_expired_session_error(emulator, sf):
    sf.limits()
    emulator.org.sessions.expire_all()

    with pytest.raises(SalesforceExpiredSession) as caught:
        sf.limits()

    assert caught.value.content[0]["errorCode"] == "INVALID_SESSION_ID"


def test_request_limit_error(emulator, sf):
    emulator.faults.fail_next(
        1, status=403, error_code="REQUEST_LIMIT_EXCEEDED", message="TotalRequests Limit exceeded.",
    )

    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf.limits()

    assert caught.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_server_error(emulator, sf):
    emulator.faults.fail_next(1, status=503)

    with pytest.raises(SalesforceGeneralError) as caught:
        sf.limits()

    assert caught.value.status == 503
    assert sf.limits()["DailyApiRequests"]["Max"] == 100000
