"""Constraint violations reported by PostgreSQL, told as domain errors by constraint name.

Every unique violation is a DUPLICATE_RECORD: a message of its own where one is written below, else one
naming the model and the fields of the constraint (or unique index), as declared in the models.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Index, Table, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from strawberry.utils.str_converters import to_camel_case

from winnerr.db.base import Base
from winnerr.errors import Conflict, DomainError, DuplicateRecord

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"

DUPLICATE_MESSAGES = {
    "uq_people_organization_id_email": "A person with this email already exists",
    "uq_properties_organization_id_mls_number": "A property with this MLS number already exists",
    "uq_users_email_lower": "A user with this email already exists",
    "pk_memberships": "This user is already a member",
    "uq_integrations_provider_external_id": "This provider account is already connected to an organization",
}

CONFLICT_MESSAGES = {
    "fk_deals_organization_id_person_id_people": "This person still has deals; delete or reassign them first",
    "fk_deals_organization_id_stage_id_pipeline_stages": "This stage still has deals",
}


@contextmanager
def integrity_errors() -> Iterator[None]:
    """Turn an IntegrityError raised inside the block into the matching domain error."""
    try:
        yield
    except IntegrityError as exc:
        raise translate_integrity_error(exc) from exc


def translate_integrity_error(exc: IntegrityError) -> DomainError | IntegrityError:
    """The domain error for a known constraint; the original error (a bug: INTERNAL_ERROR) otherwise."""
    cause = exc.orig.__cause__ if exc.orig is not None else None
    sqlstate = getattr(cause, "sqlstate", None)
    constraint = getattr(cause, "constraint_name", None) or ""
    if sqlstate == UNIQUE_VIOLATION:
        return DuplicateRecord(DUPLICATE_MESSAGES.get(constraint) or duplicate_message(constraint))
    if sqlstate == FOREIGN_KEY_VIOLATION and constraint in CONFLICT_MESSAGES:
        return Conflict(CONFLICT_MESSAGES[constraint])
    return exc


@cache
def duplicate_message(constraint: str) -> str:
    """"A communication with this externalId already exists": the model and the client's names of the
    fields a unique constraint or index covers (the organization's own column left out)."""
    for table in Base.metadata.tables.values():
        unique = [index for index in table.indexes if index.unique] + [
            item for item in table.constraints if isinstance(item, UniqueConstraint)
        ]
        for item in unique:
            if item.name == constraint:
                return f"A {_entity(table)} with this {_fields(item)} already exists"
    return "A record with these values already exists"


def _entity(table: Table) -> str:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return re.sub(r"(?<!^)(?=[A-Z])", " ", mapper.class_.__name__).lower()
    return "record"


def _fields(item: Index | UniqueConstraint) -> str:
    names = [to_camel_case(column.name) for column in item.columns if column.name != "organization_id"]
    return " and ".join(names) or "value"
