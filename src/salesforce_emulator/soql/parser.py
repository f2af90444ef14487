"""Parse SOQL text into the query tree of soql.ast, with Salesforce-style syntax errors."""

from functools import cache
from importlib import resources

import lark

from ..errors import SalesforceError
from . import nodes as ast

# Keywords that are words in the grammar; used to tell "unexpected token" errors apart.
_BOOLEANS = {"true": "boolean", "false": "boolean", "null": "null"}
# The largest LIMIT and date-literal n (LAST_N_DAYS:n) accepted. NOTE: no Salesforce
# document states this bound. It assumes Salesforce reads both as a Java int.
MAX_INTEGER = 2**31 - 1
_ESCAPES = {
    "n": "\n", "N": "\n", "r": "\r", "R": "\r", "t": "\t", "T": "\t",
    "b": "\b", "B": "\b", "f": "\f", "F": "\f", "'": "'", '"': '"',
}
_HEX_DIGITS = set("0123456789abcdefABCDEF")


class InvalidEscape(ValueError):
    """A backslash in a string literal that SOQL does not define as an escape sequence."""

    def __init__(self, sequence: str) -> None:
        super().__init__(sequence)
        self.sequence = sequence


@cache
def _parser() -> lark.Lark:
    grammar = resources.files(__package__).joinpath("soql.lark").read_text("utf-8")
    return lark.Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def query_error(
    soql: str, position: ast.Position | None, message: str, error_code: str = "MALFORMED_QUERY",
) -> SalesforceError:
    """Build a query error whose message points at the failing token, as Salesforce does."""
    if position is None:
        return SalesforceError(error_code, message)

    lines = soql.splitlines() or [""]
    line_text = lines[min(position.line, len(lines)) - 1]
    pointer = " " * (position.column - 1) + "^"
    return SalesforceError(
        error_code,
        f"\n{line_text}\n{pointer}\nERROR at Row:{position.line}:Column:{position.column}\n{message}",
    )


def parse(soql: str) -> ast.Query:
    """Parse a SOQL statement; raise MALFORMED_QUERY on a syntax error."""
    if not soql or not soql.strip():
        raise SalesforceError("MALFORMED_QUERY", "A query string must be provided.")

    try:
        tree = _parser().parse(soql)
    except lark.UnexpectedToken as error:
        token = error.token
        text = "<EOF>" if token.type == "$END" else str(token)
        position = ast.Position(error.line, error.column) if error.line > 0 else None
        raise query_error(soql, position, f"unexpected token: '{text}'") from None
    except lark.UnexpectedCharacters as error:
        position = ast.Position(error.line, error.column)
        character = soql.splitlines()[error.line - 1][error.column - 1]
        raise query_error(soql, position, f"unexpected token: '{character}'") from None
    except lark.UnexpectedEOF:
        raise query_error(soql, None, "unexpected token: '<EOF>'") from None

    return _Builder(soql).query(tree.children[0])


def _position(node: lark.Tree | lark.Token) -> ast.Position:
    if isinstance(node, lark.Token):
        return ast.Position(node.line, node.column)
    return ast.Position(node.meta.line, node.meta.column)


def unescape(literal: str, keep_wildcard_escapes: bool = False) -> str:
    """Turn a quoted SOQL string literal into its value, raising InvalidEscape on an unknown escape.

    SOQL defines \\n \\r \\t \\b \\f (either case), \\' \\" \\\\, \\uXXXX and, for LIKE,
    \\% and \\_. With keep_wildcard_escapes, `\\%`, `\\_` and `\\\\` stay escaped for use
    in a LIKE pattern.
    """
    body = literal[1:-1]
    result = []
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            result.append(char)
            index += 1
            continue

        escaped = body[index + 1] if index + 1 < len(body) else ""
        if escaped in ("%", "_"):
            result.append("\\" + escaped if keep_wildcard_escapes else escaped)
        elif escaped == "\\":
            result.append("\\\\" if keep_wildcard_escapes else "\\")
        elif escaped == "u":
            digits = body[index + 2:index + 6]
            if len(digits) != 4 or not set(digits) <= _HEX_DIGITS:
                raise InvalidEscape(body[index:index + 6])
            result.append(chr(int(digits, 16)))
            index += 4
        elif escaped in _ESCAPES:
            result.append(_ESCAPES[escaped])
        else:
            raise InvalidEscape(body[index:index + 2])
        index += 2
    return "".join(result)


class _Builder:
    """Turn the lark parse tree into soql.ast nodes."""

    def __init__(self, soql: str) -> None:
        self.soql = soql

    def query(self, tree: lark.Tree) -> ast.Query:
        select_list, object_token, *clauses = tree.children
        query = ast.Query(
            select=[self.select_item(item) for item in select_list.children],
            object_name=str(object_token),
            object_position=_position(object_token),
        )
        for clause in clauses:
            self.clause(query, clause)
        return query

    def clause(self, query: ast.Query, clause: lark.Tree) -> None:
        kind = clause.data
        if kind == "where_clause":
            query.where = self.condition(clause.children[0])
        elif kind == "group_clause":
            self.group_clause(query, clause)
        elif kind == "having_clause":
            query.having = self.condition(clause.children[0])
        elif kind == "order_clause":
            query.order = [self.order_item(item) for item in clause.children]
        elif kind == "limit_clause":
            query.limit = self.limit(clause.children[0])
        elif kind == "offset_clause":
            query.offset = int(clause.children[0])
        elif kind == "for_clause" and str(clause.children[0]).upper() in ("VIEW", "REFERENCE"):
            # FOR VIEW and FOR REFERENCE only update "recently viewed" data.
            return
        else:
            names = {"using_scope": "USING SCOPE", "with_clause": "WITH", "for_clause": "FOR UPDATE"}
            query.unsupported.append((names.get(kind, kind), _position(clause)))

    def limit(self, token: lark.Token) -> int:
        value = int(token)
        if value > MAX_INTEGER:
            raise query_error(
                self.soql, _position(token),
                f"LIMIT must be an integer from 0 to {MAX_INTEGER}, not {value}",
            )
        return value

    def group_clause(self, query: ast.Query, clause: lark.Tree) -> None:
        for item in clause.children:
            if item.data == "group_item":
                query.group_by.append(self.path(item.children[0]))
                continue
            name = str(item.children[0]).upper()
            label = f"GROUP BY {name}" if name in ("ROLLUP", "CUBE") else f"{name}() in GROUP BY"
            query.unsupported.append((label, _position(item.children[0])))

    def aggregate(self, tree: lark.Tree) -> ast.AggregateCall:
        name_token = tree.children[0]
        path = self.path(tree.children[1]) if len(tree.children) > 1 else None
        return ast.AggregateCall(str(name_token).upper(), path, _position(name_token))

    def select_item(self, item: lark.Tree):
        if item.data == "select_field":
            alias = str(item.children[1].children[0]) if len(item.children) > 1 else None
            return ast.SelectField(self.path(item.children[0]), alias)
        if item.data == "select_subquery":
            return ast.SelectSubquery(self.query(item.children[0]))

        name_token = item.children[0]
        path = None
        alias = None
        for child in item.children[1:]:
            if child.data == "field_path":
                path = self.path(child)
            else:
                alias = str(child.children[0])
        return ast.SelectFunction(str(name_token).upper(), path, alias, _position(name_token))

    def path(self, tree: lark.Tree) -> ast.FieldPath:
        return ast.FieldPath([str(token) for token in tree.children], _position(tree))

    def order_item(self, tree: lark.Tree) -> ast.OrderItem:
        target = tree.children[0]
        item = ast.OrderItem(self.aggregate(target) if target.data == "aggregate" else self.path(target))
        for child in tree.children[1:]:
            if child.data == "direction":
                item.descending = child.children[0].type == "DESC"
            else:
                item.nulls_last = child.children[0].type == "LAST"
        return item

    def condition(self, tree: lark.Tree):
        kind = tree.data
        if kind == "and_condition":
            return ast.And([self.condition(child) for child in tree.children])
        if kind == "or_condition":
            return ast.Or([self.condition(child) for child in tree.children])
        if kind == "not_condition":
            return ast.Not(self.condition(tree.children[0]))

        if kind == "aggregate_compare":
            operator = str(tree.children[1])
            operator = "!=" if operator == "<>" else operator
            return ast.AggregateComparison(
                self.aggregate(tree.children[0]), operator, self.value(tree.children[2]),
            )
        path = self.path(tree.children[0])
        if kind == "compare":
            operator = str(tree.children[1])
            operator = "!=" if operator == "<>" else operator
            return ast.Comparison(path, operator, self.value(tree.children[2]))
        if kind == "like":
            return ast.Like(path, self.value(tree.children[1], like=True))
        if kind in ("in_list", "not_in_list"):
            values = [self.value(child) for child in tree.children[1].children]
            return ast.InList(path, values, negated=kind == "not_in_list")
        if kind in ("in_query", "not_in_query"):
            return ast.InQuery(path, self.query(tree.children[1]), negated=kind == "not_in_query")
        values = [self.value(child) for child in tree.children[1].children]
        return ast.Includes(path, values, negated=kind == "excludes")

    def value(self, tree: lark.Tree, like: bool = False) -> ast.Value:
        token = tree.children[0]
        position = _position(token)
        kind = tree.data
        if kind == "string_value":
            try:
                text = unescape(str(token), keep_wildcard_escapes=like)
            except InvalidEscape as error:
                raise query_error(
                    self.soql, position,
                    f"Invalid string literal {token}. Illegal character sequence "
                    f"'{error.sequence}' in string literal.",
                ) from None
            return ast.Value("string", text, position)
        if kind == "number_value":
            return ast.Value("number", str(token), position)
        if kind == "date_value":
            return ast.Value("date", str(token), position)
        if kind == "datetime_value":
            return ast.Value("datetime", str(token), position)
        if kind == "date_literal_n":
            name, _, number = str(token).partition(":")
            count = int(number.strip())
            if count > MAX_INTEGER:
                raise query_error(
                    self.soql, position,
                    f"The n of {name.upper()}:n must be an integer from 0 to {MAX_INTEGER}, not {count}",
                )
            return ast.Value("date_literal", name.upper(), position, count)

        word = str(token)
        if word.lower() in _BOOLEANS:
            return ast.Value(_BOOLEANS[word.lower()], word.lower(), position)
        return ast.Value("date_literal", word.upper(), position)
