"""Our Salesforce client against the emulator: sign-in flows, paging, errors."""

import pytest

from contractdesk.salesconnect.auth import OrgCredentials
from contractdesk.salesconnect.client import SalesforceClient
from contractdesk.salesconnect.errors import SalesforceAuthError, SalesforceError

pytestmark = pytest.mark.e2e


def client_for(org, **credentials) -> SalesforceClient:
    return SalesforceClient(
        OrgCredentials(login_url=org.login_url, **credentials),
        api_version="62.0",
        timeout=(5.0, 30.0),
        ca_bundle=str(org.ca_file),
    )


def test_jwt_bearer_sign_in(org):
    client = client_for(
        org,
        auth_flow="jwt_bearer",
        client_id=org.client_id,
        username=org.username,
        jwt_key_file=str(org.jwt_private_key_file),
    )

    assert client.request("GET", "limits/").status_code == 200


def test_wrong_secret_is_an_auth_error(org):
    client = client_for(org, auth_flow="client_credentials", client_id=org.client_id, client_secret="wrong")

    with pytest.raises(SalesforceAuthError, match="rejected the connected app's credentials"):
        client.request("GET", "limits/")


def test_untrusted_certificate_is_refused(org):
    client = SalesforceClient(
        OrgCredentials(
            login_url=org.login_url,
            auth_flow="client_credentials",
            client_id=org.client_id,
            client_secret=org.client_secret,
        ),
        api_version="62.0",
        timeout=(5.0, 30.0),
    )

    with pytest.raises(SalesforceError, match="Could not reach"):
        client.request("GET", "limits/")


def test_query_follows_next_records_url(org):
    client = client_for(org, auth_flow="client_credentials", client_id=org.client_id, client_secret=org.client_secret)
    records = [{"attributes": {"type": "Account", "referenceId": f"ref{n}"}, "Name": f"Paging {n}"} for n in range(250)]
    for start in range(0, 250, 200):
        client.request("POST", "composite/tree/Account", json={"records": records[start : start + 200]})

    names = [row["Name"] for row in client.query("SELECT Name FROM Account WHERE Name LIKE 'Paging %'", batch_size=200)]

    assert len(names) == 250
    assert len(set(names)) == 250


def test_unknown_field_error_names_the_field(org):
    client = client_for(org, auth_flow="client_credentials", client_id=org.client_id, client_secret=org.client_secret)

    with pytest.raises(SalesforceError) as raised:
        list(client.query("SELECT Nonexistent__c FROM Account"))

    assert raised.value.error_code == "INVALID_FIELD"
    assert raised.value.retryable is False
    assert "Nonexistent__c" in raised.value.message


def test_clients_of_one_process_share_a_session(salesconnect):
    from contractdesk.salesconnect.connection import connect

    salesconnect.request("GET", "limits/")
    second = connect()

    assert second.session() is salesconnect.session()


def test_revoked_shared_session_is_renewed(org, salesconnect):
    import requests

    from contractdesk.salesconnect.connection import connect

    token = salesconnect.session().access_token
    requests.post(
        f"{org.login_url}/services/oauth2/revoke", data={"token": token}, verify=str(org.ca_file), timeout=10
    ).raise_for_status()

    second = connect()
    assert second.request("GET", "limits/").status_code == 200
    assert second.session().access_token != token
    assert connect().session().access_token == second.session().access_token
