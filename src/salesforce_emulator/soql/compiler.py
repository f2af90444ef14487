"""Translate a parsed SOQL query into SQLite SQL over the org's tables.

Parent fields become LEFT JOINs, WHERE becomes a SQL WHERE (so SQLite's indexes do the
filtering), and child subqueries are compiled separately and run per page of parents.

SOQL uses two-valued logic: a comparison with an empty field is false, so `Name != 'x'`
and `NOT (Name = 'x')` both match records whose Name is empty. Negations are therefore
pushed down to single comparisons, each of which states its own NULL handling.
"""

import datetime
from dataclasses import dataclass, field

from .. import ids
from ..errors import SalesforceError
from ..schema import ANY_OBJECT, FieldDef, ObjectDef, Schema
from ..store import quote, table_name
from ..values import parse_datetime, store_datetime
from . import nodes as ast
from .date_literals import UnknownDateLiteral, date_range
from .parser import query_error

MAX_OFFSET = 2000
AGGREGATE_FUNCTIONS = {"COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG"}

_NO_SUCH_COLUMN = (
    "No such column '{field}' on entity '{object}'. If you are attempting to use a custom "
    "field, be sure to append the '__c' after the custom field name. Please reference your "
    "WSDL or the describe call for the appropriate names."
)
_BAD_RELATIONSHIP = (
    "Didn't understand relationship '{name}' in field path. If you are attempting to use a "
    "custom relationship, be sure to append the '__r' after the custom relationship name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)
_NOT_SUPPORTED_TYPE = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, "
    "be sure to append the '__c' after the entity name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)
_CDL_RESTRICTION = (
    "Implementation restriction: ContentDocumentLink requires a filter by a single Id on "
    "ContentDocumentId or LinkedEntityId using the equals operator or multiple Id's using "
    "the IN operator."
)


@dataclass
class OutputColumn:
    """A selected field: where it sits in the record and which SQL column contains it."""

    sql_alias: str
    relationships: tuple[str, ...]
    field_def: FieldDef
    object_def: ObjectDef
    id_alias: str


@dataclass
class ParentNode:
    """A parent record nested in the output, such as `Account__r`."""

    relationships: tuple[str, ...]
    object_def: ObjectDef
    id_alias: str


@dataclass
class AggregateColumn:
    """An aggregate function result, named expr0, expr1, ... unless aliased."""

    sql_alias: str
    name: str
    function: str
    source: str
    field_def: FieldDef


@dataclass
class ChildQuery:
    """A child relationship subquery, run for each page of parent records."""

    relationship_name: str
    parent_field: str
    compiled: "CompiledQuery"


@dataclass
class CompiledQuery:
    """SQL for one SOQL query, plus what is needed to shape its records."""

    object_def: ObjectDef
    alias: str
    select_sql: str
    from_sql: str
    where_sql: str
    params: list
    order_sql: str
    limit: int | None
    offset: int
    layout: list = field(default_factory=list)
    parents: dict[tuple[str, ...], ParentNode] = field(default_factory=dict)
    aggregates: list[AggregateColumn] = field(default_factory=list)
    is_count: bool = False

    @property
    def is_aggregate(self) -> bool:
        """True when the query returns AggregateResult rows."""
        return bool(self.aggregates)


class _Scope:
    """Joins and column aliases of one SELECT (main query or subquery)."""

    def __init__(self, compiler: "Compiler", object_def: ObjectDef) -> None:
        self.compiler = compiler
        self.object_def = object_def
        self.alias = compiler.new_alias("t")
        self.joins: dict[tuple[str, ...], tuple[str, ObjectDef]] = {}
        self.join_sql: list[str] = []
        self.columns: dict[str, str] = {}

    def column_alias(self, table_alias: str, column: str) -> str:
        key = f"{table_alias}.{column}"
        if key not in self.columns:
            self.columns[key] = f"c{len(self.columns)}"
        return self.columns[key]


class Compiler:
    """Compile parsed SOQL against a schema; one instance per query text."""

    def __init__(
        self, schema: Schema, soql: str, include_deleted: bool = False,
        today: datetime.date | None = None,
    ) -> None:
        self.schema = schema
        self.soql = soql
        self.include_deleted = include_deleted
        self.today = today or datetime.datetime.now(datetime.UTC).date()
        self._alias_count = 0

    def new_alias(self, prefix: str) -> str:
        self._alias_count += 1
        return f"{prefix}{self._alias_count}"

    def error(self, position, message: str, code: str = "MALFORMED_QUERY") -> SalesforceError:
        return query_error(self.soql, position, message, code)

    # Entry point --------------------------------------------------------------------

    def compile(self, query: ast.Query) -> CompiledQuery:
        """Compile the top-level query."""
        object_def = self._object(query)
        if object_def.name == "ContentDocumentLink" and not _filters_cdl(query.where):
            raise SalesforceError("MALFORMED_QUERY", _CDL_RESTRICTION)
        return self._compile_select(query, object_def, include_deleted=self.include_deleted)

    def _object(self, query: ast.Query) -> ObjectDef:
        object_def = self.schema.get(query.object_name)
        if object_def is None or not object_def.queryable:
            raise self.error(
                query.object_position, _NOT_SUPPORTED_TYPE.format(name=query.object_name),
                "INVALID_TYPE",
            )
        return object_def

    def _compile_select(
        self, query: ast.Query, object_def: ObjectDef, include_deleted: bool,
    ) -> CompiledQuery:
        for clause, position in query.unsupported:
            raise self.error(position, f"{clause} is not supported by the Salesforce emulator")

        scope = _Scope(self, object_def)
        compiled = CompiledQuery(
            object_def=object_def, alias=scope.alias, select_sql="", from_sql="", where_sql="", params=[],
            order_sql="", limit=query.limit, offset=query.offset or 0,
        )
        if compiled.offset > MAX_OFFSET:
            raise SalesforceError(
                "NUMBER_OUTSIDE_VALID_RANGE",
                f"Maximum SOQL offset allowed is {MAX_OFFSET}",
            )

        self._compile_select_list(query, scope, compiled)

        conditions = [] if include_deleted else [f'{scope.alias}."IsDeleted" = 0']
        if query.where is not None:
            where_sql, params = self.condition(query.where, scope, negate=False)
            conditions.append(where_sql)
            compiled.params.extend(params)
        compiled.where_sql = " AND ".join(f"({condition})" for condition in conditions) or "1"

        order_terms = [self._order_term(item, scope) for item in query.order]
        if not compiled.is_aggregate and not compiled.is_count:
            # Ties are broken by insertion order, so pages never overlap or skip rows.
            order_terms.append(f"{scope.alias}.rowid")
        compiled.order_sql = ", ".join(order_terms)

        compiled.from_sql = (
            f"{table_name(object_def.name)} AS {scope.alias} " + " ".join(scope.join_sql)
        ).strip()
        if compiled.is_aggregate:
            compiled.select_sql = ", ".join(
                f"{self._aggregate_sql(column)} AS {column.sql_alias}"
                for column in compiled.aggregates
            )
        else:
            compiled.select_sql = ", ".join(
                f"{key.split('.')[0]}.{quote(key.split('.', 1)[1])} AS {alias}"
                for key, alias in scope.columns.items()
            ) or "1"
        return compiled

    # SELECT list ---------------------------------------------------------------------

    def _compile_select_list(
        self, query: ast.Query, scope: _Scope, compiled: CompiledQuery,
    ) -> None:
        functions = [item for item in query.select if isinstance(item, ast.SelectFunction)]
        if functions:
            self._compile_aggregates(query, functions, scope, compiled)
            return

        id_alias = scope.column_alias(scope.alias, "Id")
        seen = set()
        for item in query.select:
            if isinstance(item, ast.SelectSubquery):
                compiled.layout.append(("child", self._child_query(item.query, scope)))
                continue

            column = self._output_column(item.path, scope, compiled, id_alias)
            key = (column.relationships, column.field_def.name)
            if key in seen:
                continue
            seen.add(key)
            compiled.layout.append(("field", column))

    def _output_column(
        self, path: ast.FieldPath, scope: _Scope, compiled: CompiledQuery, id_alias: str,
    ) -> OutputColumn:
        table_alias, field_def, owner, relationships = self.resolve(path, scope)
        owner_id_alias = id_alias
        if relationships:
            owner_id_alias = scope.column_alias(table_alias, "Id")
            for depth in range(1, len(relationships) + 1):
                prefix = relationships[:depth]
                join_alias, parent_def = scope.joins[tuple(name.lower() for name in prefix)]
                compiled.parents.setdefault(prefix, ParentNode(
                    prefix, parent_def, scope.column_alias(join_alias, "Id"),
                ))
        return OutputColumn(
            sql_alias=scope.column_alias(table_alias, field_def.name),
            relationships=relationships,
            field_def=field_def,
            object_def=owner,
            id_alias=owner_id_alias,
        )

    def _compile_aggregates(
        self, query: ast.Query, functions: list, scope: _Scope, compiled: CompiledQuery,
    ) -> None:
        plain = [item for item in query.select if not isinstance(item, ast.SelectFunction)]
        if plain:
            first = plain[0]
            position = first.path.position if isinstance(first, ast.SelectField) else None
            text = first.path.text if isinstance(first, ast.SelectField) else "subquery"
            raise self.error(position, f"Field must be grouped or aggregated: {text}")

        for function in functions:
            if function.name not in AGGREGATE_FUNCTIONS:
                raise self.error(function.position, f"Unknown function: {function.name}")

        if len(functions) == 1 and functions[0].name == "COUNT" and functions[0].path is None:
            compiled.is_count = True
            return
        if any(function.path is None for function in functions):
            raise self.error(
                functions[0].position, "COUNT() must be the only element in the SELECT list.",
            )

        for index, function in enumerate(functions):
            table_alias, field_def, _owner, _relationships = self.resolve(function.path, scope)
            compiled.aggregates.append(AggregateColumn(
                sql_alias=f"a{index}",
                name=function.alias or f"expr{index}",
                function=function.name,
                source=f"{table_alias}.{quote(field_def.name)}",
                field_def=field_def,
            ))

    @staticmethod
    def _aggregate_sql(column: AggregateColumn) -> str:
        if column.function == "COUNT_DISTINCT":
            return f"COUNT(DISTINCT {column.source})"
        return f"{column.function}({column.source})"

    def _child_query(self, query: ast.Query, parent_scope: _Scope) -> ChildQuery:
        relationship = parent_scope.object_def.child_relationship(query.object_name)
        if relationship is None:
            raise self.error(
                query.object_position,
                _BAD_RELATIONSHIP.format(name=query.object_name)
                .replace("in field path", "in FROM clause"),
                "INVALID_TYPE",
            )
        child_def = self.schema.get(relationship.child_object)
        compiled = self._compile_select(query, child_def, include_deleted=False)
        return ChildQuery(relationship.relationship_name, relationship.field, compiled)

    # Field paths ---------------------------------------------------------------------

    def resolve(
        self, path: ast.FieldPath, scope: _Scope,
    ) -> tuple[str, FieldDef, ObjectDef, tuple[str, ...]]:
        """Resolve a field path to (table alias, field, owning object, relationship names)."""
        parts = list(path.parts)
        if len(parts) > 1 and parts[0].lower() == scope.object_def.name.lower():
            parts = parts[1:]

        current = scope.object_def
        table_alias = scope.alias
        relationships: list[str] = []
        for part in parts[:-1]:
            reference = current.relationship(part)
            if reference is None or ANY_OBJECT in reference.reference_to:
                # NOTE: polymorphic lookups that may point at any object (LinkedEntity,
                # FirstPublishLocation) cannot be traversed; TYPEOF support would fix it.
                raise self.error(
                    path.position, _BAD_RELATIONSHIP.format(name=part), "INVALID_FIELD",
                )
            parent_def = self.schema.get(reference.reference_to[0])
            relationships.append(reference.relationship_name)
            key = tuple(name.lower() for name in relationships)
            if key not in scope.joins:
                join_alias = self.new_alias("p")
                scope.joins[key] = (join_alias, parent_def)
                scope.join_sql.append(
                    f"LEFT JOIN {table_name(parent_def.name)} AS {join_alias} "
                    f'ON {join_alias}."Id" = {table_alias}.{quote(reference.name)}'
                )
            table_alias = scope.joins[key][0]
            current = parent_def

        field_def = current.field(parts[-1])
        if field_def is None:
            raise self.error(
                path.position,
                _NO_SUCH_COLUMN.format(field=parts[-1], object=current.name),
                "INVALID_FIELD",
            )
        return table_alias, field_def, current, tuple(relationships)

    def _filterable_column(self, path: ast.FieldPath, scope: _Scope, verb: str) -> tuple:
        table_alias, field_def, _owner, _relationships = self.resolve(path, scope)
        if not field_def.filterable:
            raise self.error(
                path.position,
                f"field '{field_def.name}' can not be {verb} in a query call",
                "INVALID_FIELD",
            )
        return f"{table_alias}.{quote(field_def.name)}", field_def

    def _order_term(self, item: ast.OrderItem, scope: _Scope) -> str:
        column, _field_def = self._filterable_column(item.path, scope, "sorted")
        term = column + (" DESC" if item.descending else " ASC")
        if item.nulls_last is not None:
            term += " NULLS LAST" if item.nulls_last else " NULLS FIRST"
        return term

    # WHERE ---------------------------------------------------------------------------

    def condition(self, node, scope: _Scope, negate: bool) -> tuple[str, list]:
        """Compile a condition; with negate, compile its two-valued negation."""
        if isinstance(node, ast.Not):
            return self.condition(node.item, scope, not negate)
        if isinstance(node, (ast.And, ast.Or)):
            parts = [self.condition(item, scope, negate) for item in node.items]
            joiner = " AND " if isinstance(node, ast.And) != negate else " OR "
            sql = joiner.join(f"({part_sql})" for part_sql, _params in parts)
            return sql, [param for _sql, params in parts for param in params]

        compilers = {
            ast.Comparison: self._comparison,
            ast.Like: self._like,
            ast.InList: self._in_list,
            ast.InQuery: self._in_query,
            ast.Includes: self._includes,
        }
        return compilers[type(node)](node, scope, negate)

    def _comparison(self, node: ast.Comparison, scope: _Scope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        operator = node.operator
        value = node.value

        if value.kind == "null":
            if operator not in ("=", "!="):
                raise self.error(value.position, f"invalid operator on null value: {operator}")
            is_null = (operator == "=") != negate
            return f"{column} IS {'' if is_null else 'NOT '}NULL", []

        converted = self.literal(field_def, value)
        if isinstance(converted, tuple):
            return self._range_comparison(column, operator, converted, negate)

        if operator == "!=":
            operator, negate = "=", not negate
        if not negate:
            return f"{column} {operator} ?", [converted]
        opposite = {"=": "!=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}[operator]
        return f"({column} {opposite} ? OR {column} IS NULL)", [converted]

    @staticmethod
    def _range_comparison(column: str, operator: str, bounds: tuple, negate: bool) -> tuple:
        start, end = bounds
        if operator == "!=":
            operator, negate = "=", not negate
        positive = {
            "=": (f"({column} >= ? AND {column} < ?)", [start, end]),
            "<": (f"{column} < ?", [start]),
            "<=": (f"{column} < ?", [end]),
            ">": (f"{column} >= ?", [end]),
            ">=": (f"{column} >= ?", [start]),
        }
        sql, params = positive[operator]
        if not negate:
            return sql, params
        return f"(NOT {sql} OR {column} IS NULL)", params

    def _like(self, node: ast.Like, scope: _Scope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        if not (field_def.is_text or field_def.type in ("id", "reference")):
            raise self.error(
                node.path.position,
                f"invalid operator on {field_def.type} field: LIKE", "INVALID_FIELD",
            )
        if node.value.kind != "string":
            raise self.error(node.value.position, "LIKE pattern must be a quoted string")
        if negate:
            return f"({column} NOT LIKE ? ESCAPE '\\' OR {column} IS NULL)", [node.value.text]
        return f"{column} LIKE ? ESCAPE '\\'", [node.value.text]

    def _in_list(self, node: ast.InList, scope: _Scope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        values = [self.literal(field_def, value) for value in node.values]
        if any(isinstance(value, tuple) for value in values):
            raise self.error(node.values[0].position, "date literals are not allowed in IN")
        marks = ", ".join("?" for _ in values)
        if node.negated != negate:
            return f"({column} NOT IN ({marks}) OR {column} IS NULL)", values
        return f"{column} IN ({marks})", values

    def _in_query(self, node: ast.InQuery, scope: _Scope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        if field_def.type not in ("id", "reference"):
            raise self.error(
                node.path.position,
                "semi join sub selects are only allowed on id and reference fields",
            )
        inner = node.query
        if len(inner.select) != 1 or not isinstance(inner.select[0], ast.SelectField):
            raise self.error(inner.object_position, "semi join sub-selects must select one field")

        inner_def = self._object(inner)
        inner_scope = _Scope(self, inner_def)
        table_alias, inner_field, _owner, _rel = self.resolve(inner.select[0].path, inner_scope)
        if inner_field.type not in ("id", "reference"):
            raise self.error(
                inner.select[0].path.position,
                "semi join sub-selects can only select an id or reference field",
            )
        inner_column = f"{table_alias}.{quote(inner_field.name)}"
        conditions = [f'{inner_scope.alias}."IsDeleted" = 0', f"{inner_column} IS NOT NULL"]
        params: list = []
        if inner.where is not None:
            inner_sql, params = self.condition(inner.where, inner_scope, negate=False)
            conditions.append(f"({inner_sql})")
        subquery = (
            f"SELECT {inner_column} FROM {table_name(inner_def.name)} AS {inner_scope.alias} "  # noqa: S608 - schema names only, values bound
            f"{' '.join(inner_scope.join_sql)} WHERE {' AND '.join(conditions)}"
        )
        if node.negated != negate:
            return f"({column} NOT IN ({subquery}) OR {column} IS NULL)", params
        return f"{column} IN ({subquery})", params

    def _includes(self, node: ast.Includes, scope: _Scope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        if field_def.type != "multipicklist":
            raise self.error(
                node.path.position,
                "INCLUDES and EXCLUDES apply only to multi-select picklist fields",
                "INVALID_FIELD",
            )
        alternatives = []
        params = []
        for value in node.values:
            if value.kind != "string":
                raise self.error(value.position, "INCLUDES values must be quoted strings")
            # 'a;b' inside INCLUDES means the field contains both a and b.
            wanted = [part.strip() for part in value.text.split(";") if part.strip()]
            checks = []
            for part in wanted:
                checks.append(f"instr(';' || lower({column}) || ';', ?) > 0")
                params.append(f";{part.lower()};")
            alternatives.append("(" + " AND ".join(checks) + ")")
        matched = " OR ".join(alternatives)
        if node.negated != negate:
            return f"({column} IS NULL OR NOT ({matched}))", params
        return f"({column} IS NOT NULL AND ({matched}))", params

    # Literals ------------------------------------------------------------------------

    def literal(self, field_def: FieldDef, value: ast.Value):
        """Convert a literal to the storage form of field_def, or a (start, end) range."""
        kind = value.kind
        field_type = field_def.type

        if kind == "date_literal":
            if field_type not in ("date", "datetime"):
                raise self._type_error(field_def, value)
            try:
                start, end = date_range(value.text, value.number, self.today)
            except UnknownDateLiteral:
                raise self.error(value.position, f"unexpected token: '{value.text}'") from None
            if field_type == "date":
                return start.isoformat(), end.isoformat()
            return start.isoformat() + "T00:00:00.000Z", end.isoformat() + "T00:00:00.000Z"

        if field_type in ("id", "reference"):
            if kind != "string":
                raise self._type_error(field_def, value)
            try:
                return ids.to_18(value.text)
            except ids.MalformedIdError:
                raise self.error(
                    value.position, f"invalid ID field: {value.text}",
                    "INVALID_QUERY_FILTER_OPERATOR",
                ) from None
        if field_def.is_text or field_type in ("time", "encryptedstring"):
            if kind != "string":
                raise self._type_error(field_def, value)
            return value.text
        if field_type == "boolean":
            if kind != "boolean":
                raise self._type_error(field_def, value)
            return 1 if value.text == "true" else 0
        if field_type in ("int", "double", "currency", "percent"):
            if kind != "number":
                raise self._type_error(field_def, value)
            return float(value.text)
        if field_type == "date":
            if kind != "date":
                raise self._type_error(field_def, value)
            return value.text
        if field_type == "datetime":
            if kind != "datetime":
                raise self._type_error(field_def, value)
            return store_datetime(parse_datetime(value.text.replace("Z", "+00:00")))
        raise self._type_error(field_def, value)

    def _type_error(self, field_def: FieldDef, value: ast.Value) -> SalesforceError:
        quoted = field_def.is_text or field_def.type in ("id", "reference")
        describe_type = {"int": "int", "reference": "reference", "id": "id"}.get(
            field_def.type, field_def.type,
        )
        advice = "and should be enclosed in quotes" if quoted else (
            "and should not be enclosed in quotes"
        )
        return self.error(
            value.position,
            f"value of filter criterion for field '{field_def.name}' must be of type "
            f"{describe_type} {advice}",
            "INVALID_QUERY_FILTER_OPERATOR",
        )


def _filters_cdl(where) -> bool:
    """Tell whether a ContentDocumentLink WHERE pins ContentDocumentId or LinkedEntityId."""
    if where is None:
        return False
    if isinstance(where, ast.And):
        return any(_filters_cdl(item) for item in where.items)
    if isinstance(where, ast.Comparison):
        return where.operator == "=" and _is_cdl_key(where.path)
    if isinstance(where, (ast.InList, ast.InQuery)):
        return not where.negated and _is_cdl_key(where.path)
    return False


def _is_cdl_key(path: ast.FieldPath) -> bool:
    return path.parts[-1].lower() in ("contentdocumentid", "linkedentityid", "id")
