"""What the app holds while it runs (settings, database, limits), and how a request reaches it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection

from winnerr.access import PRINCIPAL_KEY
from winnerr.auth.principal import Principal
from winnerr.auth.principals import PrincipalCache
from winnerr.db.database import Database
from winnerr.ratelimit import Limits
from winnerr.settings import Settings
from winnerr.subscriptions.hub import Hub
from winnerr.subscriptions.presence import Presence
from winnerr.subscriptions.sockets import OpenSockets

STATE_KEY = "winnerr"


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    database: Database
    limits: Limits
    hub: Hub
    presence: Presence
    sockets: OpenSockets
    principals: PrincipalCache

    def as_lifespan_state(self) -> dict[str, Any]:
        return {STATE_KEY: self}


def app_state(connection: HTTPConnection) -> AppState:
    state: AppState = connection.scope["state"][STATE_KEY]
    return state


def principal_of(connection: HTTPConnection) -> Principal:
    principal: Principal = connection.scope[PRINCIPAL_KEY]
    return principal
