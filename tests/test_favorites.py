"""Favorite deals through GraphQL: personal bookmarks of each member, idempotent, and batched."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import Tenant
from tests.graphql_documents import create_deal, create_person
from tests.test_statement_count import counting_statements
from winnerr.db.enums import Role
from winnerr.state import AppState

FAVORITE = "mutation($id: ID!) { favoriteDeal(id: $id) { id isFavorite } }"
UNFAVORITE = "mutation($id: ID!) { unfavoriteDeal(id: $id) { id isFavorite } }"
FAVORITES = "{ favoriteDeals { items { id title isFavorite } pagination { total } } }"
IS_FAVORITE = "query($id: ID!) { deal(id: $id) { isFavorite } }"
DEALS = "query($limit: Int) { deals(limit: $limit) { items { id isFavorite } } }"


async def add_deals(tenant: Tenant, count: int) -> list[dict[str, Any]]:
    person = await create_person(tenant)
    return [await create_deal(tenant, person["id"], title=f"Deal {n}") for n in range(count)]


async def is_favorite(tenant: Tenant, deal_id: str) -> bool:
    favorite: bool = (await tenant.gql(IS_FAVORITE, {"id": deal_id}))["deal"]["isFavorite"]
    return favorite


async def favorite_titles(tenant: Tenant) -> list[str]:
    favorites = (await tenant.gql(FAVORITES))["favoriteDeals"]
    assert favorites["pagination"]["total"] == len(favorites["items"])
    return [deal["title"] for deal in favorites["items"]]


async def test_favorites_belong_to_the_member_who_marked_them(tenant: Tenant) -> None:
    first, second = await add_deals(tenant, 2)
    agent = tenant.as_role(Role.AGENT)
    assert (await tenant.gql(FAVORITE, {"id": first["id"]}))["favoriteDeal"] == {"id": first["id"], "isFavorite": True}
    await agent.gql(FAVORITE, {"id": second["id"]})
    assert await is_favorite(tenant, first["id"]) is True
    assert await is_favorite(agent, first["id"]) is False
    assert await is_favorite(tenant, second["id"]) is False
    assert await favorite_titles(tenant) == ["Deal 0"]
    assert await favorite_titles(agent) == ["Deal 1"]
    assert (await tenant.gql(FAVORITES))["favoriteDeals"]["items"][0]["isFavorite"] is True


async def test_favorite_deals_lists_the_most_recently_marked_first(tenant: Tenant) -> None:
    deals = await add_deals(tenant, 3)
    for deal in (deals[1], deals[0], deals[2]):
        await tenant.gql(FAVORITE, {"id": deal["id"]})
    assert await favorite_titles(tenant) == ["Deal 2", "Deal 0", "Deal 1"]


async def test_favorite_and_unfavorite_are_idempotent(tenant: Tenant) -> None:
    (deal,) = await add_deals(tenant, 1)
    for _ in range(2):
        assert (await tenant.gql(FAVORITE, {"id": deal["id"]}))["favoriteDeal"]["isFavorite"] is True
    assert await favorite_titles(tenant) == ["Deal 0"]
    for _ in range(2):
        assert (await tenant.gql(UNFAVORITE, {"id": deal["id"]}))["unfavoriteDeal"]["isFavorite"] is False
    assert await favorite_titles(tenant) == []
    assert await is_favorite(tenant, deal["id"]) is False


async def test_one_request_sees_its_own_changes(tenant: Tenant) -> None:
    (deal,) = await add_deals(tenant, 1)
    toggled = await tenant.gql(
        """mutation($id: ID!) {
          on: favoriteDeal(id: $id) { isFavorite }
          off: unfavoriteDeal(id: $id) { isFavorite }
          again: favoriteDeal(id: $id) { isFavorite }
        }""",
        {"id": deal["id"]},
    )
    assert toggled == {"on": {"isFavorite": True}, "off": {"isFavorite": False}, "again": {"isFavorite": True}}


async def test_a_viewer_may_keep_favorites(tenant: Tenant) -> None:
    (deal,) = await add_deals(tenant, 1)
    viewer = tenant.as_role(Role.VIEWER)
    assert (await viewer.gql(FAVORITE, {"id": deal["id"]}))["favoriteDeal"]["isFavorite"] is True
    assert await favorite_titles(viewer) == ["Deal 0"]
    assert (await viewer.gql(UNFAVORITE, {"id": deal["id"]}))["unfavoriteDeal"]["isFavorite"] is False


async def test_a_deal_of_another_organization_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    (theirs,) = await add_deals(other_tenant, 1)
    for document in (FAVORITE, UNFAVORITE):
        for deal_id in (theirs["id"], str(uuid.uuid4()), "not-an-id"):
            error = await tenant.gql_error(document, {"id": deal_id})
            assert error["extensions"]["code"] == "NOT_FOUND"
    assert await favorite_titles(tenant) == []
    assert await favorite_titles(other_tenant) == []


async def test_a_deleted_deal_leaves_the_favorites(tenant: Tenant) -> None:
    first, second = await add_deals(tenant, 2)
    for deal in (first, second):
        await tenant.gql(FAVORITE, {"id": deal["id"]})
    await tenant.gql("mutation($id: ID!) { deleteDeal(id: $id) }", {"id": first["id"]})
    assert await favorite_titles(tenant) == ["Deal 1"]


async def statements_for_listing(tenant: Tenant, app_state: AppState, expected_items: int) -> int:
    with counting_statements(app_state) as statements:
        items = (await tenant.gql(DEALS, {"limit": 100}))["deals"]["items"]
    assert len(items) == expected_items
    return len(statements)


async def test_is_favorite_costs_one_statement_for_any_number_of_deals(
    tenant: Tenant, other_tenant: Tenant, app_state: AppState
) -> None:
    few = await add_deals(tenant, 4)
    many = await add_deals(other_tenant, 20)
    await tenant.gql(FAVORITE, {"id": few[0]["id"]})
    await other_tenant.gql(FAVORITE, {"id": many[5]["id"]})
    items = (await other_tenant.gql(DEALS, {"limit": 100}))["deals"]["items"]
    assert [item["id"] for item in items if item["isFavorite"]] == [many[5]["id"]]
    few_statements = await statements_for_listing(tenant, app_state, 4)
    many_statements = await statements_for_listing(other_tenant, app_state, 20)
    assert few_statements == many_statements
    # principal, page of deals, favorites among them (no count: the page has room left, so it holds every deal)
    assert many_statements == 3, f"{many_statements} statements"
