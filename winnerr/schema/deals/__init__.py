"""The deals part of the GraphQL schema."""
