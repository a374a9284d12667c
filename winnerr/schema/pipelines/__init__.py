"""The pipelines part of the GraphQL schema."""
