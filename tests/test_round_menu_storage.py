"""A round's menu is stored with the round and stands in for configured products in it only."""
from __future__ import annotations

from datetime import datetime, timezone

from parsers.catalogue import ProductInfo
from parsers.menu import menu_products, read_menu
from storage import menus
from storage.database import Database
from storage.models import Product, Room, Round

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)
CONFIGURED = (ProductInfo("排骨", 30, "斤", aliases=("肋排",), confirm_over=20), ProductInfo("大米", 60, "袋"))


def _round(session, title: str) -> int:
    rnd = Round(room_id="r@chatroom", title=title, opened_by="boss", opened_at=NOW)
    session.add(rnd)
    session.flush()
    return rnd.id


def _seed(session) -> None:
    session.add(Room(id="r@chatroom", name="团"))
    for position, p in enumerate(CONFIGURED):
        session.add(Product(name=p.name, aliases=list(p.aliases), price=p.price, unit=p.unit, specs=[],
                            on_sale=True, position=position, confirm_over=p.confirm_over))
    session.flush()


def _menu(text: str) -> tuple[ProductInfo, ...]:
    return menu_products(read_menu(text), CONFIGURED)


def test_a_rounds_menu_is_its_products_in_menu_order_then_the_configured_rest(db_url):
    db = Database(db_url)
    with db.unit_of_work() as session:
        _seed(session)
        first = _round(session, "周一")
        menus.save_menu(session, first, _menu("1. 酥饼（咸蛋黄/肉松）18.8/20.8元/盒 限量10盒\n2. 肋排 36元/斤 每人限5斤"))
        second = _round(session, "周三")
        menus.save_menu(session, second, _menu("A：酥饼 15元/盒"))
    with db.session() as session:
        first_infos = [menus.product_info(p) for p in menus.load_round_products(session, first)]
        assert [(p.name, p.code, p.price) for p in first_infos] == [
            ("酥饼", "1", 18.8), ("排骨", "2", 36), ("大米", None, 60)]
        cake, ribs = first_infos[0], first_infos[1]
        assert (cake.specs, cake.spec_prices, cake.stock, cake.unit) == (("咸蛋黄", "肉松"), (18.8, 20.8), 10, "盒")
        assert (ribs.limit, ribs.aliases, ribs.confirm_over) == (5, ("肋排",), 20)
        second_infos = [menus.product_info(p) for p in menus.load_round_products(session, second)]
        assert [(p.name, p.code, p.price) for p in second_infos] == [
            ("酥饼", "A", 15), ("排骨", None, 30), ("大米", None, 60)]
        assert [p.name for p in menus.load_round_products(session, None)] == ["排骨", "大米"]
        assert menus.named(session, first, "排骨").price == 36
        assert menus.named(session, second, "排骨").price == 30
    db.dispose()


def test_config_keys_default_and_confirm_over_round_trip(db_url):
    db = Database(db_url)
    with db.unit_of_work() as session:
        _seed(session)
        rnd = _round(session, "午餐")
        menus.save_menu(session, rnd, (ProductInfo("工作餐", 20, "份", default=True, confirm_over=10),))
    with db.session() as session:
        meal = menus.product_info(menus.named(session, rnd, "工作餐"))
        assert (meal.default, meal.confirm_over) == (True, 10)
    db.dispose()


def test_a_new_menu_product_is_confirmed_over_fifty_units_and_a_configured_one_keeps_its_own(db_url):
    db = Database(db_url)
    with db.unit_of_work() as session:
        _seed(session)
        rnd = _round(session, "周三")
        menus.save_menu(session, rnd, _menu("1. 牛腱子 68元/斤\n2. 排骨 32元/斤"))
        stored = {p.name: menus.product_info(p).confirm_over for p in menus.load_round_products(session, rnd)}
    assert stored["牛腱子"] == 50.0
    assert stored["排骨"] == 20.0
