"""OAuth flows of the token endpoint and session checks on REST calls."""

import base64
import hashlib
import hmac
import time

import pytest
import requests

from salesforce_emulator.tls import new_rsa_key, write_private_key

from .conftest import API_VERSION, make_assertion

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def post_token(emulator, **form) -> requests.Response:
    return requests.post(
        f"{emulator.login_url}/services/oauth2/token", data=form,
        verify=str(emulator.ca_file), timeout=30,
    )


def get_limits(emulator, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(
        f"{emulator.instance_url}/services/data/v{API_VERSION}/limits/",
        headers=headers, verify=str(emulator.ca_file), timeout=30,
    )


def test_client_credentials(emulator):
    response = post_token(
        emulator, grant_type="client_credentials",
        client_id=emulator.client_id, client_secret=emulator.client_secret,
    )
    body = response.json()

    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == emulator.instance_url
    assert body["id"].startswith(f"{emulator.login_url}/id/00D")
    assert body["access_token"].startswith(emulator.org.org_id[:15] + "!")
    expected_signature = base64.b64encode(hmac.new(
        emulator.client_secret.encode(), (body["id"] + body["issued_at"]).encode(), hashlib.sha256,
    ).digest()).decode()
    assert body["signature"] == expected_signature
    assert get_limits(emulator, body["access_token"]).status_code == 200


def test_client_credentials_wrong_secret(emulator):
    response = post_token(
        emulator, grant_type="client_credentials", client_id=emulator.client_id, client_secret="wrong",
    )

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client", "error_description": "invalid client credentials"}


def test_unknown_client_id(emulator):
    response = post_token(emulator, grant_type="client_credentials", client_id="nope", client_secret="x")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_id"


def test_unsupported_grant_type(emulator):
    response = post_token(emulator, grant_type="authorization_code", code="x")

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_jwt_bearer(emulator):
    response = post_token(emulator, grant_type=JWT_BEARER, assertion=make_assertion(emulator))

    assert response.status_code == 200, response.text
    assert get_limits(emulator, response.json()["access_token"]).status_code == 200


def test_forged_jwt_is_rejected(emulator, tmp_path):
    forged_key_file = tmp_path / "forged.pem"
    write_private_key(forged_key_file, new_rsa_key())
    assertion = make_assertion(emulator, key_pem=forged_key_file.read_text())

    response = post_token(emulator, grant_type=JWT_BEARER, assertion=assertion)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}


def test_expired_jwt_is_rejected(emulator):
    assertion = make_assertion(emulator, exp=int(time.time()) - 60)

    response = post_token(emulator, grant_type=JWT_BEARER, assertion=assertion)

    assert response.json() == {"error": "invalid_grant", "error_description": "expired authorization code"}


def test_jwt_wrong_audience(emulator):
    assertion = make_assertion(emulator, aud="https://login.salesforce.com")

    response = post_token(emulator, grant_type=JWT_BEARER, assertion=assertion)

    assert response.json() == {"error": "invalid_grant", "error_description": "audience is invalid"}


def test_jwt_unknown_user(emulator):
    assertion = make_assertion(emulator, sub="nobody@example.com")

    response = post_token(emulator, grant_type=JWT_BEARER, assertion=assertion)

    assert response.json()["error"] == "invalid_grant"


def test_password_flow(emulator):
    response = post_token(
        emulator, grant_type="password", client_id=emulator.client_id,
        client_secret=emulator.client_secret, username=emulator.username,
        password=emulator.password + emulator.security_token,
    )

    assert response.status_code == 200, response.text
    wrong = post_token(
        emulator, grant_type="password", client_id=emulator.client_id,
        client_secret=emulator.client_secret, username=emulator.username, password="wrong",
    )
    assert wrong.json() == {"error": "invalid_grant", "error_description": "authentication failure"}


def test_missing_token_is_invalid_session(emulator):
    response = get_limits(emulator, None)

    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_unknown_token_is_invalid_session(emulator):
    response = get_limits(emulator, "00D000000000000!nonsense")

    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_expired_sessions(emulator):
    token = emulator.access_token()
    assert get_limits(emulator, token).status_code == 200

    emulator.org.sessions.expire_all()

    assert get_limits(emulator, token).status_code == 401


def test_revoke_token(emulator):
    token = emulator.access_token()

    response = requests.post(
        f"{emulator.login_url}/services/oauth2/revoke", data={"token": token},
        verify=str(emulator.ca_file), timeout=30,
    )

    assert response.status_code == 200
    assert get_limits(emulator, token).status_code == 401


def test_untrusted_certificate_fails(emulator):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{emulator.instance_url}/services/data/", verify=True, timeout=30)


def test_identity_url(emulator):
    body = post_token(
        emulator, grant_type="client_credentials",
        client_id=emulator.client_id, client_secret=emulator.client_secret,
    ).json()

    response = requests.get(
        body["id"], headers={"Authorization": f"Bearer {body['access_token']}"},
        verify=str(emulator.ca_file), timeout=30,
    )
    identity = response.json()

    assert response.status_code == 200
    assert identity["username"] == emulator.username
    assert identity["user_id"] == emulator.org.admin_id
    assert identity["organization_id"] == emulator.org.org_id
    assert identity["urls"]["query"].endswith("/query/")


def soap_call(emulator, path: str, body: str) -> requests.Response:
    envelope = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com">'
        f"{body}</env:Envelope>"
    )
    return requests.post(
        f"{emulator.instance_url}{path}",
        data=envelope.encode(),
        headers={"Content-Type": "text/xml", "SOAPAction": '""'},
        verify=str(emulator.ca_file),
        timeout=10,
    )


def test_soap_logout_ends_session(emulator):
    token = emulator.access_token()
    path = f"/services/Soap/u/62.0/{emulator.org.org_id}"
    header = f"<env:Header><SessionHeader><sessionId>{token}</sessionId></SessionHeader></env:Header>"

    response = soap_call(emulator, path, f"{header}<env:Body><logout/></env:Body>")

    assert response.status_code == 200
    assert b"<logoutResponse/>" in response.content
    assert get_limits(emulator, token).status_code == 401


def test_soap_logout_with_unknown_session(emulator):
    header = "<env:Header><SessionHeader><sessionId>00Dbogus</sessionId></SessionHeader></env:Header>"

    response = soap_call(emulator, "/services/Soap/u/62.0", f"{header}<env:Body><logout/></env:Body>")

    assert response.status_code == 500
    assert b"sf:INVALID_SESSION_ID" in response.content
