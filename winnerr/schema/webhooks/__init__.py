"""The webhook inbox part of the GraphQL schema: what providers delivered, and how applying it went."""
