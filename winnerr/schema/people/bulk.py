"""Types of the bulk people mutations: each row's outcome, by its index in the request."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from winnerr.errors import ErrorCode
from winnerr.resolvers.people_bulk import RowOutcome, RowStatus
from winnerr.schema.described import described_enum
from winnerr.schema.mapping import from_row
from winnerr.schema.people.inputs import UpdatePersonInput
from winnerr.schema.people.types import Person

described_enum(
    RowStatus,
    "What became of one row of a bulk mutation.",
    {
        "CREATED": "The row made a new person (bulkCreatePeople).",
        "UPDATED": "The row changed its person (bulkUpdatePeople).",
        "DELETED": "The row's person was deleted (bulkDeletePeople).",
        "FAILED": "The row changed nothing; `code` and `issues` say why.",
    },
    name="BulkRowStatus",
)

MAX_ISSUES = 20
"""A failed row shows at most this many of its issues."""


@strawberry.type(description="One invalid field: its path (row index first in bulk results) and the problem.")
class ValidationIssue:
    path: list[str] = strawberry.field(
        description="Where the problem is, as field names and list indexes, e.g. [\"0\", \"email\"]."
    )
    message: str = strawberry.field(description="What is wrong, in English, for a developer (not translated).")


@strawberry.type(description="The outcome of one row of a bulk mutation.")
class BulkPersonRow:
    index: int = strawberry.field(description="The row's position in the request, from 0.")
    status: RowStatus = strawberry.field(description="CREATED, UPDATED, DELETED, or FAILED (then see code and issues).")
    id: strawberry.ID | None = strawberry.field(
        description="The person the row was about; null when a created row FAILED."
    )
    person: Person | None = strawberry.field(
        description="The person as stored after the row; null for deleted and FAILED rows."
    )
    code: str | None = strawberry.field(description="Why the row FAILED: one of the contract's error codes.")
    issues: list[ValidationIssue] = strawberry.field(description="At most 20 of the row's problems.")

    @classmethod
    def of(cls, outcome: RowOutcome) -> BulkPersonRow:
        code: ErrorCode | None = outcome.code
        return cls(
            index=outcome.index,
            status=outcome.status,
            id=strawberry.ID(str(outcome.id)) if outcome.id else None,
            person=from_row(Person, outcome.person) if outcome.person else None,
            code=code.value if code else None,
            issues=[
                ValidationIssue(path=[str(p) for p in i.path], message=i.message)
                for i in outcome.issues[:MAX_ISSUES]
            ],
        )


@strawberry.type(
    description="A bad row rejects only itself: the other rows are applied in the same transaction, and "
    "every row's outcome is reported by its index. At most 500 rows; more is VALIDATION_ERROR for the batch."
)
class BulkPeopleResult:
    succeeded: int = strawberry.field(description="How many rows were applied.")
    failed: int = strawberry.field(description="How many rows changed nothing (status FAILED).")
    rows: list[BulkPersonRow] = strawberry.field(description="Every row's outcome, in request order (at most 500).")

    @classmethod
    def of(cls, outcomes: Sequence[RowOutcome]) -> BulkPeopleResult:
        failed = sum(outcome.status is RowStatus.FAILED for outcome in outcomes)
        return cls(succeeded=len(outcomes) - failed, failed=failed, rows=[BulkPersonRow.of(o) for o in outcomes])


@strawberry.input(description="One row of bulkUpdatePeople: which person, and what changes.")
class BulkUpdatePersonInput:
    id: strawberry.ID = strawberry.field(
        description="The person to change; unknown or of another organization fails the row (NOT_FOUND)."
    )
    changes: UpdatePersonInput = strawberry.field(
        description="Only the fields given change, with the same limits as updatePerson."
    )
