"""The domain's closed vocabularies, stored as PostgreSQL enums."""

from enum import StrEnum


class Role(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    AGENT = "AGENT"
    VIEWER = "VIEWER"


class LeadSource(StrEnum):
    WEBSITE = "WEBSITE"
    REFERRAL = "REFERRAL"
    SOCIAL_MEDIA = "SOCIAL_MEDIA"
    COLD_CALL = "COLD_CALL"


class PersonStatus(StrEnum):
    PROSPECT = "PROSPECT"
    LEAD = "LEAD"
    QUALIFIED = "QUALIFIED"
    ACTIVE_CLIENT = "ACTIVE_CLIENT"
    PAST_CLIENT = "PAST_CLIENT"


class DealType(StrEnum):
    LISTING = "LISTING"
    BUYER_REPRESENTATION = "BUYER_REPRESENTATION"
    RENTAL = "RENTAL"


class DealStatus(StrEnum):
    OPEN = "OPEN"
    WON = "WON"
    LOST = "LOST"


class PropertyType(StrEnum):
    SINGLE_FAMILY = "SINGLE_FAMILY"
    CONDO = "CONDO"
    TOWNHOUSE = "TOWNHOUSE"


class PropertyStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PENDING = "PENDING"
    SOLD = "SOLD"


class CommunicationChannel(StrEnum):
    CALL = "CALL"
    SMS = "SMS"
    EMAIL = "EMAIL"
    NOTE = "NOTE"
    MEETING = "MEETING"


class Direction(StrEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class EventType(StrEnum):
    """What changed; `entity_id` names the row (the member, for presence)."""

    DEAL_CREATED = "DEAL_CREATED"
    DEAL_UPDATED = "DEAL_UPDATED"
    DEAL_MOVED = "DEAL_MOVED"
    DEAL_DELETED = "DEAL_DELETED"
    COMMUNICATION_CREATED = "COMMUNICATION_CREATED"
    TASK_CREATED = "TASK_CREATED"
    TASK_UPDATED = "TASK_UPDATED"
    MEMBER_ONLINE = "MEMBER_ONLINE"
    MEMBER_OFFLINE = "MEMBER_OFFLINE"
    MEMBER_REMOVED = "MEMBER_REMOVED"
    MEMBER_ROLE_CHANGED = "MEMBER_ROLE_CHANGED"
    MEMBER_ADDED = "MEMBER_ADDED"


class IntegrationProvider(StrEnum):
    TWILIO = "TWILIO"
    NYLAS = "NYLAS"
    STRIPE = "STRIPE"


class IntegrationStatus(StrEnum):
    ACTIVE = "ACTIVE"
    BROKEN = "BROKEN"


class CalendarEventStatus(StrEnum):
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


class SmsConsentStatus(StrEnum):
    UNKNOWN = "UNKNOWN"
    OPTED_IN = "OPTED_IN"
    OPTED_OUT = "OPTED_OUT"
