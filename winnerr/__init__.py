"""Winnerr: the GraphQL API server behind a real-estate CRM."""

__version__ = "0.1.0"
