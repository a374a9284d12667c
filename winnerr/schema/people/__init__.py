"""The people part of the GraphQL schema."""
