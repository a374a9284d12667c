"""`captureLead` (issue 10, point 5): a form's lead matched by e-mail, by phone, or created once, even when
two captures of the same new e-mail run at once; its message is logged as a communication."""

from __future__ import annotations

import asyncio
import uuid
from typing import Literal, TypedDict

from tests.factories import Tenant
from tests.graphql_documents import create_property
from tests.providers import communications, phone_number
from winnerr.db.enums import Role

CAPTURE = """mutation($input: CaptureLeadInput!) { captureLead(input: $input) {
  created matchedBy person { id firstName lastName email phone source status } } }"""
CREATE_PERSON = "mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }"
PEOPLE = "{ people(limit: 100) { pagination { total } } }"


class CapturedPerson(TypedDict):
    """The person of a capture, as CAPTURE reads it."""

    id: str
    firstName: str
    lastName: str
    email: str | None
    phone: str | None
    source: str | None
    status: str


class Captured(TypedDict):
    created: bool
    matchedBy: Literal["EMAIL", "PHONE", "NONE"]
    person: CapturedPerson


def address() -> str:
    return f"lead-{uuid.uuid4().hex[:10]}@example.com"


async def capture(tenant: Tenant, **fields: object) -> Captured:
    captured: Captured = (await tenant.gql(CAPTURE, {"input": {"name": "Lee Ead", **fields}}))["captureLead"]
    return captured


async def test_a_new_lead_is_created_with_its_message(tenant: Tenant) -> None:
    email, phone = address(), phone_number()
    home = await create_property(tenant, address="12 Elm St")
    captured = await capture(
        tenant, email=email.upper(), phone=phone, source="REFERRAL", message="Call me", propertyId=home["id"]
    )
    assert (captured["created"], captured["matchedBy"]) == (True, "NONE")
    assert captured["person"] | {"id": None} == {
        "id": None,
        "firstName": "Lee",
        "lastName": "Ead",
        "email": email,
        "phone": phone,
        "source": "REFERRAL",
        "status": "LEAD",
    }
    [note] = await communications(tenant)
    assert (note["channel"], note["direction"], note["subject"], note["body"]) == (
        "NOTE",
        "INBOUND",
        "Referral lead: 12 Elm St",
        "Call me",
    )


async def test_an_existing_person_is_matched_by_email_then_by_phone(tenant: Tenant) -> None:
    email, phone = address(), phone_number()
    person = await tenant.gql(
        CREATE_PERSON, {"input": {"firstName": "Ann", "lastName": "Known", "email": email, "phone": phone}}
    )
    known = person["createPerson"]["id"]
    by_email = await capture(tenant, email=f"  {email.upper()} ", phone=phone_number())
    assert (by_email["created"], by_email["matchedBy"], by_email["person"]["id"]) == (False, "EMAIL", known)
    by_phone = await capture(tenant, email=address(), phone=f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}")
    assert (by_phone["created"], by_phone["matchedBy"], by_phone["person"]["id"]) == (False, "PHONE", known)
    assert (await tenant.gql(PEOPLE))["people"]["pagination"]["total"] == 1
    assert len(await communications(tenant)) == 2


async def test_concurrent_captures_of_one_new_email_make_one_person(tenant: Tenant) -> None:
    email = address()
    results = await asyncio.gather(*(capture(tenant, email=email, message=f"try {n}") for n in range(6)))
    assert sorted(result["created"] for result in results) == [False] * 5 + [True]
    assert len({result["person"]["id"] for result in results}) == 1
    assert (await tenant.gql(PEOPLE))["people"]["pagination"]["total"] == 1
    assert len(await communications(tenant)) == 6


async def test_a_lead_needs_an_email_or_a_phone_and_a_writer(tenant: Tenant) -> None:
    error = await tenant.gql_error(CAPTURE, {"input": {"name": "No Contact", "message": "hi"}})
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    denied = await tenant.as_role(Role.VIEWER).gql_error(CAPTURE, {"input": {"name": "A B", "email": address()}})
    assert denied["extensions"]["code"] == "PERMISSION_DENIED"
    assert (await tenant.gql(PEOPLE))["people"]["pagination"]["total"] == 0
