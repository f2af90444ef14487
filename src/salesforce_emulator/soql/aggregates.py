"""Aggregate queries: COUNT(), aggregate functions, GROUP BY and HAVING, compiled to SQL GROUP BY.

An aggregate query returns AggregateResult records. A grouped field appears under its
field name (`Account.Name` as `Name`) or its alias; an aggregate function appears under
its alias, or `expr0`, `expr1`, ... numbered over the functions that have no alias, as
Salesforce names them.
"""

from dataclasses import dataclass

from ..errors import SalesforceError
from ..schema import FieldDef
from ..store import quote
from . import nodes as ast
from .scope import QueryScope

AGGREGATE_FUNCTIONS = {"COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG"}
NUMBER_TYPES = ("int", "double", "currency", "percent")
# MIN and MAX work on values with an order: numbers, dates, times and text.
_ORDERED_TYPES = (
    *NUMBER_TYPES, "date", "datetime", "time", "string", "picklist", "id", "reference", "email",
    "phone", "url",
)


@dataclass
class AggregateColumn:
    """One column of an AggregateResult: a grouped field (function None) or an aggregate function."""

    sql_alias: str
    name: str
    function: str | None
    source: str
    field_def: FieldDef | None


class AggregateCompiler:
    """The aggregate half of the SOQL compiler; the Compiler class supplies scopes and paths."""

    def compile_aggregate_select(self, query: ast.Query, scope: QueryScope, compiled) -> None:
        """Compile a SELECT list with aggregate functions or a GROUP BY clause.

        COUNT() alone, without GROUP BY, makes a count query (totalSize only).
        """
        functions = [item for item in query.select if isinstance(item, ast.SelectFunction)]
        for function in functions:
            if function.name not in AGGREGATE_FUNCTIONS:
                raise self.error(function.position, f"Unknown function: {function.name}")

        if len(functions) == 1 and functions[0].name == "COUNT" and functions[0].path is None:
            self._compile_count(query, functions[0], compiled)
            return
        if any(function.path is None for function in functions):
            first = next(function for function in functions if function.path is None)
            raise self.error(first.position, "COUNT() must be the only element in the SELECT list.")

        grouped = self._group_columns(query, scope, compiled)
        unaliased = 0
        for item in query.select:
            if isinstance(item, ast.SelectSubquery):
                raise self.error(
                    item.query.object_position,
                    "Nested queries are not supported in aggregate queries",
                )
            if isinstance(item, ast.SelectField):
                self._add_grouped_output(item, scope, grouped, compiled)
                continue
            name = item.alias
            if name is None:
                name = f"expr{unaliased}"
                unaliased += 1
            self._add_function_output(item, name, scope, compiled)
        self._check_unique_names(compiled)

    def _compile_count(self, query: ast.Query, function: ast.SelectFunction, compiled) -> None:
        if query.group_by:
            raise self.error(
                function.position,
                "COUNT() cannot be used with GROUP BY; use COUNT(fieldName) instead",
            )
        if query.order:
            raise self.error(
                function.position,
                "COUNT() cannot be used with ORDER BY; use COUNT(fieldName) instead",
            )
        compiled.is_count = True

    def _group_columns(self, query: ast.Query, scope: QueryScope, compiled) -> dict:
        """Resolve the GROUP BY fields; return {(table alias, field name): SQL column}."""
        grouped: dict[tuple[str, str], str] = {}
        terms = []
        for path in query.group_by:
            table_alias, field_def, _owner, _relationships = self.resolve(path, scope)
            if not is_groupable(field_def):
                raise self.error(
                    path.position,
                    f"field '{field_def.name}' can not be grouped in a query call",
                    "INVALID_FIELD",
                )
            column = f"{table_alias}.{quote(field_def.name)}"
            grouped[(table_alias, field_def.name)] = column
            terms.append(column)
        compiled.group_sql = ", ".join(terms)
        compiled.grouped = grouped
        return grouped

    def _add_grouped_output(
        self, item: ast.SelectField, scope: QueryScope, grouped: dict, compiled,
    ) -> None:
        table_alias, field_def, _owner, _relationships = self.resolve(item.path, scope)
        column = grouped.get((table_alias, field_def.name))
        if column is None:
            raise self.error(
                item.path.position, f"Field must be grouped or aggregated: {item.path.text}",
            )
        compiled.aggregates.append(AggregateColumn(
            sql_alias=f"a{len(compiled.aggregates)}",
            name=item.alias or field_def.name,
            function=None,
            source=column,
            field_def=field_def,
        ))

    def _add_function_output(
        self, function: ast.SelectFunction, name: str, scope: QueryScope, compiled,
    ) -> None:
        source, field_def = self._function_source(function.name, function.path, scope)
        compiled.aggregates.append(AggregateColumn(
            sql_alias=f"a{len(compiled.aggregates)}",
            name=name,
            function=function.name,
            source=source,
            field_def=field_def,
        ))

    def _function_source(self, function: str, path: ast.FieldPath, scope: QueryScope) -> tuple:
        """Return the SQL column an aggregate function reads, after checking its field type."""
        table_alias, field_def, _owner, _relationships = self.resolve(path, scope)
        allowed = {
            "SUM": NUMBER_TYPES, "AVG": NUMBER_TYPES, "MIN": _ORDERED_TYPES, "MAX": _ORDERED_TYPES,
        }.get(function)
        usable = field_def.filterable and (allowed is None or field_def.type in allowed)
        if not usable:
            raise self.error(
                path.position,
                f"field {field_def.name} does not support aggregate operator {function}",
            )
        return f"{table_alias}.{quote(field_def.name)}", field_def

    @staticmethod
    def _check_unique_names(compiled) -> None:
        seen = set()
        for column in compiled.aggregates:
            key = column.name.lower()
            if key in seen:
                raise SalesforceError("MALFORMED_QUERY", f"duplicate alias: {column.name}")
            seen.add(key)

    def column_sql(self, column: AggregateColumn) -> str:
        """Return the SQL expression of one AggregateResult column."""
        if column.function is None:
            return column.source
        return self.aggregate_sql(column.function, column.source)

    @staticmethod
    def aggregate_sql(function: str, source: str) -> str:
        """Return the SQL of an aggregate function over a column."""
        if function == "COUNT_DISTINCT":
            return f"COUNT(DISTINCT {source})"
        return f"{function}({source})"

    # HAVING and ORDER BY ---------------------------------------------------------------

    def compile_having(self, query: ast.Query, scope: QueryScope, compiled) -> None:
        """Compile HAVING into SQL; its fields must be grouped, as in Salesforce."""
        if query.having is None:
            return
        if not compiled.is_aggregate:
            raise self.error(None, "HAVING can only be used in an aggregate query")
        self._check_having_fields(query.having, scope, compiled.grouped)
        self.in_having = True
        try:
            compiled.having_sql, compiled.having_params = self.condition(
                query.having, scope, negate=False,
            )
        finally:
            self.in_having = False

    def _check_having_fields(self, node, scope: QueryScope, grouped: dict) -> None:
        if isinstance(node, (ast.And, ast.Or)):
            for item in node.items:
                self._check_having_fields(item, scope, grouped)
            return
        if isinstance(node, ast.Not):
            self._check_having_fields(node.item, scope, grouped)
            return
        if isinstance(node, ast.AggregateComparison):
            return
        table_alias, field_def, _owner, _relationships = self.resolve(node.path, scope)
        if (table_alias, field_def.name) not in grouped:
            raise self.error(
                node.path.position, f"Field must be grouped or aggregated: {node.path.text}",
            )

    def aggregate_comparison(self, node: ast.AggregateComparison, scope: QueryScope, negate: bool) -> tuple:
        """Compile `COUNT(Id) > 1` in HAVING, with SOQL's handling of empty values."""
        call = node.call
        if not getattr(self, "in_having", False):
            raise self.error(call.position, f"Aggregate functions such as {call.name}() belong in HAVING, not WHERE")
        if call.name not in AGGREGATE_FUNCTIONS or call.path is None:
            raise self.error(call.position, f"Unknown function: {call.text}")
        source, field_def = self._function_source(call.name, call.path, scope)
        expression = self.aggregate_sql(call.name, source)

        value = node.value
        if value.kind == "null":
            raise self.error(value.position, f"invalid operator on null value: {node.operator}")
        if call.name in ("COUNT", "COUNT_DISTINCT", "SUM", "AVG"):
            if value.kind != "number":
                raise self.error(value.position, f"value of {call.text} must be a number")
            converted = float(value.text)
        else:
            converted = self.literal(field_def, value)
            if isinstance(converted, tuple):
                raise self.error(value.position, f"date literals cannot be compared with {call.text}")

        operator = node.operator
        if operator == "!=":
            operator, negate = "=", not negate
        if not negate:
            return f"{expression} {operator} ?", [converted]
        opposite = {"=": "!=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}[operator]
        return f"({expression} {opposite} ? OR {expression} IS NULL)", [converted]

    def aggregate_order_term(self, item: ast.OrderItem, scope: QueryScope, compiled) -> str:
        """Compile one ORDER BY entry of an aggregate query: a grouped field or an aggregate function."""
        if isinstance(item.path, ast.AggregateCall):
            call = item.path
            if call.name not in AGGREGATE_FUNCTIONS or call.path is None:
                raise self.error(call.position, f"Unknown function: {call.text}")
            source, _field_def = self._function_source(call.name, call.path, scope)
            term = self.aggregate_sql(call.name, source)
        else:
            table_alias, field_def, _owner, _relationships = self.resolve(item.path, scope)
            term = compiled.grouped.get((table_alias, field_def.name))
            if term is None:
                raise self.error(
                    item.path.position, f"Ordered field must be grouped or aggregated: {item.path.text}",
                )
        term += " DESC" if item.descending else " ASC"
        if item.nulls_last is not None:
            term += " NULLS LAST" if item.nulls_last else " NULLS FIRST"
        return term


def is_groupable(field_def: FieldDef) -> bool:
    """Tell whether SOQL can GROUP BY a field: not decimals, date-times, multi-select picklists or text areas."""
    if not field_def.filterable:
        return False
    return field_def.type not in ("double", "currency", "percent", "datetime", "multipicklist", "textarea")
