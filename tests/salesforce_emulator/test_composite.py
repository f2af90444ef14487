"""Composite, composite/batch, SOAP login, refresh tokens and the emulator admin resource."""

import requests

from .conftest import API_VERSION

DATA = f"/services/data/v{API_VERSION}"


def test_composite_with_references(api):
    response = api.post("/composite", json={"allOrNone": True, "compositeRequest": [
        {"method": "POST", "url": f"{DATA}/sobjects/Account", "referenceId": "newAccount",
         "body": {"Name": "Composite Co"}},
        {"method": "POST", "url": f"{DATA}/sobjects/Widget__c", "referenceId": "newWidget",
         "body": {"Code__c": "CMP1", "Account__c": "@{newAccount.id}"}},
        {"method": "GET", "url": f"{DATA}/sobjects/Widget__c/@{{newWidget.id}}?fields=Account__c",
         "referenceId": "readBack"},
    ]})
    results = response.json()["compositeResponse"]

    assert response.status_code == 200
    assert [result["httpStatusCode"] for result in results] == [201, 201, 200]
    assert results[0]["httpHeaders"]["Location"].endswith(results[0]["body"]["id"])
    assert results[2]["body"]["Account__c"] == results[0]["body"]["id"]


def test_composite_all_or_none_rolls_back(api):
    response = api.post("/composite", json={"allOrNone": True, "compositeRequest": [
        {"method": "POST", "url": f"{DATA}/sobjects/Account", "referenceId": "first",
         "body": {"Name": "Composite Rollback"}},
        {"method": "POST", "url": f"{DATA}/sobjects/Account", "referenceId": "second", "body": {}},
    ]})
    results = response.json()["compositeResponse"]

    assert [result["httpStatusCode"] for result in results] == [400, 400]
    assert results[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert results[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert api.query("SELECT Id FROM Account WHERE Name = 'Composite Rollback'").json()["totalSize"] == 0


def test_composite_counts_one_call(emulator, api):
    before = emulator.call_count()

    api.post("/composite", json={"compositeRequest": [
        {"method": "GET", "url": f"{DATA}/limits", "referenceId": "one"},
        {"method": "GET", "url": f"{DATA}/limits", "referenceId": "two"},
    ]})

    assert emulator.call_count() == before + 1


def test_composite_bad_reference(api):
    response = api.post("/composite", json={"compositeRequest": [
        {"method": "GET", "url": f"{DATA}/sobjects/Account/@{{missing.id}}", "referenceId": "read"},
    ]})
    result = response.json()["compositeResponse"][0]

    assert result["httpStatusCode"] == 400
    assert result["body"][0]["errorCode"] == "PROCESSING_HALTED"


def test_batch_halts_on_error(api):
    response = api.post("/composite/batch", json={"haltOnError": True, "batchRequests": [
        {"method": "POST", "url": f"v{API_VERSION}/sobjects/Account", "richInput": {"Name": "Batch One"}},
        {"method": "POST", "url": f"v{API_VERSION}/sobjects/Account", "richInput": {}},
        {"method": "GET", "url": f"v{API_VERSION}/limits"},
    ]})
    body = response.json()

    assert body["hasErrors"] is True
    assert [result["statusCode"] for result in body["results"]] == [201, 400, 412]
    assert body["results"][2]["result"][0]["errorCode"] == "BATCH_PROCESSING_HALTED"


def test_soap_login(emulator):
    envelope = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:n1="urn:partner.soap.sforce.com"><env:Body><n1:login>'
        f"<n1:username>{emulator.username}</n1:username>"
        f"<n1:password>{emulator.password}{emulator.security_token}</n1:password>"
        "</n1:login></env:Body></env:Envelope>"
    )

    response = requests.post(
        f"{emulator.login_url}/services/Soap/u/{API_VERSION}", data=envelope,
        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "login"},
        verify=str(emulator.ca_file), timeout=30,
    )
    session_id = response.text.split("<sessionId>")[1].split("</sessionId>")[0]

    assert response.status_code == 200
    assert f"<serverUrl>{emulator.instance_url}/services/Soap/u/{API_VERSION}/" in response.text
    limits = requests.get(
        f"{emulator.instance_url}{DATA}/limits", headers={"Authorization": f"Bearer {session_id}"},
        verify=str(emulator.ca_file), timeout=30,
    )
    assert limits.status_code == 200


def test_soap_login_wrong_password(emulator):
    envelope = (
        '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:n1="urn:partner.soap.sforce.com"><env:Body><n1:login>'
        f"<n1:username>{emulator.username}</n1:username><n1:password>wrong</n1:password>"
        "</n1:login></env:Body></env:Envelope>"
    )

    response = requests.post(
        f"{emulator.login_url}/services/Soap/u/{API_VERSION}", data=envelope,
        headers={"Content-Type": "text/xml"}, verify=str(emulator.ca_file), timeout=30,
    )

    assert response.status_code == 500
    assert "<faultcode>sf:INVALID_LOGIN</faultcode>" in response.text


def test_refresh_token_grant(emulator):
    refresh_token = emulator.refresh_token()

    response = requests.post(f"{emulator.login_url}/services/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": emulator.client_id,
        "client_secret": emulator.client_secret, "refresh_token": refresh_token,
    }, verify=str(emulator.ca_file), timeout=30)
    revoked = requests.post(f"{emulator.login_url}/services/oauth2/revoke", data={"token": refresh_token},
                            verify=str(emulator.ca_file), timeout=30)
    again = requests.post(f"{emulator.login_url}/services/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": emulator.client_id, "refresh_token": refresh_token,
    }, verify=str(emulator.ca_file), timeout=30)

    assert response.status_code == 200, response.text
    assert response.json()["access_token"]
    assert revoked.status_code == 200
    assert again.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}


def test_admin_faults_over_http(api):
    planned = api.post("/_emulator/faults", json={"failNext": {"count": 1, "status": 500,
                                                               "errorCode": "UNKNOWN_EXCEPTION"}})
    failed = api.get("/limits")
    passed = api.get("/limits")

    assert planned.status_code == 200
    assert failed.status_code == 500
    assert failed.json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    assert passed.status_code == 200


def test_admin_request_limit(api):
    used = api.get("/_emulator/usage").json()["usedToday"]
    api.post("/_emulator/faults", json={"dailyApiLimit": used + 1})

    allowed = api.get("/limits")
    refused = api.get("/limits")
    api.post("/_emulator/faults", json={"dailyApiLimit": 100000})

    assert allowed.status_code == 200
    assert refused.status_code == 403
    assert refused.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_admin_usage_per_app_and_user(emulator, api):
    api.get("/limits")
    usage = api.get("/_emulator/usage").json()

    rows = [row for row in usage["byAppAndUser"] if row["client_id"] == emulator.client_id]

    assert usage["total"] >= 1
    assert rows[0]["user_id"] == emulator.org.admin_id
    assert rows[0]["calls"] >= 1


def test_admin_needs_a_session(emulator):
    response = requests.get(f"{emulator.instance_url}/_emulator/usage", verify=str(emulator.ca_file), timeout=30)

    assert response.status_code == 401
