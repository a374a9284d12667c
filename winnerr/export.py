"""CSV exports: `GET /export/people.csv` and `GET /export/properties.csv` (EXPORT permission).

The query parameters are the GraphQL search's arguments under their GraphQL names (`?status=LEAD&status=QUALIFIED`
for a list), validated by the same pydantic rules and turned into SQL by the same query builders as the `people` and
`properties` queries, so an export holds exactly the rows that search pages through (every page of them).
Rows come from a server-side cursor and are written a thousand at a time, so memory stays flat whatever the count.
Cells are RFC 4180 (the `csv` module); one that a spreadsheet would run as a formula gets a leading `'` (OWASP).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy import Select
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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"
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
        return StreamingResponse(
            self._chunks(request, params),
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
            if field is None:
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
        """The header, then the rows a cursor batch at a time, each batch written out as one chunk."""
        organization_id = principal_of(request).organization_id
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.columns)
        async with app_state(request).database.sessions() as session:
            query = self.query(TenantScope(session, organization_id), params)
            result = await session.stream_scalars(query.execution_options(yield_per=ROWS_PER_CHUNK))
            async for rows in result.partitions():
                writer.writerows([_cell(getattr(row, column)) for column in self.columns] for row in rows)
                yield _drain(buffer)
        if buffer.tell():
            yield _drain(buffer)


def _is_list(annotation: Any) -> bool:
    """Whether a field takes a list (`list[X] | None`): its parameter may then be repeated."""
    return get_origin(annotation) is list or any(_is_list(argument) for argument in get_args(annotation))


def _cell(value: object) -> str:
    """A value as CSV text, neutralised with a leading `'` when a spreadsheet would read it as a formula.

    A list is joined with `;` after neutralising each item, since spreadsheets in locales whose CSV
    separator is `;` split the cell there."""
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_cell(item) for item in value)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
    return people_query(scope, params.search, filters, sort)


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
