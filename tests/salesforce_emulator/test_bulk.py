"""Bulk API 2.0 query jobs: job life cycle, CSV results and their paging, errors, and simple-salesforce's bulk2."""

import csv
import io
import itertools
import time

import pytest
import requests
from simple_salesforce import Salesforce

from salesforce_emulator.testing import running_emulator

from .conftest import API_VERSION, FIXTURE_PACKAGE, RestClient

FINAL_STATES = {"JobComplete", "Failed", "Aborted"}
_NAMES = itertools.count(1)


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """An emulator of its own, so delays and failures planned here reach no other test."""
    with running_emulator(tmp_path_factory.mktemp("org"), FIXTURE_PACKAGE) as running:
        yield running


@pytest.fixture
def api(org):
    client = RestClient(org, org.access_token())
    yield client
    org.faults.clear()
    client.http.close()


@pytest.fixture
def accounts(api) -> str:
    """Five accounts with a shared name prefix, one of them with a contact; returns the prefix."""
    prefix = f"Bulk{next(_NAMES)}"
    records = [
        {"attributes": {"type": "Account"}, "Name": f"{prefix} {index}", "NumberOfEmployees": index}
        for index in range(5)
    ]
    records[1]["Name"] = f'{prefix} 1 "Quoted", Inc'
    records[2]["Description"] = "two\nlines"
    results = api.post("/composite/sobjects", json={"records": records}).json()
    api.create("Contact", {"LastName": f"{prefix} Contact", "AccountId": results[0]["id"]})
    return prefix


def create_job(api, soql: str, **options) -> dict:
    response = api.post("/jobs/query", json={"operation": "query", "query": soql, **options})
    assert response.status_code == 200, response.text
    return response.json()


def wait(api, job_id: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        info = api.get(f"/jobs/query/{job_id}").json()
        if info["state"] in FINAL_STATES:
            return info
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish: {info}")


def parse_csv(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_create_job_answer(api, accounts):
    job = create_job(api, f"SELECT Id FROM Account WHERE Name LIKE '{accounts}%'")

    assert job["id"].startswith("750")
    assert job["operation"] == "query"
    assert job["object"] == "Account"
    assert job["state"] == "UploadComplete"
    assert job["concurrencyMode"] == "Parallel"
    assert job["contentType"] == "CSV"
    assert job["apiVersion"] == float(API_VERSION)
    assert job["lineEnding"] == "LF"
    assert job["columnDelimiter"] == "COMMA"
    assert job["createdDate"].endswith("+0000")


def test_job_completes_with_counts(api, accounts):
    job = create_job(api, f"SELECT Id FROM Account WHERE Name LIKE '{accounts}%'")

    info = wait(api, job["id"])

    assert info["state"] == "JobComplete"
    assert info["jobType"] == "V2Query"
    assert info["numberRecordsProcessed"] == 5
    assert info["retries"] == 0
    assert isinstance(info["totalProcessingTime"], int)


def test_results_csv_conventions(api, accounts):
    soql = (
        "SELECT Id, Name, NumberOfEmployees, Description, Owner.Name, Parent.Name, CreatedDate "
        f"FROM Account WHERE Name LIKE '{accounts}%' ORDER BY Name"
    )
    job = create_job(api, soql)
    wait(api, job["id"])

    response = api.get(f"/jobs/query/{job['id']}/results")
    rows = parse_csv(response.text)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Sforce-NumberOfRecords"] == "5"
    assert response.headers["Sforce-Locator"] == "null"
    assert response.text.startswith('"Id","Name","NumberOfEmployees","Description","Owner.Name","Parent.Name",')
    assert rows[0] == ["Id", "Name", "NumberOfEmployees", "Description", "Owner.Name", "Parent.Name", "CreatedDate"]
    assert f'"{accounts} 1 ""Quoted"", Inc"' in response.text
    assert rows[3][3] == "two\nlines"
    assert rows[1][5] == ""
    assert rows[1][4] == "Emulator Admin"
    assert rows[1][6].endswith("Z")
    assert len(rows) == 6


def test_results_paged_by_max_records(api, accounts):
    job = create_job(api, f"SELECT Id, Name FROM Account WHERE Name LIKE '{accounts}%' ORDER BY Name")
    wait(api, job["id"])

    pages = [api.get(f"/jobs/query/{job['id']}/results", params={"maxRecords": 2})]
    locators = []
    while pages[-1].headers["Sforce-Locator"] != "null":
        locators.append(pages[-1].headers["Sforce-Locator"])
        pages.append(api.get(f"/jobs/query/{job['id']}/results", params={"maxRecords": 2, "locator": locators[-1]}))
    again = api.get(f"/jobs/query/{job['id']}/results", params={"maxRecords": 2, "locator": locators[0]})

    assert [page.headers["Sforce-NumberOfRecords"] for page in pages] == ["2", "2", "1"]
    assert all(parse_csv(page.text)[0] == ["Id", "Name"] for page in pages)
    names = [row[1] for page in pages for row in parse_csv(page.text)[1:]]
    assert names == sorted(names)
    assert len(set(names)) == 5
    assert again.text == pages[1].text


def test_query_all_includes_deleted(api, accounts):
    doomed = api.query(f"SELECT Id FROM Account WHERE Name = '{accounts} 4'").json()["records"][0]["Id"]
    api.delete(f"/sobjects/Account/{doomed}")

    live = create_job(api, f"SELECT Id, IsDeleted FROM Account WHERE Name LIKE '{accounts}%'")
    everything = create_job(
        api, f"SELECT Id, IsDeleted FROM Account WHERE Name LIKE '{accounts}%'", operation="queryAll",
    )
    wait(api, live["id"])
    wait(api, everything["id"])
    live_rows = parse_csv(api.get(f"/jobs/query/{live['id']}/results").text)[1:]
    all_rows = parse_csv(api.get(f"/jobs/query/{everything['id']}/results").text)[1:]

    assert everything["operation"] == "queryAll"
    assert len(live_rows) == 4
    assert len(all_rows) == 5
    assert [doomed, "true"] in all_rows
    assert all(row[1] == "false" for row in live_rows)


def test_delimiter_and_line_ending(api, accounts):
    job = create_job(
        api, f"SELECT Id, Name FROM Account WHERE Name LIKE '{accounts}%'",
        columnDelimiter="PIPE", lineEnding="CRLF",
    )
    wait(api, job["id"])

    text = api.get(f"/jobs/query/{job['id']}/results").text

    assert job["columnDelimiter"] == "PIPE"
    assert text.startswith('"Id"|"Name"\r\n')
    assert len(parse_csv(text, delimiter="|")) == 6


def test_results_before_completion(api, org, accounts):
    org.faults.delay_bulk_jobs(1.0)
    job = create_job(api, f"SELECT Id FROM Account WHERE Name LIKE '{accounts}%'")

    early = api.get(f"/jobs/query/{job['id']}/results")
    state = api.get(f"/jobs/query/{job['id']}").json()["state"]
    org.faults.delay_bulk_jobs(0)
    wait(api, job["id"])

    assert state == "UploadComplete"
    assert early.status_code == 412
    assert early.json() == [{
        "message": "can only download query results of successfully completed bulk job with status: "
                   "JOB_COMPLETE. Current status: UPLOAD_COMPLETE",
        "errorCode": "JOB_NOT_COMPLETE",
    }]


def test_abort_then_delete(api, org, accounts):
    org.faults.delay_bulk_jobs(0.5)
    job = create_job(api, f"SELECT Id FROM Account WHERE Name LIKE '{accounts}%'")

    in_flight_delete = api.delete(f"/jobs/query/{job['id']}")
    aborted = api.patch(f"/jobs/query/{job['id']}", json={"state": "Aborted"})
    time.sleep(0.7)
    after = api.get(f"/jobs/query/{job['id']}").json()
    abort_again = api.patch(f"/jobs/query/{job['id']}", json={"state": "Aborted"})
    deleted = api.delete(f"/jobs/query/{job['id']}")
    gone = api.get(f"/jobs/query/{job['id']}")

    assert in_flight_delete.status_code == 400
    assert in_flight_delete.json()[0]["errorCode"] == "INVALIDJOBSTATE"
    assert aborted.status_code == 200
    assert aborted.json()["state"] == "Aborted"
    assert after["state"] == "Aborted"
    assert abort_again.status_code == 400
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert gone.json()[0]["errorCode"] == "NOT_FOUND"


def test_other_state_changes_are_rejected(api, accounts):
    job = create_job(api, f"SELECT Id FROM Account WHERE Name LIKE '{accounts}%'")

    response = api.patch(f"/jobs/query/{job['id']}", json={"state": "UploadComplete"})

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALIDJOBSTATE"


def test_failed_job(api, org, accounts):
    org.faults.fail_next_bulk_job("The query timed out")
    job = create_job(api, f"SELECT Id FROM Account WHERE Name LIKE '{accounts}%'")

    info = wait(api, job["id"])
    results = api.get(f"/jobs/query/{job['id']}/results")

    assert info["state"] == "Failed"
    assert info["errorMessage"] == "The query timed out"
    assert results.status_code == 412


def test_list_jobs(api, accounts):
    job = create_job(api, f"SELECT Id FROM Account WHERE Name LIKE '{accounts}%'")

    listed = api.get("/jobs/query").json()
    classic = api.get("/jobs/query", params={"jobType": "Classic"}).json()

    assert listed["done"] is True
    assert listed["nextRecordsUrl"] is None
    assert job["id"] in [record["id"] for record in listed["records"]]
    assert all(record["jobType"] == "V2Query" for record in listed["records"])
    assert classic["records"] == []


def test_results_need_the_same_api_version(api, accounts):
    job = create_job(api, f"SELECT Id FROM Account WHERE Name LIKE '{accounts}%'")
    wait(api, job["id"])

    response = api.get(f"/services/data/v61.0/jobs/query/{job['id']}/results")

    assert response.status_code == 409


@pytest.mark.parametrize(("body", "error_code", "message"), [
    ({"operation": "query", "query": "SELECT COUNT() FROM Account"}, "API_ERROR", "Aggregate queries"),
    ({"operation": "query", "query": "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry"}, "API_ERROR",
     "GROUP BY"),
    ({"operation": "query", "query": "SELECT Id FROM Account OFFSET 5"}, "API_ERROR", "OFFSET"),
    ({"operation": "query", "query": "SELECT Id, (SELECT Id FROM Contacts) FROM Account"}, "API_ERROR",
     "Aggregate Relationships not supported"),
    ({"operation": "query", "query": "SELECT Id, VersionData FROM ContentVersion"}, "API_ERROR", "Binary fields"),
    ({"operation": "query", "query": "SELEC Id FROM Account"}, "MALFORMED_QUERY", "unexpected token"),
    ({"operation": "query", "query": "SELECT Nope FROM Account"}, "INVALID_FIELD", "No such column 'Nope'"),
    ({"operation": "insert", "query": "SELECT Id FROM Account"}, "INVALIDJOB", "query or queryAll"),
    ({"operation": "query"}, "INVALIDJOB", "query is missing"),
    ({"operation": "query", "query": "SELECT Id FROM Account", "columnDelimiter": "COLON"}, "INVALIDJOB",
     "columnDelimiter"),
    ({"operation": "query", "query": "SELECT Id FROM Account", "lineEnding": "CR"}, "INVALIDJOB", "lineEnding"),
])
def test_invalid_jobs(api, body, error_code, message):
    response = api.post("/jobs/query", json=body)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == error_code
    assert message in response.json()[0]["message"]


def test_invalid_result_parameters(api, accounts):
    job = create_job(api, f"SELECT Id FROM Account WHERE Name LIKE '{accounts}%'")
    wait(api, job["id"])

    bad_max = api.get(f"/jobs/query/{job['id']}/results", params={"maxRecords": "0"})
    bad_locator = api.get(f"/jobs/query/{job['id']}/results", params={"locator": "!!"})
    unknown = api.get("/jobs/query/750Em0000009999AAA")

    assert bad_max.status_code == 400
    assert bad_locator.status_code == 400
    assert bad_locator.json()[0]["errorCode"] == "INVALID_LOCATOR"
    assert unknown.status_code == 404


def test_user_without_read_access(org, api):
    profile = api.query("SELECT Id FROM Profile WHERE Name = 'Standard User'").json()["records"][0]
    api.create("User", {
        "Username": "bulkuser@example.com", "LastName": "Bulk", "Email": "bulkuser@example.com",
        "Alias": "bulk", "ProfileId": profile["Id"], "TimeZoneSidKey": "GMT", "LocaleSidKey": "en_US",
        "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8",
    })
    client = RestClient(org, org.access_token("bulkuser@example.com"))

    refused = client.post("/jobs/query", json={"operation": "query", "query": "SELECT Id FROM Widget__c"})
    allowed = client.post("/jobs/query", json={"operation": "query", "query": "SELECT Id FROM Account"})
    client.http.close()

    assert refused.status_code == 400
    assert refused.json()[0]["errorCode"] == "INVALID_TYPE"
    assert allowed.status_code == 200


def test_simple_salesforce_bulk2_query(org, api, accounts):
    session = requests.Session()
    session.verify = str(org.ca_file)
    client = Salesforce(
        instance_url=org.instance_url, session_id=org.access_token(), session=session, version=API_VERSION,
    )

    pages = list(client.bulk2.Account.query(
        f"SELECT Id, Name FROM Account WHERE Name LIKE '{accounts}%'", max_records=2, wait=0.05,
    ))
    session.close()

    rows = [row for page in pages for row in parse_csv(page)[1:]]
    assert len(pages) == 3
    assert all(page.startswith('"Id","Name"') for page in pages)
    assert len(rows) == 5


def test_unfinished_job_runs_after_restart(tmp_path):
    data_dir = tmp_path / "org"
    with running_emulator(data_dir, FIXTURE_PACKAGE) as first:
        first.faults.delay_bulk_jobs(30)
        client = RestClient(first, first.access_token())
        job = create_job(client, "SELECT Id FROM Account")
        client.http.close()

    with running_emulator(data_dir, FIXTURE_PACKAGE) as second:
        client = RestClient(second, second.access_token())
        info = wait(client, job["id"])
        client.http.close()

    assert job["state"] == "UploadComplete"
    assert info["state"] == "JobComplete"
