"""The joins and column aliases of one SELECT while it is being compiled."""

from ..schema import ObjectDef


class QueryScope:
    """Joins and column aliases of one SELECT (main query or subquery)."""

    def __init__(self, compiler, object_def: ObjectDef) -> None:
        self.compiler = compiler
        self.object_def = object_def
        self.alias = compiler.new_alias("t")
        self.joins: dict[tuple[str, ...], tuple[str, ObjectDef]] = {}
        self.join_sql: list[str] = []
        self.columns: dict[str, str] = {}

    def column_alias(self, table_alias: str, column: str) -> str:
        """Return the result alias of a table column, adding the column to the SELECT list."""
        key = f"{table_alias}.{column}"
        if key not in self.columns:
            self.columns[key] = f"c{len(self.columns)}"
        return self.columns[key]
