"""Authentication and authorization: tokens, passwords, the principal, roles and the /auth routes."""
