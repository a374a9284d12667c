"""The `Integration` type and its enums."""

from __future__ import annotations

from datetime import datetime

import strawberry

from winnerr.db import models
from winnerr.schema.integrations.enums import IntegrationProvider, IntegrationStatus
from winnerr.schema.mapping import mapped


@mapped(models.Integration)
@strawberry.type(description="A provider account that belongs to the organization; webhooks find it by this.")
class Integration:
    id: strawberry.ID = strawberry.field(description="Unique identifier (UUID); pass it to disconnectIntegration.")
    provider: IntegrationProvider = strawberry.field(description="TWILIO, NYLAS or STRIPE.")
    external_id: str = strawberry.field(
        description="The provider's id of the account: a Twilio number in E.164 (+14155550100), a Nylas grant "
        "id, a Stripe customer id (cus_…); unique across all organizations."
    )
    label: str | None = strawberry.field(
        description="A name for people; for a Nylas grant, its mailbox address (at most 320 characters)."
    )
    status: IntegrationStatus = strawberry.field(description="Whether the account still works.")


@mapped(models.Billing)
@strawberry.type(description="The organization's subscription, as Stripe's latest event about it says.")
class Billing:
    status: str = strawberry.field(
        description="Stripe's subscription status: active, trialing, past_due (an invoice failed), canceled, …"
    )
    plan: str | None = strawberry.field(description="The price's nickname, lookup key or id.")
    current_period_end: datetime | None = strawberry.field(description="When the paid period ends.")
