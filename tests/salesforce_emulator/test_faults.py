"""Faults on demand and sessions: timeouts, used-up limits, delays, locked rows, partial collection failures."""

import json
import signal
import subprocess
import sys
import time

import pytest
import requests

from salesforce_emulator.testing import running_emulator

from .conftest import FIXTURE_PACKAGE, RestClient

LIMIT_EXCEEDED = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """An emulator of its own, so the faults planned here never reach other tests."""
    with running_emulator(tmp_path_factory.mktemp("org"), FIXTURE_PACKAGE) as running:
        yield running


@pytest.fixture
def api(org):
    client = RestClient(org, org.access_token())
    yield client
    org.faults.clear()
    client.http.close()


def _accounts(count: int) -> list[dict]:
    return [{"attributes": {"type": "Account"}, "Name": f"Collection {index}"} for index in range(count)]


def test_session_expires_after_timeout(tmp_path):
    with running_emulator(tmp_path / "org", session_seconds=1.0) as org:
        client = RestClient(org, org.access_token())
        first = client.get("/limits/")
        time.sleep(0.7)
        extended = client.get("/limits/")
        time.sleep(0.8)
        still_valid = client.get("/limits/")
        time.sleep(1.2)
        expired = client.get("/limits/")
        client.http.close()

    assert first.status_code == 200
    assert extended.status_code == 200
    assert still_valid.status_code == 200
    assert expired.status_code == 401
    assert expired.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_session_seconds_option(tmp_path):
    data_dir = tmp_path / "org"
    process = subprocess.Popen(  # noqa: S603 - our own module with fixed arguments
        [sys.executable, "-m", "salesforce_emulator", "serve", "--data-dir", str(data_dir),
         "--port", "0", "--log-level", "warning", "--session-seconds", "0.5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        process.stdout.readline()
        credentials = json.loads((data_dir / "credentials.json").read_text())
        token = requests.post(f"{credentials['login_url']}/services/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        }, headers={"Connection": "close"}, verify=credentials["ca_file"], timeout=30).json()["access_token"]
        time.sleep(0.7)
        expired = requests.get(
            f"{credentials['instance_url']}/services/data/v62.0/limits/",
            # Closing the connection lets the server stop at once instead of waiting for it.
            headers={"Authorization": f"Bearer {token}", "Connection": "close"},
            verify=credentials["ca_file"], timeout=30,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)

    assert expired.status_code == 401
    assert expired.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_session_timeout_over_http(org, api):
    token = org.access_token()
    changed = api.post("/_emulator/faults", json={"sessionSeconds": 1})
    time.sleep(1.2)
    client = RestClient(org, token)
    expired = client.get("/limits/")
    client.http.close()
    org.org.sessions.timeout_seconds = 7200

    assert changed.status_code == 200
    assert expired.status_code == 401


def test_expire_sessions_through_faults(org, api):
    expired = org.faults.expire_sessions()
    response = api.get("/limits/")

    assert expired >= 1
    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_exhausted_daily_limit(org, api):
    before = org.org.usage.calls_by_app_and_user()
    org.faults.exhaust_daily_limit()

    refused = api.get("/limits/")
    org.faults.clear()
    allowed = api.get("/limits/")

    assert refused.status_code == 403
    assert refused.json() == LIMIT_EXCEEDED
    assert refused.headers["Sforce-Limit-Info"].endswith("/100000")
    assert allowed.status_code == 200
    assert sum(row["calls"] for row in org.org.usage.calls_by_app_and_user()) == sum(
        row["calls"] for row in before
    ) + 2


def test_exhaust_limit_over_http(api):
    planned = api.post("/_emulator/faults", json={"exhaustDailyLimit": True})
    refused = api.get("/sobjects/")
    cleared = api.delete("/_emulator/faults")
    allowed = api.get("/sobjects/")

    assert planned.status_code == 200
    assert refused.status_code == 403
    assert refused.json() == LIMIT_EXCEEDED
    assert cleared.status_code == 204
    assert allowed.status_code == 200


def test_delayed_answers(org, api):
    org.faults.delay(0.4)
    started = time.monotonic()
    response = api.get("/limits/")
    elapsed = time.monotonic() - started
    org.faults.clear()

    assert response.status_code == 200
    assert elapsed >= 0.4


def test_row_lock_on_one_object(org, api):
    org.faults.lock_rows("Account")

    locked = api.post("/sobjects/Account", json={"Name": "Locked"})
    other_object = api.post("/sobjects/Widget__c", json={"Code__c": "LOCK-1"})
    next_try = api.post("/sobjects/Account", json={"Name": "Unlocked"})

    assert locked.status_code == 400
    assert locked.json() == [{
        "message": "unable to obtain exclusive access to this record or 1 records",
        "errorCode": "UNABLE_TO_LOCK_ROW", "fields": [],
    }]
    assert other_object.status_code == 201
    assert next_try.status_code == 201


def test_row_lock_inside_collection(org, api):
    org.faults.lock_rows("Widget__c", count=None)

    results = api.post("/composite/sobjects", json={"records": [
        {"attributes": {"type": "Account"}, "Name": "Fine"},
        {"attributes": {"type": "Widget__c"}, "Code__c": "LOCK-2"},
        {"attributes": {"type": "Widget__c"}, "Code__c": "LOCK-3"},
    ]}).json()

    assert results[0]["success"] is True
    assert [result["errors"][0]["statusCode"] for result in results[1:]] == ["UNABLE_TO_LOCK_ROW"] * 2


def test_one_collection_record_fails_by_index(org, api):
    org.faults.fail_collection_record(index=1, error_code="FIELD_CUSTOM_VALIDATION_EXCEPTION", message="No")

    results = api.post("/composite/sobjects", json={"records": _accounts(3)}).json()
    again = api.post("/composite/sobjects", json={"records": _accounts(3)}).json()

    assert [result["success"] for result in results] == [True, False, True]
    assert results[1]["errors"] == [{"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "No", "fields": []}]
    assert [result["success"] for result in again] == [True, True, True]


def test_one_collection_record_fails_by_id(org, api):
    created = api.post("/composite/sobjects", json={"records": _accounts(3)}).json()
    target = created[2]["id"]
    org.faults.fail_collection_record(record_id=target[:15])

    results = api.patch("/composite/sobjects", json={"records": [
        {"attributes": {"type": "Account"}, "Id": result["id"], "Rating": "Hot"} for result in created
    ]}).json()

    assert [result["success"] for result in results] == [True, True, False]
    assert results[2]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"


def test_collection_failure_rolls_back_all_or_none(org, api):
    org.faults.fail_collection_record(index=0)

    results = api.post("/composite/sobjects", json={"allOrNone": True, "records": _accounts(2)}).json()

    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert results[1]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"


def test_object_faults_over_http(api):
    lock = api.post("/_emulator/faults", json={"lockRows": {"object": "Account", "count": 1}})
    locked = api.post("/sobjects/Account", json={"Name": "Locked over HTTP"})
    plan = api.post("/_emulator/faults", json={"failCollectionRecord": {"index": 0, "errorCode": "DUPLICATE_VALUE"}})
    results = api.post("/composite/sobjects", json={"records": _accounts(2)}).json()
    invalid = api.post("/_emulator/faults", json={"lockRows": {"count": 1}})

    assert lock.status_code == 200
    assert locked.json()[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert plan.status_code == 200
    assert results[0]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert results[1]["success"] is True
    assert invalid.status_code == 400
    assert invalid.json()[0]["errorCode"] == "INVALID_INPUT"


def test_usage_per_app_and_user(org, api):
    profile = api.query("SELECT Id FROM Profile WHERE Name = 'Standard User'").json()["records"][0]
    user_id = api.create("User", {
        "Username": "counted@example.com", "LastName": "Counted", "Email": "counted@example.com",
        "Alias": "counted", "ProfileId": profile["Id"], "TimeZoneSidKey": "GMT", "LocaleSidKey": "en_US",
        "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8",
    })
    other = RestClient(org, org.access_token("counted@example.com"))
    before = org.org.usage.calls_by_user()
    other.get("/limits/")
    other.get("/limits/")
    other.http.close()

    by_user = org.org.usage.calls_by_user()
    usage = api.get("/_emulator/usage").json()

    assert by_user[user_id] == before.get(user_id, 0) + 2
    assert usage["byUser"][user_id] == by_user[user_id]
    assert usage["byApp"][org.client_id] >= by_user[user_id]
    assert {"client_id": org.client_id, "user_id": user_id, "calls": 2} in usage["byAppAndUser"]
