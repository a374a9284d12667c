"""Shared aliases for resolver signatures."""

from typing import TypeAlias

import strawberry

from winnerr.context import Context

Info: TypeAlias = strawberry.Info[Context, None]
