"""Outbound communications in the GraphQL schema: `sendSms`."""
