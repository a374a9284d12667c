"""Reading the webhook inbox: `webhookDeliveries(provider, status, page, limit)`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import webhooks
from winnerr.resolvers.webhooks import DeliveryStatus
from winnerr.schema.integrations.enums import IntegrationProvider
from winnerr.schema.mapping import from_row
from winnerr.schema.pagination import Page
from winnerr.schema.types import Info
from winnerr.schema.webhooks.types import WebhookDelivery


@strawberry.type
class WebhooksQuery:
    @strawberry.field(
        description="The webhook deliveries of the organization, newest first. Paged (limit 1–100, default "
        "20). OWNER and ADMIN only."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        provider: Annotated[IntegrationProvider | None, strawberry.argument(description="Only this provider's.")] = (
            None
        ),
        status: Annotated[DeliveryStatus | None, strawberry.argument(description="Only those in this state.")] = None,
        page: Annotated[int | None, strawberry.argument(description="The page, from 1.")] = 1,
        limit: Annotated[int | None, strawberry.argument(description="Deliveries per page, 1–100.")] = 20,
    ) -> Page[WebhookDelivery]:
        result = await webhooks.list_deliveries(info.context, provider, status, page, limit)
        return Page.of(result, lambda row: from_row(WebhookDelivery, row))
