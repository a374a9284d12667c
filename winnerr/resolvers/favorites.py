"""Favorite deals: each member's own bookmarks.

A favorite is personal, so every role that may read deals (VIEWER included) may mark them; marking twice
or unmarking an unmarked deal changes nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, delete
from sqlalchemy.dialects.postgresql import insert

from winnerr.auth.permissions import Permission
from winnerr.context import Context
from winnerr.db.models import Deal, DealFavorite
from winnerr.db.scope import tenant_join
from winnerr.resolvers import records
from winnerr.resolvers.deals import ENTITY as DEAL
from winnerr.resolvers.pagination import Page, page_request, paginate


async def favorite_deal(ctx: Context, deal_id: str) -> Deal:
    ctx.principal.require(Permission.READ)
    deal = await records.fetch(ctx, Deal, deal_id, DEAL)
    added = insert(DealFavorite).values(
        organization_id=ctx.scope.organization_id, user_id=ctx.principal.user_id, deal_id=deal.id
    )
    await ctx.scope.execute(added.on_conflict_do_nothing())
    _remember(ctx, deal.id, favorite=True)
    return deal


async def unfavorite_deal(ctx: Context, deal_id: str) -> Deal:
    ctx.principal.require(Permission.READ)
    deal = await records.fetch(ctx, Deal, deal_id, DEAL)
    await ctx.scope.execute(delete(DealFavorite).where(_mine(ctx), DealFavorite.deal_id == deal.id))
    _remember(ctx, deal.id, favorite=False)
    return deal


async def favorite_deals(ctx: Context, page: int | None, limit: int | None) -> Page[Deal]:
    """A page of the caller's favorite deals, the most recently marked first."""
    ctx.principal.require(Permission.READ)
    request = page_request(page, limit)
    query = (
        ctx.scope.select(Deal)
        .join(DealFavorite, tenant_join(Deal, DealFavorite, DealFavorite.deal_id))
        .where(_mine(ctx))
        .order_by(DealFavorite.created_at.desc(), Deal.id)
    )
    return await paginate(ctx.scope, query, request)


async def is_favorite(ctx: Context, deal_id: uuid.UUID) -> bool:
    """Whether the caller marked this deal (batched across every deal of the request)."""
    return await ctx.loaders.favorite_deals_of(ctx.principal.user_id).load(deal_id)


def _mine(ctx: Context) -> ColumnElement[bool]:
    return and_(ctx.scope.where(DealFavorite), DealFavorite.user_id == ctx.principal.user_id)


def _remember(ctx: Context, deal_id: uuid.UUID, *, favorite: bool) -> None:
    """Keep `isFavorite` true to the change within the same request (a loader may have cached the old value)."""
    ctx.loaders.favorite_deals_of(ctx.principal.user_id).prime(deal_id, favorite, force=True)
