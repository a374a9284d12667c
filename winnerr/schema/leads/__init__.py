"""Lead intake in the GraphQL schema: `captureLead`, for website forms and lead portals."""
