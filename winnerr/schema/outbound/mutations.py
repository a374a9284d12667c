"""`sendSms`: a text through Twilio, recorded as an OUTBOUND SMS."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import outbound
from winnerr.schema.communications.types import Communication
from winnerr.schema.mapping import from_row
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
