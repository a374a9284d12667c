"""Live updates: events recorded with each change, broadcast after commit, GraphQL subscriptions, presence."""
