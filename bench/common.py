"""Helpers shared by the benchmarks: the local PostgreSQL's admin connection and free ports."""

from __future__ import annotations

import socket

import asyncpg

SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def admin(statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the local server's maintenance database."""
    connection = await asyncpg.connect(SERVER_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
