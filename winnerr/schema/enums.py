"""The enums clients see: the domain's own enums, registered with Strawberry under their names."""

import strawberry

from winnerr.db.enums import DealStatus, DealType, LeadSource, PersonStatus, PropertyStatus, PropertyType, Role
from winnerr.resolvers.deals import DealSortField
from winnerr.resolvers.people import PersonSortField
from winnerr.resolvers.properties import PropertySort
from winnerr.resolvers.querying import Direction

for enum in (
    DealStatus, DealType, LeadSource, PersonStatus, PropertyStatus, PropertyType, Role,
    DealSortField, PersonSortField, PropertySort,
):
    strawberry.enum(enum)
strawberry.enum(Direction, name="Direction")

__all__ = [
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
]
