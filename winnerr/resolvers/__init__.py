"""The use-cases: plain async functions taking the Context. Every business rule lives here."""
