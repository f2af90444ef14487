import datetime

import pytest

from contractdesk.companies.models import Company
from contractdesk.contracts.models import ContractType, TermType, add_months
from contractdesk.contracts.services import create_contract


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime.date(2027, 1, 1), 12, datetime.date(2028, 1, 1)),
        (datetime.date(2027, 1, 31), 1, datetime.date(2027, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2027, 11, 15), 3, datetime.date(2028, 2, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def _contract(user, **details):
    company = Company.objects.create(name="Alpha Dynamics")
    contract_type = ContractType.objects.get(code="mutual-nda")
    return create_contract(
        created_by=user, company=company, contract_type=contract_type, title="NDA", **details
    )


def test_contract_number_follows_primary_key(manager):
    first = _contract(manager, term_type=TermType.FIXED)
    second = _contract(manager, term_type=TermType.FIXED)

    first.refresh_from_db()
    assert first.number == f"CD-{first.created_at:%Y}-{first.pk:05d}"
    assert second.number != first.number


def test_expiration_date_of_fixed_term(manager):
    contract = _contract(
        manager, term_type=TermType.FIXED, effective_date=datetime.date(2027, 1, 1), term_months=12
    )
    assert contract.expiration_date == datetime.date(2027, 12, 31)


def test_perpetual_contract_has_no_expiration(manager):
    contract = _contract(
        manager, term_type=TermType.PERPETUAL, effective_date=datetime.date(2027, 1, 1), term_months=12
    )
    assert contract.expiration_date is None
