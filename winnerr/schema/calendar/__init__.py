"""The calendar part of the GraphQL schema: events the organization's connected calendars hold."""
