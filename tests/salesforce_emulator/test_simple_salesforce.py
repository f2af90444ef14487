"""An outside client, simple-salesforce, works against the emulator unchanged."""

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from .conftest import API_VERSION


@pytest.fixture
def client(emulator):
    client = Salesforce(
        instance_url=emulator.instance_url, session_id=emulator.access_token(), version=API_VERSION,
    )
    client.session.verify = str(emulator.ca_file)
    return client


def test_create_get_update_delete(client):
    created = client.Widget__c.create({"Code__c": "SS1", "Colour__c": "Red"})
    widget_id = created["id"]

    assert created["success"] is True
    assert client.Widget__c.get(widget_id)["Colour__c"] == "Red"
    assert client.Widget__c.update(widget_id, {"Colour__c": "Blue"}) == 204
    assert client.Widget__c.get_by_custom_id("Code__c", "SS1")["Colour__c"] == "Blue"
    assert client.Widget__c.delete(widget_id) == 204


def test_query_all_follows_pages(client):
    records = [{"attributes": {"type": "Account", "referenceId": f"ss{number}"}, "Name": f"SS Paging {number}"}
               for number in range(210)]
    client.restful("composite/tree/Account", method="POST", json={"records": records[:200]})
    client.restful("composite/tree/Account", method="POST", json={"records": records[200:]})

    client.headers["Sforce-Query-Options"] = "batchSize=200"
    result = client.query_all("SELECT Name FROM Account WHERE Name LIKE 'SS Paging %'")

    assert result["totalSize"] == 210
    assert len(result["records"]) == 210


def test_describe(client):
    describe = client.Widget__c.describe()

    assert describe["label"] == "Widget"
    assert "Code__c" in [field["name"] for field in describe["fields"]]


def test_errors_raise_client_exceptions(client):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        client.Widget__c.create({"Colour__c": "Purple", "Code__c": "SS2"})

    assert caught.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_limits(client):
    assert client.limits()["DailyApiRequests"]["Max"] == 100000
