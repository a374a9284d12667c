"""Each provider's handler, for replaying recorded deliveries."""

from __future__ import annotations

from collections.abc import Mapping

from winnerr.db.enums import IntegrationProvider
from winnerr.webhooks import nylas_events, stripe_events, twilio_events
from winnerr.webhooks.inbox import Handler

HANDLERS: Mapping[IntegrationProvider, Handler] = {
    IntegrationProvider.TWILIO: twilio_events.HANDLER,
    IntegrationProvider.NYLAS: nylas_events.HANDLER,
    IntegrationProvider.STRIPE: stripe_events.HANDLER,
}
