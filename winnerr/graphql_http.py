"""GraphQL over HTTP as its spec says (https://graphql.github.io/graphql-over-http/): which media type a response
has, which status it gets, and which request bodies are well-formed.

- The media type follows the `Accept` header and its q-values: `application/graphql-response+json` for a client
  that prefers it, else `application/json` (also with no `Accept`, with `*/*`, or when nothing offered fits).
- A request error (the document did not parse or validate, the variables did not coerce: no field ever ran) has no
  `data` key. With `application/graphql-response+json` it is a 400 (a 500 if it is the server's fault); with
  `application/json` every well-formed request is a 200, its errors in `errors`.
- A request that is not well-formed (not JSON or not UTF-8, not one object, no string `query`, `variables` or
  `extensions` not an object, `operationName` not a string) is refused with `RequestRefused`: 400, in the
  contract's error shape.
- An operation refused by the caller's query-cost budget (`RATE_LIMITED`, no field ran) is a 429 with
  `Retry-After` in both media types: the contract answers every rate limit so.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NoReturn

import mimeparse
from starlette.requests import Request
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, GraphQLRequestProtocol
from strawberry.http.parse_content_type import parse_content_type

from winnerr.errors import ErrorCode

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# `best_match` picks the later of two equally good candidates: application/json wins ties (`*/*`, `application/*`).
SERVED_MEDIA_TYPES = (GRAPHQL_RESPONSE_JSON, JSON)


class RequestRefused(Exception):
    """A request answered with an HTTP error before any GraphQL work; the message is for the client."""

    def __init__(self, message: str, status: int = 400, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.headers = dict(headers or {})


def response_media_type(accept: str | None) -> str:
    """The media type to answer with, by the request's `Accept` header (RFC 9110 q-values)."""
    if not accept:
        return JSON
    return _media_type_for(accept)


@lru_cache(maxsize=256)
def _media_type_for(accept: str) -> str:
    """Clients send few distinct `Accept` headers: each is weighed once."""
    try:
        best = mimeparse.best_match(list(SERVED_MEDIA_TYPES), accept)
    except (mimeparse.MimeTypeParseException, ValueError):
        return JSON
    return GRAPHQL_RESPONSE_JSON if best == GRAPHQL_RESPONSE_JSON else JSON


def parse_json(body: str | bytes) -> object:
    """Strict JSON (RFC 8259) in UTF-8: no `NaN`/`Infinity`, no number too large for a float."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        if text.startswith("\ufeff"):
            raise ValueError("Unexpected UTF-8 BOM")  # as `json.loads` refuses it
        return STRICT_JSON.decode(text)
    except UnicodeDecodeError:
        raise RequestRefused("The request body is not valid UTF-8") from None
    except RecursionError:
        raise RequestRefused("The request body nests JSON too deeply") from None
    except ValueError:
        raise RequestRefused("Unable to parse the request body as JSON") from None


def _not_json(constant: str) -> NoReturn:
    raise RequestRefused(f"Unable to parse the request body as JSON: {constant} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise RequestRefused(f"Unable to parse the request body as JSON: {text} is too large for a number")
    return value


STRICT_JSON = json.JSONDecoder(parse_constant=_not_json, parse_float=_finite)
"""`parse_json`'s decoder, made once (`json.loads` with these hooks would make one per call)."""


def posted_operation(body: object, protocol: GraphQLRequestProtocol) -> GraphQLRequestData:
    """The operation a POSTed JSON body asks for, or `RequestRefused` when the body is not well-formed."""
    if isinstance(body, list):
        raise RequestRefused("Batching is not enabled: send one operation per request")
    if not isinstance(body, dict):
        raise RequestRefused("The request body must be a JSON object with a `query`")
    query = body.get("query")
    if not isinstance(query, str):
        raise RequestRefused("No GraphQL query found in the request: `query` must be a string")
    return GraphQLRequestData(
        query=query,
        variables=_optional(body, "variables", dict, "an object"),
        operation_name=_optional(body, "operationName", str, "a string"),
        extensions=_optional(body, "extensions", dict, "an object"),
        protocol=protocol,
    )


async def plain_operation(request: Request) -> GraphQLRequestData | None:
    """The one operation of a plain request: a GET with its query string, or a POST of `application/json`.
    None for anything else (another transport asked for by `Accept`, another method or content type) and for a
    request that is not well-formed: Strawberry's view reads those, and refuses them as the spec says."""
    accept = request.headers.get("accept", "")
    if "text/event-stream" in accept or "multipart/" in accept:
        return None
    try:
        if request.method == "GET":
            return _operation_in(query_parameters(request.scope["query_string"]))
        if request.method == "POST" and parse_content_type(request.headers.get("content-type", ""))[0].lower() == JSON:
            return posted_operation(parse_json(await request.body()), "http")
    except RequestRefused:
        return None
    return None


def _operation_in(parameters: Mapping[str, str]) -> GraphQLRequestData | None:
    """A GET's operation as Strawberry reads it (`parse_query_params`), or None when the query is missing."""
    query = parameters.get("query")
    if query is None:
        return None
    variables, extensions = parameters.get("variables"), parameters.get("extensions")
    return posted_operation(
        {
            "query": query,
            "variables": parse_json(variables) if variables else None,
            "operationName": parameters.get("operationName"),
            "extensions": parse_json(extensions) if extensions else None,
        },
        "http",
    )


def query_parameters(raw: bytes) -> dict[str, str]:
    """A query string's parameters as Starlette reads them (`parse_qsl` of its Latin-1 text, blank values
    kept, the last of a repeated name winning)."""
    parameters: dict[str, str] = {}
    for pair in raw.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            parameters[_unquoted(name)] = _remembered(value) if len(value) <= CACHED_VALUE_BYTES else _unquoted(value)
    return parameters


CACHED_VALUE_BYTES = 8192


def _unquoted(raw: bytes) -> str:
    return urllib.parse.unquote_plus(raw.decode("latin-1"))


@lru_cache(maxsize=256)
def _remembered(raw: bytes) -> str:
    """A percent-encoded value of at most `CACHED_VALUE_BYTES`: clients send the same document text again and
    again, decoded once here."""
    return _unquoted(raw)


def _optional(body: dict[str, Any], name: str, kind: type, described: str) -> Any:
    value = body.get(name)
    if value is not None and not isinstance(value, kind):
        raise RequestRefused(f"`{name}` must be {described} or null")
    return value


def is_request_error(response: GraphQLHTTPResponse) -> bool:
    """Whether the operation never ran: no data, and no error belongs to a field (a field error has a `path`)."""
    errors: list[Any] = list(response.get("errors") or [])
    return response.get("data") is None and bool(errors) and not any("path" in error for error in errors)


def answer(response: GraphQLHTTPResponse, media_type: str) -> tuple[int, GraphQLHTTPResponse]:
    """The status and body of a GraphQL response sent as `media_type`."""
    if not is_request_error(response):
        return 200, response
    body = response.copy()
    body.pop("data", None)
    codes = {error.get("extensions", {}).get("code") for error in body.get("errors") or [] if isinstance(error, dict)}
    if ErrorCode.RATE_LIMITED.value in codes:
        return 429, body  # the contract's rate limit, in either media type (`retry_after` names the wait)
    if media_type == JSON:
        return 200, body
    return (500 if ErrorCode.INTERNAL_ERROR.value in codes else 400), body


def retry_after(response: GraphQLHTTPResponse) -> int | None:
    """The `retryAfter` (seconds) of a refusal by a rate limit or a cost budget, if the response is one."""
    for error in response.get("errors") or []:
        seconds = error.get("extensions", {}).get("retryAfter") if isinstance(error, dict) else None
        if isinstance(seconds, int):
            return seconds
    return None
