"""SOQL: parsing, errors as Salesforce words them, and evaluation against stored records."""

import datetime

import pytest

from salesforce_emulator.errors import SalesforceError
from salesforce_emulator.org import Org
from salesforce_emulator.soql import parse
from salesforce_emulator.soql.date_literals import date_range
from salesforce_emulator.soql.nodes import And, Comparison, InList, Not, Or

from .conftest import FIXTURE_PACKAGE

VERSION = "62.0"


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """An org with three accounts, widgets and opportunities to query."""
    org = Org(tmp_path_factory.mktemp("soql"), FIXTURE_PACKAGE)
    admin = org.admin_id
    acme = org.create("Account", {"Name": "Acme", "Industry": "Banking", "NumberOfEmployees": 50}, admin)
    globex = org.create("Account", {"Name": "Globex", "Industry": "Energy", "NumberOfEmployees": 5}, admin)
    org.create("Account", {"Name": "Initech"}, admin)
    org.create("Widget__c", {"Code__c": "W1", "Colour__c": "Red", "Sizes__c": "S;M", "Account__c": acme,
                             "Weight__c": 1.5}, admin)
    org.create("Widget__c", {"Code__c": "W2", "Sizes__c": "L", "Account__c": acme, "In_Stock__c": False}, admin)
    org.create("Widget__c", {"Code__c": "W3", "Account__c": globex, "Shipped__c": "2025-01-02T03:04:05Z"}, admin)
    org.create("Opportunity", {"Name": "Big deal", "AccountId": acme, "StageName": "Closed Won",
                               "CloseDate": "2025-06-30", "Amount": 1000}, admin)
    yield org
    org.close()


def run(org, soql: str) -> dict:
    return org.queries.query(soql, VERSION, org.admin_id)


def names(result: dict, field: str = "Name") -> list:
    return [record[field] for record in result["records"]]


def query_error(org, soql: str) -> SalesforceError:
    with pytest.raises(SalesforceError) as caught:
        run(org, soql)
    return caught.value


# Parsing -----------------------------------------------------------------------------

def test_parse_where_tree():
    query = parse("SELECT Id FROM Account WHERE (A = 1 OR B IN ('x', 'y')) AND NOT C = null")

    assert query.object_name == "Account"
    assert isinstance(query.where, And)
    first, second = query.where.items
    assert isinstance(first, Or)
    assert isinstance(first.items[1], InList)
    assert isinstance(second, Not)
    assert isinstance(second.item, Comparison)
    assert second.item.value.kind == "null"


def test_parse_keywords_ignore_case():
    query = parse("select name from account where name like 'a%' order by name desc nulls last limit 5 offset 1")

    assert query.limit == 5
    assert query.offset == 1
    assert query.order[0].descending
    assert query.order[0].nulls_last


def test_parse_object_named_like_keyword():
    assert parse("SELECT Id FROM Order ORDER BY Id").object_name == "Order"


def test_parse_string_escapes():
    query = parse(r"SELECT Id FROM Account WHERE Name = 'O\'Brien \\ co'")

    assert query.where.value.text == "O'Brien \\ co"


def test_parse_date_literal_with_number():
    value = parse("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:30").where.value

    assert (value.kind, value.text, value.number) == ("date_literal", "LAST_N_DAYS", 30)


def test_syntax_error_points_at_token(org):
    error = query_error(org, "SELECT Id FROM Account WHERE")

    assert error.error_code == "MALFORMED_QUERY"
    assert "unexpected token: '<EOF>'" in error.message


def test_mixing_and_or_needs_parentheses(org):
    error = query_error(org, "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'")

    assert error.error_code == "MALFORMED_QUERY"
    assert "ERROR at Row:1:Column:56" in error.message
    assert "unexpected token: 'OR'" in error.message


# Errors ------------------------------------------------------------------------------

def test_unknown_field_error(org):
    error = query_error(org, "SELECT Nme FROM Account")

    assert error.error_code == "INVALID_FIELD"
    assert "ERROR at Row:1:Column:8" in error.message
    assert "No such column 'Nme' on entity 'Account'" in error.message


def test_unknown_object_error(org):
    error = query_error(org, "SELECT Id FROM Widget")

    assert error.error_code == "INVALID_TYPE"
    assert "sObject type 'Widget' is not supported" in error.message


def test_unknown_relationship_error(org):
    error = query_error(org, "SELECT Account.Name FROM Widget__c")

    assert error.error_code == "INVALID_FIELD"
    assert "Didn't understand relationship 'Account' in field path" in error.message


def test_invalid_id_literal(org):
    error = query_error(org, "SELECT Id FROM Account WHERE Id = '001xyz'")

    assert error.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert "invalid ID field: 001xyz" in error.message


def test_value_type_must_match_field(org):
    error = query_error(org, "SELECT Id FROM Account WHERE NumberOfEmployees = '5'")

    assert error.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert "must be of type int and should not be enclosed in quotes" in error.message


def test_long_text_cannot_be_filtered(org):
    error = query_error(org, "SELECT Id FROM Widget__c WHERE Notes__c = 'x'")

    assert error.error_code == "INVALID_FIELD"
    assert "field 'Notes__c' can not be filtered in a query call" in error.message


def test_group_by_rollup_is_named_as_unsupported(org):
    error = query_error(org, "SELECT Industry FROM Account GROUP BY ROLLUP(Industry)")

    assert error.error_code == "MALFORMED_QUERY"
    assert "GROUP BY ROLLUP is not supported" in error.message


def test_content_document_link_needs_filter(org):
    error = query_error(org, "SELECT Id FROM ContentDocumentLink")

    assert error.error_code == "MALFORMED_QUERY"
    assert "ContentDocumentLink requires a filter" in error.message


def test_offset_above_2000_is_rejected(org):
    error = query_error(org, "SELECT Id FROM Account OFFSET 2001")

    assert error.error_code == "NUMBER_OUTSIDE_VALID_RANGE"


# Evaluation --------------------------------------------------------------------------

def test_equality_ignores_case(org):
    assert names(run(org, "SELECT Name FROM Account WHERE Name = 'ACME'")) == ["Acme"]


def test_not_equal_includes_empty_values(org):
    result = run(org, "SELECT Name FROM Account WHERE Industry != 'Banking' ORDER BY Name")

    assert names(result) == ["Globex", "Initech"]


def test_not_includes_empty_values(org):
    result = run(org, "SELECT Name FROM Account WHERE NOT (Industry = 'Banking') ORDER BY Name")

    assert names(result) == ["Globex", "Initech"]


def test_comparison_with_empty_value_is_false(org):
    result = run(org, "SELECT Name FROM Account WHERE NumberOfEmployees < 100 ORDER BY Name")

    assert names(result) == ["Acme", "Globex"]


def test_null_comparisons(org):
    assert names(run(org, "SELECT Name FROM Account WHERE Industry = null")) == ["Initech"]
    assert len(run(org, "SELECT Name FROM Account WHERE Industry != null")["records"]) == 2


def test_in_and_not_in(org):
    assert names(run(org, "SELECT Name FROM Account WHERE Name IN ('acme', 'globex') ORDER BY Name")) == [
        "Acme", "Globex",
    ]
    assert names(run(org, "SELECT Name FROM Account WHERE Industry NOT IN ('Banking') ORDER BY Name")) == [
        "Globex", "Initech",
    ]


def test_like_patterns(org):
    assert names(run(org, "SELECT Name FROM Account WHERE Name LIKE '%c%' ORDER BY Name")) == ["Acme", "Initech"]
    assert names(run(org, "SELECT Name FROM Account WHERE Name LIKE 'g_obex'")) == ["Globex"]


def test_or_and_parentheses(org):
    result = run(org, "SELECT Name FROM Account WHERE (Name = 'Acme' OR Name = 'Initech') AND Industry = null")

    assert names(result) == ["Initech"]


def test_order_by_nulls_last(org):
    result = run(org, "SELECT Name FROM Account ORDER BY Industry ASC NULLS LAST")

    assert names(result) == ["Acme", "Globex", "Initech"]


def test_order_by_desc_limit_offset(org):
    result = run(org, "SELECT Name FROM Account ORDER BY Name DESC LIMIT 1 OFFSET 1")

    assert names(result) == ["Globex"]
    assert result["totalSize"] == 1


def test_parent_fields_are_nested(org):
    result = run(org, "SELECT Code__c, Account__r.Name, Account__r.Owner.Name FROM Widget__c ORDER BY Code__c")
    first = result["records"][0]

    assert first["Account__r"]["attributes"]["type"] == "Account"
    assert first["Account__r"]["attributes"]["url"].startswith(f"/services/data/v{VERSION}/sobjects/Account/001")
    assert first["Account__r"]["Name"] == "Acme"
    assert first["Account__r"]["Owner"]["Name"] == "Emulator Admin"


def test_missing_parent_is_null(org):
    org.create("Widget__c", {"Code__c": "LONE"}, org.admin_id)
    result = run(org, "SELECT Account__r.Name FROM Widget__c WHERE Code__c = 'LONE'")

    assert result["records"][0]["Account__r"] is None


def test_filter_on_parent_field(org):
    result = run(org, "SELECT Code__c FROM Widget__c WHERE Account__r.Industry = 'Energy'")

    assert names(result, "Code__c") == ["W3"]


def test_field_names_take_canonical_case(org):
    record = run(org, "select name, numberofemployees from account where name = 'Acme'")["records"][0]

    assert list(record) == ["attributes", "Name", "NumberOfEmployees"]
    assert record["NumberOfEmployees"] == 50


def test_value_types_in_results(org):
    record = run(org, "SELECT Weight__c, In_Stock__c, CreatedDate FROM Widget__c WHERE Code__c = 'W1'")["records"][0]

    assert record["Weight__c"] == 1.5
    assert record["In_Stock__c"] is True
    assert record["CreatedDate"].endswith("+0000")
    assert len(record["CreatedDate"]) == len("2026-12-04T19:56:09.000+0000")


def test_boolean_and_number_filters(org):
    assert names(run(org, "SELECT Code__c FROM Widget__c WHERE In_Stock__c = false"), "Code__c") == ["W2"]
    assert names(run(org, "SELECT Code__c FROM Widget__c WHERE Weight__c >= 1.5"), "Code__c") == ["W1"]


def test_datetime_filter(org):
    result = run(org, "SELECT Code__c FROM Widget__c WHERE Shipped__c > 2025-01-02T03:04:04Z")
    later = run(org, "SELECT Code__c FROM Widget__c WHERE Shipped__c > 2025-01-02T04:04:04+01:00")

    assert names(result, "Code__c") == ["W3"]
    assert names(later, "Code__c") == ["W3"]


def test_date_literals(org):
    assert run(org, "SELECT COUNT() FROM Account WHERE CreatedDate = TODAY")["totalSize"] == 3
    assert run(org, "SELECT COUNT() FROM Account WHERE CreatedDate = LAST_N_DAYS:2")["totalSize"] == 3
    assert run(org, "SELECT COUNT() FROM Account WHERE CreatedDate < YESTERDAY")["totalSize"] == 0
    assert run(org, "SELECT COUNT() FROM Opportunity WHERE CloseDate < THIS_YEAR")["totalSize"] == 1


def test_date_literal_ranges():
    today = datetime.date(2026, 12, 4)

    assert date_range("LAST_N_DAYS", 1, today) == (datetime.date(2026, 12, 3), datetime.date(2026, 12, 5))
    assert date_range("THIS_MONTH", None, today) == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1))
    assert date_range("THIS_WEEK", None, today) == (datetime.date(2026, 11, 29), datetime.date(2026, 12, 6))
    assert date_range("LAST_QUARTER", None, today) == (datetime.date(2026, 7, 1), datetime.date(2026, 10, 1))


def test_includes_and_excludes(org):
    assert names(run(org, "SELECT Code__c FROM Widget__c WHERE Sizes__c INCLUDES ('M')"), "Code__c") == ["W1"]
    assert names(run(org, "SELECT Code__c FROM Widget__c WHERE Sizes__c INCLUDES ('S;M', 'L') ORDER BY Code__c"),
                 "Code__c") == ["W1", "W2"]
    assert "W1" not in names(run(org, "SELECT Code__c FROM Widget__c WHERE Sizes__c EXCLUDES ('S')"), "Code__c")


def test_count(org):
    result = run(org, "SELECT COUNT() FROM Widget__c WHERE Account__r.Name = 'Acme'")

    assert result == {"totalSize": 2, "done": True, "records": []}


def test_aggregate_functions(org):
    result = run(org, "SELECT COUNT(Id), MAX(NumberOfEmployees) most FROM Account")

    assert result["records"] == [{"attributes": {"type": "AggregateResult"}, "expr0": 3, "most": 50}]


def test_child_subquery(org):
    result = run(org, "SELECT Name, (SELECT Code__c FROM Widgets__r ORDER BY Code__c) FROM Account ORDER BY Name")
    by_name = {record["Name"]: record for record in result["records"]}

    assert [child["Code__c"] for child in by_name["Acme"]["Widgets__r"]["records"]] == ["W1", "W2"]
    assert by_name["Acme"]["Widgets__r"]["totalSize"] == 2
    assert by_name["Initech"]["Widgets__r"] is None


def test_semi_join(org):
    result = run(org, "SELECT Name FROM Account WHERE Id IN (SELECT Account__c FROM Widget__c WHERE Colour__c = 'Red')")

    assert names(result) == ["Acme"]


def test_anti_join(org):
    result = run(org, "SELECT Name FROM Account WHERE Id NOT IN (SELECT Account__c FROM Widget__c) ORDER BY Name")

    assert names(result) == ["Initech"]


def test_fifteen_character_id_literal(org):
    record_id = run(org, "SELECT Id FROM Account WHERE Name = 'Acme'")["records"][0]["Id"]

    assert names(run(org, f"SELECT Name FROM Account WHERE Id = '{record_id[:15]}'")) == ["Acme"]


def test_deleted_records_only_in_query_all(org):
    doomed = org.create("Account", {"Name": "Doomed"}, org.admin_id)
    org.records.delete("Account", doomed, org.admin_id)

    assert run(org, "SELECT Id FROM Account WHERE Name = 'Doomed'")["totalSize"] == 0
    everything = org.queries.query("SELECT Id, IsDeleted FROM Account WHERE Name = 'Doomed'", VERSION,
                                   org.admin_id, include_deleted=True)
    assert everything["records"][0]["IsDeleted"] is True
