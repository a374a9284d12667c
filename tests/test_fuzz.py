"""A fuzzer over the whole schema: queries and mutations generated from the schema itself (hypothesis-graphql),
valid and invalid, with random arguments, sent over HTTP by every role of two organizations with seeded data.

Every answer must keep the contract (tests/fuzzing.py): 200 with `data` and/or `errors`, every error coded with
one of the contract's codes and never INTERNAL_ERROR, no driver, SQL or traceback text, and none of the other
organization's ids.

The budget is fixed and the run derandomized, so CI sees the same cases every time: WINNERR_FUZZ_EXAMPLES cases
per kind (default 100; three kinds). By hand, with fresh randomness and thousands of cases:
`WINNERR_FUZZ_EXAMPLES=3000 WINNERR_FUZZ_RANDOM=1 .venv/bin/pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from tests.factories import Tenant
from tests.fuzzing import ACCEPTS, check_answer, scalar_strategies
from tests.graphql_documents import PIPELINES, seed
from tests.test_tasks import create_task
from winnerr.db.enums import Role
from winnerr.schema import schema

EXAMPLES = int(os.environ.get("WINNERR_FUZZ_EXAMPLES", "100"))
RANDOM = os.environ.get("WINNERR_FUZZ_RANDOM") == "1"
LOG = "mutation($input: LogCommunicationInput!) { logCommunication(input: $input) { id } }"


@dataclass
class Organization:
    """A tenant with seeded rows, and every id it owns."""

    tenant: Tenant
    ids: set[str]


async def _seeded(tenant: Tenant, name: str) -> Organization:
    rows = await seed(tenant, name)
    task = await create_task(tenant, personId=rows.person["id"], dealId=rows.deal["id"])
    logged = await tenant.gql(
        LOG, {"input": {"personId": rows.person["id"], "channel": "NOTE", "direction": "OUTBOUND", "body": "Hi"}}
    )
    pipelines = (await tenant.gql(PIPELINES))["pipelines"]
    ids = {rows.person["id"], rows.property["id"], rows.deal["id"], task["id"], logged["logCommunication"]["id"]}
    ids |= {pipeline["id"] for pipeline in pipelines}
    ids |= {stage["id"] for pipeline in pipelines for stage in pipeline["stages"]}
    ids |= {str(tenant.organization_id), *(str(user_id) for user_id in tenant.user_ids.values())}
    return Organization(tenant, {value.lower() for value in ids})


Documents = Callable[..., st.SearchStrategy[str]]


def _per_field(make: Documents, root: graphql.GraphQLObjectType, scalars: dict[str, Any]) -> st.SearchStrategy[str]:
    """Documents of one root field at a time, every field equally likely, so a small budget still reaches all."""
    return st.sampled_from(sorted(root.fields)).flatmap(lambda name: make(fields=[name], custom_scalars=scalars))


def _kinds(scalars: dict[str, Any]) -> dict[str, st.SearchStrategy[str]]:
    """Valid queries and mutations, and invalid documents: each breaks one argument somewhere in the schema
    (hypothesis-graphql spreads them over every argument), on a built-in scalar, so the in-range Int and
    String strategies stay out of its way."""
    graphql_schema = schema._schema
    sdl = graphql.print_schema(graphql_schema)
    query, mutation = graphql_schema.query_type, graphql_schema.mutation_type
    assert query is not None
    assert mutation is not None
    loose = {name: value for name, value in scalars.items() if name not in {"Int", "String"}}
    return {
        "valid queries": _per_field(partial(queries, sdl), query, scalars),
        "valid mutations": _per_field(partial(mutations, sdl), mutation, scalars),
        "invalid operations": st.one_of(
            queries(sdl, custom_scalars=loose, mode=Mode.NEGATIVE),
            mutations(sdl, custom_scalars=loose, mode=Mode.NEGATIVE),
        ),
    }


KINDS = ("valid queries", "valid mutations", "invalid operations")


@pytest.mark.parametrize("kind", KINDS)
async def test_every_answer_keeps_the_contract(kind: str, tenant: Tenant, other_tenant: Tenant) -> None:
    organizations = [await _seeded(tenant, "Alice"), await _seeded(other_tenant, "Bob")]
    every_id = organizations[0].ids | organizations[1].ids
    documents = _kinds(scalar_strategies(every_id))[kind]
    loop = asyncio.get_running_loop()

    def send(which: int, role: Role, accept: str, document: str) -> None:
        caller, other = organizations[which], organizations[1 - which]
        answer = asyncio.run_coroutine_threadsafe(_post(caller.tenant, role, accept, document), loop).result()
        errors = check_answer(accept, *answer, document, other.ids)
        if kind == "invalid operations" and answer[0] != 401:
            assert errors, f"an invalid document was answered without errors: {document}"

    @settings(
        max_examples=EXAMPLES,
        derandomize=not RANDOM,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        which=st.sampled_from([0, 1]),
        role=st.sampled_from(list(Role)),
        accept=st.sampled_from(ACCEPTS),
        document=documents,
    )
    def fuzz(which: int, role: Role, accept: str, document: str) -> None:
        send(which, role, accept, document)

    await asyncio.to_thread(fuzz)


async def _post(tenant: Tenant, role: Role, accept: str, document: str) -> tuple[int, str]:
    response = await tenant.client.post(
        "/graphql", json={"query": document}, headers={**tenant.headers(role), "Accept": accept}
    )
    return response.status_code, response.text

