"""Reading pipelines: `pipelines`."""

from __future__ import annotations

import strawberry

from winnerr.resolvers import pipelines
from winnerr.schema.mapping import from_rows
from winnerr.schema.pipelines.types import Pipeline
from winnerr.schema.types import Info


@strawberry.type
class PipelinesQuery:
    @strawberry.field(description="Your organization's pipelines, the default one first.")
    async def pipelines(self, info: Info) -> list[Pipeline]:
        return from_rows(Pipeline, await pipelines.list_pipelines(info.context))
