"""WeChat through a Wechaty puppet service.

This is the only module that imports the Wechaty packages (the `wechat`
extra: `pip install -e '.[wechat]'` in the checkout, Python 3.11–3.12), and it imports
them only when `run_wechaty` is called.

A puppet service holds the WeChat account; we connect to it by endpoint and
token over gRPC, turn its `message` events into `Incoming` values for the bot
and send the bot's `Reply` values back with `message_send_text` (mention ids
included). Facts about the client that shape this code:

* `PuppetService.start()` runs the event stream and returns (or raises
  `StreamTerminatedError`) only when the stream ends; a stopped
  `PuppetService` cannot be started again, so every reconnect builds a new
  one, after an exponential backoff.
* The login arrives as an event after the stream opens; the bot's own sends
  come back as `message` events and are dropped by `from_id == login id`.
* Event handlers run inside the stream reader: they only queue work, never
  raise; one worker handles messages in order, one at a time, and one bad
  message is logged and skipped.
"""
from __future__ import annotations

import asyncio
import logging
import re
import signal
import time
import warnings
import xml.etree.ElementTree as ET
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any, Callable, Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import Config, ConfigError
from bot.messages import Incoming, Reply
from bot.transports.outbox import Outbox

log = logging.getLogger("jielong.wechaty")

BACKOFF_FIRST = 0.5          # seconds before the first reconnect
BACKOFF_MAX = 30.0
HEALTH_INTERVAL = 30.0       # ping the service this often while connected
HEALTH_TIMEOUT = 10.0
DRAIN_TIMEOUT = 5.0          # finish queued messages this long after the stream ends
CACHE_SECONDS = 60.0         # room topics and member names
SEEN_IDS = 4096              # message ids remembered against re-delivery
SEND_TIMEOUT = 30.0          # one message_send_text before the outbox counts it failed
RETRY_INTERVAL = 15.0        # how often failed sends are looked at again (the outbox backs off)


class MessageHandler(Protocol):
    def handle(self, msg: Incoming) -> list[Reply]: ...


# --------------------------------------------------------------------------
# The WeChat 接龙 app message (type 53): XML whose <title> is the whole list.
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class SolitaireEntry:
    """One line of a WeChat 接龙, with who wrote it (from solitaire_info)."""

    author: str                  # wxid
    text: str
    ts: int | None = None        # unix seconds


@dataclass(frozen=True)
class Solitaire:
    text: str                    # the list as plain text, as a member would see it
    entries: tuple[SolitaireEntry, ...] = ()


def _utf16_slice(text: str, start: int, length: int) -> str:
    """WeChat's solitaire ranges count UTF-16 code units (emoji count twice)."""
    raw = text.encode("utf-16-le")
    return raw[2 * start: 2 * (start + length)].decode("utf-16-le", errors="ignore")


def parse_solitaire(payload: str) -> Solitaire | None:
    """The 接龙 carried by a WeChat app message, or None if it is not one.

    `payload` is the message text as puppets deliver it: the `<msg>` XML,
    possibly after a `wxid:\\n` sender prefix.

    >>> xml = ('<msg><appmsg><title>#接龙\\n周五水果\\n\\n1. 李明 苹果2斤</title>'
    ...        '<type>53</type><extinfo><solitaire_info><![CDATA[<solitaire>'
    ...        '<content><i><u>wxid_li</u><t>1700000000</t><r>13-7</r></i></content>'
    ...        '</solitaire>]]></solitaire_info></extinfo></appmsg></msg>')
    >>> s = parse_solitaire(xml)
    >>> s.text.splitlines()[0], s.entries[0].author, s.entries[0].text
    ('#接龙', 'wxid_li', '李明 苹果2斤')
    >>> parse_solitaire('苹果2斤') is None
    True
    """
    start = payload.find("<msg")
    if start < 0:
        return None
    try:
        root = ET.fromstring(payload[start:].strip())
    except ET.ParseError:
        return None
    appmsg = root.find("appmsg")
    if appmsg is None or (appmsg.findtext("type") or "").strip() != "53":
        return None
    title = appmsg.findtext("title") or ""
    info = appmsg.findtext("extinfo/solitaire_info") or ""
    if not title.strip():
        return None
    if "接龙" not in title.split("\n", 1)[0]:
        title = "#接龙\n" + title
        shift = len("#接龙\n")
    else:
        shift = 0
    entries: list[SolitaireEntry] = []
    try:
        solitaire = ET.fromstring(info) if info.strip() else None
    except ET.ParseError:
        solitaire = None
    if solitaire is not None:
        for item in solitaire.iter("i"):
            author = (item.findtext("u") or "").strip()
            span = (item.findtext("r") or "").strip()
            try:
                offset, length = (int(n) for n in span.split("-"))
            except ValueError:
                continue
            line = _utf16_slice(title, offset + shift, length).strip()
            stamp = (item.findtext("t") or "").strip()
            if author and line:
                entries.append(SolitaireEntry(author, line, int(stamp) if stamp.isdigit() else None))
    return Solitaire(title, tuple(entries))


# --------------------------------------------------------------------------
# The transport
# --------------------------------------------------------------------------

def _import_puppet() -> SimpleNamespace:
    """The few Wechaty names we use, or a one-line ConfigError."""
    try:
        with warnings.catch_warnings():
            # wechaty_puppet_service.utils imports telnetlib (gone in 3.13).
            warnings.simplefilter("ignore", DeprecationWarning)
            from grpclib.exceptions import GRPCError, StreamTerminatedError
            from wechaty_puppet import FileBox, MessageType, PuppetOptions
            from wechaty_puppet_service import PuppetService
    except ImportError as exc:
        raise ConfigError(
            "the WeChat transport needs the wechat extra on Python 3.11-3.12: "
            f"pip install -e '.[wechat]' in the jielong checkout ({exc})"
        ) from None
    # Their loggers print to stderr by themselves and log the token at WARNING
    # on every connect: route them through ours, errors only.
    for name in ("PuppetService", "WechatyPuppetServiceConfig", "FileBox",
                 "WechatyPuppet.Schemas.Event", "WechatyPuppet.Schema.Base"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
        logger.setLevel(logging.ERROR)
    return SimpleNamespace(
        PuppetService=PuppetService,
        PuppetOptions=PuppetOptions,
        FileBox=FileBox,
        TEXT=MessageType.MESSAGE_TYPE_TEXT,
        connection_errors=(GRPCError, StreamTerminatedError, OSError),
    )


# XML, possibly after the "wxid_sender:\n" prefix some puppets leave on room messages
_XML = re.compile(r"\s*(?:[\w@.-]+:\s*\n)?\s*<")


class _Disconnected(Exception):
    """The connection is gone; the message says why."""


def _reason(exc: BaseException) -> str:
    first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    text = first.strip().splitlines()[0] if first.strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _TTLCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.values: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any) -> Any:
        hit = self.values.get(key)
        if hit and time.monotonic() - hit[0] < self.seconds:
            return hit[1]
        return None

    def put(self, key: Any, value: Any) -> None:
        self.values[key] = (time.monotonic(), value)

    def drop(self, match: Any) -> None:
        for key in [k for k in self.values if k == match or (isinstance(k, tuple) and k[0] == match)]:
            del self.values[key]


class WechatyTransport:
    def __init__(self, config: Config, bot: MessageHandler) -> None:
        self.config = config
        self.bot = bot
        self.endpoint = config.wechaty.endpoint.strip()
        self.token = config.wechaty.token
        self.rooms = frozenset(r.strip() for r in config.wechaty.rooms if r.strip())
        try:
            self.tz = ZoneInfo(config.schedule.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.tz = timezone.utc
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.cache = _TTLCache(CACHE_SECONDS)
        self.backoff = BACKOFF_FIRST
        self.connected = False
        self.logged_in: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.outgoing: asyncio.Queue[Reply] | None = None
        self.wechaty = _import_puppet()
        # The outbox hook (bot/transports/outbox.py): with a bot that keeps one, replies are
        # sent from its outbox table, in order, marked sent only once WeChat took
        # them, and retried with backoff while the service is down; so a crash or
        # an outage loses none. A bare MessageHandler's replies are sent directly.
        db = getattr(bot, "db", None)
        self.outbox = Outbox(db, _not_connected) if db is not None else None
        self.delivering = asyncio.Lock()
        self.login_qr: str | None = None     # the QR last drawn: a repeated scan event draws nothing

    def _show_login(self, qrcode: str | None) -> None:
        """The login QR drawn in the terminal, with its URL; drawn again only when it changes."""
        if not qrcode or qrcode == self.login_qr:
            return
        self.login_qr = qrcode
        url = f"https://wechaty.js.org/qrcode/{quote(qrcode, safe='')}"
        log.warning("the WeChat account needs a login: scan this code with the bot's WeChat, or open %s\n%s",
                    url, login_qr_text(qrcode))

    def send_soon(self, reply: Reply) -> None:
        """Send a reply nobody asked for (a reminder) once logged in; any thread may call this."""
        if self.loop is None or self.outgoing is None:
            raise RuntimeError("the WeChat transport is not running")
        self.loop.call_soon_threadsafe(self.outgoing.put_nowait, reply)

    # -- the reconnect loop ---------------------------------------------------

    async def run(self, started: Callable[[Callable[[Reply], None]], None] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.outgoing = asyncio.Queue()
        if started is not None:
            started(self.send_soon)
        warm = getattr(self.bot, "warm", None)
        if warm is not None:
            # a rehearsal, rolled back, before connecting: the first real message
            # does not wait for grammars, caches and statement compilation
            await asyncio.to_thread(warm)
        while True:
            log.info("connecting to the Wechaty puppet service at %s", self.endpoint)
            self.connected = False
            reason = "the event stream ended"
            try:
                await self._connection()
            except _Disconnected as exc:
                reason = str(exc)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # anything the client raises means: reconnect
                reason = _reason(exc)
            delay = self.backoff
            self.backoff = min(self.backoff * 2, BACKOFF_MAX)
            if self.connected:
                log.warning("disconnected from %s (%s); reconnecting in %.1f s", self.endpoint, reason, delay)
            else:
                log.warning("cannot connect to %s (%s); retrying in %.1f s", self.endpoint, reason, delay)
            await asyncio.sleep(delay)

    async def _connection(self) -> None:
        options = self.wechaty.PuppetOptions(end_point=self.endpoint, token=self.token)
        puppet = self.wechaty.PuppetService(options)
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def on_heartbeat(_payload: Any) -> None:
            # the service greets every new event stream with a heartbeat
            if not self.connected:
                self.connected = True
                log.info("connected to %s", self.endpoint)

        def guarded(kind: str):
            def handler(payload: Any = None) -> None:
                try:
                    if kind == "heartbeat":
                        on_heartbeat(payload)
                    elif kind == "message":
                        queue.put_nowait(("message", payload.message_id))
                    elif kind == "login":
                        queue.put_nowait(("login", payload.contact_id))
                    elif kind == "logout":
                        log.warning("the WeChat account logged out (%s)", getattr(payload, "data", "") or "no reason given")
                    elif kind == "room-topic":
                        self.cache.drop(payload.room_id)
                    elif kind == "error":
                        log.warning("puppet service error: %s", payload)
                    elif kind == "scan":
                        self._show_login(getattr(payload, "qrcode", None))
                except Exception:  # never let a handler break the stream reader
                    log.exception("handling a %s event", kind)
            return handler

        for kind in ("heartbeat", "message", "login", "logout", "room-topic", "error", "scan"):
            puppet.on(kind, guarded(kind))

        self.logged_in = asyncio.Event()
        stream = asyncio.create_task(puppet.start(), name="wechaty-stream")
        worker = asyncio.create_task(self._work(puppet, queue), name="wechaty-worker")
        health = asyncio.create_task(self._watch(puppet), name="wechaty-health")
        sender = asyncio.create_task(self._send_unprompted(puppet, self.logged_in), name="wechaty-sender")
        tasks = (stream, worker, health, sender)
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if health in done:
                health.result()  # raises _Disconnected
            for task in (worker, sender):
                if task in done:
                    task.result()  # they never end by themselves; surface why
            # the stream ended: let the worker finish what already arrived
            if not worker.done():
                try:
                    await asyncio.wait_for(queue.join(), DRAIN_TIMEOUT)
                except asyncio.TimeoutError:
                    log.warning("dropping %d queued message(s) after the disconnect", queue.qsize())
            stream.result()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._close(puppet)

    @staticmethod
    def _close(puppet: Any) -> None:
        try:
            puppet._event_stream.remove_all_listeners()
            if puppet.channel is not None:
                puppet.channel.close()
        except Exception:
            log.debug("closing the gRPC channel", exc_info=True)

    async def _watch(self, puppet: Any) -> None:
        """A half-open TCP connection never ends the stream: ping it."""
        while True:
            await asyncio.sleep(HEALTH_INTERVAL)
            if puppet._puppet_stub is None:
                continue
            try:
                await asyncio.wait_for(puppet.ding("jielong"), HEALTH_TIMEOUT)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                raise _Disconnected(f"the service stopped answering: {_reason(exc)}") from None

    # -- events ---------------------------------------------------------------

    async def _work(self, puppet: Any, queue: asyncio.Queue[tuple[str, Any]]) -> None:
        while True:
            kind, value = await queue.get()
            try:
                if kind == "login":
                    await self._on_login(puppet, value)
                else:
                    await self._on_message(puppet, value)
            except asyncio.CancelledError:
                raise
            except self.wechaty.connection_errors as exc:   # the connection, not the message
                log.warning("skipping %s %s: %s", kind, value, _reason(exc))
            except Exception:
                log.exception("skipping %s %s", kind, value)
            finally:
                queue.task_done()

    async def _on_login(self, puppet: Any, contact_id: str) -> None:
        self.login_qr = None
        name = contact_id
        try:
            name = (await puppet.contact_payload(contact_id)).name or contact_id
        except Exception:
            log.debug("no contact payload for the login user", exc_info=True)
        self.backoff = BACKOFF_FIRST
        log.info("logged in to WeChat as %s (%s)", name, contact_id)
        if self.logged_in is not None:
            self.logged_in.set()

    async def _send_unprompted(self, puppet: Any, logged_in: asyncio.Event) -> None:
        """Replies from outside the chat (the scheduler's), once the account is logged in."""
        assert self.outgoing is not None
        await logged_in.wait()
        me = puppet.login_user_id or ""
        await self._deliver(puppet, me, ())          # what a run before this one could not send
        while True:
            try:
                reply = await asyncio.wait_for(self.outgoing.get(), RETRY_INTERVAL if self.outbox else None)
            except asyncio.TimeoutError:
                await self._deliver(puppet, me, ())      # failed sends whose backoff has passed
                continue
            await self._deliver(puppet, me, [reply])

    async def _deliver(self, puppet: Any, me: str, replies: Any) -> None:
        """Send replies: through the outbox when the bot has one (then `replies`
        are already in it, unsent), else one by one, logging failures."""
        if self.outbox is None:
            for reply in replies:
                await self._send(puppet, reply, me)
            return
        loop = asyncio.get_running_loop()

        def send(reply: Reply) -> None:   # runs in the drain's thread; raises when WeChat refuses
            asyncio.run_coroutine_threadsafe(self._send_raw(puppet, reply, me), loop).result(SEND_TIMEOUT)

        async with self.delivering:           # one drain at a time: no reply sent twice
            self.outbox.send = send
            await asyncio.to_thread(self.outbox.drain)

    async def _on_message(self, puppet: Any, message_id: str) -> None:
        if message_id in self.seen:
            return
        me = puppet.login_user_id
        if not me:
            log.warning("message %s arrived before the login; skipped", message_id)
            return
        payload = await puppet.message_payload(message_id)
        if payload.from_id == me or not payload.from_id:
            return                                   # our own send, echoed back
        text = payload.text or ""
        # A WeChat 接龙 is an app message (some puppets type it as text): read its list.
        solitaire = parse_solitaire(text) if _XML.match(text) else None
        if solitaire is not None:
            text = solitaire.text
        elif payload.type != self.wechaty.TEXT:
            return                                   # images, voice, cards, links, recalls
        if not text.strip():
            return
        room_id = payload.room_id or None
        room_name = None
        if room_id:
            room_name = await self._room_topic(puppet, room_id)
            if self.rooms and room_id not in self.rooms and room_name not in self.rooms:
                return
        elif not self.config.wechaty.allow_private:
            return
        name = await self._display_name(puppet, room_id, payload.from_id)
        mentions = tuple(self.config.bot_id if m == me else m for m in payload.mention_ids or ())
        incoming = Incoming(
            id=payload.id or message_id,
            ts=self._timestamp(payload.timestamp),
            room=room_id,
            sender=payload.from_id,
            name=name,
            text=text,
            mentions=mentions,
            room_name=room_name,
        )
        log.debug("in %s from %s: %s", room_name or "private", name, text)
        replies = await asyncio.to_thread(self.bot.handle, incoming)
        self._remember(message_id)
        await self._deliver(puppet, me, replies or ())

    def _remember(self, message_id: str) -> None:
        self.seen[message_id] = None
        while len(self.seen) > SEEN_IDS:
            self.seen.popitem(last=False)

    def _timestamp(self, value: int) -> datetime:
        if not value:
            return datetime.now(self.tz)
        seconds = value / 1000 if value > 10**11 else value   # puppets send ms or s
        return datetime.fromtimestamp(seconds, tz=self.tz)

    async def _room_topic(self, puppet: Any, room_id: str) -> str | None:
        topic = self.cache.get(room_id)
        if topic is None:
            try:
                topic = (await puppet.room_payload(room_id)).topic or ""
            except Exception:
                log.warning("no topic for room %s", room_id, exc_info=True)
                return None
            self.cache.put(room_id, topic)
        return topic or None

    async def _display_name(self, puppet: Any, room_id: str | None, contact_id: str) -> str:
        key = (room_id or "", contact_id)
        name = self.cache.get(key)
        if name:
            return name
        name = ""
        if room_id:
            try:
                member = await puppet.room_member_payload(room_id, contact_id)
                name = member.room_alias or member.name
            except Exception:
                log.debug("no member payload for %s in %s", contact_id, room_id, exc_info=True)
        if not name:
            try:
                contact = await puppet.contact_payload(contact_id)
                name = contact.name
            except Exception:
                log.debug("no contact payload for %s", contact_id, exc_info=True)
        name = name or contact_id
        self.cache.put(key, name)
        return name

    async def _send_raw(self, puppet: Any, reply: Reply, me: str) -> None:
        mentions = [me if m == self.config.bot_id else m for m in reply.mentions]
        if reply.text:
            await puppet.message_send_text(reply.to, reply.text, mentions)
        for attachment in reply.attachments:
            await self._send_file(puppet, reply.to, attachment)

    async def _send(self, puppet: Any, reply: Reply, me: str) -> None:
        try:
            await self._send_raw(puppet, reply, me)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("could not send a reply to %s: %s", reply.to, _reason(exc))
            log.debug("sending a reply", exc_info=True)

    async def _send_file(self, puppet: Any, to: str, attachment: Any) -> None:
        try:
            box = self.wechaty.FileBox.from_file(str(attachment.path), name=attachment.path.name)
            await puppet.message_send_file(to, box)
        except Exception:
            log.warning("could not send %s as a file; sending its path", attachment.path, exc_info=True)
            await puppet.message_send_text(to, str(attachment.path), [])


def login_qr_text(data: str) -> str:
    """`data` as a QR code of half-block characters, for a terminal or a log viewer."""
    import io

    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(data)
    code.make(fit=True)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)     # dark modules drawn light: reads on dark terminals
    return out.getvalue().rstrip("\n")


def _not_connected(_reply: Reply) -> None:
    raise ConnectionError("not connected to the puppet service")


def run_wechaty(config: Config, bot: MessageHandler,
                started: Callable[[Callable[[Reply], None]], None] | None = None) -> None:
    """Serve `bot` on WeChat through the configured puppet service, until stopped.

    Blocks; reconnects for ever; returns on Ctrl-C or SIGTERM. Raises
    ConfigError (one line) if the endpoint or token is missing or the wechat
    extra is not installed.

    `started`, if given, is called once, on the transport's event loop, with
    a thread-safe `send(reply)`: hand it to the scheduler so reminders reach
    WeChat (they wait for the next login if the service is down).
    """
    if not config.wechaty.endpoint.strip():
        raise ConfigError(f"{config.source or 'config'}: [wechaty] endpoint is required (host:port of the puppet service)")
    if not config.wechaty.token:
        raise ConfigError(f"{config.source or 'config'}: [wechaty] token is required")
    transport = WechatyTransport(config, bot)

    async def main() -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
        except (NotImplementedError, RuntimeError):
            pass
        try:
            await transport.run(started)
        except asyncio.CancelledError:
            log.info("stopped")

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        log.info("stopped")
