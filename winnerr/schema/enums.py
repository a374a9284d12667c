"""The domain's enums, exposed to GraphQL under their own names."""

import strawberry

from winnerr.db import enums
from winnerr.resolvers.deals import DealSortField
from winnerr.resolvers.people import PersonSortField
from winnerr.resolvers.properties import PropertySort
from winnerr.resolvers.querying import Direction

Role = strawberry.enum(enums.Role)
LeadSource = strawberry.enum(enums.LeadSource)
PersonStatus = strawberry.enum(enums.PersonStatus)
DealType = strawberry.enum(enums.DealType)
DealStatus = strawberry.enum(enums.DealStatus)
PropertyType = strawberry.enum(enums.PropertyType)
PropertyStatus = strawberry.enum(enums.PropertyStatus)
SortDirection = strawberry.enum(Direction, name="SortDirection")
PersonSortFieldEnum = strawberry.enum(PersonSortField)
DealSortFieldEnum = strawberry.enum(DealSortField)
PropertySortEnum = strawberry.enum(PropertySort)
