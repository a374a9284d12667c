"""The `Viewer`: who is calling, in which organization, with which role and permissions."""

from __future__ import annotations

import strawberry

from winnerr.db import models
from winnerr.resolvers import integrations
from winnerr.schema.enums import Role
from winnerr.schema.integrations.types import Billing
from winnerr.schema.mapping import from_row, mapped
from winnerr.schema.types import Info


@mapped(models.User)
@strawberry.type
class User:
    id: strawberry.ID
    email: str
    full_name: str


@mapped(models.Organization)
@strawberry.type
class Organization:
    id: strawberry.ID
    name: str

    @strawberry.field(
        description="Its subscription as Stripe last told it; null before any Stripe event. OWNER only "
        "(the billing permission)."
    )
    async def billing(self, info: Info) -> Billing | None:
        row = await integrations.billing_of(info.context)
        return None if row is None else from_row(Billing, row)


@strawberry.type
class Viewer:
    user: User
    organization: Organization
    role: Role
    permissions: list[str]
