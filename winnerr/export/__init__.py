from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from strawberry.utils.str_converters import to_camel_case

from winnerr.auth.middleware import error_response
from winnerr.auth.permissions import Permission
from winnerr.db.models import Person
from winnerr.db.scope import TenantScope
from winnerr.errors import Issue, PermissionDenied, RateLimited, ValidationFailed
from winnerr.export.cells import cell, exportable
from winnerr.export.records import CsvRecords
from winnerr.export.slots import take_slot
from winnerr.resolvers.people import PersonFilterRules, PersonSortField, people_query
from winnerr.resolvers.properties import PropertySearchRules, properties_query
from winnerr.resolvers.querying import SortDirection
from winnerr.resolvers.validation import validate
from winnerr.state import app_state, principal_of

ROWS_PER_CHUNK = 1000
"""Rows read before the response starts: a failure among them is still answered with an error."""
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
            chunks = self._chunks(request, params)
            first = await anext(chunks)  # runs the query: a failure here is still an error response, not a broken file
        except (PermissionDenied, RateLimited) as error:
            return error_response(error)
        except ValidationFailed as error:
            body = {"errors": [{"message": error.message, "extensions": error.extensions}]}
            return JSONResponse(body, status_code=400)
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

    def cells(self, query: Select[Row]) -> Select[Any]:
        """The query's exportable rows as the export's cells, in its order. The query is a subquery so that the
        cells are made from rows already sorted, and a sort stays a sort of the table's columns."""
        rows = query.subquery()
        columns = [rows.c[name] for name in self.columns]
        return select(*(cell(column).label(column.key) for column in columns)).where(exportable(columns))

    async def _chunks(self, request: Request, params: Params) -> AsyncGenerator[bytes]:
        """The header and the first `ROWS_PER_CHUNK` rows as one chunk once they are read, then the rest of the
        COPY's output as PostgreSQL sends it; the last chunk only once every row is known to be in the file."""
        state = app_state(request)
        async with state.database.sessions() as session:
            scope = TenantScope(session, principal_of(request).organization_id)
            await take_slot(scope, state.settings.exports_per_organization)
            query = self.query(scope, params)
            records = CsvRecords()
            pending: list[bytes] = []
            async with aclosing(scope.copy_out(self.cells(query), format="csv", header=True)) as copied:
                async for chunk in copied:
                    pending.append(records.crlf(chunk))
                    if records.count > ROWS_PER_CHUNK:  # the header is a record too
                        yield b"".join(pending)
                        pending.clear()
            await self._check_none_left_out(scope, query)
            yield b"".join(pending)

    async def _check_none_left_out(self, scope: TenantScope, query: Select[Row]) -> None:
        rows = query.order_by(None).subquery()
        columns = [rows.c[name] for name in self.columns]
        left_out = await scope.execute(select(func.count()).select_from(rows).where(~exportable(columns)))
        if count := left_out.scalar_one():
            raise UnexportableRows(f"{count} rows hold times outside years 1-9999; the {self.name} export fails")


class UnexportableRows(RuntimeError):
    """Rows that no cell can hold were left out of an export, which must then fail rather than look complete."""


def _is_list(annotation: Any) -> bool:
    """Whether a field takes a list (`list[X] | None`): its parameter may then be repeated."""
    return get_origin(annotation) is list or any(_is_list(argument) for argument in get_args(annotation))


async def _starting_with(first: bytes, rest: AsyncGenerator[bytes]) -> AsyncIterator[bytes]:
    """`first`, then `rest`, which is closed (its COPY stopped, its slot given back) if the client leaves."""
    yield first
    async with aclosing(rest):
        async for chunk in rest:
            yield chunk


class PeopleExportRules(PersonFilterRules):
    """The `people` query's arguments: `search`, the filter's fields and the sort, flattened."""

    search: str | None = None
    sort: PersonSortField | None = None
    direction: SortDirection | None = None


def _people(scope: TenantScope, params: PeopleExportRules) -> Select[Any]:
    """The `people` query's rows, with the lead score it computes (`winnerr.db.lead_scores`) as a column."""
    filters = params.model_dump(include=set(PersonFilterRules.model_fields), exclude_none=True)
    sort: tuple[PersonSortField, SortDirection] | None = None
    if params.sort is not None or params.direction is not None:  # the defaults of the GraphQL `PersonSort`
        sort = (params.sort or PersonSortField.CREATED_AT, params.direction or SortDirection.DESC)
    return people_query(scope, params.search, filters, sort).add_columns(Person.lead_score.label("lead_score"))


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
