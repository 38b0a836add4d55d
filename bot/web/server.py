"""Serving the web app with uvicorn: on its own (`jielong web`) or beside the bot (`jielong run`)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.config import Config
from bot.messages import Reply
from bot.web.app import create_app

log = logging.getLogger("jielong.web")


def _server(config: Config, db_url: str | None, host: str | None, port: int | None,
            deliver: Callable[[list[Reply]], None] | None):
    import uvicorn   # only when serving

    app = create_app(config, db_url, deliver=deliver)
    # Behind a reverse proxy on the same machine (docs/web.md): trust its X-Forwarded-* headers only.
    settings = uvicorn.Config(app, host=host or config.web.host, port=port or config.web.port, log_level="info",
                              proxy_headers=True, forwarded_allow_ips="127.0.0.1")
    return uvicorn.Server(settings)


def serve(config: Config, db_url: str | None = None, host: str | None = None, port: int | None = None) -> None:
    """`jielong web`: blocks until Ctrl-C / SIGTERM. Notices the page queues are sent by the
    running bot's outbox (`jielong run`), like any reply."""
    _server(config, db_url, host, port, None).run()


class Background:
    """The page inside `jielong run`: uvicorn in a daemon thread, with its own bot object on
    the same database; notices it queues are handed to the live transport by `deliver`."""

    def __init__(self, config: Config, db_url: str | None) -> None:
        self.deliver: Callable[[list[Reply]], None] | None = None
        self.server = _server(config, db_url, None, None, self._deliver)
        self.thread = threading.Thread(target=self.server.run, name="jielong-web", daemon=True)

    def _deliver(self, replies: list[Reply]) -> None:
        if self.deliver is not None:
            self.deliver(replies)

    def start(self) -> None:
        self.thread.start()
        log.info("web page on http://%s:%s", self.server.config.host, self.server.config.port)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
