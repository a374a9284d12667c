"""Constraint violations reported by PostgreSQL, told as domain errors by constraint name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from winnerr.errors import Conflict, DomainError, DuplicateRecord

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"

DUPLICATE_MESSAGES = {
    "uq_people_organization_id_email": "A person with this email already exists",
    "uq_properties_organization_id_mls_number": "A property with this MLS number already exists",
    "uq_users_email_lower": "A user with this email already exists",
    "pk_memberships": "This user is already a member",
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
    if sqlstate == UNIQUE_VIOLATION and constraint in DUPLICATE_MESSAGES:
        return DuplicateRecord(DUPLICATE_MESSAGES[constraint])
    if sqlstate == FOREIGN_KEY_VIOLATION and constraint in CONFLICT_MESSAGES:
        return Conflict(CONFLICT_MESSAGES[constraint])
    return exc
