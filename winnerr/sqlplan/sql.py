"""SQL from a selection: one statement whose single row is the response's `data`, built as JSON by PostgreSQL.

Each object is a `json_build_object` of its selected keys; a to-one relation is a correlated scalar sub-select
of the related row, a page (`{items, pagination}`) a sub-select that aggregates its rows with `json_agg` in
their order, and counts them for `pagination`. Root lists take their rows, filters and order from the very
query builders the resolvers use (`deals_query`, `people_query`, `properties_query`), and every table level is
bound to the caller's organization by `tenant_filter`. Values render as the resolver path renders them:
Decimal as its text, DateTime as Python's `isoformat()` in UTC, enums by name (their stored value).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLObjectType, get_named_type
from graphql.execution.values import VariableValues, get_argument_values
from sqlalchemy import (
    Boolean,
    ColumnElement,
    FromClause,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    inspect,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.util import ClauseAdapter
from strawberry import Schema
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.models import Person
from winnerr.db.scope import tenant_filter
from winnerr.errors import DomainError
from winnerr.resolvers.communications import communications_query
from winnerr.resolvers.deals import deals_query
from winnerr.resolvers.loaders import (
    MAX_STAGES,
    PERSON_COMMUNICATIONS,
    PERSON_DEALS,
    PERSON_TASKS,
    PROPERTY_DEALS,
    STAGES_OF_PIPELINE,
    Relation,
)
from winnerr.resolvers.pagination import PageRequest, page_request
from winnerr.resolvers.people import people_query
from winnerr.resolvers.pipelines import pipelines_query
from winnerr.resolvers.properties import PropertySearchRules, properties_query
from winnerr.resolvers.tasks import tasks_query
from winnerr.resolvers.validation import validate
from winnerr.schema.deals.inputs import DealSort
from winnerr.schema.inputs import values_of
from winnerr.sqlplan.selection import TYPENAME, Fallback, Selected, column_fields, model_of_type

MAX_KEYS = 50
"""`json_build_object` takes at most 100 arguments: an object with more keys is not compiled."""

TO_ONE: Mapping[str, str] = {
    "Deal.person": "person_id",
    "Deal.property": "property_id",
    "Deal.stage": "stage_id",
    "Deal.pipeline": "pipeline_id",
    "Task.person": "person_id",
    "Task.deal": "deal_id",
    "Communication.person": "person_id",
}
"""Relations to one row, by the column (a private field of the `@mapped` type) that holds its id."""

TO_MANY: Mapping[str, Relation] = {
    "Person.deals": PERSON_DEALS,
    "Property.deals": PROPERTY_DEALS,
    "Person.tasks": PERSON_TASKS,
    "Person.communications": PERSON_COMMUNICATIONS,
}
"""Paged relations, as the DataLoaders declare them (key and order). Only `page` and `limit` are compiled: a
relation's other arguments (`Person.tasks(overdue:)`, which depends on the clock) fall back."""

TO_LIST: Mapping[str, tuple[Relation, int]] = {"Pipeline.stages": (STAGES_OF_PIPELINE, MAX_STAGES)}
"""Relations shown as a plain list, with the most rows the resolver shows."""

PAGE_ARGUMENTS = {"page", "limit"}

BY_ID = {"deal", "person", "property"}
COUNTED = {"total", "totalPages", "hasNextPage"}
"""The fields of `pagination` that need the rows counted."""
EMPTY_LIST: ColumnElement[Any] = literal_column("'[]'::json")
POSITION = "row_in_order"
"""The label of a row's place in its list (a name no table has as a column: stages have a `position`)."""

@dataclass(frozen=True, slots=True)
class Rows:
    """The rows a root list reads and the page of them it shows. `parent` is the id of the one row they belong
    to (`communications(personId:)`), when the resolver answers NOT_FOUND without it."""

    query: Select[Any]
    page: PageRequest
    parent: tuple[type[Any], uuid.UUID] | None = None


ListSource = Callable[[Context, dict[str, Any]], Rows]


def _deals(context: Context, arguments: dict[str, Any]) -> Rows:
    order = arguments.get("sort") or DealSort()
    query = deals_query(context.scope, values_of(arguments.get("filter")), (order.field, order.direction))
    return Rows(query, _page_of(arguments))


def _people(context: Context, arguments: dict[str, Any]) -> Rows:
    sort = arguments.get("sort")
    query = people_query(
        context.scope, arguments.get("search"), values_of(arguments.get("filter")),
        (sort.field, sort.direction) if sort else None,
    )
    return Rows(query, _page_of(arguments))


def _properties(context: Context, arguments: dict[str, Any]) -> Rows:
    rules = validate(PropertySearchRules, values_of(arguments.get("search")), at="search")
    return Rows(properties_query(context.scope, rules), rules)


def _tasks(context: Context, arguments: dict[str, Any]) -> Rows:
    filters = values_of(arguments.get("filter"))
    if filters.get("overdue") is not None:
        raise Fallback("a filter on overdue, which depends on the clock")
    return Rows(tasks_query(context.scope, filters), _page_of(arguments))


def _communications(context: Context, arguments: dict[str, Any]) -> Rows:
    request = _page_of(arguments)
    person = arguments.get("person_id")
    try:
        person_id = None if person is None else uuid.UUID(str(person))
    except ValueError:
        raise Fallback("an id that is not a UUID") from None
    query = communications_query(context.scope, person_id, arguments.get("channel"))
    return Rows(query, request, None if person_id is None else (Person, person_id))


def _page_of(arguments: dict[str, Any]) -> PageRequest:
    return page_request(arguments.get("page"), arguments.get("limit"))


LISTS: Mapping[str, ListSource] = {
    "deals": _deals,
    "people": _people,
    "properties": _properties,
    "tasks": _tasks,
    "communications": _communications,
}
"""Root lists: the rows and page each one reads, as its resolver reads them."""

PLAIN_LISTS: Mapping[str, Callable[[Context], Select[Any]]] = {
    "pipelines": lambda context: pipelines_query(context.scope),
}
"""Root lists without pages: the rows each one reads, as its resolver reads them (its limit included)."""


def check(selected: list[Selected], *, root: bool = True) -> None:
    """Raise `Fallback` unless every field of the selection (variables aside) is one the compiler takes."""
    for item in selected:
        _kind(item, root=root)
        check(item.children, root=False)


def _kind(item: Selected, *, root: bool) -> str:
    parent = item.parent
    if item.name == TYPENAME:
        return "typename"
    if root:
        if item.name in BY_ID:
            return "by_id"
        if item.name in LISTS:
            return "page"
        if item.name in PLAIN_LISTS:
            return "list"
        raise Fallback(f"root field {item.name}")
    if parent.name == "Pagination":
        return "pagination"
    if set(parent.fields) == {"items", "pagination"}:
        return "page_part"
    if item.coordinate in TO_ONE:
        return "to_one"
    if item.coordinate in TO_MANY:
        return "page"
    if item.coordinate in TO_LIST:
        return "list"
    if model_of_type(parent) is not None and not item.has_resolver and item.python_name in column_fields(parent):
        return "column"
    raise Fallback(f"field {item.coordinate}")


class Level:
    """One table level of the statement: rows of `model` (an alias of its table, or a sub-select of it), whose
    columns are read by the model's attribute names (`level.title`), as on the model itself. Plain Core: ORM
    aliases cost far more to build."""

    def __init__(self, model: type[Any], rows: FromClause) -> None:
        self.model = model
        self.rows = rows

    @classmethod
    def of(cls, model: type[Any]) -> Level:
        return cls(model, model.__table__.alias())

    def __getattr__(self, name: str) -> Any:
        column = inspect(self.model).columns[name]
        return self.rows.corresponding_column(column)


class Compiler:
    """Builds the statement for one operation, under its variables, for the calling member."""

    def __init__(self, schema: Schema, context: Context, variables: VariableValues) -> None:
        self.schema = schema
        self.context = context
        self.variables = variables
        self.organization_id = context.principal.organization_id

    def statement(self, roots: list[Selected]) -> Select[str, bool]:
        """The statement whose row is (`data` as JSON text, whether a by-id root found nothing)."""
        values: list[tuple[str, ColumnElement[Any]]] = []
        missing: list[ColumnElement[bool]] = []
        derived_tables: list[Any] = []
        for number, root in enumerate(roots):
            kind = _kind(root, root=True)
            if kind == "typename":
                values.append((root.key, literal_column(f"'{root.parent.name}'")))
                continue
            self.require_read()
            expression, absent = self._root(root, kind)
            derived = select(expression.label("value")).subquery(f"root_{number}")
            derived_tables.append(derived)
            values.append((root.key, derived.c.value))
            if kind == "by_id":
                missing.append(derived.c.value.is_(None))
            elif absent is not None:
                missing.append(absent)
        data = cast(_object(values), Text)
        statement = select(data, or_(*missing) if missing else false())
        if derived_tables:  # each holds one row: joined side by side
            joined = derived_tables[0]
            for table in derived_tables[1:]:
                joined = joined.join(table, true())
            statement = statement.select_from(joined)
        return statement

    def require_read(self) -> None:
        try:
            self.context.principal.require(Permission.READ)
        except DomainError as refused:
            raise Fallback("not allowed to read") from refused

    def arguments(self, item: Selected) -> dict[str, Any]:
        """The field's arguments as its resolver receives them (Strawberry's own conversion)."""
        assert item.field is not None
        raw = get_argument_values(item.field, item.nodes[0], self.variables)
        definition = item.field.extensions["strawberry-definition"]
        assert isinstance(definition, StrawberryField)
        converter = self.schema.schema_converter
        return convert_arguments(raw, definition.arguments, converter.scalar_registry, self.schema.config)

    def _by_id(self, item: Selected) -> ColumnElement[Any]:
        try:
            key = uuid.UUID(str(self.arguments(item)["id"]))
        except ValueError:
            raise Fallback("an id that is not a UUID") from None
        type_ = _object_type(item)
        row = Level.of(_model(type_))
        where = (tenant_filter(row, self.organization_id), row.id == bindparam(id_parameter(item), key))
        return select(self._object(item.children, row)).where(*where).scalar_subquery()

    def _root(self, item: Selected, kind: str) -> tuple[ColumnElement[Any], ColumnElement[bool] | None]:
        """A root's value, and for a list of one parent's rows whether that parent is missing (the resolvers
        then tell NOT_FOUND)."""
        if kind == "by_id":
            return self._by_id(item), None
        if kind == "list":
            query = PLAIN_LISTS[item.name](self.context)
            return self._aggregated(item.children, query, _model(_object_type(item))), None
        try:
            rows = LISTS[item.name](self.context, self.arguments(item))
        except DomainError as refused:
            raise Fallback("arguments the resolver refuses") from refused
        return self._page(item, rows.query, _item_model(item), rows.page), self._parent_missing(rows)

    def _parent_missing(self, rows: Rows) -> ColumnElement[bool] | None:
        if rows.parent is None:
            return None
        model, key = rows.parent
        parent = Level.of(model)
        return not_(exists().where(tenant_filter(parent, self.organization_id), parent.id == key))

    def _object(self, selected: list[Selected], row: Any) -> ColumnElement[Any]:
        values: list[tuple[str, ColumnElement[Any]]] = []
        for item in selected:
            kind = _kind(item, root=False)
            if kind == "typename":
                values.append((item.key, literal_column(f"'{item.parent.name}'")))
            elif kind == "column":
                values.append((item.key, _rendered(item, getattr(row, item.python_name))))
            elif kind == "to_one":
                values.append((item.key, self._to_one(item, row)))
            elif kind == "list":
                values.append((item.key, self._relation_list(item, row)))
            else:
                values.append((item.key, self._relation_page(item, row)))
        return _object(values)

    def _to_one(self, item: Selected, row: Any) -> ColumnElement[Any]:
        target = Level.of(_model(_object_type(item)))
        foreign_key = getattr(row, TO_ONE[item.coordinate])
        where = (tenant_filter(target, self.organization_id), target.id == foreign_key)
        return select(self._object(item.children, target)).where(*where).scalar_subquery()

    def _relation_page(self, item: Selected, row: Any) -> ColumnElement[Any]:
        relation = TO_MANY[item.coordinate]
        arguments = self.arguments(item)
        if any(value is not None for name, value in arguments.items() if name not in PAGE_ARGUMENTS):
            raise Fallback(f"{item.coordinate} with arguments besides page and limit")
        try:
            request = page_request(arguments.get("page"), arguments.get("limit"))
        except DomainError as refused:
            raise Fallback("a page the resolver refuses") from refused
        return self._page(item, self._related(relation, row), relation.model, request)

    def _relation_list(self, item: Selected, row: Any) -> ColumnElement[Any]:
        relation, most = TO_LIST[item.coordinate]
        return self._aggregated(item.children, self._related(relation, row).limit(most), relation.model)

    def _related(self, relation: Relation, row: Any) -> Select[Any]:
        """The rows of `relation` that belong to `row`, in the relation's order."""
        related = Level.of(relation.model)
        adapter = ClauseAdapter(related.rows)
        return (
            select(related.rows)
            .where(tenant_filter(related, self.organization_id), getattr(related, relation.key.key) == row.id)
            .order_by(*(adapter.traverse(getattr(key, "expression", key)) for key in relation.order))
            .correlate(row.rows)
        )

    def _page(self, item: Selected, query: Select[Any], model: type[Any], request: PageRequest) -> ColumnElement[Any]:
        values: list[tuple[str, ColumnElement[Any]]] = []
        for part in item.children:
            if part.name == TYPENAME:
                values.append((part.key, literal_column(f"'{part.parent.name}'")))
            elif part.name == "items":
                values.append((part.key, self._items(part, query, model, request)))
            else:
                values.append((part.key, _pagination(part, query, request)))
        return _object(values)

    def _items(self, item: Selected, query: Select[Any], model: type[Any], request: PageRequest) -> ColumnElement[Any]:
        return self._aggregated(item.children, query.limit(request.limit).offset(request.offset), model)

    def _aggregated(self, selected: list[Selected], query: Select[Any], model: type[Any]) -> ColumnElement[Any]:
        """The JSON array of `query`'s rows (its limit and offset applied) as objects of `selected`, in its order."""
        position = func.row_number().over(order_by=query._order_by_clauses).label(POSITION)
        rows = query.add_columns(position).subquery()
        row = Level(model, rows)
        ordered = aggregate_order_by(self._object(selected, row), rows.c[POSITION])
        return select(func.coalesce(func.json_agg(ordered), EMPTY_LIST)).scalar_subquery()


def id_parameter(root: Selected) -> str:
    """The bind parameter of a by-id root's id: the one value a cached statement takes anew each time."""
    return f"id_{root.key}"


def by_id_keys(roots: list[Selected], arguments: Callable[[Selected], dict[str, Any]]) -> dict[str, uuid.UUID]:
    """The ids the by-id roots ask for, by bind parameter (`Fallback` for an id that is not a UUID)."""
    keys = {}
    for root in roots:
        if root.name in BY_ID:
            try:
                keys[id_parameter(root)] = uuid.UUID(str(arguments(root)["id"]))
            except ValueError:
                raise Fallback("an id that is not a UUID") from None
    return keys


def _pagination(item: Selected, query: Select[Any], request: PageRequest) -> ColumnElement[Any]:
    """The page's `pagination`: its total counted once (identical aggregates are computed once)."""
    total = func.count()
    limit = literal(request.limit, Integer)
    total_pages = (total + limit - 1) // limit
    fields: dict[str, ColumnElement[Any]] = {
        "page": literal(request.page, Integer),
        "limit": limit,
        "total": total,
        "totalPages": total_pages,
        "hasNextPage": literal(request.page, Integer) < total_pages,
        "hasPreviousPage": literal(request.page > 1, Boolean),
    }
    values = [
        (part.key, literal_column("'Pagination'") if part.name == TYPENAME else fields[part.name])
        for part in item.children
    ]
    if not {part.name for part in item.children} & COUNTED:
        return _object(values)
    return select(_object(values)).select_from(query.order_by(None).subquery()).scalar_subquery()


def _object(values: list[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    if len(values) > MAX_KEYS:
        raise Fallback(f"an object of more than {MAX_KEYS} keys")
    arguments: list[ColumnElement[Any]] = []
    for key, value in values:
        arguments += [literal_column(f"'{key}'"), value]  # keys are GraphQL names: [_A-Za-z][_0-9A-Za-z]*
    return func.json_build_object(*arguments)


def _rendered(item: Selected, column: Any) -> ColumnElement[Any]:
    """A column as the resolver path's scalar serializes it."""
    assert item.field is not None
    scalar = get_named_type(item.field.type).name
    if scalar == "Decimal":
        return cast(column, Text)
    if scalar == "DateTime":
        return _isoformat(column)
    return column  # type: ignore[no-any-return]


def _isoformat(column: Any) -> ColumnElement[Any]:
    """`datetime.isoformat()` of the UTC time: microseconds only when there are some, then `+00:00`."""
    utc = column.op("AT TIME ZONE")(literal_column("'UTC'"))
    fraction = case(
        (func.date_trunc("second", utc) == utc, literal_column("''")), else_=func.to_char(utc, ".US", type_=Text)
    )
    seconds = func.to_char(utc, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'"), type_=Text)
    return seconds + fraction + literal_column("'+00:00'")


def _object_type(item: Selected) -> GraphQLObjectType:
    assert item.field is not None
    named = get_named_type(item.field.type)
    assert isinstance(named, GraphQLObjectType)
    return named


def _model(type_: GraphQLObjectType) -> type[Any]:
    model = model_of_type(type_)
    if model is None:
        raise Fallback(f"{type_.name} is not @mapped")
    return model


def _item_model(page: Selected) -> type[Any]:
    items = _object_type(page).fields["items"]
    named = get_named_type(items.type)
    assert isinstance(named, GraphQLObjectType)
    return _model(named)
