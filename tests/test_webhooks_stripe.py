"""Stripe's events (issue 10, point 4): subscription and invoice events keep `Organization.billing`, in the
order Stripe created them, readable by the OWNER only."""

from __future__ import annotations

import uuid

import httpx

from tests.factories import Tenant
from tests.providers import deliveries, hooks, post_stripe, stripe_event
from winnerr.db.enums import Role

__all__ = ["hooks"]

BILLING = "{ me { organization { billing { status plan currentPeriodEnd } } } }"
INTEGRATIONS = "{ integrations { provider externalId } }"
PERIOD_END = 1_900_000_000


def subscription(tenant: Tenant | None, customer: str, status: str, plan: str = "Pro") -> dict[str, object]:
    metadata = {"organization_id": str(tenant.organization_id)} if tenant else {}
    return {
        "id": "sub_1",
        "object": "subscription",
        "customer": customer,
        "status": status,
        "metadata": metadata,
        "items": {"data": [{"price": {"id": "price_1", "nickname": plan}, "current_period_end": PERIOD_END}]},
    }


async def billing(tenant: Tenant) -> dict[str, object] | None:
    found: dict[str, object] | None = (await tenant.gql(BILLING))["me"]["organization"]["billing"]
    return found


async def test_subscription_and_invoice_events_keep_the_billing_state(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    assert await billing(tenant) is None
    customer = f"cus_{uuid.uuid4().hex[:14]}"
    created = await post_stripe(
        hooks, stripe_event("customer.subscription.created", subscription(tenant, customer, "active"), 1000)
    )
    assert created.status_code == 200, created.text
    assert await billing(tenant) == {"status": "active", "plan": "Pro", "currentPeriodEnd": "2030-03-17T17:46:40+00:00"}
    assert {"provider": "STRIPE", "externalId": customer} in (await tenant.gql(INTEGRATIONS))["integrations"]

    invoice = {
        "id": "in_1",
        "object": "invoice",
        "customer": customer,
        "lines": {"data": [{"period": {"end": PERIOD_END}}]},
    }
    await post_stripe(hooks, stripe_event("invoice.payment_failed", invoice, 2000))
    assert await billing(tenant) == {
        "status": "past_due",
        "plan": "Pro",
        "currentPeriodEnd": "2030-03-17T17:46:40+00:00",
    }
    assert (await deliveries(tenant, provider="STRIPE"))["pagination"]["total"] == 2


async def test_an_older_event_arriving_late_changes_nothing(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    customer = f"cus_{uuid.uuid4().hex[:14]}"
    await post_stripe(
        hooks, stripe_event("customer.subscription.updated", subscription(tenant, customer, "canceled", "Team"), 5000)
    )
    late = await post_stripe(
        hooks, stripe_event("customer.subscription.created", subscription(tenant, customer, "active"), 4000)
    )
    assert late.status_code == 200
    assert await billing(tenant) == {
        "status": "canceled",
        "plan": "Team",
        "currentPeriodEnd": "2030-03-17T17:46:40+00:00",
    }
    [newest, older] = (await deliveries(tenant, provider="STRIPE"))["items"]
    assert {newest["status"], older["status"]} == {"APPLIED"}


async def test_billing_is_for_the_owner_only(tenant: Tenant) -> None:
    for role in (Role.ADMIN, Role.AGENT, Role.VIEWER):
        error = await tenant.as_role(role).gql_error(BILLING)
        assert error["extensions"]["code"] == "PERMISSION_DENIED", role


async def test_updated_and_deleted_subscriptions_and_a_paid_invoice(hooks: httpx.AsyncClient, tenant: Tenant) -> None:
    customer = f"cus_{uuid.uuid4().hex[:14]}"
    created = subscription(tenant, customer, "trialing")
    await post_stripe(hooks, stripe_event("customer.subscription.created", created, 1000))
    changed = subscription(tenant, customer, "past_due", "Team")
    await post_stripe(hooks, stripe_event("customer.subscription.updated", changed, 2000))
    period_end = "2030-03-17T17:46:40+00:00"
    assert await billing(tenant) == {"status": "past_due", "plan": "Team", "currentPeriodEnd": period_end}
    lines = {"data": [{"period": {"end": PERIOD_END + 86400}}]}
    invoice = {"id": "in_2", "object": "invoice", "customer": customer, "lines": lines}
    await post_stripe(hooks, stripe_event("invoice.paid", invoice, 3000))
    next_end = "2030-03-18T17:46:40+00:00"
    assert await billing(tenant) == {"status": "active", "plan": "Team", "currentPeriodEnd": next_end}
    # No metadata this time: the event finds the organization by its stored customer id.
    deleted = subscription(None, customer, "active")
    await post_stripe(hooks, stripe_event("customer.subscription.deleted", deleted, 4000))
    assert (await billing(tenant) or {})["status"] == "canceled"
