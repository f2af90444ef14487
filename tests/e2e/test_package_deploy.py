"""Installing salesforce/ in an empty org through the Metadata API, then using it."""

import shutil

import pytest
from django.core.management import CommandError, call_command

from contractdesk.salesconnect.connection import connect
from contractdesk.salesconnect.demo import DEMO_REQUESTS, seed_demo_org
from contractdesk.salesconnect.package_convert import convert_source
from contractdesk.salesconnect.package_deploy import (
    PackageDeployError,
    PollSchedule,
    deploy_package,
    deploy_salesforce_package,
)
from salesforce_emulator.testing import running_emulator
from tests.conftest import REPOSITORY, SHARED_DATA
from tests.e2e.conftest import point_salesconnect_at

pytestmark = pytest.mark.e2e

SOURCE = REPOSITORY / "salesforce"
FAST = PollSchedule(first_interval=0.05, factor=1.5, max_interval=0.5, timeout=30)


@pytest.fixture
def empty_org(tmp_path):
    """An org with the standard objects only, as a new Salesforce org before the package."""
    with running_emulator(data_dir=tmp_path / "org") as running:
        yield running


@pytest.fixture
def client(settings, empty_org):
    point_salesconnect_at(settings, empty_org)
    salesforce = connect()
    yield salesforce
    salesforce.close()


def count(client, soql: str) -> int:
    return client.request("GET", "query/", params={"q": soql}).json()["totalSize"]


def object_names(client) -> set[str]:
    return {entry["name"] for entry in client.request("GET", "sobjects/").json()["sobjects"]}


def test_deploy_then_seed_empty_org(client):
    assert "Contract_Request__c" not in object_names(client)

    status = deploy_salesforce_package(client, SOURCE, schedule=FAST)
    added = seed_demo_org(client, SHARED_DATA)

    assert status.status == "Succeeded"
    assert status.components_deployed == convert_source(SOURCE).component_count
    assert status.component_errors == 0
    assert added["requests"] == len(DEMO_REQUESTS)
    assert count(client, "SELECT COUNT() FROM Contract_Request__c WHERE Status__c = 'Submitted'") == len(DEMO_REQUESTS)
    permission_sets = "SELECT COUNT() FROM PermissionSet WHERE Name IN ('ContractDesk_User', 'ContractDesk_Admin')"
    assert count(client, permission_sets) == 2


def test_second_deploy_changes_nothing(client):
    deploy_salesforce_package(client, SOURCE, schedule=FAST)
    seed_demo_org(client, SHARED_DATA)

    again = deploy_salesforce_package(client, SOURCE, schedule=FAST)
    added = seed_demo_org(client, SHARED_DATA)

    assert again.status == "Succeeded"
    assert added == {"records": 0, "contract_types": 0, "requests": 0}
    assert count(client, "SELECT COUNT() FROM Contract_Request__c") == len(DEMO_REQUESTS)


def test_check_only_installs_nothing(client):
    status = deploy_salesforce_package(client, SOURCE, check_only=True, schedule=FAST)

    assert status.status == "Succeeded"
    assert status.check_only is True
    assert "Contract_Request__c" not in object_names(client)


def test_expired_session_is_renewed(client, empty_org):
    client.request("GET", "limits/")
    empty_org.org.sessions.expire_all()

    status = deploy_salesforce_package(client, SOURCE, schedule=FAST)

    assert status.status == "Succeeded"


def broken_copy(tmp_path):
    """Copy salesforce/ with one field of an unknown type and return the copy's folder."""
    project = tmp_path / "broken"
    shutil.copytree(SOURCE, project)
    field = project / "force-app/main/default/objects/Contract_Request__c/fields/Term_Months__c.field-meta.xml"
    field.write_text(field.read_text().replace("<type>Number</type>", "<type>Numeric</type>"))
    return project


def test_failed_deploy_reports_components(client, tmp_path):
    with pytest.raises(PackageDeployError) as raised:
        deploy_package(client, convert_source(broken_copy(tmp_path)), schedule=FAST)

    status = raised.value.deploy_status
    problems = {(f.file_name, f.full_name): f.problem for f in status.failures}
    missing_field = "In field: field - no CustomField named Contract_Request__c.Term_Months__c found"
    assert status.status == "Failed"
    # The layout and both permission sets name the field, so they fail with it.
    assert problems == {
        ("objects/Contract_Request__c.object", "Contract_Request__c.Term_Months__c"):
            "Error parsing file: 'Numeric' is not a valid value for the enum 'FieldType'",
        ("layouts/Contract_Request__c-Contract Request Layout.layout", "Contract_Request__c-Contract Request Layout"):
            missing_field,
        ("permissionsets/ContractDesk_Admin.permissionset", "ContractDesk_Admin"): missing_field,
        ("permissionsets/ContractDesk_User.permissionset", "ContractDesk_User"): missing_field,
    }
    assert status.failures[0].line is not None
    assert "nothing was installed" in str(raised.value)
    assert "Contract_Request__c" not in object_names(client)


def test_command_deploys_package(client, capsys):
    call_command("deploy_salesforce_package", "--source-dir", str(SOURCE))

    output = capsys.readouterr().out
    assert "Deploying" in output
    assert "succeeded" in output
    assert count(client, "SELECT COUNT() FROM Contract_Type__c") == 0


def test_command_prints_component_failures(client, tmp_path, capsys):
    with pytest.raises(CommandError, match="nothing was installed"):
        call_command("deploy_salesforce_package", "--source-dir", str(broken_copy(tmp_path)))

    errors = capsys.readouterr().err
    assert "Component failures (4):" in errors
    assert "objects/Contract_Request__c.object" in errors
    assert "Contract_Request__c.Term_Months__c" in errors
