"""Response and request headers as ASGI carries them (a list of `(name, value)` byte pairs, names in lower case),
changed the way Starlette's `MutableHeaders` would change them, without building one per message: the middlewares
that every request goes through (`winnerr.request_id`, `winnerr.cors`, `winnerr.ratelimit`) edit them so, and
read the request's so (authentication, the body limit, the route's policy)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Scope

RawHeaders = list[tuple[bytes, bytes]]


def header(scope: Scope, name: bytes) -> str | None:
    """The request's first `name` header (`Headers(scope=scope).get(name)`); `name` in lower case."""
    return next((value.decode("latin-1") for key, value in scope["headers"] if key == name), None)


def values_of(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> list[str]:
    """Every value of `name`, in order (`MutableHeaders.getlist`)."""
    return [value.decode("latin-1") for key, value in headers if key == name]


def with_header(headers: Iterable[tuple[bytes, bytes]], name: bytes, value: bytes) -> RawHeaders:
    """`headers` with `name` set to `value`: the first entry of that name replaced and the others removed, or
    the header appended (`MutableHeaders.__setitem__`)."""
    kept: RawHeaders = []
    found = False
    for entry in headers:
        if entry[0] != name:
            kept.append(entry)
        elif not found:
            kept.append((name, value))
            found = True
    return kept if found else [*kept, (name, value)]
