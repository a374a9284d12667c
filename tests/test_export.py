"""CSV exports through HTTP: the same rows as the GraphQL search, RFC 4180 cells, no formulas, one organization."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, text

from tests.database import owner_sessions
from tests.factories import Tenant
from tests.graphql_documents import LIST_PEOPLE, SEARCH_PROPERTIES, create_person, create_property
from winnerr.db.enums import Role
from winnerr.db.models import Person
from winnerr.export import ROWS_PER_CHUNK
from winnerr.state import AppState

PEOPLE_HEADER = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "city",
    "state",
    "zip_code",
    "source",
    "status",
    "lead_score",
    "last_contact_at",
    "tags",
    "created_at",
]
PROPERTIES_HEADER = [
    "id",
    "address",
    "city",
    "state",
    "zip_code",
    "property_type",
    "status",
    "price",
    "bedrooms",
    "bathrooms",
    "square_feet",
    "mls_number",
    "description",
    "created_at",
]

Params = dict[str, str | int | list[str]]


async def download(tenant: Tenant, name: str, params: Params | None = None, role: Role | None = None) -> httpx.Response:
    return await tenant.client.get(f"/export/{name}.csv", params=params or {}, headers=tenant.headers(role))


async def export(tenant: Tenant, name: str, params: Params | None = None) -> list[dict[str, str]]:
    """The rows of an export that must succeed, as dicts keyed by the header."""
    response = await download(tenant, name, params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}.csv"'
    header, *rows = csv.reader(io.StringIO(response.text, newline=""))
    assert header == (PEOPLE_HEADER if name == "people" else PROPERTIES_HEADER)
    return [dict(zip(header, row, strict=True)) for row in rows]


async def people_page(tenant: Tenant, **variables: Any) -> dict[str, Any]:
    page: dict[str, Any] = (await tenant.gql(LIST_PEOPLE, {"limit": 100, **variables}))["people"]
    return page


async def properties_total(tenant: Tenant, **search: Any) -> int:
    total: int = (await tenant.gql(SEARCH_PROPERTIES, {"search": search}))["properties"]["pagination"]["total"]
    return total


async def test_people_export_has_the_rows_of_the_search_in_its_order(tenant: Tenant) -> None:
    people = [
        ("Ann", "Smith", "LEAD", 10, ["vip"]),
        ("Bob", "Smith", "LEAD", 50, []),
        ("Cid", "Jones", "QUALIFIED", 90, ["investor"]),
        ("Dee", "Jones", "PAST_CLIENT", 70, ["vip"]),
        ("Eve", "Brown", "PROSPECT", 95, []),
    ]
    for first, last, status, score, tags in people:
        await create_person(tenant, firstName=first, lastName=last, status=status, leadScore=score, tags=tags)
    cases: list[tuple[Params, dict[str, Any]]] = [
        ({}, {}),
        ({"status": ["LEAD", "QUALIFIED"]}, {"filter": {"status": ["LEAD", "QUALIFIED"]}}),
        ({"minLeadScore": 40, "maxLeadScore": 92}, {"filter": {"minLeadScore": 40, "maxLeadScore": 92}}),
        ({"tags": "vip"}, {"filter": {"tags": ["vip"]}}),
        ({"search": "jone"}, {"search": "jone"}),
        (
            {"search": "smith", "status": "LEAD", "sort": "LEAD_SCORE"},
            {
                "search": "smith",
                "filter": {"status": ["LEAD"]},
                "sort": {"field": "LEAD_SCORE"},
            },
        ),
        ({"sort": "NAME", "direction": "ASC"}, {"sort": {"field": "NAME", "direction": "ASC"}}),
    ]
    for params, variables in cases:
        rows = await export(tenant, "people", params)
        page = await people_page(tenant, **variables)
        assert len(rows) == page["pagination"]["total"], params
        assert [row["id"] for row in rows] == [item["id"] for item in page["items"]], params


async def test_properties_export_has_the_rows_of_the_search(tenant: Tenant) -> None:
    listings: list[dict[str, Any]] = [
        {"city": "Austin", "propertyType": "CONDO", "price": "325000.00", "bedrooms": 2, "status": "PENDING"},
        {"city": "AUSTIN", "propertyType": "SINGLE_FAMILY", "price": "450000.00", "bedrooms": 3},
        {"city": "Dallas", "propertyType": "TOWNHOUSE", "price": "610000.00", "bedrooms": 4, "bathrooms": "3.5"},
        {"city": "Dallas", "propertyType": "SINGLE_FAMILY", "price": "1250000.00", "bedrooms": 5, "status": "SOLD"},
        {"address": "9 Lake View Drive", "city": "Houston", "propertyType": "CONDO", "price": "199000.00"},
    ]
    for listing in listings:
        await create_property(tenant, **listing)
    cases: list[dict[str, Any]] = [
        {},
        {"city": "austin"},
        {"minPrice": "300000", "maxPrice": "700000", "bedrooms": 3},
        {"propertyType": "CONDO", "status": "ACTIVE"},
        {"query": "lake"},
        {"sort": "PRICE_ASC"},
    ]
    for search in cases:
        rows = await export(tenant, "properties", search)
        assert len(rows) == await properties_total(tenant, **search), search
    by_price = await export(tenant, "properties", {"sort": "PRICE_DESC"})
    assert [row["price"] for row in by_price] == ["1250000.00", "610000.00", "450000.00", "325000.00", "199000.00"]
    townhouse = next(row for row in by_price if row["property_type"] == "TOWNHOUSE")
    assert townhouse["bathrooms"] == "3.5"
    assert townhouse["status"] == "ACTIVE"


async def test_export_holds_every_row_not_one_page(tenant: Tenant, app_state: AppState) -> None:
    """More rows than a GraphQL page and than one cursor batch: all of them, each once."""
    count = 2_500
    async with owner_sessions(app_state).begin() as session:
        await session.execute(
            insert(Person),
            [
                {
                    "organization_id": tenant.organization_id,
                    "first_name": f"P{n}",
                    "last_name": "Bulk",
                }
                for n in range(count)
            ],
        )
    rows = await export(tenant, "people")
    assert len(rows) == count == (await people_page(tenant))["pagination"]["total"]
    assert len({row["id"] for row in rows}) == count
    high = await export(tenant, "people", {"minLeadScore": 90})
    assert len(high) == (await people_page(tenant, filter={"minLeadScore": 90}))["pagination"]["total"]


async def test_formula_cells_are_neutralised(tenant: Tenant, app_state: AppState) -> None:
    person = await create_person(
        tenant,
        firstName='=HYPERLINK("http://evil.example","x")',
        lastName="@SUM(A1:A9)",
        address="-1+2",
        city="+cmd",
        phone="(512) 555-0147",
        tags=["=1+1", "vip"],
    )
    home = await create_property(tenant, description="=cmd|' /C calc'!A0", address="-2+3 Elm")
    async with owner_sessions(app_state).begin() as session:  # whitespace that GraphQL input would strip
        session.add(Person(organization_id=tenant.organization_id, first_name="\t=1", last_name="\r=2"))
    people = {row["id"]: row for row in await export(tenant, "people")}
    exported = people[str(person["id"])]
    assert exported["first_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert exported["last_name"] == "'@SUM(A1:A9)"
    assert exported["address"] == "'-1+2"
    assert exported["city"] == "'+cmd"
    assert exported["phone"] == "'+15125550147"  # E.164 starts with "+": neutralised too, as OWASP advises
    assert exported["tags"] == "'=1+1;vip"
    assert exported["lead_score"] == "25"  # computed: the base score of a person with no signals
    raw = next(row for row in people.values() if row["id"] != person["id"])
    assert (raw["first_name"], raw["last_name"]) == ("'\t'=1", "'\r'=2")  # a tab or CR may also split a cell
    [property_row] = await export(tenant, "properties")
    assert property_row["id"] == home["id"]
    assert property_row["description"] == "'=cmd|' /C calc'!A0"
    assert property_row["address"] == "'-2+3 Elm"
    assert property_row["price"] == "450000.00"


@pytest.mark.parametrize(
    ("text", "exported"),
    [
        ("Smith;=1+1", "Smith;'=1+1"),
        ("a,@SUM(A1)", "a,'@SUM(A1)"),
        ('x"=cmd', "x\"'=cmd"),
        ("line\n-2+3", "line\n'-2+3"),
        ("\uff1dHYPERLINK()", "'\uff1dHYPERLINK()"),
        ("\ufe66cmd", "'\ufe66cmd"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("\uff0b1", "'\uff0b1"),
        ("ok;\uff0d1", "ok;'\uff0d1"),
        ("Jean-Luc; O'Brien, a+b", "Jean-Luc; O'Brien, a+b"),
    ],
    ids=[
        "after-semicolon",
        "after-comma",
        "after-quote",
        "after-newline",
        "fullwidth-equals",
        "small-equals",
        "fullwidth-at",
        "fullwidth-plus",
        "fullwidth-minus-after-separator",
        "harmless",
    ],
)
async def test_formulas_after_a_separator_and_fullwidth_forms_are_neutralised(
    tenant: Tenant, text: str, exported: str
) -> None:
    await create_property(tenant, description=text)
    [row] = await export(tenant, "properties")
    assert row["description"] == exported


async def test_commas_quotes_and_newlines_round_trip(tenant: Tenant) -> None:
    description = 'Big, "sunny" kitchen\nand a porch; 2nd line\r\nthird'
    await create_property(tenant, description=description, address='12 "Oak", Street')
    response = await download(tenant, "properties")
    assert '"Big, ""sunny"" kitchen\nand a porch; 2nd line\r\nthird"' in response.text
    assert response.text.endswith("\r\n")
    [row] = await export(tenant, "properties")
    assert row["description"] == description
    assert row["address"] == '12 "Oak", Street'


async def test_other_organizations_rows_are_absent(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = await create_person(tenant, firstName="Mine", email="same@example.com")
    theirs = await create_person(other_tenant, firstName="Theirs", email="same@example.com")
    my_home = await create_property(tenant, city="Austin")
    their_home = await create_property(other_tenant, city="Austin")
    assert [row["id"] for row in await export(tenant, "people", {"search": "same"})] == [mine["id"]]
    assert [row["id"] for row in await export(tenant, "people")] == [mine["id"]]
    assert [row["id"] for row in await export(other_tenant, "people")] == [theirs["id"]]
    assert [row["id"] for row in await export(tenant, "properties", {"city": "Austin"})] == [my_home["id"]]
    assert [row["id"] for row in await export(other_tenant, "properties")] == [their_home["id"]]


@pytest.mark.parametrize("name", ["people", "properties"])
async def test_export_needs_the_export_permission(tenant: Tenant, name: str) -> None:
    response = await download(tenant, name, role=Role.VIEWER)
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    for role in (Role.AGENT, Role.ADMIN, Role.OWNER):
        assert (await download(tenant, name, role=role)).status_code == 200


@pytest.mark.parametrize("name", ["people", "properties"])
async def test_export_without_a_token_is_unauthenticated(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"/export/{name}.csv")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    bad = await client.get(f"/export/{name}.csv", headers={"Authorization": f"Bearer {uuid.uuid4()}"})
    assert bad.status_code == 401


@pytest.mark.parametrize(
    ("name", "params", "paths"),
    [
        ("people", {"minLeadScore": 500}, [["minLeadScore"]]),
        ("people", {"minLeadScore": 80, "maxLeadScore": 20}, [[]]),
        ("people", {"status": ["LEAD", "NOPE"]}, [["status", 1]]),
        ("people", {"sort": "SHOE_SIZE", "direction": "UP"}, [["sort"], ["direction"]]),
        ("people", {"city": ["Austin", "Dallas"]}, [["city"]]),
        (
            "people",
            {"colour": "red", "min_lead_score": 5, "minLeadScore": -1},
            [["colour"], ["min_lead_score"], ["minLeadScore"]],
        ),
        ("people", {"page": 2}, [["page"]]),
        ("properties", {"minPrice": "900000", "maxPrice": "100000"}, [[]]),
        (
            "properties",
            {"minPrice": "0", "bedrooms": "many", "zipCode": "ABCDE"},
            [["minPrice"], ["bedrooms"], ["zipCode"]],
        ),
        ("properties", {"limit": 5}, [["limit"]]),
        ("people", {"city": "\x00"}, [["city"]]),
        ("people", {"search": "jen\x00", "tags": ["vip", "a\x00b"]}, [["search"], ["tags"]]),
        ("properties", {"city": "Aus\x00tin"}, [["city"]]),
    ],
)
async def test_bad_parameters_are_a_validation_error(
    tenant: Tenant, name: str, params: Params, paths: list[list[str | int]]
) -> None:
    response = await download(tenant, name, params)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert error["message"].startswith("Invalid input: ")
    assert [issue["path"] for issue in error["extensions"]["issues"]] == paths
    assert all(issue["message"] for issue in error["extensions"]["issues"])


async def insert_people(app_state: AppState, tenant: Tenant, count: int, *, unreadable_oldest: bool) -> None:
    """`count` people, the oldest with a contact date the driver cannot read (year 20000): a row that fails
    only when the cursor reaches it."""
    now = datetime.now(UTC)
    rows = [
        {
            "organization_id": tenant.organization_id,
            "first_name": f"P{n}",
            "last_name": "Bulk",
            "created_at": now - timedelta(seconds=n),
        }
        for n in range(count)
    ]
    async with owner_sessions(app_state).begin() as session:
        await session.execute(insert(Person), rows)
        if unreadable_oldest:
            await session.execute(
                text(
                    "UPDATE people SET last_contact_at = '20000-01-01' WHERE organization_id = :o AND first_name = :n"
                ),
                {"o": tenant.organization_id, "n": f"P{count - 1}"},
            )


async def test_a_query_that_fails_before_the_first_row_is_an_error_not_a_file(
    tenant: Tenant, app_state: AppState, host: str
) -> None:
    await insert_people(app_state, tenant, 3, unreadable_oldest=True)
    async with httpx.AsyncClient(base_url=f"http://{host}") as client:
        response = await client.get("/export/people.csv", headers=tenant.headers())
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_ERROR"
    assert error["extensions"]["requestId"]


async def test_a_stream_that_fails_midway_is_aborted_not_truncated(
    tenant: Tenant, app_state: AppState, host: str
) -> None:
    """Past the first batch the status is sent; the client must then see the body break, not a shorter file."""
    await insert_people(app_state, tenant, ROWS_PER_CHUNK + 10, unreadable_oldest=True)
    received: list[str] = []

    async def read_all() -> None:
        async with client.stream("GET", "/export/people.csv", headers=tenant.headers()) as response:
            assert response.status_code == 200
            async for line in response.aiter_lines():
                received.append(line)

    async with httpx.AsyncClient(base_url=f"http://{host}") as client:
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
            await read_all()
    assert received[0].startswith("id,first_name")
    assert ROWS_PER_CHUNK <= len(received) - 1 < ROWS_PER_CHUNK + 10
