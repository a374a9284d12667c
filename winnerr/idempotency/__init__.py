"""`Idempotency-Key` on GraphQL mutations over HTTP: a retried mutation replays its first answer instead of running
again.

A member's key is remembered for 24 hours with a fingerprint of the request (its `query`, `operationName` and
`variables`) and the answer's `data`. Within that time the same key with the same request replays that answer
(status 200, the same `data`, header `Idempotent-Replayed: true`) and changes nothing; with another request it is
refused with CONFLICT. The key is claimed before the mutation runs and its answer written just before it commits,
in the mutation's own transaction: a crash cannot leave a mutation without its key, and a mutation that failed
(and so changed nothing) leaves no key, so retrying it runs it again. A second request with a key whose first
request is still running waits for it (PostgreSQL's unique index makes it wait on the first transaction), up to
`IDEMPOTENCY_WAIT_SECONDS`, then replays its answer, or runs if the first failed; after the wait it is refused
with CONFLICT. Queries, subscriptions and websockets ignore the header.

`keys` reads the header and fingerprints the request, `store` claims and records keys in PostgreSQL, and
`extension` applies them to each operation.
"""
