"""Members in the GraphQL schema: who belongs to the organization, with which role, and managing them."""
