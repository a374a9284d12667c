"""What each role may do (the contract's role table)."""

from __future__ import annotations

from enum import StrEnum

from winnerr.db.enums import Role


class Permission(StrEnum):
    READ = "READ"
    WRITE = "WRITE"
    DELETE = "DELETE"
    EXPORT = "EXPORT"
    MANAGE_MEMBERS = "MANAGE_MEMBERS"
    BILLING = "BILLING"
    INTEGRATIONS = "INTEGRATIONS"
    """Connect and disconnect provider accounts, see webhook deliveries (OWNER, ADMIN)."""


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: frozenset(Permission) - {Permission.BILLING},
    Role.AGENT: frozenset({Permission.READ, Permission.WRITE, Permission.EXPORT}),
    Role.VIEWER: frozenset({Permission.READ}),
}
