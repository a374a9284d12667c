"""Demo data: the "Demo Realty" organization, its members, people, properties and deals.

Deterministic (a seeded Faker) and idempotent: a second run finds the organization and changes nothing.
People get a few messages, scored for sentiment as the API scores them. Each deal it creates is recorded
as a `DEAL_CREATED` event, as the API would, so the audit log and a
subscription's `after: 0` replay show the demo's history.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from winnerr.ai.sentiment import message_columns
from winnerr.db.enums import (
    CommunicationChannel,
    DealStatus,
    DealType,
    Direction,
    EventType,
    IntegrationProvider,
    LeadSource,
    PersonStatus,
    PropertyStatus,
    PropertyType,
    Role,
)
from winnerr.db.models import (
    Communication,
    Deal,
    Integration,
    Membership,
    Organization,
    Person,
    PipelineStage,
    Property,
)
from winnerr.resolvers.organizations import add_member, create_organization, find_user
from winnerr.subscriptions.events import Change, write_events

DEMO_ORGANIZATION = "Demo Realty"
DEMO_PASSWORD = "winnerr-demo"
DEMO_MEMBERS = (
    ("owner@demo.example.com", Role.OWNER),
    ("agent@demo.example.com", Role.AGENT),
    ("viewer@demo.example.com", Role.VIEWER),
)
PEOPLE, PROPERTIES, DEALS = 50, 30, 40
DEMO_TWILIO_NUMBER = "+14155550100"
DEMO_NYLAS_GRANT = "demo-realty-grant"
DEMO_INTEGRATIONS = (
    (IntegrationProvider.TWILIO, DEMO_TWILIO_NUMBER, "Demo Realty office line"),
    (IntegrationProvider.NYLAS, DEMO_NYLAS_GRANT, "office@demo-realty.example.com"),
)
CITIES = (("Austin", "TX", "787"), ("Denver", "CO", "802"), ("Portland", "OR", "972"), ("Raleigh", "NC", "276"))
MESSAGES = (
    (Direction.INBOUND, "We loved the house! Can't wait to see it again"),
    (Direction.INBOUND, "The inspection found mold in the basement"),
    (Direction.INBOUND, "Still thinking about it"),
    (Direction.OUTBOUND, "Following up on the showing: any questions?"),
    (Direction.INBOUND, "The price is too high for us"),
    (Direction.INBOUND, "We're under contract! Thank you"),
)
TAGS = ("first-time-buyer", "investor", "relocating", "downsizing", "pre-approved", "vip", "cash-buyer")


@dataclass(frozen=True, slots=True)
class SeedSummary:
    organization_id: uuid.UUID
    organization_name: str
    people: int
    properties: int
    deals: int
    created: bool

    def describe(self) -> str:
        verb = "created" if self.created else "already present, unchanged"
        return f"{self.people} people, {self.properties} properties, {self.deals} deals ({verb})"


async def seed(session: AsyncSession) -> SeedSummary:
    existing = await _existing(session)
    if existing is not None:
        await _connect_demo_accounts(session, existing.id)
        return await _summary(session, existing, created=False)
    owner_email, _ = DEMO_MEMBERS[0]
    organization = await create_organization(session, DEMO_ORGANIZATION, owner_email, DEMO_PASSWORD)
    for email, role in DEMO_MEMBERS[1:]:
        await add_member(session, organization.id, email=email, password=DEMO_PASSWORD, role=role)
    fake = Faker("en_US")
    fake.seed_instance(2026)
    rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
    people = [_person(fake, rng, organization.id) for _ in range(PEOPLE)]
    properties = [_property(fake, rng, organization.id, n) for n in range(PROPERTIES)]
    session.add_all([*people, *properties])
    await session.flush()
    stages = list(
        await session.scalars(
            select(PipelineStage).where(PipelineStage.organization_id == organization.id).order_by("position")
        )
    )
    deals = [_deal(fake, rng, organization.id, people, properties, stages) for _ in range(DEALS)]
    session.add_all(deals)
    session.add_all(_communications(rng, organization.id, people))
    await session.flush()
    owner = await find_user(session, owner_email)
    changes = [Change(EventType.DEAL_CREATED, deal.id) for deal in deals]
    await write_events(session, organization.id, owner.id if owner else None, changes)
    await _connect_demo_accounts(session, organization.id)
    return await _summary(session, organization, created=True)


async def _connect_demo_accounts(session: AsyncSession, organization_id: uuid.UUID) -> None:
    """The fictional Twilio number and Nylas grant of Demo Realty (kept if another organization has them)."""
    for provider, external_id, label in DEMO_INTEGRATIONS:
        await session.execute(
            insert(Integration)
            .values(organization_id=organization_id, provider=provider, external_id=external_id, label=label)
            .on_conflict_do_nothing()
        )


async def _existing(session: AsyncSession) -> Organization | None:
    owner_email, _ = DEMO_MEMBERS[0]
    owner = await find_user(session, owner_email)
    if owner is None:
        return None
    return await session.scalar(
        select(Organization)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Organization.name == DEMO_ORGANIZATION, Membership.user_id == owner.id)
    )


async def _summary(session: AsyncSession, organization: Organization, *, created: bool) -> SeedSummary:
    async def count(model: type[Person] | type[Property] | type[Deal]) -> int:
        total = await session.scalar(select(func.count()).where(model.organization_id == organization.id))
        return int(total or 0)

    return SeedSummary(
        organization.id, organization.name, await count(Person), await count(Property), await count(Deal), created
    )


def _person(fake: Faker, rng: random.Random, organization_id: uuid.UUID) -> Person:
    first, last = fake.first_name(), fake.last_name()
    city, state, zip_prefix = rng.choice(CITIES)
    return Person(
        id=uuid.uuid4(),
        organization_id=organization_id,
        first_name=first,
        last_name=last,
        email=f"{first}.{last}{rng.randint(1, 999)}@example.com".lower(),
        phone=f"+1{rng.choice(['512', '303', '503', '919'])}555{rng.randint(1000, 9999)}",
        address=fake.street_address(),
        city=city,
        state=state,
        zip_code=f"{zip_prefix}{rng.randint(10, 99)}",
        source=rng.choice(list(LeadSource)),
        status=rng.choice(list(PersonStatus)),
        last_contact_at=datetime.now(UTC) - timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23)),
        tags=rng.sample(TAGS, rng.randint(0, 3)),
        custom_fields={"preferredContact": rng.choice(["phone", "email", "text"])},
    )


def _property(fake: Faker, rng: random.Random, organization_id: uuid.UUID, n: int) -> Property:
    city, state, zip_prefix = rng.choice(CITIES)
    kind = rng.choice(list(PropertyType))
    bedrooms = rng.randint(1, 3) if kind is PropertyType.CONDO else rng.randint(2, 6)
    return Property(
        id=uuid.uuid4(),
        organization_id=organization_id,
        address=fake.street_address(),
        city=city,
        state=state,
        zip_code=f"{zip_prefix}{rng.randint(10, 99)}",
        property_type=kind,
        status=rng.choices(list(PropertyStatus), weights=(6, 2, 2))[0],
        price=Decimal(rng.randrange(250_000, 1_500_000, 5_000)),
        bedrooms=bedrooms,
        bathrooms=Decimal(rng.randint(2, bedrooms * 2)) / 2 + Decimal("0.5"),
        square_feet=rng.randrange(650, 4_800, 10),
        mls_number=f"MLS-{2026_0000 + n}",
        description=fake.paragraph(nb_sentences=3),
    )


def _deal(
    fake: Faker,
    rng: random.Random,
    organization_id: uuid.UUID,
    people: list[Person],
    properties: list[Property],
    stages: list[PipelineStage],
) -> Deal:
    person, home, stage = rng.choice(people), rng.choice(properties), rng.choice(stages)
    deal_type = rng.choice(list(DealType))
    amount = home.price if deal_type is not DealType.RENTAL else Decimal(rng.randrange(1_500, 6_000, 50)) * 12
    rate = Decimal(rng.choice(["2.5", "3.0", "3.5"]))
    closed = stage.closes_as is not None
    return Deal(
        organization_id=organization_id,
        title=f"{person.last_name} - {home.address}",
        description=fake.sentence(nb_words=10),
        deal_type=deal_type,
        amount=amount,
        commission_rate=rate,
        commission=(amount * rate / 100).quantize(Decimal("0.01")),
        status=stage.closes_as or DealStatus.OPEN,
        probability=stage.probability,
        expected_close_date=date.today() + timedelta(days=rng.randint(-30, 120)),
        actual_close_date=date.today() - timedelta(days=rng.randint(1, 60)) if closed else None,
        tags=rng.sample(("hot", "referral", "price-reduced", "multiple-offers"), rng.randint(0, 2)),
        person_id=person.id,
        property_id=home.id,
        pipeline_id=stage.pipeline_id,
        stage_id=stage.id,
    )


def _communications(rng: random.Random, organization_id: uuid.UUID, people: list[Person]) -> list[Communication]:
    """One or two messages for every other person, at their last contact."""
    messages = []
    for person in people[::2]:
        for direction, body in rng.sample(MESSAGES, rng.randint(1, 2)):
            messages.append(
                Communication(
                    organization_id=organization_id,
                    person_id=person.id,
                    channel=CommunicationChannel.SMS,
                    direction=direction,
                    body=body,
                    occurred_at=person.last_contact_at or datetime.now(UTC) - timedelta(days=rng.randint(1, 30)),
                    **message_columns(None, body),
                )
            )
    return messages
