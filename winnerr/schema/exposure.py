"""What the schema tells a caller about itself: introspection (`__schema`, `__type`) as the `INTROSPECTION` setting
says (on in development, off in production unless set), and in production no "Did you mean …?" suggestions, which
would spell out field, argument, type and enum names that introspection keeps to itself.

Both follow the settings of the app that runs the operation (the Context's), so one schema serves every app.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from winnerr.context import Context
from winnerr.settings import Settings

SUGGESTION = " Did you mean "


class SchemaExposure(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        settings = self._settings()
        if settings is not None and not settings.allows_introspection:
            rules = self.execution_context.validation_rules
            self.execution_context.validation_rules = (*rules, NoSchemaIntrospectionCustomRule)
        yield
        result = self.execution_context.result
        if settings is not None and settings.is_production and result is not None and result.errors:
            result.errors = [without_suggestion(error) for error in result.errors]

    def _settings(self) -> Settings | None:
        context = self.execution_context.context
        return context.settings if isinstance(context, Context) else None


def without_suggestion(error: GraphQLError) -> GraphQLError:
    """The error without graphql-core's trailing suggestion, as a copy (validation results are cached and shared)."""
    if SUGGESTION not in error.message:
        return error
    return GraphQLError(
        error.message.rpartition(SUGGESTION)[0],
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )
