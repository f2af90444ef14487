"""Fixtures for the Salesforce emulator tests: a running org and a small REST client."""

import time
from pathlib import Path

import jwt
import pytest
import requests

from salesforce_emulator.testing import RunningEmulator, running_emulator

FIXTURE_PACKAGE = Path(__file__).parent / "fixtures" / "package"
REPO_PACKAGE = Path(__file__).resolve().parents[2] / "salesforce"
API_VERSION = "62.0"


@pytest.fixture(autouse=True)
def _trust_only_the_emulator_ca(monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE (set on these machines) override Session.verify,
    # so a client configured with the emulator's CA would still reject its certificate.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory) -> RunningEmulator:
    """One emulator for the session, with the fixture package deployed."""
    with running_emulator(tmp_path_factory.mktemp("org"), FIXTURE_PACKAGE) as org:
        yield org


class RestClient:
    """A minimal REST client for tests: paths are relative to /services/data/vXX.X."""

    def __init__(self, emulator: RunningEmulator, token: str) -> None:
        self.emulator = emulator
        self.base = f"{emulator.instance_url}/services/data/v{API_VERSION}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.verify = str(emulator.ca_file)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        url = path if path.startswith("https://") else self.base + path
        if path.startswith(("/services/", "/_emulator/")):
            url = self.emulator.instance_url + path
        return self.http.request(method, url, verify=self.verify, timeout=30, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def query(self, soql: str, **kwargs) -> requests.Response:
        return self.get("/query/", params={"q": soql}, **kwargs)

    def create(self, object_name: str, values: dict) -> str:
        response = self.post(f"/sobjects/{object_name}", json=values)
        assert response.status_code == 201, response.text
        return response.json()["id"]


@pytest.fixture
def api(emulator) -> RestClient:
    """A REST client logged in as the org's admin."""
    client = RestClient(emulator, emulator.access_token())
    yield client
    client.http.close()


def make_assertion(emulator: RunningEmulator, key_pem: str | None = None, **claims) -> str:
    """Build a JWT bearer assertion for the admin, signed with the org's JWT key by default."""
    payload = {
        "iss": emulator.client_id,
        "sub": emulator.username,
        "aud": emulator.login_url,
        "exp": int(time.time()) + 300,
    }
    payload.update(claims)
    key = key_pem or emulator.jwt_private_key_file.read_text()
    return jwt.encode(payload, key, algorithm="RS256")
