"""One Strawberry schema, assembled from the per-domain queries and mutations."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from winnerr.schema.communications.mutations import CommunicationsMutation
from winnerr.schema.communications.queries import CommunicationsQuery
from winnerr.schema.deals.mutations import DealsMutation
from winnerr.schema.deals.queries import DealsQuery
from winnerr.schema.extensions import ErrorCodes, Transaction
from winnerr.schema.favorites.mutations import FavoritesMutation
from winnerr.schema.favorites.queries import FavoritesQuery
from winnerr.schema.live.queries import LiveQuery
from winnerr.schema.live.subscriptions import Subscription
from winnerr.schema.members.mutations import MembersMutation
from winnerr.schema.people.mutations import PeopleMutation
from winnerr.schema.people.queries import PeopleQuery
from winnerr.schema.pipelines.queries import PipelinesQuery
from winnerr.schema.properties.mutations import PropertiesMutation
from winnerr.schema.properties.queries import PropertiesQuery
from winnerr.schema.tasks.mutations import TasksMutation
from winnerr.schema.tasks.queries import TasksQuery
from winnerr.schema.viewer.queries import ViewerQuery

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000

Query = merge_types(
    "Query",
    (
        ViewerQuery,
        PeopleQuery,
        DealsQuery,
        FavoritesQuery,
        PropertiesQuery,
        PipelinesQuery,
        TasksQuery,
        CommunicationsQuery,
        LiveQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        PeopleMutation,
        DealsMutation,
        FavoritesMutation,
        PropertiesMutation,
        TasksMutation,
        CommunicationsMutation,
        MembersMutation,
    ),
)


class PerEventExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core 3.3 copies a subscription's executor shallowly for each event, so every event wrote into
    the subscription's sub-field memo under keys that never repeat: about 2 KiB per event per socket, kept
    for the socket's life (bench/RESULTS.md). Each event gets a fresh memo."""

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


class WinnerrSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Unexpected errors are logged once, with the request id, by `ErrorCodes`; expected ones are not."""


def build_schema(**options: Any) -> strawberry.Schema:
    return WinnerrSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=PerEventExecutionContext,
        extensions=[
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            ValidationCache,
            Transaction,
            ErrorCodes,
        ],
        **options,
    )


schema = build_schema()
