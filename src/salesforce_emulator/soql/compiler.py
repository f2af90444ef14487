"""Translate a parsed SOQL query into SQLite SQL over the org's tables.

Parent fields become LEFT JOINs, WHERE becomes a SQL WHERE (so SQLite's indexes do the
filtering), and child subqueries are compiled separately and run per page of parents.

WHERE clauses are compiled by ConditionCompiler in conditions.py.
"""

import datetime
from dataclasses import dataclass, field

from ..errors import SalesforceError
from ..permissions import UserAccess
from ..schema import ANY_OBJECT, FieldDef, ObjectDef, Schema
from ..store import quote, table_name
from . import nodes as ast
from .aggregates import AggregateColumn, AggregateCompiler
from .conditions import ConditionCompiler, filters_content_document_link
from .parser import query_error
from .scope import QueryScope

MAX_OFFSET = 2000

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
    group_sql: str = ""
    # (table alias, field name) -> SQL column of each GROUP BY field.
    grouped: dict[tuple[str, str], str] = field(default_factory=dict)
    having_sql: str = ""
    having_params: list = field(default_factory=list)

    @property
    def is_aggregate(self) -> bool:
        """True when the query returns AggregateResult rows."""
        return bool(self.aggregates)


class Compiler(ConditionCompiler, AggregateCompiler):
    """Compile parsed SOQL against a schema; one instance per query text.

    access limits the query to the objects and fields a user can read: others fail as if
    they did not exist. None means no limit (the emulator's own Python API).
    """

    def __init__(
        self, schema: Schema, soql: str, include_deleted: bool = False,
        today: datetime.date | None = None, access: UserAccess | None = None,
    ) -> None:
        self.schema = schema
        self.soql = soql
        self.include_deleted = include_deleted
        self.today = today or datetime.datetime.now(datetime.UTC).date()
        self.access = access or UserAccess.full()
        self.in_having = False
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
        if object_def.name == "ContentDocumentLink" and not filters_content_document_link(query.where):
            raise SalesforceError("MALFORMED_QUERY", _CDL_RESTRICTION)
        return self._compile_select(query, object_def, include_deleted=self.include_deleted)

    def _object(self, query: ast.Query) -> ObjectDef:
        object_def = self.schema.get(query.object_name)
        if object_def is None or not object_def.queryable or not self.access.can_read(object_def):
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

        scope = QueryScope(self, object_def)
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
        self.compile_having(query, scope, compiled)

        if compiled.is_aggregate:
            order_terms = [self.aggregate_order_term(item, scope, compiled) for item in query.order]
        else:
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
                f"{self.column_sql(column)} AS {column.sql_alias}" for column in compiled.aggregates
            )
        else:
            compiled.select_sql = ", ".join(
                f"{key.split('.')[0]}.{quote(key.split('.', 1)[1])} AS {alias}"
                for key, alias in scope.columns.items()
            ) or "1"
        return compiled

    # SELECT list ---------------------------------------------------------------------

    def _compile_select_list(
        self, query: ast.Query, scope: QueryScope, compiled: CompiledQuery,
    ) -> None:
        if query.group_by or any(isinstance(item, ast.SelectFunction) for item in query.select):
            self.compile_aggregate_select(query, scope, compiled)
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
        self, path: ast.FieldPath, scope: QueryScope, compiled: CompiledQuery, id_alias: str,
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

    def _child_query(self, query: ast.Query, parent_scope: QueryScope) -> ChildQuery:
        relationship = parent_scope.object_def.child_relationship(query.object_name)
        if relationship is None or not self.access.can_read(self.schema.get(relationship.child_object)):
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
        self, path: ast.FieldPath, scope: QueryScope,
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
            if not self._traversable(current, reference):
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
        if field_def is None or not self.access.field_readable(current, field_def):
            raise self.error(
                path.position,
                _NO_SUCH_COLUMN.format(field=parts[-1], object=current.name),
                "INVALID_FIELD",
            )
        return table_alias, field_def, current, tuple(relationships)

    def _traversable(self, owner: ObjectDef, reference: FieldDef | None) -> bool:
        """Tell whether a parent relationship can be followed by this user."""
        if reference is None or ANY_OBJECT in reference.reference_to:
            return False
        parent_def = self.schema.get(reference.reference_to[0])
        return (
            parent_def is not None
            and self.access.field_readable(owner, reference)
            and self.access.can_read(parent_def)
        )

    def _filterable_column(self, path: ast.FieldPath, scope: QueryScope, verb: str) -> tuple:
        table_alias, field_def, _owner, _relationships = self.resolve(path, scope)
        if not field_def.filterable:
            raise self.error(
                path.position,
                f"field '{field_def.name}' can not be {verb} in a query call",
                "INVALID_FIELD",
            )
        return f"{table_alias}.{quote(field_def.name)}", field_def

    def _order_term(self, item: ast.OrderItem, scope: QueryScope) -> str:
        if isinstance(item.path, ast.AggregateCall):
            raise self.error(
                item.path.position,
                f"Aggregate functions such as {item.path.name}() in ORDER BY need an aggregate query",
            )
        column, _field_def = self._filterable_column(item.path, scope, "sorted")
        term = column + (" DESC" if item.descending else " ASC")
        if item.nulls_last is not None:
            term += " NULLS LAST" if item.nulls_last else " NULLS FIRST"
        return term
