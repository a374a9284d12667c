"""`COPY (SELECT …) TO STDOUT` from a SQLAlchemy select, read as a stream of bytes.

PostgreSQL formats the rows itself (CSV, text), so nothing is loaded into Python objects. The select is
compiled for asyncpg (`$n` placeholders, IN lists expanded) and its parameters are handed to asyncpg's
`copy_from_query`, which has the server quote them into the statement (COPY takes no bind parameters).
The COPY's output arrives through a callback; `copy_out` turns it into an async iterator with a bounded
buffer in between, so a slow reader holds PostgreSQL back instead of the buffer growing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import anyio
from sqlalchemy import Select
from sqlalchemy.engine import Dialect

CHUNKS_AHEAD = 4
"""How many chunks of output may wait for the reader before the COPY waits for it."""


def positional(query: Select[*tuple[Any, ...]], dialect: Dialect) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The select's SQL with `$n` placeholders, the names of its parameters in placeholder order, and their
    values: what asyncpg takes. (SQLAlchemy's recipe for rendering expanding parameters: `render_postcompile`
    and `positiontup`.) The compiled read path (`winnerr.sqlplan`) compiles its statements with it too."""
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    return compiled.string, tuple(compiled.positiontup or ()), dict(compiled.construct_params())


def asyncpg_statement(query: Select[Any], dialect: Dialect) -> tuple[str, list[Any]]:
    """The select's SQL with `$n` placeholders and the values of its parameters, in order."""
    sql, names, values = positional(query, dialect)
    return sql, [values[name] for name in names]


async def copy_out(connection: Any, query: Select[Any], dialect: Dialect, **options: Any) -> AsyncGenerator[bytes]:
    """The output of `COPY (query) TO STDOUT WITH (options)` on an asyncpg connection, chunk by chunk.

    `options` are `copy_from_query`'s (`format="csv"`, `header=True`, …). An error of the COPY is raised after
    the chunks that came before it. A reader that stops early cancels the COPY on the server."""
    sql, arguments = asyncpg_statement(query, dialect)
    send, receive = anyio.create_memory_object_stream[bytes](CHUNKS_AHEAD)

    async def copy() -> None:
        async with send:
            await connection.copy_from_query(sql, *arguments, output=send.send, **options)

    task = asyncio.ensure_future(copy())
    try:
        async with receive:
            async for chunk in receive:
                yield chunk
    except BaseException:  # the reader stopped (or failed): stop the COPY, whose rows nobody reads now
        task.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await task
        raise
    await task
