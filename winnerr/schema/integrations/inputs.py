"""Input for connecting an integration."""

from __future__ import annotations

import strawberry

from winnerr.schema.integrations.enums import IntegrationProvider


@strawberry.input(description="A provider account to connect to the organization.")
class ConnectIntegrationInput:
    provider: IntegrationProvider = strawberry.field(description="TWILIO, NYLAS or STRIPE.")
    external_id: str = strawberry.field(
        description="TWILIO: the phone number (any common notation; stored in E.164). NYLAS: the grant id "
        "(1–200 characters). STRIPE: the customer id (cus_…)."
    )
    label: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="At most 320 characters; required for NYLAS, where it is the grant's mailbox address.",
    )
