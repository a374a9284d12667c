"""One task per organization writes each live event to every websocket of this process that subscribed to it.

A subscription starts on its socket's own path (Strawberry's: validation, permissions, the cost budget, the
replay of `after` from the events table, in `winnerr.resolvers.live`). Once it has delivered every event up to
its organization's feed's position, it *joins* the feed (`Feed.join`) and its own stream ends, without
`complete`: from then on the feed delivers its events. For each event the feed executes the selection once per
audience (same document, variables, organization and role: `winnerr.schema.live.execution`), serialises that
answer once, and writes the same bytes, with each socket's own operation id, straight to each socket's
connection (`DirectSocket`): no stream, task or queue per socket.

What stays per socket: its replay; its membership (a member event re-checks the member's sockets, which a
removed member's close with 4403, and a socket whose role changed moves to its new role's audience before the
next event is executed); its token's expiry (4401); and a socket that does not read (its connection stopped
taking writes) is closed with 1013, as is every socket of a feed that fell behind its events (its bounded queue
overflowed, `SlowConsumer`).

Events reach the feed in order, without gap or repeat (`organization_events`). A socket joins only if it has
delivered everything up to the feed's position (`Feed.position`, the last event the feed wrote or is writing); it
then gets every later event once (`Delivery.last` skips what its replay already sent).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import uuid
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from winnerr.observability.metrics import SUBSCRIPTION_DELIVERIES, SUBSCRIPTION_DROPS
from winnerr.subscriptions.broadcast import SlowConsumer
from winnerr.subscriptions.events import Notice

if TYPE_CHECKING:
    from winnerr.context import Context

logger = logging.getLogger("winnerr.broadcast")

SLOW_CONSUMER_CLOSE_CODE = 1013  # "try again later"
SLOW_CONSUMER_REASON = "Slow consumer: events arrived faster than this socket read them"
WRITES_PER_TURN = 100
"""Sockets written to before the feed lets the event loop run (about 1 ms of writes)."""
FEED_FAILED_CLOSE_CODE = 1011
FEED_FAILED_REASON = "Internal error: reconnect and resume with `after`"


class FeedUnavailable(Exception):
    """The feed ended before it started: the subscription goes on on its own path."""


class DirectSocket:
    """Text messages written straight to uvicorn's sans-I/O websocket connection, as its own `send` would,
    without the ASGI call chain (the middlewares' wrappers, Starlette's and Strawberry's)."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    @classmethod
    def of(cls, server_send: object) -> DirectSocket | None:
        """For the ASGI `send` the server gave the connection: None under another websocket implementation."""
        protocol = getattr(server_send, "__self__", None)
        return cls(protocol) if isinstance(protocol, WebSocketsSansIOProtocol) else None

    def write(self, payload: bytes, tail: bytes) -> bool:
        """Send one text message, `payload + tail`; False if the peer does not keep up (the connection paused our
        writes). A closing connection takes nothing: its close ends the subscription. Without an extension
        (compression is off by default) the frame is written here, unmasked as a server's are (RFC 6455 5.2);
        with one, websockets frames it."""
        protocol = self._protocol
        if protocol.close_sent or protocol.disconnected or protocol.transport.is_closing():
            return True
        if not protocol.writable.is_set():
            return False
        connection = protocol.conn
        if connection.state is not State.OPEN:
            return True
        if connection.extensions or connection.expect_continuation_frame:
            connection.send_text(payload + tail)
            protocol.transport.write(b"".join(connection.data_to_send()))
        else:
            protocol.transport.write(b"".join((_text_frame_header(len(payload) + len(tail)), payload, tail)))
        return True


def _text_frame_header(length: int) -> bytes:
    """The header of a final, unmasked text frame of `length` bytes."""
    if length < 126:
        return bytes((0x81, length))
    if length < 1 << 16:
        return b"\x81\x7e" + length.to_bytes(2, "big")
    return b"\x81\x7f" + length.to_bytes(8, "big")


class Counted(Protocol):
    """An operation counted against the socket's bounds (`winnerr.subscriptions.sockets.InFlight`)."""

    kept: bool

    def end(self) -> None: ...


class Executor(Protocol):
    """The subscription's executor (`winnerr.schema.live.execution.PerEventExecutionContext`)."""

    def audience_of(self, context: Context) -> Hashable: ...

    def answer(self, root: Any, context: Context) -> Awaitable[bytes]: ...


class LiveField(Protocol):
    """What a subscription field delivers (`winnerr.resolvers.live.Stream`)."""

    @property
    def types(self) -> frozenset[Any]: ...

    def accepts(self, event: Any) -> bool: ...

    def present(self, event: Any) -> Any: ...


class Delivery:
    """One websocket operation whose events its audience may deliver: set for the operation's task by the
    socket's handler (`DELIVERY`); once joined (`joined`), a member of its feed until it `leave`s."""

    __slots__ = (
        "_on_leave",
        "context",
        "executor",
        "feed",
        "group",
        "in_flight",
        "last",
        "principal",
        "socket",
        "tail",
    )

    def __init__(
        self, socket: DirectSocket, context: Context, operation_id: str, in_flight: Counted, *, legacy: bool
    ) -> None:
        self.socket = socket
        self.context = context
        self.in_flight = in_flight
        self.tail = _tail(operation_id, legacy=legacy)
        self.executor: Executor | None = None
        self.feed: Feed | None = None
        self.group: Group | None = None
        self.principal: object = None  # the context's principal when it was placed in its group
        self.last = 0
        self._on_leave: list[Callable[[], object]] = []

    @property
    def joined(self) -> bool:
        return self.feed is not None

    def on_leave(self, callback: Callable[[], object]) -> None:
        self._on_leave.append(callback)

    def leave(self) -> None:
        """Stop delivering (the client completed the operation, or the socket closed); again does nothing."""
        feed, self.feed = self.feed, None
        if feed is None:
            return
        feed.forget(self)
        callbacks, self._on_leave = self._on_leave, []
        for callback in callbacks:
            callback()


DELIVERY: ContextVar[Delivery | None] = ContextVar("winnerr_delivery", default=None)


PAYLOAD = b'{"payload":'


def _tail(operation_id: str, *, legacy: bool) -> bytes:
    """A `next` (graphql-transport-ws) or `data` (graphql-ws) message after its payload: the same bytes as
    Strawberry's message through `winnerr.graphql_app.encode_response` (the payload first)."""
    identifier = orjson.dumps(operation_id)
    if legacy:
        return b',"type":"data","id":' + identifier + b"}"
    return b',"id":' + identifier + b',"type":"next"}'


class Group:
    """The members of one audience, and the subscription executor that answers for all of them."""

    __slots__ = ("executor", "field", "key", "members")

    def __init__(self, key: Hashable, executor: Executor, field: LiveField) -> None:
        self.key = key
        self.executor = executor
        self.field = field
        self.members: dict[Delivery, None] = {}  # ordered set

    def wants(self, notice: Notice) -> bool:
        return bool(self.members) and notice.type in self.field.types

    async def answer(self, event: Any) -> bytes | None:
        """The event's answer for this audience, `payload` of its message; None if it is not for it."""
        if not self.field.accepts(event) or not self.members:
            return None
        speaker = next(iter(self.members)).context
        return await self.executor.answer(self.field.present(event), speaker)

    def write(self, sequence: int, payload: bytes, members: list[Delivery]) -> list[Delivery]:
        """Write the event to those of `members` still here that have not had it; those that do not keep up."""
        head = PAYLOAD + payload
        slow = []
        delivered = 0
        for member in members:
            if member.last >= sequence or member.group is not self:
                continue
            member.last = sequence
            delivered += 1
            if not member.socket.write(head, member.tail):
                slow.append(member)
        SUBSCRIPTION_DELIVERIES.inc(delivered)
        return slow


class Rules(Protocol):
    """What a feed asks of the live resolvers (`winnerr.resolvers.live.FeedRules`)."""

    member_events: frozenset[Any]

    def event(self, notice: Notice, row: Any) -> Any:
        """What the subscription fields present (`LiveEvent`)."""
        ...

    async def load(self, notice: Notice) -> tuple[Any, int]:
        """The event's row, and the organization's latest member change when it was read."""
        ...

    async def member_changed(self, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """Re-check one member's sockets of this process."""
        ...

    async def members_changed(self, organization_id: uuid.UUID) -> None:
        """Re-check every socket of the organization in this process."""
        ...

    def events(self, organization_id: uuid.UUID, ready: Callable[[int], None]) -> Any:
        """The organization's events from now on, in order; calls `ready` with the position it starts at."""
        ...


class Feed:
    """An organization's live events for this process's sockets that joined it, in one task."""

    def __init__(self, feeds: Feeds, organization_id: uuid.UUID, rules: Rules) -> None:
        self._feeds = feeds
        self.organization_id = organization_id
        self._rules = rules
        self.position = 0
        self._member_change = 0  # the latest member change the members' roles are known to reflect
        self._ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ready.add_done_callback(_retrieved)
        self._groups: dict[Hashable, Group] = {}
        self.holders = 0
        self.overflowed = False  # it fell behind its events: every socket holding it is a slow consumer
        self._task = asyncio.create_task(self._run(), context=contextvars.Context())  # none of its first holder's

    async def started(self) -> None:
        """Wait until the feed listens and knows its position; `FeedUnavailable` if it ended before."""
        await asyncio.shield(self._ready)

    def hold(self) -> None:
        self.holders += 1

    def release(self) -> None:
        self.holders -= 1
        if self.holders <= 0:
            self._feeds.stop(self)

    def join(self, delivery: Delivery, last: int, executor: Executor, field: LiveField) -> bool:
        """Let the feed deliver every event after `last` to the operation, if nothing between them and the
        feed's position is missing (else the caller replays up to it first). The operation then holds the feed."""
        if last < self.position or not self._ready.done() or self._task.done():
            return False
        delivery.last, delivery.feed = last, self
        delivery.executor = None  # its audience's executor answers for it: one per audience, not per socket
        delivery.in_flight.kept = True  # it stays counted until it leaves
        delivery.on_leave(delivery.in_flight.end)
        self._place(delivery, executor, field)
        self.hold()
        return True

    def forget(self, delivery: Delivery) -> None:
        self._remove(delivery)
        self.release()

    def stop(self) -> None:
        self._task.cancel()

    def _place(self, delivery: Delivery, executor: Executor, field: LiveField) -> None:
        key = executor.audience_of(delivery.context)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(key, executor, field)
        group.members[delivery] = None
        delivery.group = group
        delivery.principal = delivery.context.authenticated

    def _remove(self, delivery: Delivery) -> None:
        group, delivery.group = delivery.group, None
        if group is not None:
            group.members.pop(delivery, None)
            if not group.members and self._groups.get(group.key) is group:
                del self._groups[group.key]

    def _regroup(self) -> None:
        """Move every member whose principal changed (a new role) to the audience it now belongs to."""
        for group in list(self._groups.values()):
            changed = [member for member in group.members if member.context.authenticated is not member.principal]
            for member in changed:
                if member.context.authenticated is None:
                    continue  # refused: its socket is closing
                self._remove(member)
                self._place(member, group.executor, group.field)

    async def _run(self) -> None:
        try:
            async for notice in self._rules.events(self.organization_id, self._started):
                await self._dispatch(notice)
        except SlowConsumer:
            self.overflowed = True
            self._close_all(SLOW_CONSUMER_CLOSE_CODE, SLOW_CONSUMER_REASON)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("The live feed of %s failed; closing its sockets", self.organization_id)
            self._close_all(FEED_FAILED_CLOSE_CODE, FEED_FAILED_REASON)
        finally:
            if not self._ready.done():
                self._ready.set_exception(FeedUnavailable())
            self._feeds.forget(self)

    def _started(self, position: int) -> None:
        self.position = position
        self._ready.set_result(None)

    async def _dispatch(self, notice: Notice) -> None:
        if notice.type in self._rules.member_events and notice.entity_id is not None:
            await self._rules.member_changed(self.organization_id, notice.entity_id)
            self._member_change = max(self._member_change, notice.sequence)
        if any(group.wants(notice) for group in self._groups.values()):
            row, member_change = await self._rules.load(notice)
            if member_change > self._member_change:
                await self._rules.members_changed(self.organization_id)
                self._member_change = member_change
            self._regroup()
            answers = await self._answers(self._rules.event(notice, row), notice)
            await self._write(notice.sequence, answers)
        else:
            self._regroup()
            self.position = notice.sequence

    async def _write(self, sequence: int, answers: dict[Group, bytes]) -> None:
        """Write the event to its audiences, letting the event loop run every `WRITES_PER_TURN` sockets (requests
        go on meanwhile). The position moves first: a socket that joins meanwhile must have had this event."""
        self.position = sequence
        for group, payload in answers.items():
            members = list(group.members)
            for start in range(0, len(members), WRITES_PER_TURN):
                if start:
                    await asyncio.sleep(0)
                for member in group.write(sequence, payload, members[start : start + WRITES_PER_TURN]):
                    self._close(member, SLOW_CONSUMER_CLOSE_CODE, SLOW_CONSUMER_REASON)

    async def _answers(self, event: Any, notice: Notice) -> dict[Group, bytes]:
        """Each interested audience's answer, those that formed while others were executed included."""
        answered: dict[Group, bytes | None] = {}
        while pending := [g for g in self._groups.values() if g.wants(notice) and g not in answered]:
            for group, payload in zip(pending, await asyncio.gather(*(g.answer(event) for g in pending)), strict=True):
                answered[group] = payload
        return {group: payload for group, payload in answered.items() if payload is not None and group.members}

    def _close_all(self, code: int, reason: str) -> None:
        for group in list(self._groups.values()):
            for member in list(group.members):
                self._close(member, code, reason)

    def _close(self, member: Delivery, code: int, reason: str) -> None:
        context = member.context
        member.leave()
        if code == SLOW_CONSUMER_CLOSE_CODE:
            SUBSCRIPTION_DROPS.labels(reason="slow_consumer").inc()
        self._feeds.spawn(context.disconnect(code, reason))


def _retrieved(future: asyncio.Future[None]) -> None:
    """A feed that could not start has told its waiters (if any): nothing to warn about."""
    if not future.cancelled():
        future.exception()


class Feeds:
    """This process's feeds, one per organization with a socket that joined or is joining."""

    def __init__(self) -> None:
        self._feeds: dict[uuid.UUID, Feed] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    async def held(self, organization_id: uuid.UUID, rules: Rules) -> Feed:
        """The organization's feed, started, held by the caller until it `release`s it."""
        feed = self._feeds.get(organization_id)
        if feed is None:
            feed = self._feeds[organization_id] = Feed(self, organization_id, rules)
        feed.hold()
        try:
            await feed.started()
        except BaseException:
            feed.release()
            raise
        return feed

    def stop(self, feed: Feed) -> None:
        self.forget(feed)
        feed.stop()

    def forget(self, feed: Feed) -> None:
        if self._feeds.get(feed.organization_id) is feed:
            del self._feeds[feed.organization_id]

    def spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for feed in list(self._feeds.values()):
            self.stop(feed)
