"""`captureLead`: match a form's submission to a person, or create a LEAD, and log its message."""

from __future__ import annotations

from typing import Annotated

import strawberry

from winnerr.resolvers import leads
from winnerr.resolvers.leads import MatchedBy
from winnerr.schema.described import describe_values
from winnerr.schema.enums import LeadSource
from winnerr.schema.inputs import values_of
from winnerr.schema.mapping import from_row
from winnerr.schema.people.types import Person
from winnerr.schema.types import Info

strawberry.enum(
    MatchedBy,
    description="Why captureLead chose its person: EMAIL (the same e-mail, case aside), PHONE (the same number "
    "in E.164), NONE (nobody matched: a new LEAD).",
)
describe_values(
    MatchedBy,
    {
        "EMAIL": "A person with the same e-mail (case aside) was found.",
        "PHONE": "A person with the same phone number (compared in E.164) was found.",
        "NONE": "Nobody matched: a new person with status LEAD was created.",
    },
)


@strawberry.input(description="A lead from a website form or a lead portal: a name, and an e-mail or a phone.")
class CaptureLeadInput:
    name: str = strawberry.field(description="The name as given, 1–100 characters; its last word is the last name.")
    email: str | None = strawberry.field(
        default=strawberry.UNSET, description="An e-mail address; matched lower-cased."
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="A phone number in any common notation; stored and matched in E.164."
    )
    source: LeadSource | None = strawberry.field(
        default=strawberry.UNSET, description="Where it came from; WEBSITE by default."
    )
    message: str | None = strawberry.field(
        default=strawberry.UNSET, description="What they wrote, ≤ 10,000 characters."
    )
    property_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The property they asked about (NOT_FOUND if it is not the organization's).",
    )


@strawberry.type(description="The person a captured lead belongs to, and why.")
class CaptureLeadResult:
    person: Person = strawberry.field(description="The matched or new person.")
    created: bool = strawberry.field(description="Whether the person was created by this capture.")
    matched_by: MatchedBy = strawberry.field(description="Why this person.")


@strawberry.type
class LeadsMutation:
    @strawberry.mutation(
        description="Capture a lead: match a person by e-mail, else by phone, else create a LEAD; its message is "
        "logged as an INBOUND NOTE (communicationCreated is told). Needs an e-mail or a phone. AGENT and above."
    )
    async def capture_lead(
        self,
        info: Info,
        input: Annotated[
            CaptureLeadInput,
            strawberry.argument(description="The lead's name, e-mail and/or phone, and their message."),
        ],
    ) -> CaptureLeadResult:
        captured = await leads.capture_lead(info.context, values_of(input))
        return CaptureLeadResult(
            person=from_row(Person, captured.person), created=captured.created, matched_by=captured.matched_by
        )
