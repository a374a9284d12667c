"""Communications: logging a call, text, e-mail, note or meeting with a person, and reading them back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import Select

from winnerr.ai.sentiment import message_columns
from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.enums import CommunicationChannel, Direction, EventType
from winnerr.db.models import Communication, Person
from winnerr.db.scope import TenantScope
from winnerr.resolvers import records
from winnerr.resolvers.loaders import PERSON_COMMUNICATIONS
from winnerr.resolvers.pagination import Page, page_of_relation, page_request, paginate
from winnerr.resolvers.validation import Rules, Text200, Text10000, parse_id, secure_url, validate
from winnerr.resolvers.workspace import Workspace

ENTITY = "Communication"


class Upserted(StrEnum):
    """What storing a provider's record by its external id did: `syncCommunications` counts them."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    SKIPPED = "SKIPPED"
    """Not stored: it names nobody the organization knows."""

RecordingUrl = Annotated[str, secure_url(max_length=1000)]


class CommunicationRules(Rules):
    person_id: uuid.UUID
    channel: CommunicationChannel
    direction: Direction
    subject: Text200 | None = None
    body: Text10000 | None = None
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    duration_seconds: Annotated[int, Field(ge=0, le=86_400)] | None = None
    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    recording_url: RecordingUrl | None = None


async def log_communication(ctx: Context, data: dict[str, Any]) -> Communication:
    """Record a communication; the person's lastContactAt moves forward to it."""
    ctx.principal.require(Permission.WRITE)
    rules = validate(CommunicationRules, data)
    person = await records.fetch(ctx, Person, rules.person_id, "Person")
    return await record_communication(ctx, person, rules.model_dump() | {"author_id": ctx.principal.user_id})


async def record_communication(work: Workspace, person: Person, values: dict[str, Any]) -> Communication:
    """Store a communication with `person` (`values` are its columns, `occurred_at` included), announce it
    and move the person's lastContactAt forward to it: the one way every communication is created (logged
    by a member, or told by a provider's webhook), its sentiment computed as it is stored."""
    columns = values | message_columns(values.get("subject"), values.get("body")) | {"person_id": person.id}
    communication = await work.scope.save(work.scope.add(Communication(**columns)))
    work.record(EventType.COMMUNICATION_CREATED, communication.id)
    occurred_at: datetime = values["occurred_at"]
    if person.last_contact_at is None or person.last_contact_at < occurred_at:
        person.last_contact_at = occurred_at
        await work.scope.save(person)
    return communication


async def get_communication(ctx: Context, communication_id: str) -> Communication:
    return await records.read(ctx, Communication, communication_id, ENTITY)


async def list_communications(
    ctx: Context, person_id: str | None, channel: CommunicationChannel | None, page: int | None, limit: int | None
) -> Page[Communication]:
    """Newest first; for one person (unknown or another organization's: NOT_FOUND) or the whole organization."""
    ctx.principal.require(Permission.READ)
    request = page_request(page, limit)
    person = None if person_id is None else await records.fetch(ctx, Person, parse_id(person_id, "Person"), "Person")
    query = communications_query(ctx.scope, person.id if person else None, channel)
    return await paginate(ctx.scope, query, request)


def communications_query(
    scope: TenantScope, person_id: uuid.UUID | None, channel: CommunicationChannel | None
) -> Select[Communication]:
    """Communications newest first: with one person (whom the caller checked exists) or anyone, on one channel
    or all; the compiled read path reads the same rows (`winnerr.sqlplan`)."""
    query = scope.select(Communication)
    if person_id is not None:
        query = query.where(Communication.person_id == person_id)
    if channel is not None:
        query = query.where(Communication.channel == channel)
    return query.order_by(Communication.occurred_at.desc(), Communication.id)


async def communications_of_person(
    ctx: Context, person_id: uuid.UUID, page: int | None, limit: int | None
) -> Page[Communication]:
    """A page of one person's communications; batched across all the people of a request."""
    ctx.principal.require(Permission.READ)
    return await page_of_relation(ctx.loaders, PERSON_COMMUNICATIONS, person_id, page, limit)
