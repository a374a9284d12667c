"""One Strawberry schema, assembled from the per-domain queries and mutations."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError, MiddlewareManager
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.base import get_object_definition

from winnerr.idempotency.extension import IdempotentMutations
from winnerr.logs import OperationLog
from winnerr.schema.ai.queries import AiQuery
from winnerr.schema.budget import CostBudget
from winnerr.schema.calendar.mutations import CalendarMutation
from winnerr.schema.calendar.queries import CalendarQuery
from winnerr.schema.communications.mutations import CommunicationsMutation
from winnerr.schema.communications.queries import CommunicationsQuery
from winnerr.schema.deals.mutations import DealsMutation
from winnerr.schema.deals.queries import DealsQuery
from winnerr.schema.documents import KnownOperation
from winnerr.schema.execution import WinnerrExecutionContext
from winnerr.schema.exposure import SchemaExposure
from winnerr.schema.extensions import CachedParse, CachedValidation, DocumentRules, ErrorCodes, Transaction
from winnerr.schema.favorites.mutations import FavoritesMutation
from winnerr.schema.favorites.queries import FavoritesQuery
from winnerr.schema.hooks import KnownHooksRunner, resolves_fields
from winnerr.schema.integrations.mutations import IntegrationsMutation
from winnerr.schema.integrations.queries import IntegrationsQuery
from winnerr.schema.leads.mutations import LeadsMutation
from winnerr.schema.limits import DocumentLimits, unbounded_lists
from winnerr.schema.live.queries import LiveQuery
from winnerr.schema.live.subscriptions import Subscription
from winnerr.schema.members.mutations import MembersMutation
from winnerr.schema.members.queries import MembersQuery
from winnerr.schema.naming import KnownNames
from winnerr.schema.outbound.mutations import OutboundMutation
from winnerr.schema.people.mutations import PeopleMutation
from winnerr.schema.people.queries import PeopleQuery
from winnerr.schema.pipelines.queries import PipelinesQuery
from winnerr.schema.properties.mutations import PropertiesMutation
from winnerr.schema.properties.queries import PropertiesQuery
from winnerr.schema.tasks.mutations import TasksMutation
from winnerr.schema.tasks.queries import TasksQuery
from winnerr.schema.types import SCALAR_OVERRIDES
from winnerr.schema.viewer.queries import ViewerQuery
from winnerr.schema.webhooks.queries import WebhooksQuery
from winnerr.sqlplan.extension import CompiledReads

MAX_TOKENS = 5000
DOCUMENT_CACHE_SIZE = 1024
"""Parsed documents kept by their text (shared by every request; the least recently used go first)."""

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
        IntegrationsQuery,
        WebhooksQuery,
        CalendarQuery,
        AiQuery,
        MembersQuery,
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
        IntegrationsMutation,
        LeadsMutation,
        OutboundMutation,
        CalendarMutation,
    ),
)

# merge_types takes no description; the root types get theirs here.
get_object_definition(Query, strict=True).description = (
    "What can be read: every list and lookup is of your organization."
)
get_object_definition(Mutation, strict=True).description = (
    "What can be changed: each mutation is one transaction, and a refused one changes nothing."
)


class WinnerrSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Unexpected errors are logged once, with the request id, by `ErrorCodes`; expected ones are not."""

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return KnownHooksRunner(execution_context=execution_context, extensions=extensions)

    def _create_execution_context(self, *args: Any, **kwargs: Any) -> ExecutionContext:
        """Strawberry's, knowing its operation's name and type once worked out (`KnownOperation`): the same
        object, of the subclass that only adds that memo."""
        execution = super()._create_execution_context(*args, **kwargs)
        execution.__class__ = KnownOperation
        return execution

    def _get_middleware_manager(self, extensions: list[SchemaExtension]) -> MiddlewareManager:
        """Strawberry's, asking whether the extensions resolve fields once per list of their classes."""
        if resolves_fields(extensions):
            return super()._get_middleware_manager(extensions)
        return MiddlewareManager()


def build_schema(**options: Any) -> strawberry.Schema:
    """The schema with its limits (`winnerr.schema.limits`): every list of objects must have a bound."""
    built = WinnerrSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=WinnerrExecutionContext,
        config=StrawberryConfig(name_converter=KnownNames()),
        extensions=[
            OperationLog,
            partial(DocumentRules, MAX_TOKENS, (DocumentLimits,)),
            partial(CachedParse, maxsize=DOCUMENT_CACHE_SIZE),
            CachedValidation,
            Transaction,
            CostBudget,
            IdempotentMutations,
            CompiledReads,
            ErrorCodes,
            SchemaExposure,
        ],
        **options,
    )
    if unbounded := unbounded_lists(built._schema):
        raise TypeError(f"Lists of objects without a bound (see winnerr.schema.limits): {unbounded}")
    return built


schema = build_schema()
