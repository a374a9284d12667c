"""The enums clients see: the domain's own enums, registered with Strawberry under their names."""

import strawberry

from winnerr.db.enums import DealStatus, DealType, LeadSource, PersonStatus, PropertyStatus, PropertyType, Role
from winnerr.resolvers.deals import DealSortField
from winnerr.resolvers.people import PersonSortField
from winnerr.resolvers.properties import PropertySort
from winnerr.resolvers.querying import SortDirection

for enum in (
    DealStatus, DealType, LeadSource, PersonStatus, PropertyStatus, PropertyType, Role,
    DealSortField, PersonSortField, PropertySort,
):
    strawberry.enum(enum)
strawberry.enum(SortDirection)

__all__ = [
    "DealSortField",
    "DealStatus",
    "DealType",
    "LeadSource",
    "PersonSortField",
    "PersonStatus",
    "PropertySort",
    "PropertyStatus",
    "PropertyType",
    "Role",
    "SortDirection",
]
