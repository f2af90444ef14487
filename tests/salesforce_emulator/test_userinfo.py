"""The OpenID Connect UserInfo endpoint, /services/oauth2/userinfo."""

import re

import requests

from .conftest import API_VERSION

CLAIMS = {
    "sub", "user_id", "organization_id", "preferred_username", "nickname", "name", "email",
    "email_verified", "given_name", "family_name", "zoneinfo", "photos", "profile", "picture",
    "address", "is_salesforce_integration_user", "urls", "active", "user_type", "language",
    "locale", "utcOffset", "updated_at", "is_app_installed",
}


def userinfo(emulator, method: str = "GET", token: str | None = None, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(
        method, f"{emulator.login_url}/services/oauth2/userinfo", headers=headers,
        verify=str(emulator.ca_file), timeout=30, **kwargs,
    )


def token_response(emulator) -> dict:
    response = requests.post(
        f"{emulator.login_url}/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": emulator.client_id,
              "client_secret": emulator.client_secret},
        verify=str(emulator.ca_file), timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_userinfo_claims(emulator):
    token = token_response(emulator)

    response = userinfo(emulator, token=token["access_token"])
    claims = response.json()

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert set(claims) == CLAIMS
    assert claims["sub"] == token["id"]
    assert claims["user_id"].startswith("005")
    assert claims["organization_id"].startswith("00D")
    assert claims["preferred_username"] == emulator.username
    assert claims["email_verified"] is True
    assert claims["active"] is True
    assert claims["user_type"] == "STANDARD"
    assert isinstance(claims["utcOffset"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", claims["updated_at"])


def test_userinfo_matches_identity_url(emulator):
    token = token_response(emulator)

    claims = userinfo(emulator, token=token["access_token"]).json()
    identity = requests.get(
        token["id"], headers={"Authorization": f"Bearer {token['access_token']}"},
        verify=str(emulator.ca_file), timeout=30,
    ).json()

    assert claims["user_id"] == identity["user_id"]
    assert claims["organization_id"] == identity["organization_id"]
    assert claims["preferred_username"] == identity["username"]
    assert claims["nickname"] == identity["nick_name"]
    assert claims["name"] == identity["display_name"]
    assert claims["email"] == identity["email"]
    assert claims["given_name"] == identity["first_name"]
    assert claims["family_name"] == identity["last_name"]
    assert claims["locale"] == identity["locale"]
    assert claims["language"] == identity["language"]


def test_userinfo_urls_keep_version_placeholder(emulator):
    claims = userinfo(emulator, token=emulator.access_token()).json()

    assert claims["urls"]["rest"] == f"{emulator.instance_url}/services/data/v{{version}}/"
    assert claims["urls"]["partner"] == (
        f"{emulator.instance_url}/services/Soap/u/{{version}}/{claims['organization_id'][:15]}"
    )


def test_userinfo_urls_with_version(emulator):
    claims = userinfo(emulator, token=emulator.access_token(), params={"version": API_VERSION}).json()

    assert claims["urls"]["sobjects"] == f"{emulator.instance_url}/services/data/v{API_VERSION}/sobjects/"


def test_userinfo_rest_url_works(emulator):
    token = emulator.access_token()
    rest_url = userinfo(emulator, token=token, params={"version": "latest"}).json()["urls"]["rest"]

    response = requests.get(
        rest_url, headers={"Authorization": f"Bearer {token}"}, verify=str(emulator.ca_file), timeout=30,
    )

    assert response.status_code == 200, response.text
    assert "sobjects" in response.json()


def test_userinfo_unknown_version(emulator):
    response = userinfo(emulator, token=emulator.access_token(), params={"version": "12.0"})

    assert response.status_code == 406
    assert response.text == "Invalid_Version"


def test_userinfo_post_with_form_token(emulator):
    response = userinfo(emulator, method="POST", data={"oauth_token": emulator.access_token()})

    assert response.status_code == 200, response.text
    assert response.json()["preferred_username"] == emulator.username


def test_userinfo_query_access_token(emulator):
    response = userinfo(emulator, params={"access_token": emulator.access_token()})

    assert response.status_code == 200, response.text


def test_userinfo_missing_token(emulator):
    for method in ("GET", "POST"):
        response = userinfo(emulator, method=method)

        assert response.status_code == 403
        assert response.text == "Missing_OAuth_Token"


def test_userinfo_bad_token(emulator):
    response = userinfo(emulator, token="00D000000000001!not-a-session")

    assert response.status_code == 403
    assert response.text == "Bad_OAuth_Token"


def test_userinfo_revoked_token(emulator):
    token = emulator.access_token()
    emulator.org.sessions.revoke(token)

    response = userinfo(emulator, token=token)

    assert response.status_code == 403
    assert response.text == "Bad_OAuth_Token"
