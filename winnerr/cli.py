"""The `winnerr` command: serve, migrate, create-org, seed-demo, token, export-schema, webhooks replay."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import click

from winnerr.body_size import MAX_BODY_BYTES
from winnerr.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    import uuid

    from winnerr.db.enums import IntegrationProvider

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(f"winnerr: invalid settings\n{exc}", err=True)
        sys.exit(2)


def _database_url(settings: Settings) -> str:
    from winnerr.db.embedded import database_url

    return database_url(settings)


def _command() -> str:
    """How the user called this command (`.venv/bin/winnerr`, or `winnerr` when it is on the PATH)."""
    invoked = sys.argv[0] if sys.argv else ""
    return invoked if os.sep in invoked else "winnerr"


@contextmanager
def _reaching(url: str) -> Iterator[None]:
    """A database that cannot be reached ends the command with one line naming it (exit 1)."""
    from winnerr.db.unreachable import DatabaseUnreachable, reaching

    try:
        with reaching(url):
            yield
    except DatabaseUnreachable as exc:
        raise click.ClickException(str(exc)) from None


def _with_session(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    """Run `work(session)` in one committed transaction on the configured database, as the runtime role like
    the app: the work binds the transaction to its organization once it knows it (`set_organization`)."""
    from winnerr.db.database import Database
    from winnerr.errors import DomainError

    url = _database_url(settings)

    async def run() -> T:
        database = Database.connect(url, role=settings.database_role)
        try:
            async with database.sessions.begin() as session:
                return await work(session)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        finally:
            await database.close()

    with _reaching(url):
        return asyncio.run(run())


def _migrate(settings: Settings) -> str:
    from winnerr.db.migrate import migrate

    url = _database_url(settings)
    with _reaching(url):
        migrate(url, settings.database_role)
    return url


@click.group()
def main() -> None:
    """Winnerr: the GraphQL API server behind a real-estate CRM."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1))
def serve(host: str, port: int, workers: int) -> None:
    """Apply migrations, then serve HTTP and websockets (and the metrics on METRICS_PORT, when set)."""
    import uvicorn

    from winnerr.observability import endpoint

    settings = _settings()
    os.environ["DATABASE_URL"] = _migrate(settings)
    endpoint.prepare_workers(workers)
    endpoint.serve_on_port(settings, host)
    click.echo(f"GraphiQL: http://{host}:{port}/graphql (log in on the page)")
    click.echo(f"A token for scripts: {_command()} token --email owner@demo.example.com (after seed-demo)")
    uvicorn.run(
        "winnerr.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.winnerr_log_level.value,
        proxy_headers=bool(settings.trusted_proxies),  # X-Forwarded-For only from TRUSTED_PROXIES, else no one
        forwarded_allow_ips=settings.trusted_proxies,
        http="winnerr.one_write:OneWriteHttpProtocol",  # a response's head and body in one write
        # websockets-sansio holding less per socket (lean_websocket); events are written straight to it (fanout)
        ws="winnerr.lean_websocket:LeanWebSocketProtocol",
        ws_per_message_deflate=settings.websocket_compression,
        ws_max_size=MAX_BODY_BYTES,  # a websocket message may be as large as an HTTP body, no larger
    )


@main.command()
def migrate() -> None:
    """Apply the database migrations (alembic upgrade head)."""
    _migrate(_settings())
    click.echo("Database is up to date.")


@main.command("create-org")
@click.option("--name", required=True)
@click.option("--owner-email", required=True)
@click.option("--password", required=True)
def create_org(name: str, owner_email: str, password: str) -> None:
    """Create an organization with its default pipeline and its OWNER; print its id."""
    from winnerr.resolvers.organizations import create_organization

    settings = _settings()
    _migrate(settings)
    organization = _with_session(settings, lambda s: create_organization(s, name, owner_email, password))
    click.echo(str(organization.id))


@main.command("seed-demo")
def seed_demo() -> None:
    """Create the "Demo Realty" organization with members and data (idempotent)."""
    from winnerr.demo import DEMO_MEMBERS, DEMO_PASSWORD, seed

    settings = _settings()
    _migrate(settings)
    summary = _with_session(settings, seed)
    click.echo(f"{summary.organization_name} ({summary.organization_id}): {summary.describe()}")
    click.echo(f"Members (password {DEMO_PASSWORD!r}):")
    for email, role in DEMO_MEMBERS:
        click.echo(f"  {email}  {role.value}")
    click.echo(f"GraphiQL: /graphql on the address {_command()} serve prints (by default http://127.0.0.1:8000/graphql)")
    click.echo(f"Token:    {_command()} token --email owner@demo.example.com")


@main.command()
@click.option("--email", required=True)
@click.option("--org", "organization_id", default=None, help="Organization id, when the member has several.")
@click.option("--ttl", default=3600, show_default=True, type=click.IntRange(min=1), help="Seconds.")
def token(email: str, organization_id: str | None, ttl: int) -> None:
    """Print a signed access token for a member."""
    from winnerr.auth.tokens import issue_access_token
    from winnerr.resolvers.organizations import membership_of

    settings = _settings()
    membership = _with_session(settings, lambda s: membership_of(s, email, organization_id))
    issued = issue_access_token(
        settings, user_id=membership.user_id, organization_id=membership.organization_id, role=membership.role, ttl=ttl
    )
    click.echo(issued.token)


@main.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL SDL (the repo keeps it in schema.graphql)."""
    from winnerr.schema import schema

    click.echo(schema.as_str())


@main.group()
def webhooks() -> None:
    """The webhook inbox."""


@webhooks.command("replay")
@click.option(
    "--provider", type=click.Choice(["twilio", "nylas", "stripe"], case_sensitive=False), default=None,
    help="Only this provider's deliveries.",
)
@click.option("--id", "delivery_id", default=None, help="Only the delivery with this id.")
def webhooks_replay(provider: str | None, delivery_id: str | None) -> None:
    """Apply again the recorded deliveries not applied yet: those that failed, and unmatched ones whose
    organization has connected the account since."""
    import uuid

    from winnerr.db.enums import IntegrationProvider

    settings = _settings()
    try:
        key = uuid.UUID(delivery_id) if delivery_id is not None else None
    except ValueError:
        raise click.BadParameter("must be a delivery id (a UUID)", param_hint="--id") from None
    chosen = IntegrationProvider(provider.upper()) if provider else None
    counts = _replaying(settings, chosen, key)
    total = sum(counts.values())
    click.echo(f"Replayed {total}: " + ", ".join(f"{count} {status.lower()}" for status, count in counts.items()))


def _replaying(
    settings: Settings, provider: IntegrationProvider | None, delivery_id: uuid.UUID | None
) -> dict[str, int]:
    from winnerr.db.database import Database
    from winnerr.subscriptions.hub import Hub
    from winnerr.webhooks.handlers import HANDLERS
    from winnerr.webhooks.inbox import replay

    url = _database_url(settings)

    async def run() -> dict[str, int]:
        database = Database.connect(url, role=settings.database_role)
        hub = Hub(settings.broadcast_url or url, settings.subscriber_queue_size)
        await hub.start()
        try:
            return await replay(database, hub, HANDLERS, provider, delivery_id)
        finally:
            await hub.stop()
            await database.close()

    with _reaching(url):
        return asyncio.run(run())
