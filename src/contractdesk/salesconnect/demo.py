"""Load a Salesforce org with sample data and submitted contract requests, for demos and tests.

It acts as a salesperson would: it creates a Draft request on a real sample
Opportunity, attaches a real contract file, then sets Status to Submitted.
Everything is looked up first, so running it again adds nothing.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import structlog

from contractdesk.salesconnect.client import SalesforceClient, soql_quote

log = structlog.get_logger(__name__)

SAMPLE_FILES = ["Accounts.json", "Contacts.json", "Opportunities.json"]

CONTRACT_TYPES = [
    # (Name, ContractDesk_Code__c, Required_Stage__c, Minimum_Probability__c)
    ("Mutual NDA", "mutual-nda", None, None),
    ("Cloud Service Agreement", "cloud-service-agreement", None, None),
    ("Order Form", "order-form", None, None),
    ("Data Processing Agreement", "data-processing-agreement", None, None),
    ("Professional Services Agreement", "professional-services", None, None),
    ("Statement of Work", "statement-of-work", None, None),
]


@dataclass(frozen=True)
class DemoRequest:
    opportunity: str
    contract_type: str
    contract_file: str
    term_type: str
    term_months: int | None
    effective_date: str


DEMO_REQUESTS = [
    DemoRequest(
        "Cloud Platform Expansion",
        "cloud-service-agreement",
        "common-paper-cloud-service-agreement.docx",
        "Auto-Renew",
        12,
        "2027-01-01",
    ),
    DemoRequest(
        "Enterprise License Renewal", "order-form", "pdf/common-paper-order-form.pdf", "Fixed", 24, "2027-02-01"
    ),
    DemoRequest(
        "Digital Transformation Initiative",
        "professional-services",
        "common-paper-professional-services-agreement.docx",
        "Fixed",
        18,
        "2027-01-15",
    ),
    DemoRequest(
        "API Integration Project", "mutual-nda", "pdf/bonterms-mutual-nda.pdf", "Perpetual", None, "2026-12-15"
    ),
    DemoRequest(
        "Cloud Platform Expansion",
        "data-processing-agreement",
        "pdf/common-paper-data-processing-agreement.pdf",
        "Auto-Renew",
        12,
        "2027-01-01",
    ),
]


def seed_demo_org(client: SalesforceClient, data_dir: Path) -> dict[str, int]:
    """Load sample records, contract types and submitted requests; return how many of each were added."""
    added = {"records": 0, "contract_types": 0, "requests": 0}
    if _count(client, "SELECT COUNT() FROM Account") == 0:
        added["records"] = load_sample_data(client, data_dir / "salesforce-sample")

    type_ids = {}
    for name, code, stage, probability in CONTRACT_TYPES:
        type_ids[code], created = _contract_type(client, name, code, stage, probability)
        added["contract_types"] += created

    type_names = {code: name for name, code, _stage, _probability in CONTRACT_TYPES}
    for demo in DEMO_REQUESTS:
        name = f"{demo.opportunity}: {type_names[demo.contract_type]}"
        added["requests"] += _submit_request(client, demo, name, type_ids[demo.contract_type], data_dir / "contracts")
    log.info("demo.seeded", **added)
    return added


def load_sample_data(client: SalesforceClient, sample_dir: Path) -> int:
    """Load sObject Tree files in order through the composite/tree resource.

    The files refer to records of earlier files by ``@referenceId``, as
    ``sf data import tree`` plans do, so each file's references are replaced
    by the Ids the org returned for the files before it. Fields the org does
    not have (the sample Contacts carry a Picture__c field from their source
    app) are dropped, because the org would reject the whole tree.
    """
    reference_ids: dict[str, str] = {}
    loaded = 0
    for name in SAMPLE_FILES:
        records = json.loads((sample_dir / name).read_text())["records"]
        sobject = records[0]["attributes"]["type"]
        known_fields = {
            field["name"] for field in client.request("GET", f"sobjects/{sobject}/describe").json()["fields"]
        }
        prepared = [_prepare_tree_record(record, known_fields, reference_ids) for record in records]

        for start in range(0, len(prepared), 200):
            body = client.request(
                "POST", f"composite/tree/{sobject}", json={"records": prepared[start : start + 200]}
            ).json()
            for result in body["results"]:
                reference_ids[result["referenceId"]] = result["id"]
            loaded += len(body["results"])
    return loaded


def _prepare_tree_record(record: dict, known_fields: set[str], reference_ids: dict[str, str]) -> dict:
    prepared = {"attributes": record["attributes"]}
    for field, value in record.items():
        if field == "attributes" or field not in known_fields:
            continue
        if isinstance(value, str) and value.startswith("@"):
            value = reference_ids[value[1:]]
        prepared[field] = value
    return prepared


def _contract_type(client, name: str, code: str, stage, probability) -> tuple[str, bool]:
    found = list(client.query(f"SELECT Id FROM Contract_Type__c WHERE ContractDesk_Code__c = {soql_quote(code)}"))
    if found:
        return found[0]["Id"], False
    fields = {"Name": name, "ContractDesk_Code__c": code, "Active__c": True}
    if stage:
        fields["Required_Stage__c"] = stage
    if probability is not None:
        fields["Minimum_Probability__c"] = probability
    return client.create_record("Contract_Type__c", fields), True


def _submit_request(client, demo: DemoRequest, name: str, type_id: str, contracts_dir: Path) -> int:
    opportunity = list(
        client.query(
            f"SELECT Id, AccountId, Amount FROM Opportunity WHERE Name = {soql_quote(demo.opportunity)} LIMIT 1"
        )
    )[0]
    contract_path = contracts_dir / demo.contract_file
    if _count(client, f"SELECT COUNT() FROM Contract_Request__c WHERE Name = {soql_quote(name)}"):
        return 0

    fields = {
        "Name": name,
        "Account__c": opportunity["AccountId"],
        "Opportunity__c": opportunity["Id"],
        "Contract_Type__c": type_id,
        "Term_Type__c": demo.term_type,
        "Effective_Date__c": demo.effective_date,
        "Proposed_Value__c": opportunity.get("Amount"),
        "Description__c": f"Please review the attached {contract_path.suffix[1:].upper()} for {demo.opportunity}.",
        "Status__c": "Draft",
    }
    if demo.term_months is not None:
        fields["Term_Months__c"] = demo.term_months
    request_id = client.create_record("Contract_Request__c", fields)

    with contract_path.open("rb") as data:
        client.upload_content_version(
            title=contract_path.stem, path_on_client=contract_path.name, data=data, first_publish_location_id=request_id
        )
    client.request("PATCH", f"sobjects/Contract_Request__c/{request_id}", json={"Status__c": "Submitted"})
    return 1


def _count(client, soql: str) -> int:
    return client.request("GET", "query/", params={"q": soql}).json()["totalSize"]
