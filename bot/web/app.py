"""The merchant's web page as a Starlette app: server-rendered, mobile first.

Reads the bot's database for its pages; every change goes through the same
service code as the chat command that does the same thing (bot.fulfilment,
bot.question_queue), in one unit of work run as the merchant (`Bot.act`),
so the order history names them and the group gets the same notices,
queued in the outbox.

Nothing about a customer is shown without a session: a session comes only
from a one-time login link (bot.web.links), and sets a signed cookie that
names the admin and carries the CSRF token every POST form must echo.
"""
from __future__ import annotations

import logging
import secrets
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot.app import build_bot
from bot.clock import as_local
from bot.config import Config
from bot.merchant import fulfilment, question_queue
from bot.merchant.charts import round_chart
from bot.merchant.exports import file_name, write_xlsx
from bot.merchant.login_links import base_url as public_url
from bot.merchant.reports import bills, delivery_groups, figures, product_totals
from bot.messages import Reply
from bot.web import text
from bot.web.proposals import proposals
from parsers.text import normalize
from storage import logins
from storage.models import Order, Question, Round
from storage.queries import count_open_questions, load_round, open_questions, round_summaries

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "jielong_session"
SESSION_AGE = 7 * 24 * 3600          # a week on the merchant's phone, then a new link
ACTIONS = {"paid": "已付", "shipped": "发货", "done": "到货"}
FAILED = "没有处理成功，什么也没改，请再试一次"
log = logging.getLogger("jielong.web")


class SecurityHeaders:
    """Headers on every response: no framing, no referrer (a login link's token
    must not leak), no caching of pages that name customers."""

    HEADERS = [(b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer"),
               (b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store"),
               (b"content-security-policy",
                b"default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; "
                b"frame-ancestors 'none'")]

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [h for h in self.HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


class WebApp:
    """The page's handlers around one bot (its config, database and unit of work)."""

    def __init__(self, bot, *, deliver: Callable[[list[Reply]], None] | None = None) -> None:
        self.bot = bot
        self.config: Config = bot.config
        self.db = bot.db
        self.deliver = deliver          # `jielong run`: hand new notices to the live transport
        self.tz = ZoneInfo(self.config.schedule.timezone)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        env = self.templates.env
        env.globals.update(money=text.money, amount=text.amount, status_label=text.STATUS,
                           reason_label=text.reason, without_phones=text.without_phones,
                           bot_name=self.config.bot_name)
        env.filters["local"] = self.local_time

    # -- sessions ------------------------------------------------------------

    def admin(self, request: Request) -> str | None:
        """The logged-in admin, if still an admin of the config."""
        admin = request.session.get("admin")
        return admin if admin in self.config.admins else None

    def render(self, request: Request, name: str, status_code: int = 200, **context) -> Response:
        admin = self.admin(request)
        if admin:
            with self.db.session() as session:
                context.setdefault("waiting", count_open_questions(session))
        context.update(admin=admin, csrf=request.session.get("csrf", ""),
                       flash=request.session.pop("flash", None))
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    def local_time(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = as_local(value, self.tz)
        return f"{local.month}月{local.day}日 {local:%H:%M}"

    # -- pages ---------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        if not self.admin(request):
            return self.render(request, "login.html")
        with self.db.session() as session:
            rounds = round_summaries(session)
        return self.render(request, "rounds.html", rounds=rounds)

    async def login(self, request: Request) -> Response:
        with self.db.transaction() as connection:
            admin = logins.redeem(connection, request.path_params["token"], datetime.now(timezone.utc))
        if admin is None or admin not in self.config.admins:
            request.session.clear()
            return self.render(request, "login.html", status_code=403, refused=True)
        request.session.clear()
        request.session.update(admin=admin, csrf=secrets.token_urlsafe(24),
                               at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        return RedirectResponse("/", status_code=303)

    async def logout(self, request: Request) -> Response:
        await self.form(request)
        request.session.clear()
        return RedirectResponse("/", status_code=303)

    def _round(self, request: Request):
        with self.db.session() as session:
            return load_round(session, request.path_params["round_id"])

    async def round_page(self, request: Request) -> Response:
        if not self.admin(request):
            return RedirectResponse("/", status_code=303)
        rnd = self._round(request)
        if rnd is None:
            return self.render(request, "missing.html", status_code=404)
        status = request.query_params.get("status", "")
        product = request.query_params.get("product", "")
        query = request.query_params.get("q", "").strip()
        wanted = normalize(query).replace(" ", "")
        shown = [text.order_view(o) for o in rnd.orders
                 if (not status or (status == "unpaid" and not o.paid) or o.status == status)
                 and (not product or any(i.product == product for i in o.items))
                 and (not wanted or wanted in normalize(o.customer).replace(" ", ""))]
        numbers = figures(rnd)
        products = list(dict.fromkeys(p.product for p in numbers.products))
        return self.render(request, "round.html", rnd=rnd, figures=numbers, orders=shown, products=products,
                           status=status, product=product, q=query, tab="orders")

    async def pick_page(self, request: Request) -> Response:
        if not self.admin(request):
            return RedirectResponse("/", status_code=303)
        rnd = self._round(request)
        if rnd is None:
            return self.render(request, "missing.html", status_code=404)
        return self.render(request, "pick.html", rnd=rnd, totals=product_totals(rnd), tab="pick")

    async def delivery_page(self, request: Request) -> Response:
        if not self.admin(request):
            return RedirectResponse("/", status_code=303)
        rnd = self._round(request)
        if rnd is None:
            return self.render(request, "missing.html", status_code=404)
        groups = [(group.key, [(stop.address.label() if stop.address else "", text.order_view(stop.order))
                               for stop in group.stops])
                  for group in delivery_groups(rnd, self.config.pickup_points)]
        return self.render(request, "delivery.html", rnd=rnd, groups=groups, tab="delivery")

    async def bills_page(self, request: Request) -> Response:
        if not self.admin(request):
            return RedirectResponse("/", status_code=303)
        rnd = self._round(request)
        if rnd is None:
            return self.render(request, "missing.html", status_code=404)
        chosen = bills(rnd, self.config.admins)
        show = request.query_params.get("show", "")
        if show in ("paid", "unpaid"):
            chosen = [b for b in chosen if b.paid == (show == "paid")]
        return self.render(request, "bills.html", rnd=rnd, bills=[text.bill_view(b) for b in chosen],
                           figures=figures(rnd), show=show,
                           tab="bills")

    async def chart_page(self, request: Request) -> Response:
        if not self.admin(request):
            return RedirectResponse("/", status_code=303)
        rnd = self._round(request)
        if rnd is None:
            return self.render(request, "missing.html", status_code=404)
        return self.render(request, "chart.html", rnd=rnd, tab="chart")

    async def chart_png(self, request: Request) -> Response:
        if not self.admin(request):
            return PlainTextResponse("请先登录", status_code=403)
        rnd = self._round(request)
        if rnd is None or not rnd.orders:
            return PlainTextResponse("没有订单", status_code=404)
        with tempfile.TemporaryDirectory() as folder:
            path = round_chart(rnd, Path(folder) / "chart.png", self.config.schedule.timezone)
            return Response(path.read_bytes(), media_type="image/png")

    async def export(self, request: Request) -> Response:
        if not self.admin(request):
            return PlainTextResponse("请先登录", status_code=403)
        rnd = self._round(request)
        if rnd is None:
            return PlainTextResponse("没有这个团", status_code=404)
        with tempfile.TemporaryDirectory() as folder:
            path = write_xlsx(rnd, Path(folder) / "export.xlsx", pickup_points=self.config.pickup_points,
                              admins=sorted(self.config.admins))
            body = path.read_bytes()
        name = file_name(rnd, ".xlsx")
        return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"content-disposition": f"attachment; filename=\"round-{rnd.id}.xlsx\"; "
                                                        f"filename*=UTF-8''{quote(name)}"})

    async def questions_page(self, request: Request) -> Response:
        if not self.admin(request):
            return RedirectResponse("/", status_code=303)
        with self.db.session() as session:
            queue = open_questions(session)
            names = {s.id: s.name for s in round_summaries(session)}
        catalogues = {round_id: self.bot.catalogue(round_id) for round_id in {q.round_id for q in queue}}
        offers = {q.id: proposals(q.text, catalogues[q.round_id]) for q in queue}
        return self.render(request, "questions.html", questions=queue, offers=offers, round_names=names)

    # -- actions ---------------------------------------------------------------

    async def form(self, request: Request) -> FormData | None:
        """The POSTed form, if it carries this session's CSRF token."""
        form = await request.form()
        token = request.session.get("csrf")
        sent = form.get("csrf")
        if not token or not isinstance(sent, str) or not secrets.compare_digest(sent, token):
            return None
        return form

    async def _checked(self, request: Request) -> tuple[str, FormData] | Response:
        admin = self.admin(request)
        if not admin:
            return PlainTextResponse("请先登录", status_code=403)
        form = await self.form(request)
        if form is None:
            return PlainTextResponse("表单已过期，请返回刷新页面后再试", status_code=403)
        return admin, form

    def _act(self, room_id: str, admin: str, work) -> bool:
        """Run `work` as the merchant; False (logged) when it failed and changed nothing."""
        try:
            replies = self.bot.act(room_id, admin, work)
        except Exception:   # the page says so; the merchant tries again
            log.exception("a web action in %s failed", room_id)
            return False
        if replies and self.deliver is not None:
            try:
                self.deliver(replies)
            except Exception:   # they wait in the outbox; the transport's next drain sends them
                log.exception("could not hand the notices to the transport")
        return True

    async def mark_orders(self, request: Request) -> Response:
        checked = await self._checked(request)
        if isinstance(checked, Response):
            return checked
        admin, form = checked
        round_id = request.path_params["round_id"]
        one = str(form.get("one") or "")
        if one:
            action, _, order_id = one.partition(":")
            ids = [order_id]
        else:
            action, ids = str(form.get("action") or ""), form.getlist("ids")
        ids = [int(i) for i in ids if str(i).isdigit()]
        back = request.headers.get("referer") or f"/rounds/{round_id}"
        if action not in ACTIONS:
            return PlainTextResponse("不支持的操作", status_code=400)
        if not ids:
            request.session["flash"] = "请先勾选订单"
            return RedirectResponse(_local(back, round_id), status_code=303)
        with self.db.session() as session:
            room_id = session.scalar(select(Round.room_id).where(Round.id == round_id))
        if room_id is None:
            return PlainTextResponse("没有这个团", status_code=404)
        said: list[str] = []

        def work(ctx) -> None:
            said.clear()                    # a unit of work run again after a lost race
            orders = list(ctx.book.session.scalars(
                select(Order).where(Order.round_id == round_id, Order.id.in_(ids),
                                    Order.status != "cancelled").order_by(Order.seq)))
            if not orders:
                said.append("没有找到这些订单")
                return
            if action == "paid":
                fulfilment.mark_paid(ctx, orders)
            elif action == "shipped":
                fulfilment.ship(ctx, round_id, orders, named=True)
            else:
                fulfilment.arrive(ctx, round_id, orders)
            said.append(f"{ACTIONS[action]}：{len(orders)}单，已在群里通知")

        done = self._act(room_id, admin, work)
        request.session["flash"] = (said[0] if said else "完成") if done else FAILED
        return RedirectResponse(_local(back, round_id), status_code=303)

    async def question_action(self, request: Request) -> Response:
        checked = await self._checked(request)
        if isinstance(checked, Response):
            return checked
        admin, form = checked
        question_id = request.path_params["question_id"]
        with self.db.session() as session:
            room_id = session.scalar(select(Question.room_id).where(Question.id == question_id))
        if room_id is None:
            return PlainTextResponse("没有这条待确认", status_code=404)
        said: list[str] = []
        action = request.path_params["action"]
        if action not in ("place", "dismiss"):
            return PlainTextResponse("不支持的操作", status_code=404)
        line = str(form.get("line") or "").strip()[:200]
        if action == "place" and not line:
            request.session["flash"] = "请写要下单的商品和数量"
            return RedirectResponse("/questions", status_code=303)

        def work(ctx) -> None:
            said[:] = [question_queue.place(ctx, question_id, line) if action == "place"
                       else question_queue.dismiss(ctx, question_id)]

        done = self._act(room_id, admin, work)
        request.session["flash"] = (said[0] if said else "完成") if done else FAILED
        return RedirectResponse("/questions", status_code=303)


def _local(url: str, round_id: int) -> str:
    """Back to the page the form was on, never to another site."""
    parts = urlsplit(url)
    path = parts.path or f"/rounds/{round_id}"
    if not path.startswith("/rounds/"):
        path = f"/rounds/{round_id}"
    return path + (f"?{parts.query}" if parts.query else "")


def secret_key(config: Config, db) -> str:
    """[web] secret_key, else the one kept in the database (made on first start)."""
    if config.web.secret_key:
        return config.web.secret_key
    with db.transaction() as connection:
        return logins.secret(connection)


def create_app(config: Config, db_url: str | None = None, *, bot=None,
               deliver: Callable[[list[Reply]], None] | None = None, base_url: str | None = None) -> Starlette:
    """The ASGI app on the bot's database (a bot of its own, without a scheduler, unless given one)."""
    if bot is None:
        bot = build_bot(config, db_url, scheduler=False)
    web = WebApp(bot, deliver=deliver)
    https = public_url(config, base_url).startswith("https://")
    routes: Sequence = [
        Route("/", web.home),
        Route("/login/{token}", web.login),
        Route("/logout", web.logout, methods=["POST"]),
        Route("/questions", web.questions_page),
        Route("/questions/{question_id:int}/{action:str}", web.question_action, methods=["POST"]),
        Route("/rounds/{round_id:int}", web.round_page),
        Route("/rounds/{round_id:int}/pick", web.pick_page),
        Route("/rounds/{round_id:int}/delivery", web.delivery_page),
        Route("/rounds/{round_id:int}/bills", web.bills_page),
        Route("/rounds/{round_id:int}/chart", web.chart_page),
        Route("/rounds/{round_id:int}/chart.png", web.chart_png),
        Route("/rounds/{round_id:int}/export.xlsx", web.export),
        Route("/rounds/{round_id:int}/orders", web.mark_orders, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders),
                  Middleware(SessionMiddleware, secret_key=secret_key(config, bot.db), session_cookie=SESSION_COOKIE,
                             max_age=SESSION_AGE, same_site="lax", https_only=https)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.web = web
    return app
