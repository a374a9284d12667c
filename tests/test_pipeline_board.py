"""Stages and the pipeline board: moving deals between stages, and each stage's totals against a hand count."""

from __future__ import annotations

from decimal import Decimal

from tests.factories import Tenant
from tests.test_people import create_person

PIPELINES = "{ pipelines { id stages { id name probability closesAs } } }"
CREATE_DEAL = """mutation($input: CreateDealInput!) {
  createDeal(input: $input) { id status probability actualCloseDate stage { name } }
}"""
MOVE = """mutation($id: ID!, $stageId: ID!) {
  moveDealStage(id: $id, stageId: $stageId) { id status probability actualCloseDate stage { name } }
}"""
BOARD = """query($pipelineId: ID!, $page: Int, $limit: Int) {
  pipelineBoard(pipelineId: $pipelineId, page: $page, limit: $limit) {
    pipeline { id }
    columns {
      stage { name position }
      count totalAmount weightedAmount
      deals { items { title amount probability } pagination { total hasNextPage } }
    }
  }
}"""


async def stages(tenant: Tenant) -> tuple[str, dict[str, str]]:
    pipeline = (await tenant.gql(PIPELINES))["pipelines"][0]
    return pipeline["id"], {stage["name"]: stage["id"] for stage in pipeline["stages"]}


async def open_deal(
    tenant: Tenant, person_id: str, title: str, amount: str, stage_id: str, probability: int | None = None
) -> dict[str, object]:
    deal: dict[str, object] = {
        "title": title,
        "dealType": "LISTING",
        "amount": amount,
        "personId": person_id,
        "stageId": stage_id,
    }
    if probability is not None:
        deal["probability"] = probability
    created: dict[str, object] = (await tenant.gql(CREATE_DEAL, {"input": deal}))["createDeal"]
    return created


async def test_moving_through_stages_sets_probability_and_closes(tenant: Tenant) -> None:
    _, stage_ids = await stages(tenant)
    person = await create_person(tenant)
    deal = await open_deal(tenant, str(person["id"]), "Main St", "400000", stage_ids["New Lead"])
    moved = (await tenant.gql(MOVE, {"id": deal["id"], "stageId": stage_ids["Offer"]}))["moveDealStage"]
    assert (moved["stage"]["name"], moved["probability"], moved["status"]) == ("Offer", 60, "OPEN")
    won = (await tenant.gql(MOVE, {"id": deal["id"], "stageId": stage_ids["Closed Won"]}))["moveDealStage"]
    assert (won["status"], won["probability"]) == ("WON", 100)
    assert won["actualCloseDate"] is not None
    reopened = (await tenant.gql(MOVE, {"id": deal["id"], "stageId": stage_ids["Showing"]}))["moveDealStage"]
    assert (reopened["status"], reopened["actualCloseDate"]) == ("OPEN", None)


async def test_stage_of_another_pipeline_or_organization_is_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    _, stage_ids = await stages(tenant)
    _, foreign_stages = await stages(other_tenant)
    person = await create_person(tenant)
    deal = await open_deal(tenant, str(person["id"]), "Main St", "400000", stage_ids["New Lead"])
    error = await tenant.gql_error(MOVE, {"id": deal["id"], "stageId": foreign_stages["Offer"]})
    assert error["extensions"]["code"] == "NOT_FOUND"
    foreign_person = await create_person(other_tenant)
    foreign_deal = await open_deal(other_tenant, str(foreign_person["id"]), "Elm", "1000", foreign_stages["Offer"])
    error = await tenant.gql_error(MOVE, {"id": foreign_deal["id"], "stageId": stage_ids["Offer"]})
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_board_totals_match_a_hand_computation(tenant: Tenant, other_tenant: Tenant) -> None:
    pipeline_id, stage_ids = await stages(tenant)
    person = await create_person(tenant)
    deals = [
        ("A", "100000.00", "New Lead", None),
        ("B", "250000.50", "New Lead", 35),
        ("C", "80000", "Offer", None),
        ("D", "300000", "Closed Won", None),
        ("E", "120000", "New Lead", None),
    ]
    for title, amount, stage, probability in deals:
        await open_deal(tenant, str(person["id"]), title, amount, stage_ids[stage], probability)
    other_person = await create_person(other_tenant)
    _, foreign_stages = await stages(other_tenant)
    await open_deal(other_tenant, str(other_person["id"]), "Foreign", "999999", foreign_stages["New Lead"])

    board = (await tenant.gql(BOARD, {"pipelineId": pipeline_id, "limit": 2}))["pipelineBoard"]
    columns = {column["stage"]["name"]: column for column in board["columns"]}
    positions = [column["stage"]["position"] for column in board["columns"]]
    assert positions == sorted(positions)
    new_leads = columns["New Lead"]
    assert new_leads["count"] == 3
    assert Decimal(new_leads["totalAmount"]) == Decimal("470000.50")
    expected_weighted = Decimal("100000") * 10 / 100 + Decimal("250000.50") * 35 / 100 + Decimal("120000") * 10 / 100
    assert Decimal(new_leads["weightedAmount"]) == expected_weighted.quantize(Decimal("0.01"))
    assert [d["title"] for d in new_leads["deals"]["items"]] == ["E", "B"]
    assert new_leads["deals"]["pagination"] == {"total": 3, "hasNextPage": True}
    assert Decimal(columns["Offer"]["weightedAmount"]) == Decimal("48000.00")
    assert Decimal(columns["Closed Won"]["weightedAmount"]) == Decimal("300000.00")
    assert columns["Contacted"]["count"] == 0
    assert Decimal(columns["Contacted"]["totalAmount"]) == 0
    assert columns["Contacted"]["deals"]["items"] == []
    second_page = (await tenant.gql(BOARD, {"pipelineId": pipeline_id, "limit": 2, "page": 2}))["pipelineBoard"]
    page_two = {c["stage"]["name"]: c for c in second_page["columns"]}["New Lead"]
    assert [d["title"] for d in page_two["deals"]["items"]] == ["A"]
    assert page_two["count"] == 3


async def test_board_of_another_organizations_pipeline_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    foreign_pipeline, _ = await stages(other_tenant)
    error = await tenant.gql_error(BOARD, {"pipelineId": foreign_pipeline})
    assert error["extensions"]["code"] == "NOT_FOUND"
