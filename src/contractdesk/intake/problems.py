"""Decide whether a submitted request can be reviewed as it is, and what to fix if not.

Each message is written for the salesperson, who reads it on the request in
Salesforce, so it states what is wrong and what to do next.
"""

from contractdesk.contracts.models import ContractType

RESUBMIT = "then set Status to Submitted again"

# A contract term longer than 100 years is a typing mistake, not a term.
MAX_TERM_MONTHS = 1200
# Salesforce accepts Currency(16,2), but SQLite keeps decimals as binary floats,
# which hold cents exactly only below 10^13, so larger amounts are flagged.
MAX_PROPOSED_VALUE = 9_999_999_999_999.99


def request_problems(record: dict, contract_type: ContractType | None, files: list) -> list[str]:
    """Return what stops the request from being reviewed; an empty list means nothing does."""
    problems = []

    # A deleted Account either clears the lookup or leaves it pointing at nothing.
    if not record.get("Account__c") or not record.get("Account__r"):
        problems.append(
            "The request has no Account; it may have been deleted. "
            f"Choose the customer's Account on the request, {RESUBMIT}."
        )

    problems.extend(_contract_type_problems(record, contract_type))

    # A file's own problem message already explains what the salesperson must do.
    problems.extend(incoming.problem for incoming in files if incoming.problem)
    if not files:
        problems.append(f"No contract file is attached. Attach the draft or final contract (PDF or DOCX), {RESUBMIT}.")

    if record.get("Term_Type__c") not in {"Auto-Renew", "Fixed", "Perpetual"}:
        problems.append(f"Term Type is not set. Choose Auto-Renew, Fixed or Perpetual, {RESUBMIT}.")

    problems.extend(_number_problems(record))
    return problems


def _number_problems(record: dict) -> list[str]:
    problems = []
    term = record.get("Term_Months__c")
    if term is not None and not 1 <= term <= MAX_TERM_MONTHS:
        problems.append(f"Term (months) is {term:g}. Enter a whole number from 1 to {MAX_TERM_MONTHS}, {RESUBMIT}.")

    value = record.get("Proposed_Value__c")
    if value is not None and not 0 <= value <= MAX_PROPOSED_VALUE:
        problems.append(
            f"Proposed Value {value:,.2f} is outside the accepted range, 0 to {MAX_PROPOSED_VALUE:,.2f}. "
            f"Correct it, {RESUBMIT}."
        )
    return problems


def _contract_type_problems(record: dict, contract_type: ContractType | None) -> list[str]:
    salesforce_type = record.get("Contract_Type__r") or {}
    if not record.get("Contract_Type__c"):
        return [f"Contract Type is not set. Choose the kind of contract, {RESUBMIT}."]

    if contract_type is None:
        code = salesforce_type.get("ContractDesk_Code__c") or ""
        return [
            f"The contract type {salesforce_type.get('Name') or code!r} is not set up in contractdesk "
            f"(code {code!r}). Ask your ContractDesk administrator to add it, {RESUBMIT}."
        ]

    problems = []
    opportunity = record.get("Opportunity__r") or {}
    required_stage = salesforce_type.get("Required_Stage__c")
    # NOTE: the stage must match exactly. Salesforce orders stages
    # (OpportunityStage.SortOrder), and "this stage or a later one" would be
    # kinder; reading that order needs one more query per sync.
    if required_stage and opportunity.get("StageName") != required_stage:
        problems.append(
            f"A {contract_type.name} needs the Opportunity at stage {required_stage!r}, "
            f"but it is at {opportunity.get('StageName') or 'no stage'!r}. Move the Opportunity on, {RESUBMIT}."
        )

    minimum = salesforce_type.get("Minimum_Probability__c")
    probability = opportunity.get("Probability")
    if minimum is not None and (probability is None or probability < minimum):
        problems.append(
            f"A {contract_type.name} needs an Opportunity probability of at least {minimum:g}%, "
            f"but it is {'not set' if probability is None else f'{probability:g}%'}. "
            f"Update the Opportunity, {RESUBMIT}."
        )
    return problems
