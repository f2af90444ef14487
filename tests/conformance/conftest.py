"""Fixtures for the conformance suites: one emulator with the product's package deployed.

These suites drive the emulator only through clients nobody here wrote, so a passing
suite shows that such a client works against it unchanged, given its URL and CA file.
"""

from pathlib import Path

import pytest

from salesforce_emulator.testing import RunningEmulator, running_emulator

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGE_DIR = REPOSITORY / "salesforce"
API_VERSION = "62.0"


@pytest.fixture(autouse=True)
def _trust_only_the_emulator_ca(monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE (set on these machines)
    # override Session.verify, so a client given the emulator's CA would still reject it.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory) -> RunningEmulator:
    """One emulator for the whole conformance run, with the repository's SFDX package."""
    with running_emulator(tmp_path_factory.mktemp("conformance-org"), PACKAGE_DIR) as org:
        yield org
