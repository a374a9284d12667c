"""Integrations: the provider accounts an organization connects (a Twilio number, a Nylas grant, a Stripe
customer), and through which webhooks find the organization a delivery belongs to.

OWNER and ADMIN manage them (`Permission.INTEGRATIONS`). An account belongs to one organization only: a
second organization connecting it is DUPLICATE_RECORD (the unique index on provider and external id).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import IntegrationProvider, IntegrationStatus
from winnerr.db.models import Billing, Integration
from winnerr.db.scope import TenantScope
from winnerr.errors import Conflict
from winnerr.resolvers import records
from winnerr.resolvers.validation import Email, Phone, Rules, validate

ENTITY = "Integration"
MAX_INTEGRATIONS = 50
"""The most provider accounts one organization may connect."""

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
StripeCustomerId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^cus_[A-Za-z0-9]{1,100}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)]


class TwilioNumber(Rules):
    """A Twilio phone number, stored in E.164."""

    provider: IntegrationProvider
    external_id: Phone
    label: Label | None = None


class NylasGrant(Rules):
    """A Nylas grant id, with its mailbox address as `label`."""

    provider: IntegrationProvider
    external_id: ExternalId
    label: Email


class StripeCustomer(Rules):
    """A Stripe customer id (`cus_…`)."""

    provider: IntegrationProvider
    external_id: StripeCustomerId
    label: Label | None = None


RULES: dict[IntegrationProvider, type[Rules]] = {
    IntegrationProvider.TWILIO: TwilioNumber,
    IntegrationProvider.NYLAS: NylasGrant,
    IntegrationProvider.STRIPE: StripeCustomer,
}


async def connect_integration(ctx: Context, data: dict[str, Any]) -> Integration:
    ctx.principal.require(Permission.INTEGRATIONS)
    rules = validate(RULES[data["provider"]], data)
    connected = await ctx.scope.count(ctx.scope.select(Integration))
    if connected >= MAX_INTEGRATIONS:
        raise Conflict(f"An organization connects at most {MAX_INTEGRATIONS} provider accounts")
    return await records.create(ctx, Integration, rules.model_dump())


async def disconnect_integration(ctx: Context, integration_id: str) -> uuid.UUID:
    """Remove the connection; deliveries already recorded stay in the inbox."""
    ctx.principal.require(Permission.INTEGRATIONS)
    integration = await records.fetch(ctx, Integration, integration_id, ENTITY)
    await ctx.scope.delete(Integration, [integration.id])
    return integration.id


async def list_integrations(ctx: Context) -> list[Integration]:
    ctx.principal.require(Permission.INTEGRATIONS)
    query = ctx.scope.select(Integration).order_by(Integration.provider, Integration.created_at, Integration.id)
    return await ctx.scope.rows(query)


async def active_accounts(scope: TenantScope, provider: IntegrationProvider) -> list[str]:
    """The external ids (numbers, grants) of the organization's active integrations with `provider`, oldest
    first: the first is the one outbound messages go from."""
    query = (
        scope.select(Integration)
        .where(Integration.provider == provider, Integration.status == IntegrationStatus.ACTIVE)
        .order_by(Integration.created_at, Integration.id)
    )
    return [integration.external_id for integration in await scope.rows(query)]


async def organization_of_account(
    session: AsyncSession, provider: IntegrationProvider, external_id: str
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """`(organization id, integration id)` of the connected account, whoever owns it (webhooks use this:
    they know the account, not yet the organization, so row-level security would hide it: a SECURITY DEFINER
    function of migration 0009 answers)."""
    account = func.winnerr_account_organization(literal(provider, Integration.provider.type), external_id)
    routed = account.table_valued("organization_id", "integration_id")
    row = (await session.execute(select(routed.c.organization_id, routed.c.integration_id))).first()
    return None if row is None else (row[0], row[1])



async def billing_of(ctx: Context) -> Billing | None:
    """The organization's subscription as Stripe last told it (null before any event); OWNER only."""
    ctx.principal.require(Permission.BILLING)
    return await ctx.scope.first(ctx.scope.select(Billing))
