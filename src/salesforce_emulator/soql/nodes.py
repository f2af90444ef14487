"""The parsed form of a SOQL query."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Position:
    """Line and column (both from 1) of a token in the query text."""

    line: int
    column: int


@dataclass
class FieldPath:
    """A field reference such as `Name` or `Account__r.Owner.Name`."""

    parts: list[str]
    position: Position

    @property
    def text(self) -> str:
        """The path as written."""
        return ".".join(self.parts)


@dataclass
class SelectField:
    """A plain or parent field in the SELECT list, with the alias an aggregate query may give it."""

    path: FieldPath
    alias: str | None = None


@dataclass
class SelectFunction:
    """An aggregate function in the SELECT list, such as COUNT() or MAX(Amount)."""

    name: str
    path: FieldPath | None
    alias: str | None
    position: Position


@dataclass
class AggregateCall:
    """An aggregate function outside the SELECT list, in HAVING or ORDER BY: `COUNT(Id)`."""

    name: str
    path: FieldPath | None
    position: Position

    @property
    def text(self) -> str:
        """The call as written."""
        return f"{self.name}({self.path.text if self.path else ''})"


@dataclass
class SelectSubquery:
    """A child relationship subquery in the SELECT list."""

    query: "Query"


@dataclass
class Value:
    """A literal on the right of a comparison.

    kind is one of string, number, date, datetime, boolean, null, date_literal; for a
    date literal, text is its name (TODAY, LAST_N_DAYS) and number its n, if any.
    """

    kind: str
    text: str
    position: Position
    number: int | None = None


@dataclass
class Comparison:
    """`field op value`, with op one of = != < <= > >=."""

    path: FieldPath
    operator: str
    value: Value


@dataclass
class AggregateComparison:
    """`COUNT(Id) > 1` in a HAVING clause."""

    call: AggregateCall
    operator: str
    value: Value


@dataclass
class Like:
    """`field LIKE 'pattern'`."""

    path: FieldPath
    value: Value


@dataclass
class InList:
    """`field [NOT] IN (values)`."""

    path: FieldPath
    values: list[Value]
    negated: bool


@dataclass
class InQuery:
    """`field [NOT] IN (SELECT ...)`, a semi-join or anti-join."""

    path: FieldPath
    query: "Query"
    negated: bool


@dataclass
class Includes:
    """`field INCLUDES (...)` or `field EXCLUDES (...)` on a multi-select picklist."""

    path: FieldPath
    values: list[Value]
    negated: bool


@dataclass
class And:
    """All of the conditions hold."""

    items: list


@dataclass
class Or:
    """At least one of the conditions holds."""

    items: list


@dataclass
class Not:
    """The condition does not hold."""

    item: object


@dataclass
class OrderItem:
    """One ORDER BY entry: a field, or an aggregate function in an aggregate query."""

    path: "FieldPath | AggregateCall"
    descending: bool = False
    nulls_last: bool | None = None


@dataclass
class Query:
    """A whole SELECT statement, or a subquery."""

    select: list
    object_name: str
    object_position: Position
    where: object | None = None
    group_by: list[FieldPath] = field(default_factory=list)
    having: object | None = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    # Clauses that parse but that the emulator does not run: (clause, position).
    unsupported: list[tuple[str, Position]] = field(default_factory=list)
