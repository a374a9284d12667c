"""Changing integrations: `connectIntegration`, `disconnectIntegration`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import integrations
from winnerr.schema.inputs import values_of
from winnerr.schema.integrations.inputs import ConnectIntegrationInput
from winnerr.schema.integrations.types import Integration
from winnerr.schema.mapping import from_row
from winnerr.schema.types import Info


@strawberry.type
class IntegrationsMutation:
    @strawberry.mutation(
        description="Connect a provider account; its webhooks then land in this organization. An account "
        "another organization has connected is DUPLICATE_RECORD. OWNER and ADMIN only."
    )
    async def connect_integration(
        self,
        info: Info,
        input: Annotated[
            ConnectIntegrationInput,
            strawberry.argument(
                description="The provider and its account id (a Twilio number in E.164, a Nylas grant id, a Stripe "
                "customer id)."
            ),
        ],
    ) -> Integration:
        return from_row(Integration, await integrations.connect_integration(info.context, values_of(input)))

    @strawberry.mutation(
        description="Disconnect a provider account (its recorded deliveries stay); answers its id. OWNER and "
        "ADMIN only."
    )
    async def disconnect_integration(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Which one (Integration.id).")]
    ) -> strawberry.ID:
        return strawberry.ID(str(await integrations.disconnect_integration(info.context, id)))
