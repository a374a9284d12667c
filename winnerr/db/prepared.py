"""Selects compiled once per shape for the read pool (`winnerr.db.reads`), run with each request's values.

A session compiles a statement once per shape too: by its cache key, the statement's structure without the values
of its parameters, from which it reads each new statement's values. The read pool takes SQL text, so `prepare`
does for it what the session's cache does: the SQL of the first statement of a shape is kept, and a later one's
values take their places, IN lists expanded and values converted (enums to their labels) as SQLAlchemy does for
the session's statements. Building a statement from a select (joining rows in, counting them) costs more than
reading the select's cache key, so what is kept is keyed by the select it is built from and by `kind`, what
builds it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.compiler import ExpandedState, SQLCompiler

from winnerr.recent import Recent

DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement compiled for the cache key of the select it was built from, with its parameters' conversions
    by name; `fixed` is its SQL and order of parameters when no request changes them (it has no IN list)."""

    compiled: SQLCompiler
    conversions: Mapping[str, Callable[[Any], Any]]
    fixed: ExpandedState | None

    @classmethod
    def of(cls, statement: Select[Any], key: CacheKey | None, given: Mapping[str, Any]) -> Prepared:
        compiled = statement.compile(dialect=DIALECT, cache_key=key)
        assert isinstance(compiled, SQLCompiler)
        conversions = {
            name: convert
            for parameter, name in compiled.bind_names.items()
            if (convert := parameter.type.dialect_impl(DIALECT).bind_processor(DIALECT)) is not None
        }
        expanding = compiled.post_compile_params or compiled.literal_execute_params
        fixed = None if expanding else compiled.construct_expanded_state(dict(given) or None, escape_names=False)
        return cls(compiled, conversions, fixed)

    def statement(self, key: CacheKey | None, given: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The SQL and positional arguments for the select whose cache key is `key` (its values), with `given`
        for the parameters the statement built from it added by name."""
        extracted = key.bindparams if key is not None else None
        values = self.compiled.construct_params(dict(given) or None, extracted_parameters=extracted, escape_names=False)
        if self.fixed is not None:
            return self.fixed.statement, self._arguments(self.fixed.positiontup, values, self.conversions)
        state = self.compiled.construct_expanded_state(values, escape_names=False)
        conversions = {**self.conversions, **state.processors}
        return state.statement, self._arguments(state.positiontup, state.parameters, conversions)

    @staticmethod
    def _arguments(
        names: Sequence[str] | None, values: Mapping[str, Any], conversions: Mapping[str, Callable[[Any], Any]]
    ) -> list[Any]:
        return [conversions[name](values[name]) if name in conversions else values[name] for name in names or ()]


_PREPARED: Recent[tuple[Hashable, Any], Prepared] = Recent()


def prepare(
    kind: Hashable, query: Select[Any], build: Callable[[Select[Any]], Select[Any]], given: Mapping[str, Any]
) -> tuple[str, list[Any]]:
    """The SQL and positional arguments of `build(query)`, compiled once per shape of `query` and `kind`: `build`
    must make the same statement of selects of the same shape, and `kind` tell it from any other builder. `given`
    are the values of the parameters `build` adds itself (`bindparam`s by name), which `query` does not have."""
    key = query._generate_cache_key()
    if key is None:  # a construct SQLAlchemy cannot cache: compiled every time, as the session would
        return Prepared.of(build(query), None, given).statement(None, given)
    prepared = _PREPARED.get((kind, key.key), lambda: Prepared.of(build(query), key, given))
    return prepared.statement(key, given)
