"""Outbound communications in the GraphQL schema: `sendSms`, `sendEmail`, `startCall`, `syncCommunications`."""
