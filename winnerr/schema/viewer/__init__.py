"""The viewer part of the GraphQL schema."""
