"""The `SyncResult` type: what `syncCommunications` found and did."""

from __future__ import annotations

import strawberry

from winnerr.schema.integrations.enums import IntegrationProvider


@strawberry.type(description="What a syncCommunications run read from the provider and what it stored.")
class SyncResult:
    provider: IntegrationProvider = strawberry.field(description="The provider read: TWILIO or NYLAS.")
    fetched: int = strawberry.field(description="Messages and calls the provider listed.")
    created: int = strawberry.field(description="New communications stored.")
    updated: int = strawberry.field(
        description="Communications already stored (by externalId) whose provider data had changed "
        "(a call's status or duration, a message's text)."
    )
    skipped: int = strawberry.field(
        description="Listed records left as they were: already stored unchanged, or an e-mail naming nobody the "
        "organization knows. fetched = created + updated + skipped."
    )
