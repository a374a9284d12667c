"""Live updates in the GraphQL schema: subscriptions, the audit log, who is online."""
