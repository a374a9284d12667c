"""GraphQL documents and small helpers shared by the deal, property, tenancy and role tests.

People documents live with their own tests in `tests.test_people` and are re-exported here under
unambiguous names, so every test module imports its documents from one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.factories import Tenant
from tests.test_people import CREATE as CREATE_PERSON
from tests.test_people import DELETE as DELETE_PERSON
from tests.test_people import LIST as LIST_PEOPLE
from tests.test_people import READ as READ_PERSON
from tests.test_people import UPDATE as UPDATE_PERSON
from tests.test_people import count_people, create_person

__all__ = [
    "CREATE_DEAL",
    "CREATE_PERSON",
    "CREATE_PROPERTY",
    "DEAL_FIELDS",
    "DELETE_DEAL",
    "DELETE_PERSON",
    "DELETE_PROPERTY",
    "KINDS",
    "LIST_DEALS",
    "LIST_PEOPLE",
    "ME",
    "PIPELINES",
    "PROPERTY_FIELDS",
    "READ_DEAL",
    "READ_PERSON",
    "READ_PROPERTY",
    "SEARCH_PROPERTIES",
    "UPDATE_DEAL",
    "UPDATE_PERSON",
    "UPDATE_PROPERTY",
    "Kind",
    "Rows",
    "count_deals",
    "count_people",
    "count_properties",
    "create_deal",
    "create_person",
    "create_property",
    "seed",
    "stage_named",
]

DEAL_FIELDS = (
    "id title description dealType amount commission commissionRate status probability "
    "expectedCloseDate actualCloseDate tags"
)
CREATE_DEAL = f"mutation($input: CreateDealInput!) {{ createDeal(input: $input) {{ {DEAL_FIELDS} }} }}"
UPDATE_DEAL = (
    f"mutation($id: ID!, $input: UpdateDealInput!) {{ updateDeal(id: $id, input: $input) {{ {DEAL_FIELDS} }} }}"
)
READ_DEAL = f"query($id: ID!) {{ deal(id: $id) {{ {DEAL_FIELDS} }} }}"
DELETE_DEAL = "mutation($id: ID!) { deleteDeal(id: $id) }"
LIST_DEALS = """query($filter: DealFilter, $sort: DealSort, $page: Int, $limit: Int) {
  deals(filter: $filter, sort: $sort, page: $page, limit: $limit) {
    items { id title amount status dealType }
    pagination { page limit total totalPages hasNextPage hasPreviousPage }
  }
}"""

PROPERTY_FIELDS = (
    "id address city state zipCode propertyType status price bedrooms bathrooms squareFeet mlsNumber description"
)
CREATE_PROPERTY = f"mutation($input: CreatePropertyInput!) {{ createProperty(input: $input) {{ {PROPERTY_FIELDS} }} }}"
UPDATE_PROPERTY = (
    f"mutation($id: ID!, $input: UpdatePropertyInput!) {{ updateProperty(id: $id, input: $input) "
    f"{{ {PROPERTY_FIELDS} }} }}"
)
READ_PROPERTY = f"query($id: ID!) {{ property(id: $id) {{ {PROPERTY_FIELDS} }} }}"
DELETE_PROPERTY = "mutation($id: ID!) { deleteProperty(id: $id) }"
SEARCH_PROPERTIES = """query($search: PropertySearchInput) {
  properties(search: $search) {
    items { id address price }
    pagination { page limit total totalPages hasNextPage hasPreviousPage }
  }
}"""

PIPELINES = "{ pipelines { id name isDefault stages { id name position probability closesAs } } }"
ME = "{ me { user { id email } organization { id name } role permissions } }"


async def create_property(tenant: Tenant, **fields: object) -> dict[str, Any]:
    values = {
        "address": "12 Oak Street",
        "city": "Austin",
        "state": "TX",
        "zipCode": "78701",
        "propertyType": "SINGLE_FAMILY",
        "price": "450000.00",
        **fields,
    }
    created: dict[str, Any] = (await tenant.gql(CREATE_PROPERTY, {"input": values}))["createProperty"]
    return created


async def create_deal(tenant: Tenant, person_id: object, **fields: object) -> dict[str, Any]:
    values = {"title": "Oak Street listing", "dealType": "LISTING", "amount": "500000.00", "personId": person_id}
    created: dict[str, Any] = (await tenant.gql(CREATE_DEAL, {"input": {**values, **fields}}))["createDeal"]
    return created


async def count_deals(tenant: Tenant) -> int:
    total: int = (await tenant.gql(LIST_DEALS))["deals"]["pagination"]["total"]
    return total


async def count_properties(tenant: Tenant) -> int:
    total: int = (await tenant.gql(SEARCH_PROPERTIES))["properties"]["pagination"]["total"]
    return total


async def stage_named(tenant: Tenant, name: str) -> dict[str, Any]:
    """The stage called `name` in the tenant's default pipeline."""
    pipelines = (await tenant.gql(PIPELINES))["pipelines"]
    default = next(pipeline for pipeline in pipelines if pipeline["isDefault"])
    stage: dict[str, Any] = next(stage for stage in default["stages"] if stage["name"] == name)
    return stage


@dataclass(frozen=True)
class Kind:
    """The documents of one kind of record (person, deal, property), and a harmless change for its update."""

    name: str
    read: str
    update: str
    delete: str
    change: dict[str, Any]


KINDS = {
    "person": Kind("person", READ_PERSON, UPDATE_PERSON, DELETE_PERSON, {"lastName": "Changed"}),
    "deal": Kind("deal", READ_DEAL, UPDATE_DEAL, DELETE_DEAL, {"title": "Changed"}),
    "property": Kind("property", READ_PROPERTY, UPDATE_PROPERTY, DELETE_PROPERTY, {"address": "Changed"}),
}


@dataclass(frozen=True)
class Rows:
    """One organization's person, property and a deal joining them."""

    person: dict[str, Any]
    property: dict[str, Any]
    deal: dict[str, Any]

    def of(self, kind: str) -> dict[str, Any]:
        """The row of `kind`: "person", "property" or "deal"."""
        row: dict[str, Any] = getattr(self, kind)
        return row


async def seed(tenant: Tenant, name: str) -> Rows:
    """A person named `name`, a property and a deal for both, made by the tenant's current role."""
    person = await create_person(tenant, firstName=name, email=f"{name.lower()}@example.com")
    home = await create_property(tenant, address=f"{name} House")
    deal = await create_deal(tenant, person["id"], title=f"{name} deal", propertyId=home["id"])
    person = (await tenant.gql(KINDS["person"].read, {"id": person["id"]}))["person"]  # its score counts the deal
    return Rows(person, home, deal)
