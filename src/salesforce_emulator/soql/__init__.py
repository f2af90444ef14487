"""SOQL: a lark grammar, a compiler to SQLite SQL, and an executor with paging."""

from .executor import QueryService, batch_size_from_header
from .parser import parse

__all__ = ["QueryService", "batch_size_from_header", "parse"]
