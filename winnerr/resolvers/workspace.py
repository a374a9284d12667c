"""What a use-case that writes needs, whoever calls it: a member's GraphQL operation (`Context`) or a
provider's webhook delivery (`winnerr.webhooks.inbox.DeliveryWork`), which has no member behind it."""

from __future__ import annotations

import uuid
from typing import Protocol

from winnerr.db.enums import EventType
from winnerr.db.scope import TenantScope


class Workspace(Protocol):
    @property
    def scope(self) -> TenantScope:
        """The organization's view of the session."""

    def record(self, type: EventType, entity_id: uuid.UUID) -> None:
        """Note a change; it becomes an event when the transaction commits."""
