"""The communications part of the GraphQL schema."""
