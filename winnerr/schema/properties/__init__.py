"""The properties part of the GraphQL schema."""
