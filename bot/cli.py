"""The `jielong` command: replay, parse, console, run, export, doctor."""
from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from bot.config import Config, ConfigError, load_config


def _config(path: str) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _build_bot(config: Config, db_url: str | None, **options):
    """The bot, or one line naming the database that cannot be used and why."""
    from bot.app import build_bot
    from storage.database import UnusableDatabase

    try:
        return build_bot(config, db_url, **options)
    except UnusableDatabase as exc:
        raise click.ClickException(str(exc)) from None


def start_up_done() -> None:
    """The command has started: the imports, config, mappers and parsers made so far live
    as long as the process. When bot/__main__.py turned the collector off for start-up,
    move them out of its sight for good (gc.freeze) and turn it back on, so the work
    that follows collects as usual without walking them each time."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--version; the installed metadata is read only when asked (importlib.metadata: ~15 ms of start-up)."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("jielong")
    except PackageNotFoundError:
        found = "unknown (not installed: pip install -e . from the checkout)"
    click.echo(f"jielong {found}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", "-V", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version and exit.")
def main() -> None:
    """jielong: a WeChat group-buy (接龙) order bot."""


@main.command()
@click.argument("chat", type=click.Path(dir_okay=False))
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--db", "db_url", default=None, help="SQLAlchemy URL (default: a fresh SQLite file)")
@click.option("--orders-json", type=click.Path(dir_okay=False), default=None)
@click.option("--quiet", is_flag=True, help="do not print the conversation")
@click.option("--stats", is_flag=True, help="print timing figures to stderr")
def replay(chat: str, config_path: str, db_url: str | None, orders_json: str | None, quiet: bool,
           stats: bool) -> None:
    """Feed a recorded chat (JSONL) through the bot and print its replies."""
    import json
    import tempfile

    from bot import logs
    from bot.clock import VirtualClock
    from bot.transports.outbox import Outbox
    from bot.transports.replay import ChatFileError, printer, read_chat, replay as run_replay
    from storage.reports import orders_document

    logs.configure()
    config = _config(config_path)
    try:
        messages = read_chat(chat)
    except ChatFileError as exc:
        raise click.ClickException(str(exc)) from None
    with tempfile.TemporaryDirectory() as tmp:
        # Time is the chat's: the clock moves to each message, and the jobs due by then run first.
        bot = _build_bot(config, db_url or f"sqlite:///{tmp}/jielong.db", clock=VirtualClock())
        start_up_done()
        out = None if quiet else sys.stdout
        outbox = Outbox(bot.db, printer(out))
        result = run_replay(messages, bot.handle, out, deliver=outbox.drain, tick=bot.scheduler.run_due_jobs)
        bot.scheduler.shutdown()
        if orders_json:
            document = orders_document(bot.db)
            Path(orders_json).write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        bot.db.dispose()
    if stats:
        lat = sorted(result.latencies) or [0.0]
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
        last = result.latencies[-1] * 1000 if result.latencies else 0.0
        click.echo(f"messages={result.messages} replies={result.replies} loop={result.wall:.3f}s "
                   f"total={sum(lat):.3f}s "
                   f"p50={p(0.5):.2f}ms p99={p(0.99):.2f}ms max={lat[-1] * 1000:.2f}ms last={last:.2f}ms",
                   err=True)


@main.command()
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.argument("text", required=False)
def parse(config_path: str, text: str | None) -> None:
    """Show what a line (or a whole message on stdin) is understood as, as JSON."""
    import json

    from bot.debug import explain

    config = _config(config_path)
    source = text if text is not None else sys.stdin.read()
    click.echo(json.dumps(explain(source, config), ensure_ascii=False, indent=2))


@main.command()
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--db", "db_url", default=None, help="SQLAlchemy URL (default: [storage] url of the config)")
def console(config_path: str, db_url: str | None) -> None:
    """Chat with the bot in the terminal, typing as different people.

    \b
    You type in one room, as a customer (顾客) at first:
      苹果2斤              a message from the current speaker
      /as wxid_li 李明     speak as someone else: their id, then their name
      /admin               speak as the merchant (the first of [bot] admins)
      /quit                leave (or Ctrl-D)
    \b
    Pasting a multi-line 接龙: end every line but the last with a backslash (\\),
    e.g.  #接龙\\  then  1. 李明 苹果2斤\\  then  2. 王芳 香蕉3斤 ; the lines are
    sent as one message when a line ends without one.
    """
    from bot.transports.console import run_console

    config = _config(config_path)
    bot = _build_bot(config, db_url)
    start_up_done()
    run_console(bot, bot.config)          # admins include those bound with 绑定


@main.command()
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--db", "db_url", default=None)
def run(config_path: str, db_url: str | None) -> None:
    """Run the bot on the configured transport (wechaty, or console)."""
    import logging

    from bot import logs

    logs.configure(logging.INFO, timestamps=True)
    config = _config(config_path)
    try:
        bot = _build_bot(config, db_url)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    start_up_done()
    bot.announce_bind_code()
    web = None
    if config.web.enabled:
        from bot.web.server import Background

        web = Background(config, db_url)
        web.start()
    # Jobs run here only while this process holds the scheduler lock (PostgreSQL);
    # their replies (and the web page's notices) go out through the transport's thread-safe send.
    bot.scheduler.start()
    try:
        if config.transport == "wechaty":
            from bot.transports.wechaty import run_wechaty

            def started(send) -> None:
                bot.scheduler.deliver = lambda replies: [send(reply) for reply in replies]
                if web is not None:
                    web.deliver = bot.scheduler.deliver

            try:
                run_wechaty(config, bot, started=started)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        else:
            from bot.transports.console import run_console
            from bot.transports.replay import format_reply

            bot.scheduler.deliver = lambda replies: [click.echo("\n" + format_reply(r)) for r in replies]
            if web is not None:
                web.deliver = bot.scheduler.deliver
            run_console(bot, bot.config)
    finally:
        bot.scheduler.shutdown()
        if web is not None:
            web.stop()


@main.command()
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--db", "db_url", default=None, help="SQLAlchemy URL (default: [storage] url)")
@click.option("--host", default=None, help="address to bind (default: [web] host, 127.0.0.1)")
@click.option("--port", type=int, default=None, help="port (default: [web] port, 8080)")
def web(config_path: str, db_url: str | None, host: str | None, port: int | None) -> None:
    """Serve the merchant's web page (log in with a link from 后台 or `jielong login-link`)."""
    import logging

    from bot import logs

    logs.configure(logging.INFO, timestamps=True)
    config = _config(config_path)
    from bot.web.server import serve

    start_up_done()
    serve(config, db_url, host, port)


@main.command("login-link")
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--db", "db_url", default=None, help="SQLAlchemy URL (default: [storage] url)")
@click.option("--admin", required=True, help="the admin's contact id (one of [bot] admins)")
@click.option("--base-url", default=None, help="how the page is reached (default: [web] base_url)")
def login_link(config_path: str, db_url: str | None, admin: str, base_url: str | None) -> None:
    """Print a one-time login link to the web page (10 minutes, single use)."""
    from datetime import datetime, timezone

    from bot.merchant.login_links import NotAdmin, login_link as make_link
    from storage.database import Database

    config = _config(config_path)
    db = Database(db_url or config.database_url or None)
    try:
        with db.transaction() as connection:
            url = make_link(connection, config, admin, datetime.now(timezone.utc), base_url)
    except NotAdmin:
        raise click.ClickException(f"{admin!r} is not one of the admins in {config_path} ([bot] admins)") from None
    finally:
        db.dispose()
    click.echo(url)


@main.command()
@click.option("--db", "db_url", required=True, help="SQLAlchemy URL of the bot's database")
@click.option("--round", "round_id", type=int, default=None, help="round id (default: the newest)")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@click.option("--config", "config_path", default=None, type=click.Path(dir_okay=False),
              help="for pickup points and admins on the delivery sheet and bills")
def export(db_url: str, round_id: int | None, fmt: str, out: str, config_path: str | None) -> None:
    """Write a round's orders, pick list, delivery sheet and bills to Excel (or CSV)."""
    from bot.merchant.exports import ExportError, export_round
    from storage.database import UnusableDatabase

    config = _config(config_path) if config_path else Config()
    start_up_done()             # an export of a big round makes garbage worth collecting
    try:
        rnd = export_round(db_url, Path(out), round_id=round_id, fmt=fmt,
                           pickup_points=config.pickup_points, admins=sorted(config.admins),
                           timezone=config.schedule.timezone)
    except (ExportError, UnusableDatabase) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{out}: 第{rnd.number}团（id {rnd.id}）{rnd.title} {len(rnd.orders)}单", err=True)


@main.command()
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--db", "db_url", default=None, help="SQLAlchemy URL (default: [storage] url of the config)")
def doctor(config_path: str, db_url: str | None) -> None:
    """Check a deployment: config, database, puppet service, CJK font, timezone.

    One line per check; a FAIL line says what is wrong and how to fix it, and
    the exit status is 1. Nothing is changed.
    """
    from bot.doctor import diagnose

    start_up_done()
    findings = diagnose(config_path, db_url)
    for finding in findings:
        click.echo(finding.line())
    if any(f.ok is False for f in findings):
        raise SystemExit(1)
