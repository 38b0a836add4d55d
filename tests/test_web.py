"""The merchant's web page through an in-process HTTP client: what it shows, to whom, and
that its buttons do what the chat commands do (same history, same group notices)."""
from __future__ import annotations

import re
import socket
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.cli import main as cli
from bot.config import ConfigError, load_config
from bot.messages import Incoming
from bot.web.app import create_app
from bot.web.server import Background
from bot.merchant.login_links import NotAdmin, login_link
from chat import ADMIN, Chat, fruit_config
from storage.models import Order, OrderHistory, OutboxMessage, Question

ROOM = "room1@chatroom"
PHONE = "13812345678"


@pytest.fixture
def chat(sqlite_url) -> Chat:
    chat = Chat(sqlite_url)
    chat.admin("开团 周五水果")
    chat.say("wxid_li", f"苹果2斤 3栋502 {PHONE}", name="李明")
    chat.say("wxid_wang", "香蕉3斤", name="王芳")
    chat.say("wxid_zhao", "草莓 大果 1盒 自提", name="赵六")
    chat.say("wxid_qian", "@小龙 葡萄2斤", name="钱七", mentions=("bot",))   # 巨峰 or 阳光玫瑰?
    return chat


@pytest.fixture
def app(chat, sqlite_url):
    return create_app(chat.bot.config, sqlite_url)


def link(app, admin: str = ADMIN, now: datetime | None = None) -> str:
    web = app.state.web
    with web.db.transaction() as connection:
        url = login_link(connection, web.config, admin, now or datetime.now(timezone.utc))
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def client(app) -> TestClient:
    client = TestClient(app)
    assert client.get(link(app)).status_code == 200     # the link redirects to the rounds
    return client


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def outbox(chat: Chat) -> list[OutboxMessage]:
    with chat.bot.db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@dataclass(frozen=True)
class Seen:
    id: int
    status: str
    owner: str
    total: float


def orders(chat: Chat) -> dict[str, Seen]:
    with chat.bot.db.session() as session:
        return {o.customer: Seen(o.id, o.status, o.owner, o.total) for o in session.scalars(select(Order))}


PAGES = ["/", "/rounds/1", "/rounds/1/pick", "/rounds/1/delivery", "/rounds/1/bills", "/rounds/1/chart",
         "/rounds/1/chart.png", "/rounds/1/export.xlsx", "/questions", "/rounds/1?q=李"]


# -- who sees what -------------------------------------------------------------

def test_without_a_session_no_page_names_a_customer_an_order_a_phone_or_a_question(app):
    anonymous = TestClient(app)
    for path in PAGES:
        response = anonymous.get(path)
        body = response.content.decode("utf-8", "replace")
        for secret in ("李明", "王芳", "赵六", "钱七", PHONE, "葡萄2斤", "苹果"):
            assert secret not in body, (path, secret)
    assert "后台" in anonymous.get("/").text          # it says how to get in


def test_a_login_link_works_once(app):
    url = link(app)
    first = TestClient(app)
    response = first.get(url)
    assert response.status_code == 200 and "李明" not in response.text and "周五水果" in response.text
    assert "李明" in first.get("/rounds/1").text
    second = TestClient(app)
    refused = second.get(url)
    assert refused.status_code == 403 and "已失效" in refused.text
    assert "李明" not in second.get("/rounds/1", follow_redirects=True).text


def test_a_login_link_expires_after_ten_minutes(app):
    url = link(app, now=datetime.now(timezone.utc) - timedelta(minutes=11))
    client = TestClient(app)
    assert client.get(url).status_code == 403
    assert "李明" not in client.get("/rounds/1", follow_redirects=True).text


def test_an_unknown_token_is_refused(app):
    assert TestClient(app).get("/login/not-a-token").status_code == 403


def test_only_admins_get_links(app):
    with pytest.raises(NotAdmin):
        link(app, admin="wxid_li")


def test_a_session_of_someone_no_longer_an_admin_shows_nothing(chat, sqlite_url, client):
    cookies = dict(client.cookies)
    config = fruit_config()
    demoted = create_app(config.__class__(**{**config.__dict__, "admins": frozenset({"wxid_other"})}), sqlite_url)
    other = TestClient(demoted, cookies=cookies)
    assert "李明" not in other.get("/rounds/1", follow_redirects=True).text


def test_sessions_survive_a_restart_the_signing_key_is_kept_in_the_database(chat, sqlite_url, client):
    restarted = TestClient(create_app(chat.bot.config, sqlite_url), cookies=dict(client.cookies))
    assert "李明" in restarted.get("/rounds/1").text


def test_the_merchant_gets_a_private_link_by_sending_houtai(chat, sqlite_url):
    replies = chat.admin("后台")
    private = [r for r in replies if r.to == ADMIN]
    assert len(private) == 1 and "/login/" in private[0].text
    assert any(r.to == ROOM and "私发" in r.text for r in replies)
    path = "/login/" + private[0].text.split("/login/")[1].split()[0]
    client = TestClient(create_app(chat.bot.config, sqlite_url))
    assert client.get(path).status_code == 200
    assert "李明" in client.get("/rounds/1").text


def test_houtai_sent_privately_to_the_bot_answers_the_merchant_there_and_customers_not_at_all(chat):
    def private(sender: str, n: int) -> list:
        return chat.bot.handle(Incoming(id=f"private-{n}", ts=datetime.now(timezone.utc), room=None, sender=sender,
                                        name=sender, text="后台"))

    replies = private(ADMIN, 1)
    assert len(replies) == 1 and replies[0].to == ADMIN and "/login/" in replies[0].text
    assert private("wxid_li", 2) == []


def test_a_customer_sending_houtai_is_refused_like_any_merchant_command(chat):
    replies = chat.say("wxid_li", "后台", name="李明")
    assert [r.text for r in replies] == ["@李明 这个命令只有团长能用哦"]
    assert "/login/" not in " ".join(m.text for m in outbox(chat))


# -- pages -----------------------------------------------------------------------

def test_rounds_list_open_rounds_first_with_their_totals(client):
    page = client.get("/").text
    assert "周五水果" in page and "进行中" in page
    assert "<b>3</b>单" in page and "待确认 1" in page


def test_round_page_shows_every_order_with_amount_status_note_and_full_phone(client):
    page = client.get("/rounds/1").text
    for name in ("李明", "王芳", "赵六"):
        assert name in page
    assert f'href="tel:{PHONE}"' in page and "¥13.6" in page and "待付款" in page
    assert "3栋502" in page


def test_round_page_filters_by_status_and_product_and_searches_by_name(client):
    assert "王芳" not in client.get("/rounds/1?product=苹果").text
    assert "李明" in client.get("/rounds/1?product=苹果").text
    searched = client.get("/rounds/1?q=王").text
    assert "王芳" in searched and "李明" not in searched
    assert "没有符合条件的订单" in client.get("/rounds/1?status=paid").text


def test_pick_list_delivery_sheet_and_bills(client):
    pick = client.get("/rounds/1/pick").text
    assert "草莓(大果)" in pick and "2斤" in pick
    delivery = client.get("/rounds/1/delivery").text
    assert "3栋" in delivery and "自提" in delivery and PHONE in delivery
    bills = client.get("/rounds/1/bills").text
    assert "李明" in bills and "未付" in bills
    assert "李明" not in client.get("/rounds/1/bills?show=paid").text


def test_chart_is_an_image_and_the_export_a_workbook(client):
    chart = client.get("/rounds/1/chart.png")
    assert chart.headers["content-type"] == "image/png" and chart.content[:4] == b"\x89PNG"
    export = client.get("/rounds/1/export.xlsx")
    assert export.content[:2] == b"PK" and "attachment" in export.headers["content-disposition"]


def test_questions_queue_shows_text_reason_and_a_line_to_order(client):
    page = client.get("/questions").text
    assert "钱七" in page and "葡萄2斤" in page and "不确定是哪一样" in page
    assert 'value="巨峰葡萄 2斤"' in page and 'value="阳光玫瑰葡萄 2斤"' in page


def test_a_missing_round_is_a_404(client):
    assert client.get("/rounds/99").status_code == 404


# -- actions ------------------------------------------------------------------------

def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(chat, client):
    li = orders(chat)["李明"]
    response = client.post("/rounds/1/orders", data={"action": "paid", "ids": [str(li.id)]})
    assert response.status_code == 403
    response = client.post("/rounds/1/orders", data={"action": "paid", "ids": [str(li.id)], "csrf": "forged"})
    assert response.status_code == 403
    assert orders(chat)["李明"].status == "open"


def test_a_form_without_a_session_is_refused(app, chat):
    li = orders(chat)["李明"]
    response = TestClient(app).post("/rounds/1/orders", data={"action": "paid", "ids": [str(li.id)], "csrf": "x"})
    assert response.status_code == 403 and orders(chat)["李明"].status == "open"


def test_bulk_paid_marks_the_orders_posts_the_group_notice_and_names_the_merchant(chat, client):
    token = csrf(client.get("/rounds/1").text)
    ids = [str(orders(chat)[n].id) for n in ("李明", "王芳")]
    response = client.post("/rounds/1/orders", data={"action": "paid", "ids": ids, "csrf": token})
    assert response.status_code == 200 and "已付：2单" in response.text
    assert {orders(chat)[n].status for n in ("李明", "王芳")} == {"paid"}
    assert orders(chat)["赵六"].status == "open"
    notice = outbox(chat)[-1]
    assert notice.to == ROOM and notice.text == "已标记已付：#1 李明、#2 王芳"
    with chat.bot.db.session() as session:
        actors = set(session.scalars(select(OrderHistory.actor).where(OrderHistory.action == "paid")))
    assert actors == {ADMIN}


def test_the_page_and_the_chat_command_post_the_same_notice(chat, client):
    chat.admin("已付 3")
    by_chat = outbox(chat)[-1].text
    token = csrf(client.get("/rounds/1").text)
    client.post("/rounds/1/orders", data={"one": f"paid:{orders(chat)['李明'].id}", "csrf": token})
    assert by_chat == "已标记已付：#3 赵六" and outbox(chat)[-1].text == "已标记已付：#1 李明"


def test_shipping_one_order_mentions_its_customer(chat, client):
    token = csrf(client.get("/rounds/1").text)
    client.post("/rounds/1/orders", data={"one": f"shipped:{orders(chat)['王芳'].id}", "csrf": token})
    assert orders(chat)["王芳"].status == "shipped" and orders(chat)["李明"].status == "open"
    notice = outbox(chat)[-1]
    assert notice.text.startswith("【发货通知】") and "@王芳" in notice.text and notice.mentions == ["wxid_wang"]


def test_arrival_in_bulk_tells_the_customers_where_to_pick_up(chat, client):
    token = csrf(client.get("/rounds/1").text)
    ids = [str(o.id) for o in orders(chat).values()]
    client.post("/rounds/1/orders", data={"action": "done", "ids": ids, "csrf": token})
    assert {o.status for o in orders(chat).values()} == {"done"}
    notice = outbox(chat)[-1]
    assert notice.text.startswith("【到货通知】") and set(notice.mentions) == {"wxid_li", "wxid_wang", "wxid_zhao"}


def test_no_order_ticked_is_said_on_the_page(client):
    token = csrf(client.get("/rounds/1").text)
    assert "请先勾选订单" in client.post("/rounds/1/orders", data={"action": "paid", "csrf": token}).text


def test_placing_a_questions_order_confirms_it_in_the_group_mentioning_the_customer(chat, client):
    page = client.get("/questions").text
    question_id = re.search(r'action="/questions/(\d+)/place"', page).group(1)
    response = client.post(f"/questions/{question_id}/place", data={"line": "巨峰葡萄 2斤", "csrf": csrf(page)})
    assert "已替钱七下单" in response.text and "钱七" not in response.text.split("<main>")[1]
    order = orders(chat)["钱七"]
    assert order.owner == "wxid_qian" and order.total == 18.0
    confirmation = outbox(chat)[-1]
    assert confirmation.to == ROOM and confirmation.text.startswith("@钱七 已登记：巨峰葡萄")
    assert confirmation.mentions == ["wxid_qian"]
    with chat.bot.db.session() as session:
        question = session.get(Question, int(question_id))
        assert question.settled and question.state == "answered" and question.settled_at is not None
        created = session.scalar(select(OrderHistory).where(OrderHistory.order_id == order.id))
        assert created.action == "created" and created.actor == ADMIN
    # the order is the customer's own: they can change it in the chat
    chat.say("wxid_qian", "巨峰葡萄改成3斤", name="钱七")
    assert chat.orders()["钱七"] == {("巨峰葡萄", None): 3.0}


def test_dismissing_a_question_takes_it_off_the_queue_quietly(chat, client):
    page = client.get("/questions").text
    question_id = re.search(r'action="/questions/(\d+)/dismiss"', page).group(1)
    before = len(outbox(chat))
    response = client.post(f"/questions/{question_id}/dismiss", data={"csrf": csrf(page)})
    assert "已忽略" in response.text and "葡萄2斤" not in response.text
    assert len(outbox(chat)) == before and chat.unresolved() == []
    with chat.bot.db.session() as session:
        question = session.get(Question, int(question_id))
        assert question.settled and question.state == "dismissed" and question.settled_at is not None


def test_a_line_the_bot_cannot_read_is_said_on_the_page_and_orders_nothing(chat, client):
    page = client.get("/questions").text
    question_id = re.search(r'action="/questions/(\d+)/place"', page).group(1)
    response = client.post(f"/questions/{question_id}/place", data={"line": "随便", "csrf": csrf(page)})
    assert "没看懂" in response.text and "钱七" not in orders(chat)


def test_logout_ends_the_session(client):
    token = csrf(client.get("/").text)
    client.post("/logout", data={"csrf": token})
    assert "李明" not in client.get("/rounds/1", follow_redirects=True).text


# -- configuration and the command line ---------------------------------------------

def test_web_section_of_the_config(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[bot]\nadmins = ["a"]\n[web]\nenabled = true\nport = 9000\nbase_url = "https://t.example"\n',
                    encoding="utf-8")
    web = load_config(path).web
    assert (web.enabled, web.host, web.port, web.base_url) == (True, "127.0.0.1", 9000, "https://t.example")
    path.write_text('[web]\nprot = 9000\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r'unknown key "prot" in \[web\]; did you mean "port"'):
        load_config(path)
    path.write_text('[web]\nport = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="port"):
        load_config(path)


def test_login_link_command_prints_a_link_for_admins_only(chat, sqlite_url, tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(f'[bot]\nadmins = ["{ADMIN}"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["login-link", "--config", str(path), "--db", sqlite_url, "--admin", ADMIN,
                                      "--base-url", "https://tuan.example.com/"])
    assert result.exit_code == 0 and result.output.startswith("https://tuan.example.com/login/")
    refused = CliRunner().invoke(cli, ["login-link", "--config", str(path), "--db", sqlite_url,
                                       "--admin", "wxid_li"])
    assert refused.exit_code != 0 and "not one of the admins" in refused.output


def test_inside_jielong_run_the_page_serves_beside_the_bot_and_hands_notices_to_the_transport(chat, sqlite_url):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = chat.bot.config
    config = config.__class__(**{**config.__dict__, "web": config.web.__class__(enabled=True, port=port)})
    web = Background(config, sqlite_url)
    sent: list = []
    web.deliver = sent.extend
    web.start()
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read().decode()
                break
            except OSError:
                time.sleep(0.05)
        assert "后台" in page and "李明" not in page
        app = web.server.config.app
        client = TestClient(app)
        client.get(link(app))
        token = csrf(client.get("/rounds/1").text)
        client.post("/rounds/1/orders", data={"one": f"paid:{orders(chat)['李明'].id}", "csrf": token})
        assert [r.text for r in sent] == ["已标记已付：#1 李明"]
    finally:
        web.stop()


@pytest.mark.postgres
def test_on_postgresql_a_link_works_once_and_the_buttons_work(pg_url):
    chat = Chat(pg_url)
    chat.admin("开团 周五水果")
    chat.say("wxid_li", "苹果2斤", name="李明")
    chat.say("wxid_qian", "@小龙 葡萄2斤", name="钱七", mentions=("bot",))
    app = create_app(chat.bot.config, pg_url)
    url = link(app)
    client = TestClient(app)
    assert client.get(url).status_code == 200 and TestClient(app).get(url).status_code == 403
    restarted = TestClient(create_app(chat.bot.config, pg_url), cookies=dict(client.cookies))
    assert "李明" in restarted.get("/rounds/1").text          # the key kept in the database signs alike
    page = client.get("/rounds/1").text
    client.post("/rounds/1/orders", data={"one": f"paid:{orders(chat)['李明'].id}", "csrf": csrf(page)})
    questions = client.get("/questions").text
    question_id = re.search(r'action="/questions/(\d+)/place"', questions).group(1)
    client.post(f"/questions/{question_id}/place", data={"line": "巨峰葡萄 2斤", "csrf": csrf(questions)})
    assert orders(chat)["李明"].status == "paid" and orders(chat)["钱七"].owner == "wxid_qian"
    said = [m.text for m in outbox(chat)[-2:]]
    assert said[0] == "已标记已付：#1 李明" and said[1].startswith("@钱七 已登记：巨峰葡萄")
    chat.bot.db.dispose()


def test_an_action_that_fails_says_so_on_the_page_and_changes_nothing(chat, client, monkeypatch):
    from bot.merchant import fulfilment

    def broken(ctx, orders):
        for order in orders:
            ctx.book.set_status(order, "paid", ctx.msg.sender)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(fulfilment, "mark_paid", broken)
    token = csrf(client.get("/rounds/1").text)
    before = len(outbox(chat))
    response = client.post("/rounds/1/orders", data={"one": f"paid:{orders(chat)['李明'].id}", "csrf": token})
    assert response.status_code == 200 and "没有处理成功" in response.text
    assert orders(chat)["李明"].status == "open" and len(outbox(chat)) == before
