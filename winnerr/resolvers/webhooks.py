"""What providers delivered to the organization: `webhookDeliveries`, for OWNER and ADMIN."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import IntegrationProvider
from winnerr.db.models import WebhookDelivery
from winnerr.resolvers.pagination import Page, page_request, paginate


class DeliveryStatus(StrEnum):
    APPLIED = "APPLIED"
    FAILED = "FAILED"
    UNMATCHED = "UNMATCHED"


def status_of(applied_at: datetime | None, organization_id: uuid.UUID | None) -> DeliveryStatus:
    if applied_at is not None:
        return DeliveryStatus.APPLIED
    return DeliveryStatus.UNMATCHED if organization_id is None else DeliveryStatus.FAILED


async def list_deliveries(
    ctx: Context,
    provider: IntegrationProvider | None,
    status: DeliveryStatus | None,
    page: int | None,
    limit: int | None,
) -> Page[WebhookDelivery]:
    """Newest first. A delivery is the organization's once an integration maps it; UNMATCHED ones belong to
    no organization yet, so no member sees them (the operator's `winnerr webhooks replay` applies them)."""
    ctx.principal.require(Permission.INTEGRATIONS)
    request = page_request(page, limit)
    query = ctx.scope.select(WebhookDelivery)
    if provider is not None:
        query = query.where(WebhookDelivery.provider == provider)
    if status is DeliveryStatus.APPLIED:
        query = query.where(WebhookDelivery.applied_at.is_not(None))
    elif status is DeliveryStatus.FAILED:
        query = query.where(WebhookDelivery.applied_at.is_(None))
    elif status is DeliveryStatus.UNMATCHED:
        query = query.where(WebhookDelivery.organization_id.is_(None))
    query = query.order_by(WebhookDelivery.received_at.desc(), WebhookDelivery.id)
    return await paginate(ctx.scope, query, request)
