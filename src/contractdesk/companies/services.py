"""Create and find Company Profiles."""

from contractdesk.companies.models import Company


def company_for_account(account_id: str, account: dict) -> tuple[Company, bool]:
    """Return the Company Profile of a Salesforce Account, creating it if it is new.

    ``account`` holds the Account's fields as Salesforce returned them; they
    fill a new profile but never overwrite one the contracts team already keeps.
    The second value is True when the company was created.
    """
    existing = Company.objects.filter(salesforce_account_id=account_id).first()
    if existing is not None:
        return existing, False

    company = Company.objects.create(
        salesforce_account_id=account_id,
        name=account.get("Name") or "Unnamed Salesforce Account",
        billing_street=(account.get("BillingStreet") or "")[:255],
        billing_city=(account.get("BillingCity") or "")[:40],
        billing_state=(account.get("BillingState") or "")[:80],
        billing_postal_code=(account.get("BillingPostalCode") or "")[:20],
        billing_country=(account.get("BillingCountry") or "")[:80],
        phone=(account.get("Phone") or "")[:40],
        website=(account.get("Website") or "")[:255],
    )
    return company, True
