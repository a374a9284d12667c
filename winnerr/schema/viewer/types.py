"""The `Viewer`: who is calling, in which organization, with which role and permissions."""

from __future__ import annotations

import strawberry

from winnerr.db import models
from winnerr.schema.enums import Role
from winnerr.schema.mapping import mapped


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


@strawberry.type
class Viewer:
    user: User
    organization: Organization
    role: Role
    permissions: list[str]
