"""SOQL aggregate queries: GROUP BY, aggregate functions, HAVING and the errors for what is not supported."""

import pytest

from salesforce_emulator.errors import SalesforceError
from salesforce_emulator.org import Org

from .conftest import FIXTURE_PACKAGE

VERSION = "62.0"


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """Three accounts and five opportunities in two stages."""
    org = Org(tmp_path_factory.mktemp("aggregates"), FIXTURE_PACKAGE)
    admin = org.admin_id
    acme = org.create("Account", {"Name": "Acme", "Industry": "Banking", "NumberOfEmployees": 50}, admin)
    globex = org.create("Account", {"Name": "Globex", "Industry": "Banking", "NumberOfEmployees": 5}, admin)
    org.create("Account", {"Name": "Initech"}, admin)
    for stage, amount, account, close_date in [
        ("Closed Won", 100, acme, "2025-03-01"),
        ("Closed Won", 50, globex, "2025-05-01"),
        ("Prospecting", 10, acme, "2025-01-15"),
        ("Prospecting", None, acme, "2025-02-01"),
        ("Prospecting", 30, None, "2024-12-31"),
    ]:
        org.create("Opportunity", {
            "Name": f"{stage} {amount}", "StageName": stage, "Amount": amount, "AccountId": account,
            "CloseDate": close_date,
        }, admin)
    yield org
    org.close()


def run(org, soql: str) -> dict:
    return org.queries.query(soql, VERSION, org.admin_id)


def rows(org, soql: str) -> list[dict]:
    return [
        {key: value for key, value in record.items() if key != "attributes"}
        for record in run(org, soql)["records"]
    ]


def query_error(org, soql: str) -> SalesforceError:
    with pytest.raises(SalesforceError) as caught:
        run(org, soql)
    return caught.value


def test_group_by_with_every_function(org):
    result = rows(org, (
        "SELECT StageName, COUNT(Id), COUNT(Amount), SUM(Amount), AVG(Amount), MIN(Amount), "
        "MAX(CloseDate), COUNT_DISTINCT(AccountId) FROM Opportunity GROUP BY StageName ORDER BY StageName"
    ))

    assert result == [
        {"StageName": "Closed Won", "expr0": 2, "expr1": 2, "expr2": 150.0, "expr3": 75.0, "expr4": 50.0,
         "expr5": "2025-05-01", "expr6": 2},
        {"StageName": "Prospecting", "expr0": 3, "expr1": 2, "expr2": 40.0, "expr3": 20.0, "expr4": 10.0,
         "expr5": "2025-02-01", "expr6": 1},
    ]


def test_records_are_aggregate_results(org):
    result = run(org, "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName")

    assert result["totalSize"] == 2
    assert result["done"] is True
    assert result["records"][0]["attributes"] == {"type": "AggregateResult"}


def test_aliases_and_expr_numbering(org):
    result = rows(org, (
        "SELECT StageName stage, COUNT(Id) total, SUM(Amount), MAX(Amount) biggest, MIN(Amount) "
        "FROM Opportunity WHERE StageName = 'Closed Won' GROUP BY StageName"
    ))

    assert result == [{"stage": "Closed Won", "total": 2, "expr0": 150.0, "biggest": 100.0, "expr1": 50.0}]


def test_group_by_parent_field(org):
    result = rows(org, "SELECT Account.Name, COUNT(Id) FROM Opportunity GROUP BY Account.Name ORDER BY Account.Name")

    assert result == [
        {"Name": None, "expr0": 1},
        {"Name": "Acme", "expr0": 3},
        {"Name": "Globex", "expr0": 1},
    ]


def test_group_by_several_fields(org):
    result = rows(org, (
        "SELECT StageName, AccountId, COUNT(Id) FROM Opportunity WHERE AccountId != null "
        "GROUP BY StageName, AccountId ORDER BY StageName, COUNT(Id) DESC"
    ))

    assert [(row["StageName"], row["expr0"]) for row in result] == [
        ("Closed Won", 1), ("Closed Won", 1), ("Prospecting", 2),
    ]


def test_group_by_without_functions(org):
    result = rows(org, "SELECT Industry FROM Account GROUP BY Industry ORDER BY Industry NULLS LAST")

    assert result == [{"Industry": "Banking"}, {"Industry": None}]


def test_aggregates_without_group_by(org):
    result = rows(org, "SELECT COUNT(Id), SUM(Account.NumberOfEmployees), AVG(Amount) FROM Opportunity")

    assert result == [{"expr0": 5, "expr1": 155, "expr2": 47.5}]


def test_having_on_aggregate(org):
    result = rows(org, "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 2")

    assert result == [{"StageName": "Prospecting", "expr0": 3}]


def test_having_on_grouped_field_and_negation(org):
    result = rows(org, (
        "SELECT StageName FROM Opportunity GROUP BY StageName "
        "HAVING StageName != 'Prospecting' AND NOT (SUM(Amount) < 100)"
    ))

    assert result == [{"StageName": "Closed Won"}]


def test_order_by_aggregate_and_limit(org):
    result = rows(org, (
        "SELECT AccountId, SUM(Amount) FROM Opportunity GROUP BY AccountId "
        "ORDER BY SUM(Amount) DESC NULLS LAST LIMIT 1"
    ))

    assert result[0]["expr0"] == 110.0


def test_group_by_over_rest(api):
    response = api.query("SELECT Industry, COUNT(Id) c FROM Account GROUP BY Industry")

    assert response.status_code == 200
    assert all(record["attributes"] == {"type": "AggregateResult"} for record in response.json()["records"])
    assert all("c" in record for record in response.json()["records"])


@pytest.mark.parametrize(("soql", "error_code", "message"), [
    ("SELECT Name, COUNT(Id) FROM Account GROUP BY Industry", "MALFORMED_QUERY",
     "Field must be grouped or aggregated: Name"),
    ("SELECT COUNT() FROM Account GROUP BY Industry", "MALFORMED_QUERY",
     "COUNT() cannot be used with GROUP BY"),
    ("SELECT COUNT() FROM Account ORDER BY Name", "MALFORMED_QUERY", "COUNT() cannot be used with ORDER BY"),
    ("SELECT Amount FROM Opportunity GROUP BY Amount", "INVALID_FIELD",
     "field 'Amount' can not be grouped in a query call"),
    ("SELECT CreatedDate FROM Account GROUP BY CreatedDate", "INVALID_FIELD", "can not be grouped"),
    ("SELECT SUM(Name) FROM Account", "MALFORMED_QUERY", "field Name does not support aggregate operator SUM"),
    ("SELECT Id FROM Account HAVING COUNT(Id) > 1", "MALFORMED_QUERY", "HAVING can only be used"),
    ("SELECT Id FROM Account WHERE COUNT(Id) > 1", "MALFORMED_QUERY", "belong in HAVING"),
    ("SELECT Industry FROM Account GROUP BY Industry HAVING Name = 'x'", "MALFORMED_QUERY",
     "Field must be grouped or aggregated: Name"),
    ("SELECT Industry FROM Account GROUP BY Industry ORDER BY Name", "MALFORMED_QUERY",
     "Ordered field must be grouped or aggregated: Name"),
    ("SELECT Name, Account.Name FROM Opportunity GROUP BY Name, Account.Name", "MALFORMED_QUERY",
     "duplicate alias: Name"),
    ("SELECT Industry, (SELECT Id FROM Contacts) FROM Account GROUP BY Industry", "MALFORMED_QUERY",
     "Nested queries are not supported in aggregate queries"),
    ("SELECT Industry FROM Account GROUP BY ROLLUP(Industry)", "MALFORMED_QUERY",
     "GROUP BY ROLLUP is not supported"),
    ("SELECT Industry FROM Account GROUP BY CUBE(Industry)", "MALFORMED_QUERY", "GROUP BY CUBE is not supported"),
    ("SELECT COUNT(Id) FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate)", "MALFORMED_QUERY",
     "CALENDAR_YEAR() in GROUP BY is not supported"),
    ("SELECT MEDIAN(Amount) FROM Opportunity", "MALFORMED_QUERY", "Unknown function: MEDIAN"),
    ("SELECT Id FROM Account ORDER BY COUNT(Id)", "MALFORMED_QUERY", "need an aggregate query"),
])
def test_aggregate_errors(org, soql, error_code, message):
    error = query_error(org, soql)

    assert error.error_code == error_code
    assert message in error.message
