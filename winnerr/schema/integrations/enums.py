"""The integrations' enums, registered with Strawberry once, before any type uses them."""

import strawberry

from winnerr.db.enums import IntegrationProvider, IntegrationStatus
from winnerr.schema.described import describe_values

strawberry.enum(IntegrationProvider, description="A provider whose account an organization can connect.")
describe_values(
    IntegrationProvider,
    {
        "TWILIO": "Texts and calls: its externalId is a phone number in E.164, like +14155552671.",
        "NYLAS": "E-mail and calendar: its externalId is a Nylas grant id.",
        "STRIPE": "Billing: its externalId is a Stripe customer id (cus_…).",
    },
)
strawberry.enum(
    IntegrationStatus,
    description="ACTIVE: deliveries are applied. BROKEN: the provider said the account no longer works "
    "(a Nylas grant expired); connect it again.",
)
describe_values(
    IntegrationStatus,
    {
        "ACTIVE": "Deliveries for this account are applied to your organization.",
        "BROKEN": "The provider said the account no longer works; connect it again.",
    },
)

__all__ = ["IntegrationProvider", "IntegrationStatus"]
