"""The tasks part of the GraphQL schema."""
