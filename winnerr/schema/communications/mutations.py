"""Changing communications: `logCommunication`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import communications
from winnerr.schema.communications.inputs import LogCommunicationInput
from winnerr.schema.communications.types import Communication
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.types import Info


@strawberry.type
class CommunicationsMutation:
    @strawberry.mutation(
        description="Record a communication with a person; subscribers of communicationCreated are told."
    )
    async def log_communication(
        self,
        info: Info,
        input: Annotated[
            LogCommunicationInput,
            strawberry.argument(description="What happened, with whom, on which channel and when."),
        ],
    ) -> Communication:
        return from_row(Communication, await communications.log_communication(info.context, values_of(input)))
