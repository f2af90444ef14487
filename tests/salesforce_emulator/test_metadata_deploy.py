"""The Metadata API deploy over real HTTPS: SOAP calls, component results, installs and rollback."""

import base64
import io
import json
import re
import time
import xml.etree.ElementTree as ElementTree
import zipfile

import pytest
import requests
from simple_salesforce import Salesforce

from salesforce_emulator.testing import running_emulator

from .conftest import API_VERSION, RestClient

MD = "http://soap.sforce.com/2006/04/metadata"
ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
_NS = {"md": MD, "soapenv": ENVELOPE}

TEXT_FIELD = "<fields><fullName>Code__c</fullName><label>Code</label><length>20</length><type>Text</type></fields>"
LOOKUP_FIELD = (
    "<fields><fullName>Account__c</fullName><label>Account</label><referenceTo>Account</referenceTo>"
    "<relationshipName>Widgets</relationshipName><type>Lookup</type></fields>"
)
PERMISSION_SET = f"""<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="{MD}">
    <fieldPermissions>
        <editable>true</editable>
        <field>Widget__c.Code__c</field>
        <readable>true</readable>
    </fieldPermissions>
    <label>Widget User</label>
    <objectPermissions>
        <allowCreate>true</allowCreate>
        <allowDelete>false</allowDelete>
        <allowEdit>true</allowEdit>
        <allowRead>true</allowRead>
        <modifyAllRecords>false</modifyAllRecords>
        <object>Widget__c</object>
        <viewAllRecords>false</viewAllRecords>
    </objectPermissions>
</PermissionSet>
"""


def custom_object(*fields: str, label: str = "Widget") -> str:
    """Return a Widget__c object file with the given <fields> elements."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="{MD}">\n'
        "    <deploymentStatus>Deployed</deploymentStatus>\n"
        + "".join(f"    {field}\n" for field in fields)
        + f"    <label>{label}</label>\n"
        "    <nameField><label>Widget Name</label><type>Text</type></nameField>\n"
        "    <pluralLabel>Widgets</pluralLabel>\n"
        "    <sharingModel>ReadWrite</sharingModel>\n"
        "</CustomObject>\n"
    )


def manifest(**members: list[str]) -> str:
    """Return a package.xml naming members per metadata type."""
    types = "".join(
        "<types>" + "".join(f"<members>{name}</members>" for name in names) + f"<name>{type_name}</name></types>"
        for type_name, names in members.items()
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Package xmlns="{MD}">{types}'
        f"<version>{API_VERSION}</version></Package>"
    )


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def widget_package(*fields: str, permission_set: str | None = None) -> bytes:
    """Return a zip with Widget__c (a text and a lookup field by default) and maybe a permission set."""
    members = {"CustomObject": ["Widget__c"]}
    files = {"objects/Widget__c.object": custom_object(*(fields or (TEXT_FIELD, LOOKUP_FIELD)))}
    if permission_set:
        members["PermissionSet"] = ["Widget_User"]
        files["permissionsets/Widget_User.permissionset"] = permission_set
    return zip_of({"package.xml": manifest(**members), **files})


def parse(response: requests.Response) -> ElementTree.Element:
    # The emulator under test wrote this XML over loopback.
    return ElementTree.fromstring(response.content)  # noqa: S314


class MetadataSoap:
    """A minimal Metadata API SOAP client, the way jsforce and the Salesforce CLI send calls."""

    def __init__(self, emulator, token: str, path: str = f"/services/Soap/m/{API_VERSION}") -> None:
        self.url = emulator.instance_url + path
        self.token = token
        self.verify = str(emulator.ca_file)

    def call(self, body: str) -> requests.Response:
        envelope = (
            f'<soapenv:Envelope xmlns:soapenv="{ENVELOPE}" xmlns:met="{MD}"><soapenv:Header>'
            f"<met:SessionHeader><met:sessionId>{self.token}</met:sessionId></met:SessionHeader>"
            f"</soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
        )
        return requests.post(
            self.url, data=envelope.encode(), headers={"Content-Type": "text/xml", "SOAPAction": '""'},
            verify=self.verify, timeout=30,
        )

    def deploy(self, zip_bytes: bytes, **options: bool) -> str:
        options.setdefault("rollbackOnError", True)
        options.setdefault("singlePackage", True)
        flags = "".join(f"<met:{name}>{str(value).lower()}</met:{name}>" for name, value in options.items())
        response = self.call(
            f"<met:deploy><met:ZipFile>{base64.b64encode(zip_bytes).decode()}</met:ZipFile>"
            f"<met:DeployOptions>{flags}</met:DeployOptions></met:deploy>"
        )
        assert response.status_code == 200, response.text
        return parse(response).findtext(".//md:deployResponse/md:result/md:id", namespaces=_NS)

    def status(self, deploy_id: str, include_details: bool = True) -> ElementTree.Element:
        response = self.call(
            f"<met:checkDeployStatus><met:asyncProcessId>{deploy_id}</met:asyncProcessId>"
            f"<met:includeDetails>{str(include_details).lower()}</met:includeDetails></met:checkDeployStatus>"
        )
        assert response.status_code == 200, response.text
        return parse(response).find(".//md:checkDeployStatusResponse/md:result", _NS)

    def wait(self, deploy_id: str, timeout: float = 20) -> ElementTree.Element:
        deadline = time.monotonic() + timeout
        while True:
            result = self.status(deploy_id)
            if result.findtext("md:done", namespaces=_NS) == "true" or time.monotonic() > deadline:
                return result
            time.sleep(0.05)

    def deploy_and_wait(self, zip_bytes: bytes, **options: bool) -> ElementTree.Element:
        return self.wait(self.deploy(zip_bytes, **options))


def value(element: ElementTree.Element, name: str) -> str | None:
    return element.findtext(f"md:{name}", namespaces=_NS)


def messages(result: ElementTree.Element, kind: str) -> list[dict]:
    """Return componentSuccesses or componentFailures as dicts of element text."""
    return [
        {child.tag.split("}")[1]: child.text or "" for child in message}
        for message in result.findall(f"md:details/md:{kind}", _NS)
    ]


def fault_code(response: requests.Response) -> str:
    return parse(response).findtext(".//soapenv:Fault/faultcode", namespaces=_NS)


@pytest.fixture
def org(tmp_path):
    """A new org for a test whose deploy installs something."""
    with running_emulator(tmp_path / "org") as running:
        yield running


@pytest.fixture(scope="module")
def idle_org(tmp_path_factory):
    """One org for the tests whose deploys must install nothing; each checks that they did not."""
    with running_emulator(tmp_path_factory.mktemp("idle-org")) as running:
        yield running


@pytest.fixture
def checker(idle_org) -> MetadataSoap:
    return MetadataSoap(idle_org, idle_org.access_token())


@pytest.fixture
def idle_rest(idle_org) -> RestClient:
    client = RestClient(idle_org, idle_org.access_token())
    yield client
    client.http.close()


@pytest.fixture
def soap(org) -> MetadataSoap:
    return MetadataSoap(org, org.access_token())


@pytest.fixture
def rest(org) -> RestClient:
    client = RestClient(org, org.access_token())
    yield client
    client.http.close()


def test_deploy_installs_object_and_fields(soap, rest):
    result = soap.deploy_and_wait(widget_package())

    assert value(result, "status") == "Succeeded"
    assert value(result, "success") == "true"
    assert value(result, "numberComponentsTotal") == "3"
    assert value(result, "numberComponentsDeployed") == "3"
    assert value(result, "numberComponentErrors") == "0"
    successes = {(m["componentType"], m["fullName"]): m for m in messages(result, "componentSuccesses")}
    assert set(successes) == {
        ("", "package.xml"), ("CustomObject", "Widget__c"),
        ("CustomField", "Widget__c.Code__c"), ("CustomField", "Widget__c.Account__c"),
    }
    assert successes[("CustomObject", "Widget__c")]["id"].startswith("01I")
    assert successes[("CustomField", "Widget__c.Code__c")]["fileName"] == "objects/Widget__c.object"
    assert successes[("CustomField", "Widget__c.Code__c")]["created"] == "true"

    account_id = rest.create("Account", {"Name": "Deployed Account"})
    widget_id = rest.create("Widget__c", {"Name": "W-1", "Code__c": "abc", "Account__c": account_id})
    rows = rest.query("SELECT Code__c, Account__r.Name FROM Widget__c WHERE Code__c = 'ABC'").json()["records"]
    children = rest.query(f"SELECT (SELECT Id FROM Widgets__r) FROM Account WHERE Id = '{account_id}'").json()

    assert widget_id.startswith("a00")
    assert [(row["Code__c"], row["Account__r"]["Name"]) for row in rows] == [("abc", "Deployed Account")]
    assert children["records"][0]["Widgets__r"]["totalSize"] == 1


def test_deploy_runs_in_background(org, soap):
    org.org.metadata.delay_seconds = 0.5
    deploy_id = soap.deploy(widget_package())

    first = soap.status(deploy_id, include_details=False)
    final = soap.wait(deploy_id)

    assert re.fullmatch(r"0Af[A-Za-z0-9]{15}", deploy_id)
    assert value(first, "done") == "false"
    assert value(first, "status") in ("Pending", "InProgress")
    assert first.find("md:details", _NS) is None
    assert value(final, "status") == "Succeeded"
    assert value(final, "completedDate").endswith("Z")


def test_deployed_schema_survives_restart(tmp_path):
    data_dir = tmp_path / "org"
    with running_emulator(data_dir) as first:
        soap = MetadataSoap(first, first.access_token())
        result = soap.deploy_and_wait(widget_package(TEXT_FIELD, permission_set=PERMISSION_SET))
        prefix = first.org.schema.get("Widget__c").key_prefix

    with running_emulator(data_dir) as second:
        rest = RestClient(second, second.access_token())
        describe = rest.get("/sobjects/Widget__c/describe").json()
        widget_id = rest.create("Widget__c", {"Name": "After restart", "Code__c": "R1"})
        permission_sets = rest.query("SELECT Label FROM PermissionSet WHERE Name = 'Widget_User'").json()
        again = MetadataSoap(second, second.access_token()).deploy_and_wait(
            widget_package(TEXT_FIELD, permission_set=PERMISSION_SET),
        )
        rest.http.close()

    assert value(result, "status") == "Succeeded"
    assert {field["name"] for field in describe["fields"]} >= {"Name", "OwnerId", "Code__c"}
    assert widget_id.startswith(prefix)
    assert [row["Label"] for row in permission_sets["records"]] == ["Widget User"]
    unchanged = [m for m in messages(again, "componentSuccesses") if m["componentType"]]
    assert {(m["fullName"], m["changed"], m["created"]) for m in unchanged} == {
        ("Widget__c", "false", "false"), ("Widget__c.Code__c", "false", "false"), ("Widget_User", "false", "false"),
    }


def test_second_deploy_adds_columns(soap, rest):
    soap.deploy_and_wait(widget_package(TEXT_FIELD))
    widget_id = rest.create("Widget__c", {"Name": "Before", "Code__c": "kept"})

    extra = (
        "<fields><fullName>Size__c</fullName><label>Size</label><precision>5</precision>"
        "<scale>0</scale><type>Number</type></fields>"
    )
    result = soap.deploy_and_wait(zip_of({
        "package.xml": manifest(CustomField=["Widget__c.Size__c"]),
        "objects/Widget__c.object": custom_object(extra),
    }))
    rest.patch(f"/sobjects/Widget__c/{widget_id}", json={"Size__c": 3})
    record = rest.get(f"/sobjects/Widget__c/{widget_id}").json()

    assert value(result, "status") == "Succeeded"
    assert [(m["componentType"], m["fullName"]) for m in messages(result, "componentSuccesses")][1:] == [
        ("CustomField", "Widget__c.Size__c"),
    ]
    assert (record["Code__c"], record["Size__c"]) == ("kept", 3)


def test_fields_added_to_standard_object(soap, rest):
    account = (
        f'<CustomObject xmlns="{MD}"><fields><fullName>Tier__c</fullName><label>Tier</label>'
        "<length>10</length><type>Text</type></fields></CustomObject>"
    )
    result = soap.deploy_and_wait(zip_of({
        "package.xml": manifest(CustomObject=["Account"]), "objects/Account.object": account,
    }))
    account_id = rest.create("Account", {"Name": "Tiered", "Tier__c": "Gold"})

    assert value(result, "status") == "Succeeded"
    assert rest.get(f"/sobjects/Account/{account_id}").json()["Tier__c"] == "Gold"


def test_missing_required_element_fails_and_rolls_back(checker, idle_rest):
    no_length = "<fields><fullName>Code__c</fullName><label>Code</label><type>Text</type></fields>"
    result = checker.deploy_and_wait(widget_package(no_length, LOOKUP_FIELD))

    failures = messages(result, "componentFailures")
    assert value(result, "status") == "Failed"
    assert value(result, "success") == "false"
    assert value(result, "numberComponentErrors") == "1"
    assert [(f["componentType"], f["fullName"], f["fileName"], f["problem"], f["problemType"]) for f in failures] == [
        ("CustomField", "Widget__c.Code__c", "objects/Widget__c.object", "Required field is missing: length", "Error"),
    ]
    assert failures[0]["lineNumber"] == "4"
    assert idle_rest.get("/sobjects/Widget__c/describe").status_code == 404


def test_unknown_field_type_fails(checker, idle_rest):
    unknown = "<fields><fullName>Code__c</fullName><label>Code</label><type>Textish</type></fields>"
    result = checker.deploy_and_wait(widget_package(unknown))

    failures = messages(result, "componentFailures")
    assert value(result, "status") == "Failed"
    assert [f["problem"] for f in failures] == [
        "Error parsing file: 'Textish' is not a valid value for the enum 'FieldType'",
    ]
    assert idle_rest.get("/sobjects/Widget__c/describe").status_code == 404


def test_permission_set_naming_missing_field_rolls_back(checker, idle_rest):
    bad = PERMISSION_SET.replace("Widget__c.Code__c", "Widget__c.Missing__c")
    result = checker.deploy_and_wait(widget_package(permission_set=bad))

    failures = messages(result, "componentFailures")
    permission_sets = idle_rest.query("SELECT Id FROM PermissionSet WHERE Name = 'Widget_User'").json()
    assert value(result, "status") == "Failed"
    assert [(f["componentType"], f["fileName"], f["problem"]) for f in failures] == [
        ("PermissionSet", "permissionsets/Widget_User.permissionset",
         "In field: field - no CustomField named Widget__c.Missing__c found"),
    ]
    assert value(result, "numberComponentsDeployed") == "3"
    assert idle_rest.get("/sobjects/Widget__c/describe").status_code == 404
    assert permission_sets["totalSize"] == 0


def test_permission_on_required_field_fails(checker):
    required = (
        "<fields><fullName>Code__c</fullName><label>Code</label><length>20</length>"
        "<required>true</required><type>Text</type></fields>"
    )
    result = checker.deploy_and_wait(widget_package(required, permission_set=PERMISSION_SET))

    assert [f["problem"] for f in messages(result, "componentFailures")] == [
        "You cannot deploy to a required field: Widget__c.Code__c",
    ]


def test_without_rollback_installs_what_passes(soap, rest):
    bad = PERMISSION_SET.replace("Widget__c.Code__c", "Widget__c.Missing__c")
    result = soap.deploy_and_wait(widget_package(permission_set=bad), rollbackOnError=False)

    assert value(result, "status") == "SucceededPartial"
    assert value(result, "success") == "false"
    assert rest.get("/sobjects/Widget__c/describe").status_code == 200


def test_check_only_installs_nothing(checker, idle_rest):
    result = checker.deploy_and_wait(widget_package(), checkOnly=True)

    assert value(result, "status") == "Succeeded"
    assert value(result, "checkOnly") == "true"
    assert idle_rest.get("/sobjects/Widget__c/describe").status_code == 404


def test_layout_and_tab_references_checked(checker):
    layout = (
        f'<Layout xmlns="{MD}"><layoutSections><label>Info</label><layoutColumns>'
        "<layoutItems><behavior>Edit</behavior><field>Code__c</field></layoutItems>"
        "<layoutItems><behavior>Edit</behavior><field>Nowhere__c</field></layoutItems>"
        "</layoutColumns><style>OneColumn</style></layoutSections></Layout>"
    )
    tab = f'<CustomTab xmlns="{MD}"><customObject>true</customObject><motif>Custom18: Form</motif></CustomTab>'
    result = checker.deploy_and_wait(zip_of({
        "package.xml": manifest(
            CustomObject=["Widget__c"], Layout=["Widget__c-Widget Layout"], CustomTab=["Gadget__c"],
        ),
        "objects/Widget__c.object": custom_object(TEXT_FIELD),
        "layouts/Widget__c-Widget Layout.layout": layout,
        "tabs/Gadget__c.tab": tab,
    }))

    problems = {(f["fullName"], f["problem"]) for f in messages(result, "componentFailures")}
    assert problems == {
        ("Widget__c-Widget Layout", "In field: field - no CustomField named Widget__c.Nowhere__c found"),
        ("Gadget__c", "In field: customObject - no CustomObject named Gadget__c found"),
    }


def test_manifest_and_files_must_agree(checker):
    result = checker.deploy_and_wait(zip_of({
        "package.xml": manifest(CustomObject=["Widget__c", "Gizmo__c"]),
        "objects/Widget__c.object": custom_object(TEXT_FIELD),
        "permissionsets/Stray.permissionset": PERMISSION_SET,
    }))

    problems = {(f["componentType"], f["fullName"], f["problem"]) for f in messages(result, "componentFailures")}
    assert problems == {
        ("CustomObject", "Gizmo__c",
         "An object 'Gizmo__c' of type CustomObject was named in package.xml, but was not found in zipped directory"),
        ("PermissionSet", "Stray", "Not in package.xml"),
    }


def test_member_named_twice_deploys_once(soap):
    result = soap.deploy_and_wait(zip_of({
        "package.xml": manifest(CustomObject=["Widget__c", "widget__c"]),
        "objects/Widget__c.object": custom_object(TEXT_FIELD),
    }))

    names = [m["fullName"] for m in messages(result, "componentSuccesses")]
    assert value(result, "status") == "Succeeded"
    assert names == ["package.xml", "Widget__c", "Widget__c.Code__c"]


def test_zip_without_manifest_fails(checker):
    result = checker.deploy_and_wait(zip_of({"objects/Widget__c.object": custom_object()}))

    assert value(result, "status") == "Failed"
    assert [(f["fileName"], f["problem"]) for f in messages(result, "componentFailures")] == [
        ("package.xml", "No package.xml found"),
    ]


def test_destructive_changes_are_refused(checker):
    result = checker.deploy_and_wait(zip_of({
        "package.xml": manifest(),
        "destructiveChanges.xml": manifest(CustomObject=["Account"]),
    }))

    assert value(result, "status") == "Failed"
    assert [(f["fileName"], f["problem"]) for f in messages(result, "componentFailures")] == [
        ("destructiveChanges.xml",
         "The Salesforce emulator does not delete components; remove this file from the zip"),
    ]


def test_package_in_folder_keeps_folder_name(soap):
    result = soap.deploy_and_wait(zip_of({
        "unpackaged/package.xml": manifest(CustomObject=["Widget__c"]),
        "unpackaged/objects/Widget__c.object": custom_object(TEXT_FIELD),
    }), singlePackage=False)

    assert value(result, "status") == "Succeeded"
    assert {m["fileName"] for m in messages(result, "componentSuccesses")} == {
        "unpackaged/package.xml", "unpackaged/objects/Widget__c.object",
    }


def test_invalid_session_is_a_fault(idle_org):
    response = MetadataSoap(idle_org, "00D000000000000!invalid").call(
        "<met:checkDeployStatus><met:asyncProcessId>0AfEm0000000001KAA</met:asyncProcessId></met:checkDeployStatus>"
    )

    assert response.status_code == 500
    assert fault_code(response) == "sf:INVALID_SESSION_ID"


def test_user_without_modify_all_data_is_refused(idle_org):
    with idle_org.org.store.read() as connection:
        profile_id = connection.execute(
            'SELECT "Id" FROM "sobj_Profile" WHERE "Name" = ?', ("Standard User",),
        ).fetchone()["Id"]
    idle_org.org.records.create("User", {
        "Username": "seller@contractdesk.emulator", "LastName": "Seller", "Email": "seller@example.com",
        "Alias": "seller", "ProfileId": profile_id, "TimeZoneSidKey": "GMT", "LocaleSidKey": "en_US",
        "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8",
    }, idle_org.org.admin_id)

    response = MetadataSoap(idle_org, idle_org.access_token("seller@contractdesk.emulator")).call(
        f"<met:deploy><met:ZipFile>{base64.b64encode(widget_package()).decode()}</met:ZipFile></met:deploy>"
    )

    assert response.status_code == 500
    assert fault_code(response) == "sf:INSUFFICIENT_ACCESS"
    assert "ModifyAllData" in response.text


def test_unknown_operation_is_a_client_fault(checker):
    response = checker.call("<met:retrieve><met:retrieveRequest/></met:retrieve>")

    assert response.status_code == 500
    assert fault_code(response) == "soapenv:Client"
    assert f"{{{MD}}}retrieve" in response.text


def test_unknown_deploy_id_is_a_fault(checker):
    response = checker.call(
        "<met:checkDeployStatus><met:asyncProcessId>0AfEm0000000999KAA</met:asyncProcessId></met:checkDeployStatus>"
    )

    assert response.status_code == 500
    assert fault_code(response) == "sf:INVALID_ID_FIELD"


def test_simple_salesforce_deploys_unchanged(org, tmp_path):
    # simple-salesforce posts to .../Soap/m/XX.X/deployRequest[/id] and reads the result itself.
    package = tmp_path / "package.zip"
    package.write_bytes(widget_package(TEXT_FIELD))
    http = requests.Session()
    http.verify = str(org.ca_file)
    sf = Salesforce(
        instance_url=org.instance_url, session_id=org.access_token(), version=API_VERSION, session=http,
    )

    started = sf.deploy(str(package), sandbox=False)
    deadline = time.monotonic() + 20
    while (status := sf.checkDeployStatus(started["asyncId"]))["state"] in ("Pending", "InProgress"):
        assert time.monotonic() < deadline
        time.sleep(0.05)

    assert started["state"] == "Queued"
    assert status["state"] == "Succeeded"
    assert status["deployment_detail"]["deployed_count"] == "2"
    assert sf.Widget__c.describe()["label"] == "Widget"


def rest_deploy(rest: RestClient, zip_bytes: bytes, **options: bool) -> dict:
    """Deploy through the REST deployRequest resource, as jsforce's deployRest() does, and wait."""
    response = rest.post("/metadata/deployRequest", files={
        "file": ("package.zip", zip_bytes, "application/zip"),
        "entity_content": (None, json.dumps({"deployOptions": options}), "application/json"),
    })
    assert response.status_code == 201, response.text
    deploy_id = response.json()["id"]
    deadline = time.monotonic() + 20
    while True:
        status = rest.get(f"/metadata/deployRequest/{deploy_id}", params={"includeDetails": "true"}).json()
        if status["deployResult"]["done"] or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_rest_deploy_request_installs(rest):
    status = rest_deploy(rest, widget_package(TEXT_FIELD), rollbackOnError=True, singlePackage=True)

    result = status["deployResult"]
    successes = {(m["componentType"], m["fullName"]) for m in result["details"]["componentSuccesses"]}
    assert result["status"] == "Succeeded"
    assert result["success"] is True
    assert result["rollbackOnError"] is True
    assert result["numberComponentsDeployed"] == 2
    assert successes == {("", "package.xml"), ("CustomObject", "Widget__c"), ("CustomField", "Widget__c.Code__c")}
    assert rest.get("/sobjects/Widget__c/describe").status_code == 200


def test_rest_deploy_request_reports_failures(idle_rest):
    unknown = "<fields><fullName>Code__c</fullName><label>Code</label><type>Textish</type></fields>"
    status = rest_deploy(idle_rest, widget_package(unknown), rollbackOnError=True, singlePackage=True)

    result = status["deployResult"]
    assert result["status"] == "Failed"
    assert [(f["fullName"], f["lineNumber"]) for f in result["details"]["componentFailures"]] == [
        ("Widget__c.Code__c", 4),
    ]
    assert idle_rest.get("/sobjects/Widget__c/describe").status_code == 404


def test_rest_deploy_request_unknown_id(idle_rest):
    response = idle_rest.get("/metadata/deployRequest/0AfEm0000000999KAA")

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"
