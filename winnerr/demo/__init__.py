"""Demo data: the "Demo Realty" brokerage, its members, clients, homes, deals, tasks and a month of conversations.

It reads like a real brokerage: clients and homes in four real US cities with their ZIP codes, neighborhoods and
streets (`places`), prices from each place's price per square foot, deals in every stage of the pipeline with
amounts and close dates that fit the stage, tasks due soon, overdue or done, and the last 30 days of calls (with
durations), texts both ways, e-mails, notes and showings, written from scripted exchanges that follow each
client's deal (`conversations`). Messages carry their sentiment, scored as the API scores them.

Deterministic (a seeded Faker and random generator; times are relative to the day it runs) and idempotent: a
second run finds the organization and changes nothing. Each deal, communication and task it creates is recorded
as an event, as the API would: the deals first (sequences 1–40), so `dealUpdated(after: 0)` replays them.
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
from winnerr.db.engine import set_organization
from winnerr.db.enums import (
    CommunicationChannel,
    DealStatus,
    DealType,
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
    Task,
)
from winnerr.demo import conversations
from winnerr.demo.conversations import Step
from winnerr.demo.places import CITIES, City, Neighborhood
from winnerr.resolvers.organizations import add_member, create_organization, find_user
from winnerr.subscriptions.events import Change, write_events

DEMO_ORGANIZATION = "Demo Realty"
DEMO_PASSWORD = "winnerr-demo"
DEMO_MEMBERS = (
    ("owner@demo.example.com", Role.OWNER),
    ("agent@demo.example.com", Role.AGENT),
    ("viewer@demo.example.com", Role.VIEWER),
)
AGENT_NAME = "Jordan Ellis"
STAGE_SHARES = (8, 7, 7, 5, 5, 5, 3)
"""Deals per stage of the default pipeline (New Lead … Closed Lost): more early on, as in a real funnel."""
PEOPLE, PROPERTIES, DEALS = 50, 30, sum(STAGE_SHARES)
DAYS_OF_CONVERSATIONS = 30
DEMO_TWILIO_NUMBER = "+14155550100"
DEMO_NYLAS_GRANT = "demo-realty-grant"
DEMO_INTEGRATIONS = (
    (IntegrationProvider.TWILIO, DEMO_TWILIO_NUMBER, "Demo Realty office line"),
    (IntegrationProvider.NYLAS, DEMO_NYLAS_GRANT, "office@demo-realty.example.com"),
)
TAGS = ("first-time-buyer", "investor", "relocating", "downsizing", "pre-approved", "vip", "cash-buyer")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
STATUS_BY_STAGE = (
    PersonStatus.LEAD,
    PersonStatus.PROSPECT,
    PersonStatus.QUALIFIED,
    PersonStatus.QUALIFIED,
    PersonStatus.ACTIVE_CLIENT,
    PersonStatus.PAST_CLIENT,
    PersonStatus.PROSPECT,
)
CLOSE_IN_DAYS = ((60, 120), (45, 90), (30, 75), (14, 45), (-4, 30))
"""Expected close, in days from today, for an open deal in each open stage (a few under contract are late)."""
TASKS_BY_STAGE = (
    "Call {first} to qualify budget and timeline",
    "Send {first} new listings in {neighborhood}",
    "Schedule a second showing of {address}",
    "Prepare the offer paperwork for {address}",
    "Confirm inspection and appraisal dates for {address}",
    "Send {first} a closing gift",
)
OFFICE_TASKS = (("Renew the MLS membership", 20), ("Update the listing photos on the website", -3))


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


@dataclass(frozen=True, slots=True)
class Home:
    row: Property
    city: City
    neighborhood: Neighborhood


class Brokerage:
    """Makes the demo's rows, all from one seeded random generator, relative to one moment."""

    def __init__(self, organization_id: uuid.UUID, stages: list[PipelineStage], now: datetime) -> None:
        self.organization_id = organization_id
        self.stages = stages
        self.now = now
        self.fake = Faker("en_US")
        self.fake.seed_instance(2026)
        self.rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
        self._phones: dict[str, int] = {}

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def street_address(self, neighborhood: Neighborhood) -> str:
        return f"{self.rng.randint(100, 4999)} {self.rng.choice(neighborhood.streets)}"

    def phone(self, city: City) -> str:
        """A fictional number of the city's area code (555-0100 to 555-0199 are reserved for fiction)."""
        used = self._phones.get(city.area_code, 0)
        self._phones[city.area_code] = used + 1
        return f"+1{city.area_code}55501{used:02d}"

    def home(self, n: int) -> Home:
        city = CITIES[n % len(CITIES)]
        neighborhood = self.rng.choice(city.neighborhoods)
        kind = self.rng.choices(list(PropertyType), weights=(6, 3, 2))[0]
        bedrooms, square_feet = self._size(kind)
        per_square_foot = city.price_per_square_foot * neighborhood.price_factor
        price = (per_square_foot * square_feet / 5000).quantize(Decimal(1)) * 5000
        street = self.street_address(neighborhood)
        address = f"{street}, Unit {self.rng.randint(2, 24)}{'AB'[n % 2]}" if kind is PropertyType.CONDO else street
        row = Property(
            id=self.new_id(),
            organization_id=self.organization_id,
            address=address,
            city=city.name,
            state=city.state,
            zip_code=neighborhood.zip_code,
            property_type=kind,
            status=PropertyStatus.ACTIVE,
            price=price,
            bedrooms=bedrooms,
            bathrooms=Decimal(max(2, bedrooms + self.rng.randint(-1, 1))) / 2 + Decimal("0.5"),
            square_feet=square_feet,
            mls_number=f"MLS-{2026_0000 + n}",
            description=self._description(kind, bedrooms, square_feet, neighborhood),
        )
        return Home(row, city, neighborhood)

    def _size(self, kind: PropertyType) -> tuple[int, int]:
        if kind is PropertyType.CONDO:
            bedrooms = self.rng.randint(1, 3)
            return bedrooms, self.rng.randrange(600 + 250 * bedrooms, 900 + 400 * bedrooms, 10)
        if kind is PropertyType.TOWNHOUSE:
            bedrooms = self.rng.randint(2, 4)
            return bedrooms, self.rng.randrange(1100 + 200 * bedrooms, 1400 + 350 * bedrooms, 10)
        bedrooms = self.rng.randint(2, 5)
        return bedrooms, self.rng.randrange(1000 + 350 * bedrooms, 1400 + 550 * bedrooms, 10)

    def _description(self, kind: PropertyType, bedrooms: int, square_feet: int, place: Neighborhood) -> str:
        kinds = {PropertyType.SINGLE_FAMILY: "home", PropertyType.CONDO: "condo", PropertyType.TOWNHOUSE: "townhouse"}
        features = self.rng.sample(
            ("an updated kitchen", "hardwood floors", "a fenced backyard", "a two-car garage", "a covered patio",
             "new windows", "a finished basement", "mountain or skyline views", "an open floor plan",
             "a primary suite with a walk-in closet"),
            2,
        )
        return (
            f"{bedrooms}-bedroom {kinds[kind]} in {place.name}, {square_feet:,} sq ft, with {features[0]} and "
            f"{features[1]}. Close to shops, parks and transit."
        )

    def person(self, city: City, status: PersonStatus) -> Person:
        first, last = self.fake.first_name(), self.fake.last_name()
        neighborhood = self.rng.choice(city.neighborhoods)
        return Person(
            id=self.new_id(),
            organization_id=self.organization_id,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@{self.rng.choice(EMAIL_DOMAINS)}".lower(),
            phone=self.phone(city),
            address=self.street_address(neighborhood),
            city=city.name,
            state=city.state,
            zip_code=neighborhood.zip_code,
            source=self.rng.choices(list(LeadSource), weights=(5, 4, 3, 1))[0],
            status=status,
            last_contact_at=self.now - timedelta(days=self.rng.randint(35, 150), hours=self.rng.randint(0, 9)),
            tags=self.rng.sample(TAGS, self.rng.randint(0, 3)),
            custom_fields={"preferredContact": self.rng.choice(["phone", "email", "text"])},
        )

    def deal(self, person: Person, home: Home, stage_index: int) -> Deal:
        stage = self.stages[stage_index]
        deal_type = self.rng.choices(list(DealType), weights=(8, 9, 3))[0]
        price = home.row.price
        if deal_type is DealType.RENTAL:
            amount = (price * Decimal("0.0045") / 25).quantize(Decimal(1)) * 25 * 12  # a year of rent
            rate = Decimal("8.33")  # one month's rent
        else:
            amount = price
            rate = Decimal(self.rng.choice(["2.5", "2.75", "3.0"]))
        titles = {
            DealType.LISTING: f"Listing: {home.row.address}",
            DealType.BUYER_REPRESENTATION: f"{person.first_name} {person.last_name} buying {home.row.address}",
            DealType.RENTAL: f"Lease: {home.row.address} ({person.last_name})",
        }
        expected, actual = self._close_dates(stage_index)
        return Deal(
            id=self.new_id(),
            organization_id=self.organization_id,
            title=titles[deal_type],
            description=f"{home.neighborhood.name}, {home.city.name}: {home.row.description}",
            deal_type=deal_type,
            amount=amount,
            commission_rate=rate,
            commission=(amount * rate / 100).quantize(Decimal("0.01")),
            status=stage.closes_as or DealStatus.OPEN,
            probability=stage.probability,
            expected_close_date=expected,
            actual_close_date=actual,
            tags=self.rng.sample(("hot", "referral", "price-reduced", "multiple-offers"), self.rng.randint(0, 2)),
            person_id=person.id,
            property_id=home.row.id,
            pipeline_id=stage.pipeline_id,
            stage_id=stage.id,
        )

    def _close_dates(self, stage_index: int) -> tuple[date, date | None]:
        today = self.now.date()
        if stage_index < len(CLOSE_IN_DAYS):
            low, high = CLOSE_IN_DAYS[stage_index]
            return today + timedelta(days=self.rng.randint(low, high)), None
        closed = today - timedelta(days=self.rng.randint(2, 40))
        return closed - timedelta(days=self.rng.randint(-5, 10)), closed

    def conversation(self, person: Person, home: Home, steps: tuple[Step, ...]) -> list[Communication]:
        """The steps as communications over the last month, in order, each at a plausible hour."""
        values = {
            "first": person.first_name,
            "address": home.row.address,
            "neighborhood": home.neighborhood.name,
            "price": f"${home.row.price:,.0f}",
            "agent": AGENT_NAME.split()[0],
        }
        moment = self.now - timedelta(days=self.rng.uniform(DAYS_OF_CONVERSATIONS - 16, DAYS_OF_CONVERSATIONS))
        thread = f"thread-{self.new_id().hex[:16]}"
        messages = []
        for step in steps:
            moment = min(moment + timedelta(days=self.rng.uniform(0.4, 3.5)), self.now - timedelta(hours=1))
            at = moment.replace(hour=self.rng.randint(14, 23), minute=self.rng.randint(0, 59))
            messages.append(self._message(person, step, values, min(at, self.now - timedelta(minutes=30)), thread))
        person.last_contact_at = max(message.occurred_at for message in messages)
        return messages

    def _message(
        self, person: Person, step: Step, values: dict[str, str], at: datetime, thread: str
    ) -> Communication:
        subject = step.subject.format(**values) if step.subject else None
        body = step.body.format(**values)
        external = {
            CommunicationChannel.SMS: f"SM{self.new_id().hex}",
            CommunicationChannel.CALL: f"CA{self.new_id().hex}",
            CommunicationChannel.EMAIL: f"<{self.new_id().hex[:20]}@demo-realty.example.com>",
        }
        return Communication(
            id=self.new_id(),
            organization_id=self.organization_id,
            person_id=person.id,
            channel=step.channel,
            direction=step.direction,
            subject=subject,
            body=body,
            occurred_at=at,
            duration_seconds=self.rng.randint(*step.seconds) if step.seconds else None,
            external_id=external.get(step.channel),
            thread_id=thread if step.channel is CommunicationChannel.EMAIL else None,
            **message_columns(subject, body),
        )

    def due_in_days(self) -> float:
        """When a task is due: a third of them last week (some of those done), some today, the rest soon."""
        low, high = self.rng.choices(((-7.0, -0.5), (0.1, 1.0), (2.0, 14.0)), weights=(4, 2, 5))[0]
        return self.rng.uniform(low, high)

    def task(self, title: str, due_in_days: float, assignee: uuid.UUID, deal: Deal | None = None) -> Task:
        due = self.now + timedelta(days=due_in_days)
        done = due_in_days < 0 and self.rng.random() < 0.4
        return Task(
            id=self.new_id(),
            organization_id=self.organization_id,
            title=title,
            description=None,
            due_at=due.replace(hour=self.rng.choice((15, 17, 20, 22)), minute=0, second=0, microsecond=0),
            completed_at=due - timedelta(hours=self.rng.randint(1, 20)) if done else None,
            person_id=deal.person_id if deal else None,
            deal_id=deal.id if deal else None,
            assignee_id=assignee,
        )


def steps_for(deal: Deal | None, person: Person, stage_index: int | None, rng: random.Random) -> tuple[Step, ...]:
    """The exchange a client has had this month, from their deal (or, without one, their status)."""
    if deal is None or stage_index is None:
        if person.status is PersonStatus.PAST_CLIENT:
            return conversations.PAST_CLIENT
        return conversations.INQUIRY[: rng.randint(2, 4)] if person.status is PersonStatus.LEAD else ()
    if deal.deal_type is DealType.RENTAL:
        return conversations.RENTAL
    lost = stage_index == len(STAGE_SHARES) - 1
    if deal.deal_type is DealType.LISTING:
        return conversations.SELLER[:3] + conversations.LOST if lost else conversations.SELLER
    by_stage = (
        conversations.INQUIRY[:3],
        conversations.INQUIRY,
        conversations.TOURING[:4],
        conversations.TOURING,
        conversations.TOURING[-2:] + conversations.UNDER_CONTRACT,
        conversations.UNDER_CONTRACT,
        conversations.TOURING[:2] + conversations.LOST,
    )
    return by_stage[stage_index]


async def seed(session: AsyncSession) -> SeedSummary:
    existing = await _existing(session)
    if existing is not None:
        await set_organization(session, existing.id)
        await _connect_demo_accounts(session, existing.id)
        return await _summary(session, existing, created=False)
    owner_email, _ = DEMO_MEMBERS[0]
    organization = await create_organization(session, DEMO_ORGANIZATION, owner_email, DEMO_PASSWORD)
    owner = await find_user(session, owner_email)
    agent = await add_member(
        session, organization.id, email=DEMO_MEMBERS[1][0], password=DEMO_PASSWORD, role=Role.AGENT,
        full_name=AGENT_NAME,
    )
    await add_member(session, organization.id, email=DEMO_MEMBERS[2][0], password=DEMO_PASSWORD, role=Role.VIEWER)
    owner_id = owner.id if owner is not None else None
    stages = list(
        await session.scalars(
            select(PipelineStage).where(PipelineStage.organization_id == organization.id).order_by("position")
        )
    )
    brokerage = Brokerage(organization.id, stages, datetime.now(UTC))
    changes = await _book(session, brokerage, (agent.id, owner_id or agent.id))
    await write_events(session, organization.id, owner_id, changes)
    await _connect_demo_accounts(session, organization.id)
    return await _summary(session, organization, created=True)


async def _book(session: AsyncSession, brokerage: Brokerage, assignees: tuple[uuid.UUID, uuid.UUID]) -> list[Change]:
    """The brokerage's homes, clients, deals, conversations and tasks, added to the session; their events."""
    rng = brokerage.rng
    homes = [brokerage.home(n) for n in range(PROPERTIES)]
    plan = [index for index, share in enumerate(STAGE_SHARES) for _ in range(share)]
    rng.shuffle(plan)
    deals: list[Deal] = []
    people: list[Person] = []
    communications: list[Communication] = []
    tasks: list[Task] = []
    for n in range(PEOPLE):
        home = homes[n % PROPERTIES]
        stage_index = plan[n] if n < DEALS else None
        status = STATUS_BY_STAGE[stage_index] if stage_index is not None else rng.choice(
            (PersonStatus.LEAD, PersonStatus.PAST_CLIENT)
        )
        person = brokerage.person(home.city, status)
        deal = brokerage.deal(person, home, stage_index) if stage_index is not None else None
        people.append(person)
        if deal is not None and stage_index is not None:
            deals.append(deal)
            _mark_home(home.row, stage_index)
            if stage_index < len(TASKS_BY_STAGE):
                title = TASKS_BY_STAGE[stage_index].format(
                    first=person.first_name, address=home.row.address, neighborhood=home.neighborhood.name
                )
                tasks.append(brokerage.task(title, brokerage.due_in_days(), assignees[n % 2], deal))
        steps = steps_for(deal, person, stage_index, rng)
        if steps:
            communications.extend(brokerage.conversation(person, home, steps))
    tasks.extend(brokerage.task(title, days, assignees[1]) for title, days in OFFICE_TASKS)
    session.add_all([home.row for home in homes])
    session.add_all(people)
    await session.flush()
    session.add_all(deals)
    await session.flush()
    session.add_all([*communications, *tasks])
    await session.flush()
    communications.sort(key=lambda message: message.occurred_at)
    return [
        *(Change(EventType.DEAL_CREATED, deal.id) for deal in deals),
        *(Change(EventType.COMMUNICATION_CREATED, message.id) for message in communications),
        *(Change(EventType.TASK_CREATED, task.id) for task in tasks),
    ]


def _mark_home(home: Property, stage_index: int) -> None:
    """A home with a deal under offer or contract is PENDING, one with a won deal SOLD."""
    if stage_index == len(STAGE_SHARES) - 2:
        home.status = PropertyStatus.SOLD
    elif stage_index in (3, 4) and home.status is PropertyStatus.ACTIVE:
        home.status = PropertyStatus.PENDING


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
