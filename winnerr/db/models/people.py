"""People: the contacts an organization works with."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Computed,
    DateTime,
    Index,
    String,
    Text,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from winnerr.db.base import Base, TenantOwned, Timestamped
from winnerr.db.enums import LeadSource, PersonStatus
from winnerr.db.models._columns import pg_enum, tenant_key
from winnerr.db.search import PERSON_SEARCH_DOCUMENT


class Person(TenantOwned, Timestamped, Base):
    """A contact. Besides the indexes below, migrations create the search indexes that suggestions read:
    trigram (`ix_people_*_trgm`, where pg_trgm exists) and prefix (`ix_people_*_prefix`) indexes."""

    __tablename__ = "people"
    __table_args__ = (
        tenant_key(),
        Index("uq_people_organization_id_email", "organization_id", text("lower(email)"), unique=True),
        Index("ix_people_organization_id_created_at", "organization_id", "created_at"),
        Index("ix_people_search_vector", "search_vector", postgresql_using="gin"),
    )

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(50))
    zip_code: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[LeadSource | None] = mapped_column(pg_enum(LeadSource, "lead_source"))
    status: Mapped[PersonStatus] = mapped_column(
        pg_enum(PersonStatus, "person_status"), default=PersonStatus.PROSPECT
    )
    if TYPE_CHECKING:
        lead_score: Mapped[int]
        """0–100, computed from the person's signals: `winnerr.db.lead_scores` adds it (deferred)."""
    last_contact_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    @classmethod
    def name_expression(cls) -> ColumnElement[str]:
        """`first_name || ' ' || last_name`, rendered exactly like the expression of its trigram index."""
        name: ColumnElement[str] = cls.first_name.concat(literal_column("' '")).concat(cls.last_name)
        return name

    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed(PERSON_SEARCH_DOCUMENT, persisted=True), deferred=True
    )
