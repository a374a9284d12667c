"""Storage: SQLAlchemy models, the engine, tenant scoping and migrations. Knows nothing of GraphQL."""
