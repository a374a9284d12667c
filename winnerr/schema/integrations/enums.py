"""The integrations' enums, registered with Strawberry once, before any type uses them."""

import strawberry

from winnerr.db.enums import IntegrationProvider, IntegrationStatus

strawberry.enum(IntegrationProvider, description="A provider whose account an organization can connect.")
strawberry.enum(
    IntegrationStatus,
    description="ACTIVE: deliveries are applied. BROKEN: the provider said the account no longer works "
    "(a Nylas grant expired); connect it again.",
)

__all__ = ["IntegrationProvider", "IntegrationStatus"]
