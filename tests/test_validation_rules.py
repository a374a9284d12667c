"""The original (Zod) validation rules, one bound at a time: the value at the limit is accepted, the one just
past it is VALIDATION_ERROR naming the field, and stores nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import Tenant
from tests.graphql_documents import CREATE_DEAL, CREATE_PERSON, CREATE_PROPERTY
from tests.test_client_errors import (
    CREATE_TASK,
    LOG,
    communication_input,
    deal_input,
    person_input,
    property_input,
    rows_of,
    with_person,
)
from tests.test_people import create_person
from winnerr.state import AppState


@dataclass(frozen=True)
class Kind:
    document: str
    table: str
    variables: Any  # (field=value) -> variables

    def given(self, field: str, value: object) -> dict[str, Any]:
        variables: dict[str, Any] = self.variables(**{field: value})
        return variables


PERSON = Kind(CREATE_PERSON, "people", person_input)
DEAL = Kind(CREATE_DEAL, "deals", deal_input)
PROPERTY = Kind(CREATE_PROPERTY, "properties", property_input)
COMMUNICATION = Kind(LOG, "communications", communication_input)
TASK = Kind(CREATE_TASK, "tasks", lambda **fields: {"input": {"title": "Call back", **fields}})


@dataclass(frozen=True)
class Bound:
    kind: Kind
    field: str
    at_limit: object
    past_limit: object


BOUNDS = {
    "person firstName 50": Bound(PERSON, "firstName", "x" * 50, "x" * 51),
    "person firstName not empty": Bound(PERSON, "firstName", "x", " "),
    "person lastName 50": Bound(PERSON, "lastName", "x" * 50, "x" * 51),
    "person email": Bound(PERSON, "email", "a@example.com", "a@example"),
    "person phone E.164": Bound(PERSON, "phone", "+15125550147", "+1512555"),
    "person address 200": Bound(PERSON, "address", "x" * 200, "x" * 201),
    "person city 100": Bound(PERSON, "city", "x" * 100, "x" * 101),
    "person state 50": Bound(PERSON, "state", "x" * 50, "x" * 51),
    "person state 2": Bound(PERSON, "state", "TX", "T"),
    "person zipCode 5 digits": Bound(PERSON, "zipCode", "78701", "7870"),
    "person zipCode 9 digits": Bound(PERSON, "zipCode", "78701-1234", "78701-123"),
    "person zipCode ASCII digits": Bound(PERSON, "zipCode", "78701", "７８７０１"),
    "person 20 tags": Bound(PERSON, "tags", ["t"] * 20, ["t"] * 21),
    "person tag 50": Bound(PERSON, "tags", ["x" * 50], ["x" * 51]),
    "deal title 200": Bound(DEAL, "title", "x" * 200, "x" * 201),
    "deal title not empty": Bound(DEAL, "title", "x", ""),
    "deal description 2000": Bound(DEAL, "description", "x" * 2000, "x" * 2001),
    "deal amount positive": Bound(DEAL, "amount", "0.01", "0"),
    "deal commissionRate 100": Bound(DEAL, "commissionRate", "100", "100.01"),
    "deal commissionRate 0": Bound(DEAL, "commissionRate", "0", "-0.01"),
    "deal probability 100": Bound(DEAL, "probability", 100, 101),
    "deal probability 0": Bound(DEAL, "probability", 0, -1),
    "deal 20 tags": Bound(DEAL, "tags", ["t"] * 20, ["t"] * 21),
    "property address 200": Bound(PROPERTY, "address", "x" * 200, "x" * 201),
    "property address not empty": Bound(PROPERTY, "address", "x", ""),
    "property price positive": Bound(PROPERTY, "price", "0.01", "0"),
    "property bedrooms 50": Bound(PROPERTY, "bedrooms", 50, 51),
    "property bedrooms 0": Bound(PROPERTY, "bedrooms", 0, -1),
    "property bathrooms 50": Bound(PROPERTY, "bathrooms", "50", "50.5"),
    "property bathrooms in halves": Bound(PROPERTY, "bathrooms", "2.5", "2.25"),
    "property squareFeet positive": Bound(PROPERTY, "squareFeet", 1, 0),
    "communication subject 200": Bound(COMMUNICATION, "subject", "x" * 200, "x" * 201),
    "communication body 10000": Bound(COMMUNICATION, "body", "x" * 10_000, "x" * 10_001),
    "task title 200": Bound(TASK, "title", "x" * 200, "x" * 201),
}


@pytest.mark.parametrize("bound", BOUNDS.values(), ids=list(BOUNDS))
async def test_each_bound_admits_its_limit_and_refuses_one_past_it(
    tenant: Tenant, app_state: AppState, bound: Bound
) -> None:
    person_id = str((await create_person(tenant, firstName="Owner", email="owner@example.com"))["id"])
    past = with_person(bound.kind.given(bound.field, bound.past_limit), person_id)
    error = await tenant.gql_error(bound.kind.document, past)
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert ["input", bound.field] in [issue["path"][:2] for issue in error["extensions"]["issues"]], error
    assert (await rows_of(app_state, tenant))[bound.kind.table] == (1 if bound.kind is PERSON else 0)
    await tenant.gql(bound.kind.document, with_person(bound.kind.given(bound.field, bound.at_limit), person_id))
    assert (await rows_of(app_state, tenant))[bound.kind.table] == (2 if bound.kind is PERSON else 1)
