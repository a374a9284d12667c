"""The compiled read path: a query whose whole selection maps onto tables becomes one SQL statement whose
JSON, built by PostgreSQL, is the response's `data` (never parsed in Python).

Strawberry stays the parser and validator and runs every limit first (tokens, depth, aliases, cost); then
`CompiledReads` (`extension`) plans the operation from the validated graphql-core document (`selection`) and
builds the statement (`sql`). It takes, over HTTP, a query operation whose roots are `deal(id)`,
`person(id)`, `property(id)`, `deals(filter, sort, page, limit)`, `people(search, filter, sort, page, limit)`,
`properties(search)`, `tasks(filter, page, limit)`, `communications(personId, channel, page, limit)`,
`pipelines` and `__typename`, and under them the column fields of the `@mapped` types (read from
`winnerr.schema.mapping`), `__typename`, the to-one relations `Deal.person`, `Deal.property`, `Deal.stage`,
`Deal.pipeline`, `Task.person`, `Task.deal` and `Communication.person`, the pages `Person.deals`,
`Property.deals`, `Person.tasks` and `Person.communications` with `{items, pagination}`, and the list
`Pipeline.stages`; aliases, fragments, `@skip`/`@include` and variables included.

Everything else falls back, whole, to the resolver path, which answers exactly as it always did:
- mutations, subscriptions, websockets, and fields with resolvers of their own (`fullName`, `counts`,
  `isFavorite`, `Task.done`, `Task.isOverdue`, `Task.assignee`, `Communication.sentiment`…): compiling them
  would mean a second definition of what they compute;
- what depends on the clock (a task filter or `Person.tasks` argument on `overdue`): a statement is kept as
  SQL text, and the resolvers read "now" in Python;
- any error: a caller without READ, arguments the resolvers' rules refuse, variables that do not coerce, an id
  that is not a UUID, and a by-id root (or the person of `communications(personId:)`) that finds nothing (the
  statement runs, sees it, and the resolver path tells NOT_FOUND with its path): errors are told by one path
  only, so they cannot drift;
- other directives, and objects of more than 50 keys (`json_build_object` takes 100 arguments).

Each statement is built once and kept as SQL text (`statements.STATEMENTS`), by document, operation name,
organization and the selection under its variables with the arguments of its lists (their filters come from the
resolvers' query builders); the ids of by-id roots are bind parameters. Permissions are checked on every request.

A document whose only variables are its by-id roots' ids has a fixed plan, which `lane` keeps once the
extension has answered it: its next requests are answered without Strawberry's executor and its extensions,
with the same answer (`lane`'s docstring says what it checks on every request).

`COMPILED_READS=off` turns it off. tests/test_sqlplan_differential.py checks it answers as the resolvers do.
"""
