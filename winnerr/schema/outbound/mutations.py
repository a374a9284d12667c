"""`sendSms`, `sendEmail`, `startCall`: a text or call through Twilio, an e-mail through Nylas, each recorded
as an OUTBOUND communication; and `syncCommunications`, which pulls what the providers hold."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from winnerr.resolvers import outbound, sync
from winnerr.schema.communications.types import Communication
from winnerr.schema.integrations.enums import IntegrationProvider
from winnerr.schema.mapping import from_row
from winnerr.schema.outbound.types import SyncResult
from winnerr.schema.types import Info


@strawberry.type
class OutboundMutation:
    @strawberry.mutation(
        description="Text a person from the organization's Twilio number; answers the OUTBOUND SMS recorded. "
        "CONFLICT if they texted STOP (nothing is sent) or no number is connected; PROVIDER_ERROR if Twilio "
        "refuses or does not answer (nothing is recorded). AGENT and above."
    )
    async def send_sms(
        self,
        info: Info,
        person_id: Annotated[strawberry.ID, strawberry.argument(description="Who to text (they need a phone).")],
        body: Annotated[str, strawberry.argument(description="The text, 1–10,000 characters.")],
    ) -> Communication:
        return from_row(Communication, await outbound.send_sms(info.context, person_id, body))

    @strawberry.mutation(
        description="E-mail a person from the organization's first connected Nylas mailbox; answers the OUTBOUND "
        "EMAIL recorded. CONFLICT if no mailbox is connected; PROVIDER_ERROR if Nylas refuses or does not answer "
        "(nothing is recorded). AGENT and above."
    )
    async def send_email(
        self,
        info: Info,
        person_id: Annotated[strawberry.ID, strawberry.argument(description="Who to e-mail (they need an e-mail).")],
        subject: Annotated[str, strawberry.argument(description="The subject, 1–200 characters.")],
        body: Annotated[str, strawberry.argument(description="The message (HTML or text), 1–10,000 characters.")],
    ) -> Communication:
        return from_row(Communication, await outbound.send_email(info.context, person_id, subject, body))

    @strawberry.mutation(
        description="Click-to-call a person from the organization's Twilio number; answers the OUTBOUND CALL "
        "recorded (keyed by Twilio's CallSid; its status and duration follow Twilio's callbacks). CONFLICT if no "
        "number is connected; PROVIDER_ERROR if Twilio refuses or does not answer (nothing is recorded). AGENT "
        "and above."
    )
    async def start_call(
        self,
        info: Info,
        person_id: Annotated[strawberry.ID, strawberry.argument(description="Who to call (they need a phone).")],
        agent_phone: Annotated[
            str | None,
            strawberry.argument(
                description="The member's own phone (any common notation; E.164 stored): Twilio rings it first "
                "and, once answered, dials the person. Omitted: Twilio rings the person and connects them to the "
                "member's browser (Twilio Voice client whose identity is the member's user id)."
            ),
        ] = None,
    ) -> Communication:
        return from_row(Communication, await outbound.start_call(info.context, person_id, agent_phone))

    @strawberry.mutation(
        description="Pull the texts and calls of the organization's Twilio numbers, or the messages of its Nylas "
        "mailboxes, since a time, and store what is missing, by externalId: a second run changes nothing. An "
        "unknown number becomes a LEAD. PROVIDER_ERROR if the provider refuses or does not answer (nothing is "
        "stored). AGENT and above."
    )
    async def sync_communications(
        self,
        info: Info,
        provider: Annotated[IntegrationProvider, strawberry.argument(description="TWILIO or NYLAS.")],
        since: Annotated[
            datetime | None,
            strawberry.argument(description="Read what happened after this; within the last 90 days, 7 by default."),
        ] = None,
    ) -> SyncResult:
        counts = await sync.sync_communications(info.context, provider, since)
        return SyncResult(
            provider=counts.provider,
            fetched=counts.fetched,
            created=counts.created,
            updated=counts.updated,
            skipped=counts.skipped,
        )
