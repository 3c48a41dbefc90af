"""INSERTs compiled once by SQLAlchemy and run by the database's own driver (SQLite's new rows).

A new assessment is the one write every API save and every confirmed questionnaire makes. Through
SQLAlchemy's `Connection` adding one cost 103–165 µs here (a connection object, an execution context,
the statement cache, the values' processing, the events, the commit); the same statement run by
sqlite3 on a connection of the pool, its values processed alike, cost 42–55 µs with its commit. So
the statement is compiled once by SQLAlchemy for the engine's own dialect (its SQL and its
parameters' order), with each parameter's processor (dates as SQLite's text, JSON by the engine's
serializer, booleans as 0 and 1) and the table's scalar default for each column it needs that is not
given; each row's values then go straight to the driver. Only adding rows is done this way; every
other statement goes through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import Insert

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class CompiledInsert:
    """An INSERT as its dialect's SQL, and how to make a row's parameters for it."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Processor | None, ...]
    defaults: Mapping[str, Any]

    @classmethod
    def of(cls, statement: Insert, given: Sequence[str], dialect: Dialect) -> CompiledInsert:
        """`statement` compiled for `dialect` (positional parameters: SQLite's), for rows that give
        `given` (columns of its table, or parameters of the statement's own); each column it needs
        that is not given takes its scalar default. ValueError if one has neither."""
        if not dialect.positional:
            raise ValueError(f"{dialect.name}: only a dialect with positional parameters is compiled here")
        table = statement.table
        if not isinstance(table, Table):
            raise ValueError("only an INSERT into a table is compiled here")
        compiled = statement.compile(dialect=dialect, column_keys=[name for name in given if name in table.c])
        names = tuple(compiled.positiontup or ())
        defaults: dict[str, Any] = {}
        for name in names:
            if name in given:
                continue
            default = table.c[name].default if name in table.c else None
            if default is None or not default.is_scalar:
                raise ValueError(f"{table.name}.{name}: needed, not given, and without a scalar default")
            defaults[name] = default.arg
        types = (compiled.binds[name].type.dialect_impl(dialect) for name in names)
        return cls(compiled.string, names, tuple(type_.bind_processor(dialect) for type_ in types), defaults)

    def parameters(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        """One row's parameters, in the statement's order, each processed as SQLAlchemy would."""
        values = (row[name] if name in row else self.defaults[name] for name in self.names)
        return tuple(
            value if process is None else process(value)
            for value, process in zip(values, self.processors, strict=True)
        )

    def one(self, row: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
        """The SQL and one row's parameters, for the driver's execute."""
        return self.sql, self.parameters(row)

    def many(self, rows: Sequence[Mapping[str, Any]]) -> tuple[str, list[tuple[Any, ...]]]:
        """The SQL and the parameters of several rows, for the driver's executemany."""
        return self.sql, [self.parameters(row) for row in rows]
