"""The integrations part of the GraphQL schema: provider accounts connected to the organization."""
