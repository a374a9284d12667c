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
@strawberry.type(description="A person who can sign in: a member of one or more organizations.")
class User:
    id: strawberry.ID = strawberry.field(
        description="Unique identifier (UUID); the member mutations take it as userId."
    )
    email: str = strawberry.field(description="The e-mail address they sign in with (one user per address).")
    full_name: str = strawberry.field(
        description="First and last name for display, at most 200 characters; may be empty."
    )


@mapped(models.Organization)
@strawberry.type(description="A brokerage: every record belongs to exactly one, and members see only theirs.")
class Organization:
    id: strawberry.ID = strawberry.field(
        description="Unique identifier (UUID); send it as x-organization-id to act in it when you belong to several."
    )
    name: str = strawberry.field(description="The organization's display name, e.g. \"Demo Realty\".")

    @strawberry.field(
        description="Its subscription as Stripe last told it; null before any Stripe event. OWNER only "
        "(the billing permission)."
    )
    async def billing(self, info: Info) -> Billing | None:
        row = await integrations.billing_of(info.context)
        return None if row is None else from_row(Billing, row)


@strawberry.type(description="Who is calling: the signed-in user, in which organization, with which role.")
class Viewer:
    user: User = strawberry.field(description="The signed-in user.")
    organization: Organization = strawberry.field(
        description="The organization this request acts in (the token's or x-organization-id's)."
    )
    role: Role = strawberry.field(description="Your role in that organization.")
    permissions: list[str] = strawberry.field(
        description="What that role may do, some of READ WRITE DELETE EXPORT MANAGE_MEMBERS BILLING "
        "INTEGRATIONS: use it to show or hide actions."
    )
