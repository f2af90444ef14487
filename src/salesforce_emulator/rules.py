"""Values Salesforce derives on save: opportunity stage facts, full names, auto-numbers.

Each rule receives the record as it will be stored (storage values keyed by field name),
the names of the fields the caller set in this call, and may add derived values.
"""

import sqlite3

from .schema import ObjectDef

# Opportunity.ForecastCategory value -> ForecastCategoryName label.
_FORECAST_NAMES = {
    "Omitted": "Omitted",
    "Pipeline": "Pipeline",
    "BestCase": "Best Case",
    "Forecast": "Commit",
    "Closed": "Closed",
}


def apply_rules(
    connection: sqlite3.Connection,
    object_def: ObjectDef,
    record: dict,
    set_by_caller: set[str],
    creating: bool,
) -> None:
    """Fill in every value Salesforce derives for this object on create or update."""
    _compound_names(object_def, record, set_by_caller)
    if object_def.name == "Opportunity":
        _opportunity_stage(object_def, record, set_by_caller, creating)
    if creating:
        _auto_numbers(connection, object_def, record)


def _compound_names(object_def: ObjectDef, record: dict, set_by_caller: set[str]) -> None:
    for field_def in object_def.fields.values():
        if not field_def.compound_of:
            continue
        if not set_by_caller.intersection(field_def.compound_of) and record.get(field_def.name):
            continue
        parts = [record.get(part) for part in field_def.compound_of]
        record[field_def.name] = " ".join(part for part in parts if part) or None


def _opportunity_stage(
    object_def: ObjectDef, record: dict, set_by_caller: set[str], creating: bool,
) -> None:
    stage_name = record.get("StageName")
    stage_changed = creating or "StageName" in set_by_caller
    stage = None
    for value in object_def.fields["StageName"].picklist_values:
        if stage_name is not None and value.value.lower() == str(stage_name).lower():
            stage = value
    if stage is not None and stage_changed:
        facts = stage.attributes
        if "Probability" not in set_by_caller:
            record["Probability"] = float(facts.get("probability", 0))
        record["IsClosed"] = int(bool(facts.get("closed")))
        record["IsWon"] = int(bool(facts.get("won")))
        category = facts.get("forecastCategory", "Pipeline")
        record["ForecastCategory"] = category
        if "ForecastCategoryName" not in set_by_caller:
            record["ForecastCategoryName"] = _FORECAST_NAMES[category]

    amount = record.get("Amount")
    probability = record.get("Probability")
    if amount is not None and probability is not None:
        record["ExpectedRevenue"] = round(amount * probability / 100, 2)
    else:
        record["ExpectedRevenue"] = None


def _auto_numbers(connection: sqlite3.Connection, object_def: ObjectDef, record: dict) -> None:
    for field_def in object_def.fields.values():
        if not field_def.auto_number:
            continue
        key = f"autonumber:{object_def.name}.{field_def.name}"
        row = connection.execute(
            "INSERT INTO emu_setting (key, value) VALUES (?, '1') "
            "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 "
            "RETURNING value",
            (key,),
        ).fetchone()
        record[field_def.name] = format_auto_number(field_def.display_format, int(row["value"]))


def format_auto_number(display_format: str | None, number: int) -> str:
    """Format an auto-number as Salesforce does ("CR-{0000}" and 7 -> "CR-0007")."""
    if not display_format or "{" not in display_format:
        return str(number)
    start = display_format.index("{")
    end = display_format.index("}", start)
    width = len(display_format[start + 1:end])
    return display_format[:start] + str(number).zfill(width) + display_format[end + 1:]
