"""The favorite deals part of the GraphQL schema."""
