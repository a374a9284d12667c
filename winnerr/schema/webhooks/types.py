"""The `WebhookDelivery` type."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from winnerr.db import models
from winnerr.resolvers.webhooks import DeliveryStatus, status_of
from winnerr.schema.described import describe_values
from winnerr.schema.integrations.enums import IntegrationProvider
from winnerr.schema.mapping import mapped

strawberry.enum(
    DeliveryStatus,
    description="APPLIED: its effects are stored. FAILED: applying it raised an error (see lastError); "
    "`winnerr webhooks replay` tries again. UNMATCHED: no organization connected its account yet.",
)
describe_values(
    DeliveryStatus,
    {
        "APPLIED": "Its effects are stored.",
        "FAILED": "Applying it raised an error (see lastError); `winnerr webhooks replay` tries again.",
        "UNMATCHED": "No organization had connected the account it is for when it arrived.",
    },
)


@mapped(models.WebhookDelivery)
@strawberry.type(description="One verified delivery of a provider's webhook, recorded once.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="The delivery's id (give it to `winnerr webhooks replay --id`).")
    provider: IntegrationProvider = strawberry.field(description="Who sent it.")
    external_id: str = strawberry.field(
        description="The provider's unique id of it: MessageSid; CallSid:CallStatus; RecordingSid:status; the "
        "Stripe event id; the Nylas notification id. A redelivery with the same id changes nothing."
    )
    kind: str = strawberry.field(
        description="What it tells: sms, call, recording, message-status (Twilio); the notification or event "
        "type (Nylas, Stripe), e.g. message.created, invoice.paid."
    )
    received_at: datetime = strawberry.field(description="When it first arrived.")
    applied_at: datetime | None = strawberry.field(description="When it was applied; null while it is not.")
    attempts: int = strawberry.field(description="How many times applying it was tried.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed (at most 2,000 characters).")
    organization_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Whether it is applied, failed, or waiting for its organization.")
    def status(self) -> DeliveryStatus:
        return status_of(self.applied_at, self.organization_id)
