"""Column types shared by several models."""

from enum import StrEnum

from sqlalchemy import Enum, ForeignKeyConstraint, Numeric, PrimaryKeyConstraint


def pg_enum(enum: type[StrEnum], name: str) -> Enum:
    """A PostgreSQL enum storing the members' values."""
    return Enum(enum, name=name, values_callable=lambda members: [member.value for member in members])


MONEY = Numeric(14, 2)


def tenant_key() -> PrimaryKeyConstraint:
    """The primary key `(organization_id, id)`: it holds the distribution column (`winnerr.db.distribution`),
    and composite foreign keys between tenant tables reference it."""
    return PrimaryKeyConstraint("organization_id", "id")


def tenant_reference(column: str, target: str, *, ondelete: str | None = None) -> ForeignKeyConstraint:
    """A foreign key that also matches the organization, so a row can never point into another tenant."""
    return ForeignKeyConstraint(
        ["organization_id", column], [f"{target}.organization_id", f"{target}.id"], ondelete=ondelete
    )
