"""A real Salesforce emulator over HTTPS for the end-to-end tests, a new one for each test."""

import pytest

from contractdesk.accounts.models import Role, User
from contractdesk.salesconnect.connection import connect
from contractdesk.salesconnect.demo import seed_demo_org
from salesforce_emulator.testing import running_emulator
from tests.conftest import REPOSITORY, SHARED_DATA


@pytest.fixture
def org(tmp_path):
    """A new, empty org for each test, so one test's decisions never change another's queue."""
    with running_emulator(data_dir=tmp_path / "org", package_dir=REPOSITORY / "salesforce") as running:
        yield running


def point_salesconnect_at(settings, org, **overrides) -> None:
    """Configure SalesConnect to sign in to ``org`` with the client credentials flow."""
    settings.SALESCONNECT = {
        **settings.SALESCONNECT,
        "LOGIN_URL": org.login_url,
        "AUTH_FLOW": "client_credentials",
        "CLIENT_ID": org.client_id,
        "CLIENT_SECRET": org.client_secret,
        "CA_BUNDLE": str(org.ca_file),
        "TIMEOUT": (5.0, 30.0),
        **overrides,
    }


@pytest.fixture
def salesconnect(settings, org):
    """Point SalesConnect at the emulator and return a signed-in client."""
    point_salesconnect_at(settings, org)
    client = connect()
    yield client
    client.close()


@pytest.fixture
def seeded(salesconnect):
    """The org loaded with sample data and submitted requests, as `make run` loads it."""
    seed_demo_org(salesconnect, SHARED_DATA)
    return salesconnect


@pytest.fixture
def manager_client(client):
    manager = User.objects.create_user("morgan", password="a-long-test-password", role=Role.CONTRACT_MANAGER)
    client.force_login(manager)
    return client
