"""The enums clients see: the domain's own enums, registered with Strawberry under their names."""

from winnerr.db.enums import (
    CommunicationChannel,
    DealStatus,
    DealType,
    Direction,
    LeadSource,
    PersonStatus,
    PropertyStatus,
    PropertyType,
    Role,
)
from winnerr.resolvers.deals import DealSortField
from winnerr.resolvers.people import PersonSortField
from winnerr.resolvers.properties import PropertySort
from winnerr.resolvers.querying import SortDirection
from winnerr.schema.described import described_enum

described_enum(
    DealStatus,
    "Where a deal stands: still being worked, or closed one way or the other.",
    {
        "OPEN": "Still being worked; counts in the pipeline's totals and forecast.",
        "WON": "Closed successfully (moved to a WON stage); actualCloseDate is set.",
        "LOST": "Closed without a sale (moved to a LOST stage); actualCloseDate is set.",
    },
)
described_enum(
    DealType,
    "What the brokerage does for the client in a deal.",
    {
        "LISTING": "Selling a client's home (the seller's side).",
        "BUYER_REPRESENTATION": "Helping a client buy a home (the buyer's side).",
        "RENTAL": "Renting a home out or finding one to rent.",
    },
)
described_enum(
    LeadSource,
    "How a person first came to the organization; it adds to their lead score (REFERRAL most).",
    {
        "WEBSITE": "Through the organization's website or a lead form (captureLead).",
        "REFERRAL": "Recommended by a client or a partner.",
        "SOCIAL_MEDIA": "Through a social network post, ad or message.",
        "COLD_CALL": "Reached by an agent's unsolicited call.",
    },
)
described_enum(
    PersonStatus,
    "A person's place in the client lifecycle, from first contact to past client.",
    {
        "PROSPECT": "Known but not yet shown interest.",
        "LEAD": "Has shown interest (captureLead creates people with this status).",
        "QUALIFIED": "Checked as able and ready to buy, sell or rent.",
        "ACTIVE_CLIENT": "Working with an agent now, usually with an open deal.",
        "PAST_CLIENT": "Has closed a deal before; a source of referrals.",
    },
)
described_enum(
    PropertyStatus,
    "Where a property's sale stands.",
    {
        "ACTIVE": "On the market and available.",
        "PENDING": "Under contract, not yet closed.",
        "SOLD": "Closed; no longer available.",
    },
)
described_enum(
    PropertyType,
    "The kind of home.",
    {
        "SINGLE_FAMILY": "A detached house on its own lot.",
        "CONDO": "A unit in a building whose common areas the owners share.",
        "TOWNHOUSE": "A multi-floor home sharing walls with its neighbours, with its own entrance.",
    },
)
described_enum(
    Role,
    "What a member may do in an organization (see the contract's role table; `Viewer.permissions` lists them).",
    {
        "OWNER": "Everything, including billing; there is always at least one.",
        "ADMIN": "Everything but billing: also deletes records and manages members (but not OWNERs).",
        "AGENT": "Reads everything; creates and edits people, deals, properties, tasks; logs and sends "
        "communications; exports.",
        "VIEWER": "Reads only.",
    },
)
described_enum(
    DealSortField,
    "What deals are sorted by.",
    {
        "CREATED_AT": "When the deal was created (the default, newest first).",
        "AMOUNT": "The deal's value, in the organization's currency.",
        "EXPECTED_CLOSE_DATE": "The day it is expected to close.",
        "TITLE": "The title, alphabetically.",
    },
)
described_enum(
    PersonSortField,
    "What people are sorted by.",
    {
        "NAME": "Last name, then first name, alphabetically.",
        "CREATED_AT": "When the person was added (the default, newest first).",
        "LAST_CONTACT_AT": "When they were last contacted (their latest communication).",
        "LEAD_SCORE": "Their lead score, 0–100.",
    },
)
described_enum(
    PropertySort,
    "The order of a property search.",
    {
        "NEWEST": "Most recently added first (the default).",
        "PRICE_ASC": "Cheapest first.",
        "PRICE_DESC": "Most expensive first.",
    },
)
described_enum(
    SortDirection,
    "Ascending or descending.",
    {"ASC": "Smallest, earliest or A first.", "DESC": "Largest, latest or Z first."},
)

described_enum(
    CommunicationChannel,
    "How a communication took place.",
    {
        "CALL": "A phone call (Twilio's, or logged by hand); durationSeconds and recordingUrl may be set.",
        "SMS": "A text message (Twilio's, or logged by hand).",
        "EMAIL": "An e-mail (synced from Nylas, or logged by hand).",
        "NOTE": "A note an agent wrote down; also the message of a captured lead.",
        "MEETING": "A meeting in person or by video.",
    },
)
described_enum(
    Direction,
    "Who started a communication.",
    {"INBOUND": "The person reached out to the organization.", "OUTBOUND": "The organization reached out."},
)

__all__ = [
    "CommunicationChannel",
    "DealSortField",
    "DealStatus",
    "DealType",
    "Direction",
    "LeadSource",
    "PersonSortField",
    "PersonStatus",
    "PropertySort",
    "PropertyStatus",
    "PropertyType",
    "Role",
    "SortDirection",
]
