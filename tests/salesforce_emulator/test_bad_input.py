"""Bad input over real HTTPS: every case gets a 4xx error in Salesforce's shape, never a 500."""

import pytest

from salesforce_emulator.faults import InvalidFaultPlan
from salesforce_emulator.testing import running_emulator

from .conftest import FIXTURE_PACKAGE, RestClient


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """An emulator of its own, so a fault plan that slips through cannot break other tests."""
    with running_emulator(tmp_path_factory.mktemp("org"), FIXTURE_PACKAGE) as running:
        yield running


@pytest.fixture
def api(org):
    client = RestClient(org, org.access_token())
    yield client
    org.faults.clear()
    client.http.close()


def _single_error(response) -> dict:
    body = response.json()
    assert isinstance(body, list), body
    assert len(body) == 1, body
    return body[0]


# SOQL values ---------------------------------------------------------------------------

MALFORMED_QUERIES = [
    ("SELECT Id FROM Account LIMIT 9223372036854775808", "LIMIT must be an integer"),
    ("SELECT Id FROM Account LIMIT 99999999999999999999", "LIMIT must be an integer"),
    ("SELECT COUNT() FROM Account LIMIT 9223372036854775808", "LIMIT must be an integer"),
    ("SELECT Id, (SELECT Id FROM Contacts LIMIT 2147483648) FROM Account", "LIMIT must be an integer"),
    ("SELECT Id FROM Account WHERE CreatedDate > 2020-02-30T00:00:00Z", "Invalid datetime: 2020-02-30T00:00:00Z"),
    ("SELECT Id FROM Account WHERE CreatedDate > 2020-01-01T25:00:00Z", "Invalid datetime: 2020-01-01T25:00:00Z"),
    ("SELECT Id FROM Account WHERE CreatedDate > 0000-01-01T00:00:00Z", "Invalid datetime: 0000-01-01T00:00:00Z"),
    ("SELECT Id FROM Account WHERE CreatedDate > 1699-12-31T23:59:59Z", "Invalid datetime"),
    ("SELECT Id FROM Contact WHERE Birthdate = 2020-13-01", "Invalid date: 2020-13-01"),
    ("SELECT Id FROM Contact WHERE Birthdate = 2020-02-30", "Invalid date: 2020-02-30"),
    ("SELECT Id FROM Contact WHERE Birthdate IN (2020-01-01, 4001-01-01)", "Invalid date: 4001-01-01"),
    ("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:99999999999", "LAST_N_DAYS:n must be an integer"),
    ("SELECT Id FROM Account WHERE CreatedDate = NEXT_N_YEARS:99999999", "Invalid date literal: NEXT_N_YEARS:99999999"),
    ("SELECT Id FROM Contact WHERE Birthdate = LAST_N_DAYS:5000000", "Invalid date literal: LAST_N_DAYS:5000000"),
    ("SELECT Id FROM Account WHERE Name = '\\x'", "Illegal character sequence '\\x' in string literal"),
    ("SELECT Id FROM Account WHERE Name = 'a\\u00g1'", "Illegal character sequence '\\u00g1'"),
    ("SELECT Id FROM Account WHERE Name LIKE 'a\\q%'", "Illegal character sequence '\\q'"),
]


@pytest.mark.parametrize(("soql", "message"), MALFORMED_QUERIES)
def test_soql_bad_value_is_malformed_query(api, soql, message):
    response = api.query(soql)

    assert response.status_code == 400, response.text
    error = _single_error(response)
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert message in error["message"]
    assert "ERROR at Row:1:Column:" in error["message"]
    assert response.headers["Sforce-Limit-Info"].startswith("api-usage=")


@pytest.mark.parametrize("offset", ["2001", "3000", "9223372036854775808"])
def test_soql_offset_over_2000_is_out_of_range(api, offset):
    response = api.query(f"SELECT Id FROM Account OFFSET {offset}")

    assert response.status_code == 400, response.text
    assert _single_error(response) == {
        "message": "Maximum SOQL offset allowed is 2000", "errorCode": "NUMBER_OUTSIDE_VALID_RANGE",
    }


def test_soql_values_at_the_limits_are_accepted(api):
    account_id = api.create("Account", {"Name": "Escapes \\ 'quoted' \t Acme"})
    api.create("Contact", {"LastName": "Limits", "Birthdate": "4000-12-31"})

    escaped = api.query(
        "SELECT Id FROM Account WHERE Name = 'Escapes \\\\ \\'quoted\\' \\T \\u0041cme'",
    )
    top = api.query("SELECT Id FROM Account LIMIT 2147483647 OFFSET 2000")
    dates = api.query(
        "SELECT Id FROM Contact WHERE Birthdate >= 1700-01-01 AND Birthdate <= 4000-12-31 "
        "AND CreatedDate > 1700-01-01T00:00:00Z AND CreatedDate < 4000-12-31T23:59:59Z",
    )
    literal = api.query("SELECT Id FROM Contact WHERE Birthdate = NEXT_N_DAYS:2147483647")

    assert escaped.status_code == 200, escaped.text
    assert [record["Id"] for record in escaped.json()["records"]] == [account_id]
    assert top.status_code == 200, top.text
    assert dates.status_code == 200, dates.text
    assert dates.json()["totalSize"] == 1
    assert literal.status_code == 400, literal.text
    assert "Invalid date literal" in _single_error(literal)["message"]


# JSON bodies ---------------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}
DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(("path", "body", "message"), [
    ("/sobjects/Account", b'{"Name":"\\ud800"}', "lone UTF-16 surrogate"),
    ("/sobjects/Account", b'{"Name":"a\\udc00b"}', "lone UTF-16 surrogate"),
    ("/sobjects/Account", b'{"Name":' + DEEP_ARRAY + b"}", "nested too deeply"),
    ("/composite", b'{"compositeRequest":' + DEEP_ARRAY + b"}", "nested too deeply"),
    ("/composite/sobjects", b'{"records":[{"attributes":{"type":"Account"},"Name":"\\ud800"}]}',
     "lone UTF-16 surrogate"),
    ("/composite/tree/Account", b'{"records":[{"attributes":{"type":"Account","referenceId":"r"},'
     b'"Name":"\\udfff"}]}', "lone UTF-16 surrogate"),
    ("/sobjects/Account", b'{"Name": ', "is not valid JSON"),
])
def test_json_body_rejected_as_parser_error(api, path, body, message):
    response = api.post(path, data=body, headers=JSON)

    assert response.status_code == 400, response.text
    error = _single_error(response)
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert message in error["message"]
    assert response.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_json_surrogate_pair_is_stored(api):
    record_id = api.create("Account", {"Name": "Smile \U0001F600"})

    response = api.get(f"/sobjects/Account/{record_id}")

    assert response.json()["Name"] == "Smile \U0001F600"


def test_unknown_path_sends_limit_info(api, org):
    authenticated = api.get("/no-such-resource")
    anonymous = RestClient(org, "not-a-token").get("/no-such-resource")

    assert authenticated.status_code == 404
    assert _single_error(authenticated) == {
        "message": "The requested resource does not exist", "errorCode": "NOT_FOUND",
    }
    assert authenticated.headers["Sforce-Limit-Info"].startswith("api-usage=")
    assert anonymous.status_code == 404
    assert "Sforce-Limit-Info" not in anonymous.headers


# The /_emulator/faults resource --------------------------------------------------------

INVALID_PLANS = [
    ({"sessionSeconds": -1}, "sessionSeconds must be a number of seconds of at least 1"),
    ({"sessionSeconds": 0}, "sessionSeconds must be a number of seconds of at least 1"),
    ({"sessionSeconds": "600"}, "sessionSeconds must be a number"),
    ({"failNext": {"count": "x"}}, "failNext.count must be an integer from 1 to 10000, not 'x'"),
    ({"failNext": {"count": 0}}, "failNext.count must be an integer from 1 to 10000"),
    ({"failNext": {"count": 10001}}, "failNext.count must be an integer from 1 to 10000"),
    ({"failNext": {"count": 1, "status": 99}}, "failNext.status must be an HTTP error status from 400 to 599"),
    ({"failNext": {"count": 1, "status": 200}}, "failNext.status must be an HTTP error status"),
    ({"failNext": {"count": 1, "status": 600}}, "failNext.status must be an HTTP error status"),
    ({"failNext": {"count": 1, "errorCode": 5}}, "failNext.errorCode must be a non-empty string"),
    ({"failNext": 3}, "failNext must be a JSON object"),
    ({"delaySeconds": "abc"}, "delaySeconds must be a number of seconds from 0 to 60, not 'abc'"),
    ({"delaySeconds": 1e9}, "delaySeconds must be a number of seconds from 0 to 60"),
    ({"delaySeconds": -1}, "delaySeconds must be a number of seconds from 0 to 60"),
    ({"delaySeconds": True}, "delaySeconds must be a number"),
    ({"lockRowsNext": 1.5}, "lockRowsNext must be an integer from 1 to 10000"),
    ({"lockRows": {"object": "Account", "count": -2}}, "lockRows.count must be an integer"),
    ({"lockRows": {"count": 1}}, "lockRows.object must be a non-empty string"),
    ({"failCollectionRecord": {"index": -1}}, "failCollectionRecord.index must be an integer of at least 0"),
    ({"failCollectionRecord": {}}, "failCollectionRecord needs an index or an id"),
    ({"dailyApiLimit": 0}, "dailyApiLimit must be an integer of at least 1"),
    ({"expireSessions": "yes"}, "expireSessions must be true or false"),
    ({"failNxt": {"count": 1}}, "unknown keys ['failNxt']"),
]


@pytest.mark.parametrize(("plan", "message"), INVALID_PLANS)
def test_faults_invalid_plan_rejected(api, plan, message):
    response = api.post("/_emulator/faults", json=plan)
    after = api.get("/limits/")

    assert response.status_code == 400, response.text
    error = _single_error(response)
    assert error["errorCode"] == "INVALID_INPUT"
    assert message in error["message"]
    assert after.status_code == 200, after.text


def test_faults_plan_applies_nothing_when_invalid(api, org):
    response = api.post("/_emulator/faults", json={
        "failNext": {"count": 1, "status": 500}, "delaySeconds": "abc",
    })
    after = api.get("/limits/")

    assert response.status_code == 400
    assert after.status_code == 200
    assert org.faults.delay_seconds == 0.0


@pytest.mark.parametrize("body", [b"[1]", b'{"delaySeconds":', b'{"failNext":{"message":"\\ud800"}}'])
def test_faults_body_not_object_is_parser_error(api, body):
    response = api.post("/_emulator/faults", data=body, headers=JSON)

    assert response.status_code == 400, response.text
    assert _single_error(response)["errorCode"] == "JSON_PARSER_ERROR"


def test_faults_valid_bounds_accepted(api, org):
    planned = api.post("/_emulator/faults", json={
        "failNext": {"count": 1, "status": 599}, "delaySeconds": 0, "sessionSeconds": 7200,
    })
    failed = api.get("/limits/")

    assert planned.status_code == 200, planned.text
    assert failed.status_code == 599


@pytest.mark.parametrize(("call", "message"), [
    (lambda faults: faults.fail_next("x"), "count must be an integer from 1 to 10000"),
    (lambda faults: faults.fail_next(1, status=99), "status must be an HTTP error status"),
    (lambda faults: faults.fail_next(1, status=200), "status must be an HTTP error status"),
    (lambda faults: faults.lock_rows_next(0), "count must be an integer from 1 to 10000"),
    (lambda faults: faults.lock_rows("Account", 0), "count must be an integer from 1 to 10000"),
    (lambda faults: faults.delay(1e9), "seconds must be a number of seconds from 0 to 60"),
    (lambda faults: faults.delay("abc"), "seconds must be a number of seconds from 0 to 60"),
    (lambda faults: faults.delay_bulk_jobs(61), "seconds must be a number of seconds from 0 to 60"),
    (lambda faults: faults.set_session_timeout(-1), "seconds must be a number of seconds of at least 1"),
    (lambda faults: faults.set_daily_api_limit(0), "limit must be an integer of at least 1"),
    (lambda faults: faults.fail_collection_record(index=-1), "index must be an integer of at least 0"),
])
def test_faults_python_api_checks_values(org, call, message):
    with pytest.raises(InvalidFaultPlan, match=message):
        call(org.faults)

    assert org.faults.take() is None
    assert org.faults.delay_seconds == 0.0


# Multipart, SOAP and field values ------------------------------------------------------

BOUNDARY = "emulatorboundary"
ENTITY_PART = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="entity_content"\r\n'
    "Content-Type: application/json\r\n\r\n"
    '{"Title": "Cut", "PathOnClient": "cut.pdf"}\r\n'
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="VersionData"; filename="cut.pdf"\r\n'
    "Content-Type: application/octet-stream\r\n\r\n"
).encode()
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.mark.parametrize(("body", "message"), [
    (ENTITY_PART + b"%PDF- the file stops here", "ended before its closing boundary"),
    (ENTITY_PART + b"%PDF-\r\n--" + BOUNDARY.encode() + b"\r\n", "ended before its closing boundary"),
    (b"not a multipart body at all", "The multipart body is malformed"),
])
def test_multipart_truncated_is_invalid_request(api, org, body, message):
    files_before = sorted(path.name for path in org.org.files.folder.iterdir())

    response = api.post("/sobjects/ContentVersion", data=body, headers=MULTIPART)

    assert response.status_code == 400, response.text
    error = _single_error(response)
    assert error["errorCode"] == "INVALID_MULTIPART_REQUEST"
    assert message in error["message"]
    assert sorted(path.name for path in org.org.files.folder.iterdir()) == files_before


@pytest.mark.parametrize(("body", "message"), [
    (b"<x", "not well-formed XML"),
    (b"", "not well-formed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', "document type declaration"),
])
def test_soap_malformed_envelope_is_client_fault(org, body, message):
    response = RestClient(org, "unused").post(
        "/services/Soap/u/62.0", data=body,
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "login"},
    )

    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/xml")
    assert "<faultcode>soapenv:Client</faultcode>" in response.text
    assert message in response.text


@pytest.mark.parametrize(("field", "java_type"), [("NumberOfEmployees", "int"), ("AnnualRevenue", "double")])
def test_number_field_text_names_java_type(api, field, java_type):
    response = api.post("/sobjects/Account", json={"Name": "Numbers", field: "abc"})

    assert response.status_code == 400, response.text
    assert _single_error(response) == {
        "message": f"Cannot deserialize instance of {java_type} from VALUE_STRING value abc or "
                   f"request may be missing a required field ({field})",
        "errorCode": "JSON_PARSER_ERROR",
        "fields": [field],
    }


# Request head size ---------------------------------------------------------------------

def _limits_path(uri_bytes: int) -> str:
    """Return a /limits path with a query parameter padding the URI to uri_bytes."""
    path = "/services/data/v62.0/limits/?pad="
    return path + "a" * (uri_bytes - len(path))


def test_uri_over_limit_is_414(api):
    response = api.get(_limits_path(16_385))

    assert response.status_code == 414, response.text[:300]
    error = _single_error(response)
    assert error["errorCode"] == "URI_TOO_LONG"
    assert "16385 bytes" in error["message"]


def test_uri_and_headers_over_limit_is_431(api):
    response = api.get(_limits_path(8_000), headers={"X-Padding": "b" * 9_000})

    assert response.status_code == 431, response.text[:300]
    assert _single_error(response)["errorCode"] == "REQUEST_HEADER_FIELDS_TOO_LARGE"


def test_uri_under_limit_is_served(api):
    response = api.get(_limits_path(15_000))

    assert response.status_code == 200, response.text[:300]
    assert "DailyApiRequests" in response.json()
