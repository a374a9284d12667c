"""Every model, imported so that `Base.metadata` knows all tables (Alembic and the loaders rely on it)."""

from winnerr.db import lead_scores  # noqa: F401  (adds Person.lead_score, an expression over the others)
from winnerr.db.models.calendar import CalendarEvent
from winnerr.db.models.communications import Communication
from winnerr.db.models.consent import SmsConsent
from winnerr.db.models.deals import Deal
from winnerr.db.models.events import Event, PresenceEntry
from winnerr.db.models.favorites import DealFavorite
from winnerr.db.models.idempotency import IdempotencyKey
from winnerr.db.models.integrations import Billing, Integration
from winnerr.db.models.organizations import Invitation, Membership, Organization, RefreshToken, User
from winnerr.db.models.people import Person
from winnerr.db.models.pipelines import Pipeline, PipelineStage
from winnerr.db.models.properties import Property
from winnerr.db.models.tasks import Task
from winnerr.db.models.webhooks import WebhookDelivery

__all__ = [
    "Billing",
    "CalendarEvent",
    "Communication",
    "Deal",
    "DealFavorite",
    "Event",
    "IdempotencyKey",
    "Integration",
    "Invitation",
    "Membership",
    "Organization",
    "Person",
    "Pipeline",
    "PipelineStage",
    "PresenceEntry",
    "Property",
    "RefreshToken",
    "SmsConsent",
    "Task",
    "User",
    "WebhookDelivery",
]
