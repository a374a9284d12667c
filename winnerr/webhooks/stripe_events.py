"""Stripe: subscription and invoice events, which keep the organization's billing state.

Verified with `stripe.Webhook.construct_event` (300 s tolerance), and a timestamp more than 300 s in the
future is refused too. An event belongs to the organization in its object's `metadata.organization_id`
(set when the organization subscribes; its customer is then connected too), else to the one that connected
its `customer`. Events write the state in their `created` order: an older event arriving late changes
nothing (`billing.event_created`).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from winnerr.db.enums import IntegrationProvider
from winnerr.db.models import Billing, Integration, Organization
from winnerr.resolvers.integrations import organization_of_account
from winnerr.settings import Settings
from winnerr.webhooks.inbox import Delivery, DeliveryWork, Rejected

SIGNATURE_HEADER = "Stripe-Signature"
TOLERANCE_SECONDS = 300
SUBSCRIPTION_EVENTS = tuple(f"customer.subscription.{change}" for change in ("created", "updated", "deleted"))
INVOICE_STATUSES = {"invoice.paid": "active", "invoice.payment_failed": "past_due"}


def configured(settings: Settings) -> bool:
    return bool(settings.stripe_webhook_secret)


async def verified_delivery(request: Request, settings: Settings) -> Delivery:
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        raise Rejected(401, f"Missing {SIGNATURE_HEADER} header")
    body = await request.body()
    try:
        event = stripe.Webhook.construct_event(body, header, settings.stripe_webhook_secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise Rejected(401, f"Invalid Stripe signature: {exc.user_message or exc}") from None
    except (ValueError, UnicodeDecodeError):
        raise Rejected(400, "The body is not a Stripe event") from None
    if _signed_at(header) > time.time() + TOLERANCE_SECONDS:
        raise Rejected(401, "Invalid Stripe signature: the timestamp is in the future")
    payload = event.to_dict()
    if not isinstance(payload.get("data", {}).get("object"), dict) or "created" not in payload:
        raise Rejected(400, "The body is not a Stripe event")
    return Delivery(IntegrationProvider.STRIPE, str(payload["id"]), str(payload["type"]), payload)


def _signed_at(header: str) -> int:
    """The `t=` of a header `construct_event` has accepted."""
    return next(int(value) for key, _, value in (part.partition("=") for part in header.split(",")) if key == "t")


def _object_of(delivery: Delivery) -> dict[str, Any]:
    obj: dict[str, Any] = delivery.payload["data"]["object"]
    return obj


def _metadata_organization(obj: dict[str, Any]) -> uuid.UUID | None:
    for metadata in (obj.get("metadata"), (obj.get("subscription_details") or {}).get("metadata")):
        if isinstance(metadata, dict) and metadata.get("organization_id"):
            try:
                return uuid.UUID(str(metadata["organization_id"]))
            except ValueError:
                return None
    return None


class StripeHandler:
    async def organization(self, session: AsyncSession, delivery: Delivery) -> uuid.UUID | None:
        obj = _object_of(delivery)
        named = _metadata_organization(obj)
        if named is not None:
            return await session.scalar(select(Organization.id).where(Organization.id == named))
        customer = obj.get("customer")
        found = await organization_of_account(session, IntegrationProvider.STRIPE, str(customer)) if customer else None
        return None if found is None else found[0]

    async def apply(self, work: DeliveryWork, delivery: Delivery) -> None:
        obj = _object_of(delivery)
        if delivery.kind in SUBSCRIPTION_EVENTS:
            deleted = delivery.kind.endswith(".deleted")
            state = {
                "status": "canceled" if deleted else str(obj.get("status") or "active"),
                "plan": _plan(obj),
                "current_period_end": _timestamp(_period_end(obj)),
            }
        elif delivery.kind in INVOICE_STATUSES:
            lines = (obj.get("lines") or {}).get("data") or [{}]
            state = {
                "status": INVOICE_STATUSES[delivery.kind],
                "plan": None,
                "current_period_end": _timestamp((lines[0].get("period") or {}).get("end")),
            }
        else:
            return
        await _connect_customer(work, obj)
        await _write_billing(work, state, _timestamp(delivery.payload["created"]) or delivery.received_at)


def _plan(obj: dict[str, Any]) -> str | None:
    items = (obj.get("items") or {}).get("data") or []
    price = (items[0].get("price") or items[0].get("plan") or {}) if items else (obj.get("plan") or {})
    plan = price.get("nickname") or price.get("lookup_key") or price.get("id")
    return str(plan)[:200] if plan else None


def _period_end(obj: dict[str, Any]) -> Any:
    """`current_period_end` of the subscription (or, in newer API versions, of its first item)."""
    if obj.get("current_period_end"):
        return obj["current_period_end"]
    items = (obj.get("items") or {}).get("data") or []
    return items[0].get("current_period_end") if items else None


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


async def _connect_customer(work: DeliveryWork, obj: dict[str, Any]) -> None:
    """An event naming the organization in its metadata connects its customer, for events without it."""
    customer = obj.get("customer")
    if not customer or _metadata_organization(obj) is None:
        return
    scope = work.scope
    await scope.execute(
        insert(Integration)
        .values(
            id=uuid.uuid4(),
            organization_id=scope.organization_id,
            provider=IntegrationProvider.STRIPE,
            external_id=str(customer),
            label="Stripe customer",
        )
        .on_conflict_do_nothing()
    )


async def _write_billing(work: DeliveryWork, state: dict[str, Any], created: datetime) -> None:
    """Upsert the billing row unless a newer event already wrote it; an invoice keeps the plan."""
    values = {"organization_id": work.scope.organization_id, "event_created": created, **state}
    statement = insert(Billing).values(values)
    excluded = statement.excluded
    await work.scope.execute(
        statement.on_conflict_do_update(
            index_elements=[Billing.organization_id],
            set_={
                "status": excluded.status,
                "plan": func.coalesce(excluded.plan, Billing.plan),
                "current_period_end": func.coalesce(excluded.current_period_end, Billing.current_period_end),
                "event_created": excluded.event_created,
                "updated_at": func.now(),
            },
            where=Billing.event_created <= excluded.event_created,
        )
    )


HANDLER = StripeHandler()
