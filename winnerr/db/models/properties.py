"""Properties: the homes an organization lists, shows and sells."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, Computed, Index, Integer, Numeric, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, TenantOwned, Timestamped
from winnerr.db.enums import PropertyStatus, PropertyType
from winnerr.db.models._columns import MONEY, pg_enum, tenant_key
from winnerr.db.search import PROPERTY_SEARCH_DOCUMENT


class Property(TenantOwned, Timestamped, Base):
    __tablename__ = "properties"
    __table_args__ = (
        tenant_key(),
        Index("uq_properties_organization_id_mls_number", "organization_id", "mls_number", unique=True),
        Index("ix_properties_organization_id_created_at", "organization_id", "created_at"),
        CheckConstraint("price > 0", name="price_positive"),
        Index("ix_properties_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_properties_organization_id_price", "organization_id", "price"),
    )

    address: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(50))
    zip_code: Mapped[str] = mapped_column(String(10))
    property_type: Mapped[PropertyType] = mapped_column(pg_enum(PropertyType, "property_type"))
    status: Mapped[PropertyStatus] = mapped_column(
        pg_enum(PropertyStatus, "property_status"), default=PropertyStatus.ACTIVE
    )
    price: Mapped[Decimal] = mapped_column(MONEY)
    bedrooms: Mapped[int | None] = mapped_column(Integer)
    bathrooms: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    square_feet: Mapped[int | None] = mapped_column(Integer)
    mls_number: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed(PROPERTY_SEARCH_DOCUMENT, persisted=True), deferred=True
    )
