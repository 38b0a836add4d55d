"""The web page in a real browser on a phone-sized screen: Debian's chromium, headless,
driven by Playwright, against `jielong web` started as a merchant would start it.

It logs in through a link from `jielong login-link`, places a question's order,
marks an order paid, and finds both group messages in the outbox.

Chromium comes from apt (`make chromium`, part of `make test`); Playwright never
downloads a browser here. Without chromium the test skips, unless
JIELONG_REQUIRE_BROWSER (set by `make test`) or CI is set: then it fails.
JIELONG_WEB_SCREENSHOTS=DIR also saves the round page and the questions queue
there (docs/web-round.png and docs/web-questions.png are made so).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from chat import ADMIN, Chat
from storage.models import OutboxMessage

CHROMIUM = "/usr/bin/chromium"
# Headless as root on a closed network: without these it hangs on lookups and updates.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
JIELONG = Path(sys.executable).with_name("jielong")


def _require_browser():
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is not installed (make chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is not installed (make test-deps)"
    if missing:
        if os.environ.get("JIELONG_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(f"the browser test is required but {missing}")
        pytest.skip(missing)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chat(db_url: str) -> Chat:
    """A morning of a fruit round: orders with addresses and phones, and two questions."""
    chat = Chat(db_url)
    chat.admin("开团 周五水果团")
    chat.say("wxid_li", "苹果2斤 香蕉1斤 3栋502 13812345678", name="李明")
    chat.say("wxid_wang", "草莓 大果 2盒 5-302", name="王芳")
    chat.say("wxid_zhang", "巨峰葡萄3斤 自提", name="张阿姨")
    chat.say("wxid_chen", "晴王1斤 苹果5斤 12栋1801 13900001111", name="陈先生")
    chat.say("wxid_liu", "香蕉2斤 草莓 中果 1盒", name="刘姐")
    chat.say("wxid_zhou", "苹果3斤 8栋201", name="周周")
    chat.say("wxid_qian", "@小龙 葡萄2斤", name="钱七", mentions=("bot",))
    chat.say("wxid_sun", "@小龙 芒果2个", name="孙八", mentions=("bot",))
    chat.admin("已付 王芳")
    return chat


@pytest.fixture
def server(tmp_path, sqlite_url):
    _require_browser()
    chat = _chat(sqlite_url)
    config = tmp_path / "web.toml"
    config.write_text(f'[bot]\nname = "小龙"\nadmins = ["{ADMIN}"]\n', encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen([str(JIELONG), "web", "--config", str(config), "--db", sqlite_url,
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stdout.read().decode("utf-8", "replace"))
                time.sleep(0.1)
        link = subprocess.run([str(JIELONG), "login-link", "--config", str(config), "--db", sqlite_url,
                               "--admin", ADMIN, "--base-url", base], capture_output=True, text=True, check=True)
        yield chat, base, link.stdout.strip()
    finally:
        process.terminate()
        process.wait(timeout=10)
        chat.bot.db.dispose()


@pytest.fixture
def phone(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS, viewport=PHONE,
            device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()


def _shot(page, name: str) -> None:
    folder = os.environ.get("JIELONG_WEB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def test_a_merchant_logs_in_on_a_phone_answers_a_question_and_marks_an_order_paid(server, phone):
    chat, base, link = server
    page = phone
    page.goto(base + "/")
    assert "李明" not in page.content() and "后台" in page.inner_text("main")

    page.goto(link)
    assert page.url == base + "/"
    page.click("text=周五水果团")
    assert "李明" in page.inner_text("main") and "13812345678" in page.inner_text("main")
    _shot(page, "web-round.png")

    page.click("header >> text=待确认")
    card = page.locator("article.question", has_text="钱七")
    assert "葡萄2斤" in card.inner_text()
    _shot(page, "web-questions.png")
    card.locator("form.place").first.locator("button").click()
    assert "已替钱七下单" in page.inner_text(".flash")

    page.click("header >> text=团购")
    page.click("text=周五水果团")
    page.locator("article.order", has_text="李明").locator("button", has_text="已付").click()
    assert "已付：1单" in page.inner_text(".flash")
    assert "已付款" in page.locator("article.order", has_text="李明").inner_text()

    with chat.bot.db.session() as session:
        said = [(m.to, m.text, m.mentions) for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert any(text.startswith("@钱七 已登记：") and mentions == ["wxid_qian"] for _, text, mentions in said)
    assert said[-1][:2] == (chat.room, "已标记已付：#1 李明")

