"""CSV exports: `GET /export/people.csv` and `GET /export/properties.csv` (EXPORT permission).

The query parameters are the GraphQL search's arguments under their GraphQL names (`?status=LEAD&status=QUALIFIED`
for a list), validated by the same pydantic rules and turned into SQL by the same query builders as the `people` and
`properties` queries, so an export holds exactly the rows that search pages through (every page of them).
Rows come from a server-side cursor and are written a thousand at a time, so memory stays flat whatever the count.
Everything that can fail before the first row (permission, parameters, the query itself) is answered with the
contract's JSON error; a failure after the first byte aborts the response (the connection closes without the
final chunk), so a client never takes a truncated file for a complete one.
Cells are RFC 4180 (the `csv` module). Following OWASP's CSV injection guidance, a formula character (`= + - @`,
tab, CR, and their fullwidth and small forms) at the start of a cell, or right after anything a spreadsheet may
split a cell at (`,` `;` tab, a quote, a line break), gets a `'` before it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import undefer
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from strawberry.utils.str_converters import to_camel_case

from winnerr.auth.middleware import error_response
from winnerr.auth.permissions import Permission
from winnerr.db.models import Person
from winnerr.db.scope import TenantScope
from winnerr.errors import Issue, PermissionDenied, ValidationFailed
from winnerr.resolvers.people import PersonFilterRules, PersonSortField, people_query
from winnerr.resolvers.properties import PropertySearchRules, properties_query
from winnerr.resolvers.querying import SortDirection
from winnerr.resolvers.validation import validate
from winnerr.state import app_state, principal_of

ROWS_PER_CHUNK = 1000
FORMULA_CHARACTERS = "=+-@\t\r" + "\uff1d\ufe66\uff0b\ufe62\uff0d\ufe63\uff20\ufe6b"  # ＝ ﹦ ＋ ﹢ － ﹣ ＠ ﹫
CELL_BREAKS = ",;\t\r\n\"'"
FORMULA = re.compile(f"(^|[{re.escape(CELL_BREAKS)}])(?=[{re.escape(FORMULA_CHARACTERS)}])")
LIST_SEPARATOR = ";"
NUL = "\x00"
NOT_PARAMETERS = frozenset({"page", "limit"})  # an export holds every matching row

Params = TypeVar("Params", bound=BaseModel)
Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class CsvExport(Generic[Params, Row]):
    """One export: its file name, the rules of its query parameters, its query and its columns (attributes)."""

    name: str
    rules: type[Params]
    query: Callable[[TenantScope, Params], Select[Row]]
    columns: tuple[str, ...]

    @property
    def route(self) -> Route:
        return Route(f"/export/{self.name}.csv", self.respond, methods=["GET"])

    async def respond(self, request: Request) -> Response:
        try:
            principal_of(request).require(Permission.EXPORT)
            params = self.parameters(request.query_params)
        except PermissionDenied as error:
            return error_response(error)
        except ValidationFailed as error:
            body = {"errors": [{"message": error.message, "extensions": error.extensions}]}
            return JSONResponse(body, status_code=400)
        chunks = self._chunks(request, params)
        first = await anext(chunks)  # runs the query: a failure here is still an error response, not a broken file
        return StreamingResponse(
            _starting_with(first, chunks),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{self.name}.csv"'},
        )

    def parameters(self, query: QueryParams) -> Params:
        """The query parameters validated by the rules; issues name the parameters (`["minLeadScore"]`)."""
        fields = {to_camel_case(field): field for field in self.rules.model_fields if field not in NOT_PARAMETERS}
        data: dict[str, Any] = {}
        issues: list[Issue] = []
        for name in query:
            values = query.getlist(name)
            field = fields.get(name)
            if any(NUL in value for value in values):
                issues.append(Issue([name], "Must not contain NUL characters"))
            elif field is None:
                issues.append(Issue([name], f"Unknown parameter; expected one of: {', '.join(fields)}"))
            elif _is_list(self.rules.model_fields[field].annotation):
                data[field] = values
            elif len(values) > 1:
                issues.append(Issue([name], "Must be given at most once"))
            else:
                data[field] = values[0]
        try:
            params = validate(self.rules, data, at=None)
        except ValidationFailed as failed:
            raise ValidationFailed([*issues, *failed.issues]) from None
        if issues:
            raise ValidationFailed(issues)
        return params

    async def _chunks(self, request: Request, params: Params) -> AsyncIterator[str]:
        """The header once the query runs, then the rows a cursor batch at a time, each batch one chunk."""
        organization_id = principal_of(request).organization_id
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        async with app_state(request).database.sessions() as session:
            query = self.query(TenantScope(session, organization_id), params)
            result = await session.stream_scalars(query.execution_options(yield_per=ROWS_PER_CHUNK))
            writer.writerow(self.columns)
            yield _drain(buffer)
            async for rows in result.partitions():
                writer.writerows([_cell(getattr(row, column)) for column in self.columns] for row in rows)
                yield _drain(buffer)
        if buffer.tell():
            yield _drain(buffer)


def _is_list(annotation: Any) -> bool:
    """Whether a field takes a list (`list[X] | None`): its parameter may then be repeated."""
    return get_origin(annotation) is list or any(_is_list(argument) for argument in get_args(annotation))


async def _starting_with(first: str, rest: AsyncIterator[str]) -> AsyncIterator[str]:
    yield first
    async for chunk in rest:
        yield chunk


def _cell(value: object) -> str:
    """A value as CSV text, with a `'` before every formula a spreadsheet could find in it (a list's items
    are joined with `;`, where spreadsheets in `;` locales split the cell)."""
    return FORMULA.sub(r"\1'", _text(value))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_text(item) for item in value)
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


class PeopleExportRules(PersonFilterRules):
    """The `people` query's arguments: `search`, the filter's fields and the sort, flattened."""

    search: str | None = None
    sort: PersonSortField | None = None
    direction: SortDirection | None = None


def _people(scope: TenantScope, params: PeopleExportRules) -> Select[Person]:
    filters = params.model_dump(include=set(PersonFilterRules.model_fields), exclude_none=True)
    sort: tuple[PersonSortField, SortDirection] | None = None
    if params.sort is not None or params.direction is not None:  # the defaults of the GraphQL `PersonSort`
        sort = (params.sort or PersonSortField.CREATED_AT, params.direction or SortDirection.DESC)
    return people_query(scope, params.search, filters, sort).options(undefer(Person.lead_score))


PEOPLE = CsvExport(
    "people",
    PeopleExportRules,
    _people,
    (
        "id", "first_name", "last_name", "email", "phone", "address", "city", "state", "zip_code", "source",
        "status", "lead_score", "last_contact_at", "tags", "created_at",
    ),
)
PROPERTIES = CsvExport(
    "properties",
    PropertySearchRules,
    properties_query,
    (
        "id", "address", "city", "state", "zip_code", "property_type", "status", "price", "bedrooms", "bathrooms",
        "square_feet", "mls_number", "description", "created_at",
    ),
)

routes = [PEOPLE.route, PROPERTIES.route]
