"""Create Contract Profiles."""

from contractdesk.contracts.models import Contract, TermType

# Salesforce's Term_Type__c picklist values, and ours.
TERM_TYPES_FROM_SALESFORCE = {
    "Auto-Renew": TermType.AUTO_RENEW,
    "Fixed": TermType.FIXED,
    "Perpetual": TermType.PERPETUAL,
}


def create_contract(*, created_by, company, contract_type, title: str, term_type: str, **details) -> Contract:
    """Create a Contract Profile in the In Process status and give it its number.

    ``details`` may set effective_date, term_months, value, parent and the
    Salesforce Opportunity fields.
    """
    return Contract.objects.create(
        created_by=created_by,
        company=company,
        contract_type=contract_type,
        title=title[:255],
        term_type=term_type,
        **details,
    )
