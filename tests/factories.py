"""Test data: organizations with a member of every role, and GraphQL calls made as one of them."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import httpx

from winnerr.auth.passwords import hash_password
from winnerr.auth.tokens import issue_access_token
from winnerr.db.database import Database
from winnerr.db.enums import Role
from winnerr.db.models import Membership, Organization, User
from winnerr.resolvers.pipelines import add_default_pipeline
from winnerr.settings import Settings

PASSWORD = "correct horse battery"


@dataclass
class Tenant:
    """An organization of its own for one test, with one member per role."""

    organization_id: uuid.UUID
    emails: dict[Role, str]
    user_ids: dict[Role, uuid.UUID]
    settings: Settings
    client: httpx.AsyncClient
    role: Role = Role.OWNER
    extra_headers: dict[str, str] = field(default_factory=dict)

    def token(self, role: Role | None = None) -> str:
        role = role or self.role
        return issue_access_token(
            self.settings, user_id=self.user_ids[role], organization_id=self.organization_id, role=role
        ).token

    def headers(self, role: Role | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}", **self.extra_headers}

    def through(self, client: httpx.AsyncClient) -> Tenant:
        """The same organization and members, calling another instance of the app."""
        return dataclasses.replace(self, client=client)

    def as_role(self, role: Role) -> Tenant:
        return Tenant(self.organization_id, self.emails, self.user_ids, self.settings, self.client, role)

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers()
        )

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run an operation that must succeed; return its data."""
        response = await self.post(query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def gql_error(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run an operation that must fail with exactly one error; return that error."""
        response = await self.post(query, variables)
        body = response.json()
        assert len(body.get("errors", [])) == 1, body
        error: dict[str, Any] = body["errors"][0]
        return error


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One Argon2 hash of PASSWORD for every test user: hashing is slow on purpose."""
    return hash_password(PASSWORD)


async def make_tenant(
    database: Database, settings: Settings, client: httpx.AsyncClient, name: str = "Test Realty"
) -> Tenant:
    """An organization with its default pipeline and one member per role, all with PASSWORD: written as the app
    writes, in a transaction bound to the new organization (row-level security lets nothing else in)."""
    suffix = uuid.uuid4().hex[:10]
    emails = {role: f"{role.value.lower()}-{suffix}@test.example.com" for role in Role}
    users = {role: User(id=uuid.uuid4(), email=email, password_hash=password_hash()) for role, email in emails.items()}
    organization = Organization(id=uuid.uuid4(), name=name)
    async with database.session_for(organization.id) as session, session.begin():
        session.add_all([organization, *users.values()])
        await session.flush()
        await add_default_pipeline(session, organization.id)
        session.add_all(
            Membership(organization_id=organization.id, user_id=user.id, role=role) for role, user in users.items()
        )
    return Tenant(organization.id, emails, {role: user.id for role, user in users.items()}, settings, client)
