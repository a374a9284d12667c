"""Every model, imported so that `Base.metadata` knows all tables (Alembic and the loaders rely on it)."""

from winnerr.db.models.deals import Deal
from winnerr.db.models.organizations import Membership, Organization, RefreshToken, User
from winnerr.db.models.people import Person
from winnerr.db.models.pipelines import Pipeline, PipelineStage
from winnerr.db.models.properties import Property

__all__ = [
    "Deal",
    "Membership",
    "Organization",
    "Person",
    "Pipeline",
    "PipelineStage",
    "Property",
    "RefreshToken",
    "User",
]
