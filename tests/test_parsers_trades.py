"""Entry lines of trades the dev corpus does not sell, one canonical reading each.

Each row is a line as a customer of that trade types it, and what it must
mean against a small catalogue of that trade: who it is for, the items (or
why an item must be asked about), and what is left as the note. The corpus
style of price-parser: many spellings, one answer.

Item notation: `"五花肉 2"` (product, quantity in the selling unit),
`"大闸蟹/公 4"` (with a spec), `"?unit"` / `"?ambiguous"` / `"?missing_spec"` /
`"?unknown_product"` (an item the bot must ask about, for that reason).
"""
from __future__ import annotations

import pytest

from parsers.catalogue import Catalogue, ProductInfo
from parsers.entry import ChangeRequest, EntryRequest, ItemProblem, asks_price, parse_line, resolve_item
from parsers.text import normalize


def product(name: str, unit: str, *aliases: str, specs: tuple[str, ...] = ()) -> ProductInfo:
    return ProductInfo(name, 10.0, unit, tuple(aliases), specs=specs)


TRADES = {
    "meat": Catalogue((
        product("五花肉", "斤"), product("排骨", "斤", "肋排"), product("牛腩", "斤"),
        product("鸡翅", "斤", "鸡翅中"), product("三黄鸡", "只"), product("猪蹄", "个"),
        product("一品鲜酱油", "瓶", "一品鲜"),
    )),
    "seafood": Catalogue((
        product("基围虾", "斤"), product("大闸蟹", "只", specs=("公", "母")),
        product("带鱼", "斤"), product("鲈鱼", "条"),
    )),
    "dumplings": Catalogue((
        product("猪肉白菜水饺", "袋", "白菜猪肉饺子"), product("三鲜水饺", "袋"),
        product("小笼包", "笼"), product("黑芝麻汤圆", "袋", "汤圆"),
    )),
    "drinks": Catalogue((
        product("可乐", "瓶", "Coca Cola", "可口可乐"), product("啤酒", "罐", "青岛啤酒"),
        product("珍珠奶茶", "杯", "奶茶", specs=("大杯", "中杯")), product("7喜", "瓶"),
        product("酸奶", "杯", specs=("原味", "草莓味")), product("草莓", "盒"),
    )),
    "flowers": Catalogue((
        product("玫瑰", "枝", "红玫瑰"), product("百合", "束"), product("多肉", "盆"),
        product("向日葵", "枝"),
    )),
    "daily": Catalogue((
        product("卷纸", "提"), product("洗衣液", "瓶"), product("鸡蛋", "盒", "土鸡蛋"),
        product("东北大米", "袋", "大米"), product("盒装牛奶", "盒"),
    )),
    "grocery": Catalogue((
        product("条纹毛巾", "条"), product("盒马鸡蛋", "盒"), product("一次性手套", "包"),
        product("十三香", "袋"), product("八宝粥", "罐"),
    )),
    "seasoning": Catalogue((
        product("姜", "斤"), product("蒜", "斤"), product("大葱", "斤", "葱"),
    )),
}


def read(trade: str, line: str) -> tuple[str | None, list[str], str]:
    """(customer, items, note) of an entry line, in the notation above."""
    catalogue = TRADES[trade]
    parsed = parse_line(normalize(line), catalogue)
    assert isinstance(parsed, EntryRequest), f"{line!r} was read as {parsed!r}"
    items = []
    for item in parsed.items:
        resolved = resolve_item(item, catalogue)
        if isinstance(resolved, ItemProblem):
            items.append(f"?{resolved.reason}")
        else:
            spec = f"/{resolved.spec}" if resolved.spec else ""
            items.append(f"{resolved.product}{spec} {resolved.quantity:g}")
    return parsed.customer, items, parsed.note


ENTRIES = [
    # -- meat: names that start with numerals, weights in every unit ------------
    ("meat", "五花肉2斤", None, ["五花肉 2"], ""),
    ("meat", "2斤五花肉", None, ["五花肉 2"], ""),
    ("meat", "五花肉两斤", None, ["五花肉 2"], ""),
    ("meat", "两斤五花肉", None, ["五花肉 2"], ""),
    ("meat", "五花肉一斤半", None, ["五花肉 1.5"], ""),
    ("meat", "牛腩半斤", None, ["牛腩 0.5"], ""),
    ("meat", "排骨三两", None, ["排骨 0.3"], ""),
    ("meat", "排骨二两", None, ["排骨 0.2"], ""),
    ("meat", "排骨1斤2两", None, ["排骨 1.2"], ""),
    ("meat", "排骨一斤二两", None, ["排骨 1.2"], ""),
    ("meat", "五花肉两斤半", None, ["五花肉 2.5"], ""),
    ("meat", "五花肉2.5斤", None, ["五花肉 2.5"], ""),
    ("meat", "牛腩1kg500g", None, ["牛腩 3"], ""),
    ("meat", "五花肉十二斤", None, ["五花肉 12"], ""),
    ("meat", "五花肉二十斤", None, ["五花肉 20"], ""),
    ("meat", "排骨 1kg", None, ["排骨 2"], ""),
    ("meat", "排骨1KG", None, ["排骨 2"], ""),
    ("meat", "五花肉2公斤", None, ["五花肉 4"], ""),
    ("meat", "牛腩500g", None, ["牛腩 1"], ""),
    ("meat", "牛腩500克", None, ["牛腩 1"], ""),
    ("meat", "鸡翅x2", None, ["鸡翅 2"], ""),
    ("meat", "鸡翅*2", None, ["鸡翅 2"], ""),
    ("meat", "鸡翅×2", None, ["鸡翅 2"], ""),
    ("meat", "鸡翅２斤", None, ["鸡翅 2"], ""),
    ("meat", "三黄鸡1只", None, ["三黄鸡 1"], ""),
    ("meat", "三黄鸡两只", None, ["三黄鸡 2"], ""),
    ("meat", "两只三黄鸡", None, ["三黄鸡 2"], ""),
    ("meat", "三黄鸡", None, ["三黄鸡 1"], ""),
    ("meat", "三只三黄鸡", None, ["三黄鸡 3"], ""),
    ("meat", "两三黄鸡", None, ["三黄鸡 2"], ""),
    ("meat", "半只三黄鸡", None, ["三黄鸡 0.5"], ""),
    ("meat", "一品鲜2瓶", None, ["一品鲜酱油 2"], ""),
    ("meat", "两瓶一品鲜", None, ["一品鲜酱油 2"], ""),
    ("meat", "猪蹄3个", None, ["猪蹄 3"], ""),
    ("meat", "五花肉1份", None, ["?unit"], ""),
    ("meat", "排骨2盒", None, ["?unit"], ""),
    ("meat", "三黄鸡2斤", None, ["?unit"], ""),
    ("meat", "五花肉2斤 35元", None, ["五花肉 2"], "35元"),
    ("meat", "五花肉2斤 ¥35", None, ["五花肉 2"], "¥35"),
    ("meat", "五花肉35元/斤 2斤", None, ["五花肉 2"], "35元/斤"),
    ("meat", "五花肉(28元/斤)2斤", None, ["五花肉 2"], "(28元/斤)"),
    ("meat", "五花肉 28/斤 2斤", None, ["五花肉 2"], "28/斤"),
    ("meat", "五花肉2斤 已转账70", None, ["五花肉 2"], "已转账70"),
    ("meat", "五花肉2斤 已付70元", None, ["五花肉 2"], "已付70元"),
    ("meat", "王姐:腊肠2斤", "王姐", ["?unknown_product"], ""),
    ("meat", "2斤腊肠", None, ["?unknown_product"], ""),
    ("meat", "五花肉2斤，排骨1斤；牛腩1斤", None, ["五花肉 2", "排骨 1", "牛腩 1"], ""),
    ("meat", "五花肉2斤、排骨1斤+牛腩1斤", None, ["五花肉 2", "排骨 1", "牛腩 1"], ""),
    ("meat", "五花肉2斤和排骨1斤", None, ["五花肉 2", "排骨 1"], ""),
    ("meat", "五花肉2斤排骨1斤", None, ["五花肉 2", "排骨 1"], ""),
    ("meat", "五花肉和排骨各2斤", None, ["五花肉 2", "排骨 2"], ""),
    ("meat", "五花肉 排骨 各一斤", None, ["五花肉 1", "排骨 1"], ""),
    ("meat", "3栋502 王 三黄鸡两只", "3栋502 王", ["三黄鸡 2"], ""),
    ("meat", "5-302 五花肉2斤 排骨1斤", "5-302", ["五花肉 2", "排骨 1"], ""),
    ("meat", "8-1101 Amy 鸡翅2斤 自提", "8-1101 Amy", ["鸡翅 2"], "自提"),
    ("meat", "王姐 五花肉2斤 13812345678", "王姐", ["五花肉 2"], "13812345678"),
    ("meat", "王和平 排骨1斤", "王和平", ["排骨 1"], ""),
    ("meat", "6. 王姐 五花肉2斤 已付", "王姐", ["五花肉 2"], "已付"),
    ("meat", "1号楼2单元301 五花肉2斤", "1号楼2单元301", ["五花肉 2"], ""),
    ("meat", "A3-1201 五花肉2斤", "A3-1201", ["五花肉 2"], ""),
    ("meat", "🌸小雨🌸 五花肉2斤", "小雨", ["五花肉 2"], ""),
    ("meat", "王姐五花肉2斤", "王姐", ["五花肉 2"], ""),
    ("meat", "Amy五花肉2斤自提", "Amy", ["五花肉 2"], "自提"),
    ("meat", "5-302腊肠2斤", "5-302", ["?unknown_product"], ""),
    ("meat", "3栋502王 五花肉2斤", "3栋502王", ["五花肉 2"], ""),
    ("meat", "五花肉2斤 放门卫", None, ["五花肉 2"], "放门卫"),
    ("meat", "我要五花肉2斤", None, ["五花肉 2"], ""),
    ("meat", "帮李阿姨订 排骨2斤", "李阿姨", ["排骨 2"], ""),
    # slips of pinyin input, traditional characters, emoji and stickers
    ("meat", "排谷2斤", None, ["排骨 2"], ""),
    ("meat", "牛男2斤", None, ["牛腩 2"], ""),
    ("meat", "无花肉2斤", None, ["五花肉 2"], ""),
    ("meat", "五花柔2斤", None, ["五花肉 2"], ""),
    ("meat", "三黄机1只", None, ["三黄鸡 1"], ""),
    ("meat", "雞翅2斤", None, ["鸡翅 2"], ""),
    ("meat", "五花肉兩斤", None, ["五花肉 2"], ""),
    ("meat", "🥩五花肉2斤👍", None, ["五花肉 2"], ""),
    ("meat", "[强]排骨1斤", None, ["排骨 1"], ""),
    ("meat", "五花2斤", None, ["五花肉 2"], ""),
    ("meat", "腊肠2斤", None, ["?unknown_product"], ""),
    ("meat", "一品嫌酱油2瓶", None, ["一品鲜酱油 2"], ""),
    ("meat", "五花肉要瘦一点的 2斤", None, ["五花肉 2"], "要瘦一点的"),
    ("meat", "王姐：五花肉2斤", "王姐", ["五花肉 2"], ""),
    ("meat", "五花肉2斤/排骨1斤", None, ["五花肉 2", "排骨 1"], ""),
    ("meat", "五花肉 x 2", None, ["五花肉 2"], ""),
    ("meat", "加菲 五花肉2斤", "加菲", ["五花肉 2"], ""),
    ("meat", "五花肉2斤 不要太肥", None, ["五花肉 2"], "不要太肥"),
    # -- seafood: 公/母 specs, fish by 条 or by 斤 --------------------------------
    ("seafood", "基围虾2斤", None, ["基围虾 2"], ""),
    ("seafood", "基尾虾2斤", None, ["基围虾 2"], ""),
    ("seafood", "带鱼两斤", None, ["带鱼 2"], ""),
    ("seafood", "带鱼 3两", None, ["带鱼 0.3"], ""),
    ("seafood", "鲈鱼1条", None, ["鲈鱼 1"], ""),
    ("seafood", "鲈鱼一条", None, ["鲈鱼 1"], ""),
    ("seafood", "鲈鱼2斤", None, ["?unit"], ""),
    ("seafood", "带鱼一斤半 鲈鱼两条", None, ["带鱼 1.5", "鲈鱼 2"], ""),
    ("seafood", "大闸蟹 公 4只", None, ["大闸蟹/公 4"], ""),
    ("seafood", "大闸蟹公4只", None, ["大闸蟹/公 4"], ""),
    ("seafood", "4只公大闸蟹", None, ["大闸蟹/公 4"], ""),
    ("seafood", "大闸蟹4只公的", None, ["大闸蟹/公 4"], ""),
    ("seafood", "大闸蟹母的3只", None, ["大闸蟹/母 3"], ""),
    ("seafood", "大闸蟹 4只 母", None, ["大闸蟹/母 4"], ""),
    ("seafood", "大闸蟹公4只 母2只", None, ["大闸蟹/公 4", "大闸蟹/母 2"], ""),
    ("seafood", "大闸蟹 母 3只 公 2只", None, ["大闸蟹/母 3", "大闸蟹/公 2"], ""),
    ("seafood", "大闸蟹4公4母", None, ["大闸蟹/公 4", "大闸蟹/母 4"], ""),
    ("seafood", "大闸蟹4只", None, ["?missing_spec"], ""),
    ("seafood", "4公4母", None, ["大闸蟹/公 4", "大闸蟹/母 4"], ""),
    ("seafood", "公4只 母2只", None, ["大闸蟹/公 4", "大闸蟹/母 2"], ""),
    ("seafood", "大闸蟹4只 放公司前台", None, ["?missing_spec"], "放公司前台"),
    ("seafood", "大闸蟹4只 老公要的", None, ["?missing_spec"], "老公要的"),
    ("seafood", "鲈魚1條", None, ["鲈鱼 1"], ""),
    ("seafood", "大闸蟹 公的2只 母的2只", None, ["大闸蟹/公 2", "大闸蟹/母 2"], ""),
    ("seafood", "大闸蟹4公4母 基围虾2斤", None, ["大闸蟹/公 4", "大闸蟹/母 4", "基围虾 2"], ""),
    ("seafood", "带鱼切段 2斤", None, ["带鱼 2"], "切段"),
    # -- dumplings: 袋, 个, 笼; names that are parts of each other ---------------
    ("dumplings", "猪肉白菜水饺2袋", None, ["猪肉白菜水饺 2"], ""),
    ("dumplings", "白菜猪肉水饺2袋", None, ["猪肉白菜水饺 2"], ""),
    ("dumplings", "猪肉水饺 2袋", None, ["猪肉白菜水饺 2"], ""),
    ("dumplings", "水饺2袋", None, ["?ambiguous"], ""),
    ("dumplings", "三鲜2袋", None, ["三鲜水饺 2"], ""),
    ("dumplings", "猪肉白菜水饺2斤", None, ["?unit"], ""),
    ("dumplings", "小笼包2笼", None, ["小笼包 2"], ""),
    ("dumplings", "小笼包两笼", None, ["小笼包 2"], ""),
    ("dumplings", "小龙包x3", None, ["小笼包 3"], ""),
    ("dumplings", "汤圆3袋", None, ["黑芝麻汤圆 3"], ""),
    ("dumplings", "汤元2袋", None, ["黑芝麻汤圆 2"], ""),
    ("dumplings", "汤圆 黑芝麻 2袋", None, ["黑芝麻汤圆 2"], ""),
    ("dumplings", "猪肉白材水饺2袋", None, ["猪肉白菜水饺 2"], ""),
    ("dumplings", "水饺(三鲜)2袋", None, ["三鲜水饺 2"], ""),
    ("dumplings", "水饺50个 三鲜的", None, ["三鲜水饺 50"], "三鲜的"),
    ("dumplings", "汤圆2袋 (黑芝麻的)", None, ["黑芝麻汤圆 2"], "(黑芝麻的)"),
    ("dumplings", "三鲜的水饺2袋", None, ["三鲜水饺 2"], ""),
    ("dumplings", "水饺三鲜2袋", None, ["三鲜水饺 2"], ""),
    ("dumplings", "黑芝麻羰圆2袋", None, ["黑芝麻汤圆 2"], ""),
    ("dumplings", "三鲜水饺1袋 汤圆1袋 小笼包1笼", None,
     ["三鲜水饺 1", "黑芝麻汤圆 1", "小笼包 1"], ""),
    # -- drinks: 瓶/箱/听/罐/提/杯, cup sizes, English and digits in names --------
    ("drinks", "可乐2瓶", None, ["可乐 2"], ""),
    ("drinks", "可乐6听", None, ["可乐 6"], ""),
    ("drinks", "可口可乐两瓶", None, ["可乐 2"], ""),
    ("drinks", "Coca Cola 2瓶", None, ["可乐 2"], ""),
    ("drinks", "coca cola x2", None, ["可乐 2"], ""),
    ("drinks", "COCA COLA 2瓶", None, ["可乐 2"], ""),
    ("drinks", "Coca-Cola 2瓶", None, ["可乐 2"], ""),
    ("drinks", "cocacola 2瓶", None, ["可乐 2"], ""),
    ("drinks", "Amy cocacola 2瓶", "Amy", ["可乐 2"], ""),
    ("drinks", "2瓶Coca Cola", None, ["可乐 2"], ""),
    ("drinks", "7喜3瓶", None, ["7喜 3"], ""),
    ("drinks", "七喜3瓶", None, ["7喜 3"], ""),
    ("drinks", "7喜 x3", None, ["7喜 3"], ""),
    ("drinks", "３瓶７喜", None, ["7喜 3"], ""),
    ("drinks", "啤酒6罐", None, ["啤酒 6"], ""),
    ("drinks", "青岛啤酒两提", None, ["啤酒 2"], ""),
    ("drinks", "珍珠奶茶 大杯 少糖 2杯", None, ["珍珠奶茶/大杯 2"], "少糖"),
    ("drinks", "奶茶大杯2杯", None, ["珍珠奶茶/大杯 2"], ""),
    ("drinks", "奶茶2杯 大杯", None, ["珍珠奶茶/大杯 2"], ""),
    ("drinks", "2杯大杯奶茶", None, ["珍珠奶茶/大杯 2"], ""),
    ("drinks", "大杯奶茶2杯 中杯1杯", None, ["珍珠奶茶/大杯 2", "珍珠奶茶/中杯 1"], ""),
    ("drinks", "奶茶 大杯1 中杯2", None, ["珍珠奶茶/大杯 1", "珍珠奶茶/中杯 2"], ""),
    ("drinks", "奶茶大杯2杯，中杯1杯", None, ["珍珠奶茶/大杯 2", "珍珠奶茶/中杯 1"], ""),
    ("drinks", "珍珠奶茶中杯x2 少冰", None, ["珍珠奶茶/中杯 2"], "少冰"),
    ("drinks", "奶茶2杯", None, ["?missing_spec"], ""),
    ("drinks", "大杯2杯", None, ["珍珠奶茶/大杯 2"], ""),
    ("drinks", "大杯2 中杯1", None, ["珍珠奶茶/大杯 2", "珍珠奶茶/中杯 1"], ""),
    ("drinks", "酸奶草莓味2杯", None, ["酸奶/草莓味 2"], ""),
    ("drinks", "草莓味酸奶2杯 草莓1盒", None, ["酸奶/草莓味 2", "草莓 1"], ""),
    ("drinks", "雪碧2瓶", None, ["?unknown_product"], ""),
    ("drinks", "可乐2雪碧3", None, ["可乐 2", "?unknown_product"], ""),
    # sweetness and dates are words, not amounts
    ("drinks", "奶茶大杯 少冰 三分糖", None, ["珍珠奶茶/大杯 1"], "少冰 三分糖"),
    ("drinks", "奶茶大杯 3分糖", None, ["珍珠奶茶/大杯 1"], "3分糖"),
    ("drinks", "奶茶大杯 半糖", None, ["珍珠奶茶/大杯 1"], "半糖"),
    ("drinks", "奶茶中杯2杯 七分甜", None, ["珍珠奶茶/中杯 2"], "七分甜"),
    # a pack size in the selling unit converts packs (one to one otherwise)
    ("drinks", "可乐 24瓶/箱 2箱", None, ["可乐 48"], ""),
    ("drinks", "啤酒一箱24罐", None, ["啤酒 24"], ""),
    ("drinks", "啤酒24罐一箱 2箱", None, ["啤酒 48"], ""),
    ("drinks", "可乐2瓶装 3提", None, ["可乐 6"], ""),
    ("drinks", "可乐2箱", None, ["可乐 2"], ""),
    ("drinks", "可乐 1箱(12瓶)", None, ["可乐 1"], "(12瓶)"),
    ("drinks", "可乐一箱", None, ["可乐 1"], ""),
    ("drinks", "可乐2L 1瓶", None, ["可乐 1"], ""),
    ("drinks", "可乐500ml 2瓶", None, ["可乐 2"], ""),
    ("drinks", "啤酒500毫升 6罐", None, ["啤酒 6"], ""),
    ("drinks", "可乐2瓶装", None, ["可乐 2"], ""),
    # -- flowers: 枝/束/盆, names with 花 glued ----------------------------------
    ("flowers", "玫瑰11枝", None, ["玫瑰 11"], ""),
    ("flowers", "玫瑰十一枝", None, ["玫瑰 11"], ""),
    ("flowers", "红玫瑰99朵", None, ["玫瑰 99"], ""),
    ("flowers", "玫瑰 二十枝", None, ["玫瑰 20"], ""),
    ("flowers", "玫瑰x11", None, ["玫瑰 11"], ""),
    ("flowers", "百合2束", None, ["百合 2"], ""),
    ("flowers", "百合花2束", None, ["百合 2"], ""),
    ("flowers", "百和2束", None, ["百合 2"], ""),
    ("flowers", "玫瑰花10枝 百合1束", None, ["玫瑰 10", "百合 1"], ""),
    ("flowers", "多肉3盆", None, ["多肉 3"], ""),
    ("flowers", "多肉植物3盆", None, ["多肉 3"], ""),
    ("flowers", "多肉两盆 放门卫", None, ["多肉 2"], "放门卫"),
    ("flowers", "向日葵3枝[玫瑰]", None, ["向日葵 3"], ""),
    ("flowers", "满天星1束", None, ["?unknown_product"], ""),
    ("flowers", "玫瑰花11枝 百合花1束", None, ["玫瑰 11", "百合 1"], ""),
    ("flowers", "玫瑰 一束11枝", None, ["玫瑰 11"], ""),
    ("flowers", "玫瑰一打", None, ["玫瑰 12"], ""),
    ("flowers", "两打玫瑰", None, ["玫瑰 24"], ""),
    ("flowers", "百合一打", None, ["?unit"], ""),
    ("flowers", "玫瑰 11月20日要", None, ["玫瑰 1"], "11月20日要"),
    ("flowers", "玫瑰11枝 2月14号送", None, ["玫瑰 11"], "2月14号送"),
    # -- daily goods: 提/包/瓶/盒/枚/袋, pack sizes that are not amounts ----------
    ("daily", "卷纸2提", None, ["卷纸 2"], ""),
    ("daily", "卷纸1包", None, ["卷纸 1"], ""),
    ("daily", "洗衣液2瓶", None, ["洗衣液 2"], ""),
    ("daily", "洗衣夜2瓶", None, ["洗衣液 2"], ""),
    ("daily", "鸡蛋2盒", None, ["鸡蛋 2"], ""),
    ("daily", "鸡蛋30枚", None, ["鸡蛋 30"], ""),
    ("daily", "鸡蛋一打", None, ["?unit"], ""),
    ("daily", "补钙奶粉2罐", None, ["?unknown_product"], ""),
    ("daily", "卷纸2提 不要太大的", None, ["卷纸 2"], "不要太大的"),
    ("daily", "土鸡蛋两盒", None, ["鸡蛋 2"], ""),
    ("daily", "鸡旦2盒", None, ["鸡蛋 2"], ""),
    ("daily", "大米1袋", None, ["东北大米 1"], ""),
    ("daily", "大米10斤", None, ["?unit"], ""),
    ("daily", "大米5kg", None, ["?unit"], ""),
    ("daily", "东北大米5斤一袋 2袋", None, ["东北大米 2"], ""),
    ("daily", "大米2袋 5斤装", None, ["东北大米 2"], ""),
    ("daily", "5斤装大米2袋", None, ["东北大米 2"], ""),
    ("daily", "大米 10斤/袋 3袋", None, ["东北大米 3"], ""),
    ("daily", "大米5斤装", None, ["东北大米 1"], ""),
    ("daily", "鸡蛋30枚装 2盒", None, ["鸡蛋 2"], ""),
    ("daily", "盒装牛奶2盒", None, ["盒装牛奶 2"], ""),
    ("daily", "洗衣液2瓶 送到3栋", None, ["洗衣液 2"], "送到3栋"),
    ("daily", "卷纸2提。", None, ["卷纸 2"], ""),
    ("daily", "卷纸：2提", None, ["卷纸 2"], ""),
    ("daily", "卷纸2提，谢谢！", None, ["卷纸 2"], "谢谢"),
    ("daily", "大米一袋 (放门卫)", None, ["东北大米 1"], "(放门卫)"),
    ("daily", "大米一袋 13800001111 放门卫", None, ["东北大米 1"], "13800001111 放门卫"),
    ("daily", "大米一袋 电话138 0000 1111", None, ["东北大米 1"], "电话138 0000 1111"),
    # -- names that contain count words or start with numerals ------------------
    ("grocery", "条纹毛巾2条", None, ["条纹毛巾 2"], ""),
    ("grocery", "2条条纹毛巾", None, ["条纹毛巾 2"], ""),
    ("grocery", "两条条纹毛巾", None, ["条纹毛巾 2"], ""),
    ("grocery", "毛巾2条", None, ["条纹毛巾 2"], ""),
    ("grocery", "盒马鸡蛋2盒", None, ["盒马鸡蛋 2"], ""),
    ("grocery", "2盒盒马鸡蛋", None, ["盒马鸡蛋 2"], ""),
    ("grocery", "一盒盒马鸡蛋", None, ["盒马鸡蛋 1"], ""),
    ("grocery", "3包一次性手套", None, ["一次性手套 3"], ""),
    ("grocery", "两袋十三香", None, ["十三香 2"], ""),
    ("grocery", "八宝粥八罐", None, ["八宝粥 8"], ""),
    # -- one-character names: matched whole, and only standing apart -----------
    ("seasoning", "姜2斤", None, ["姜 2"], ""),
    ("seasoning", "2斤姜", None, ["姜 2"], ""),
    ("seasoning", "蒜1斤 姜半斤", None, ["蒜 1", "姜 0.5"], ""),
    ("seasoning", "葱姜蒜各1斤", None, ["大葱 1", "姜 1", "蒜 1"], ""),
    ("seasoning", "姜阿姨 蒜2斤", "姜阿姨", ["蒜 2"], ""),
    ("seasoning", "老姜2斤", None, ["?unknown_product"], ""),
    # -- a misspelt name standing apart from its amount or spec -------------------
    ("meat", "排古 2斤", None, ["排骨 2"], ""),
    ("meat", "谢芳 牛男 3斤", "谢芳", ["牛腩 3"], ""),
    ("meat", "谢芳 排古 2斤 自提", "谢芳", ["排骨 2"], "自提"),
    ("meat", "王芳 2斤", "王芳", [], ""),
    ("seafood", "带渔 2斤", None, ["带鱼 2"], ""),
    ("seafood", "路鱼 1条", None, ["鲈鱼 1"], ""),
    ("seafood", "刘梅 路鱼 1条 要活的", "刘梅", ["鲈鱼 1"], "要活的"),
    ("drinks", "林晓 算奶 原味 两杯", "林晓", ["酸奶/原味 2"], ""),
    ("dumplings", "三先水饺 2袋", None, ["三鲜水饺 2"], ""),
    ("dumplings", "猪肉大葱水饺2袋", None, ["?unknown_product"], ""),
    # -- who it is for: a word glued to the product is a name only if it looks like one
    ("drinks", "Coca Cola×2", None, ["可乐 2"], ""),
    ("drinks", "2-502 Coca Cola×2、啤酒1罐", "2-502", ["可乐 2", "啤酒 1"], ""),
    ("drinks", "冰可乐2瓶", None, ["可乐 2"], "冰"),
    ("dumplings", "手工三鲜水饺2袋", None, ["三鲜水饺 2"], "手工"),
    ("meat", "王芳排骨2斤", "王芳", ["排骨 2"], ""),
    ("meat", "芳芳排骨2斤", "芳芳", ["排骨 2"], ""),
    ("meat", "小王排骨2斤", "小王", ["排骨 2"], ""),
    ("meat", "5-302王姐排骨2斤", "5-302王姐", ["排骨 2"], ""),
    # -- and an interjection before the order is nobody's name
    ("meat", "哦 排骨2斤", None, ["排骨 2"], ""),
    ("meat", "好的 五花肉2斤", None, ["五花肉 2"], ""),
    ("meat", "嗯嗯 牛腩1斤", None, ["牛腩 1"], ""),
    ("meat", "那要2斤排骨", None, ["排骨 2"], ""),
    ("meat", "好的 王芳 排骨2斤", "王芳", ["排骨 2"], ""),
]


@pytest.mark.parametrize("trade, line, customer, items, note", ENTRIES,
                         ids=[f"{row[0]}:{row[1]}" for row in ENTRIES])
def test_entry_line_reads_as_its_one_meaning(trade, line, customer, items, note):
    assert read(trade, line) == (customer, items, note)


CHANGES = [
    # (trade, line, [(kind, product or None, value or None, unit or None)])
    ("meat", "五花肉改成3斤", [("set", "五花肉", 3.0, "斤")]),
    ("meat", "改成3斤", [("set", None, 3.0, "斤")]),
    ("meat", "五花肉改3斤", [("set", "五花肉", 3.0, "斤")]),
    ("meat", "五花肉2斤改成3斤", [("set", "五花肉", 3.0, "斤")]),
    ("meat", "三黄鸡改成两只", [("set", "三黄鸡", 2.0, "只")]),
    ("meat", "再加1斤排骨", [("add", "排骨", 1.0, "斤")]),
    ("meat", "排骨再加1斤", [("add", "排骨", 1.0, "斤")]),
    ("meat", "排骨加半斤", [("add", "排骨", 0.5, "斤")]),
    ("meat", "加一只三黄鸡", [("add", "三黄鸡", 1.0, "只")]),
    ("meat", "再来一只三黄鸡", [("add", "三黄鸡", 1.0, "只")]),
    ("meat", "加一份五花肉", [("add", "五花肉", 1.0, "份")]),
    ("meat", "三黄鸡不要了", [("remove", "三黄鸡", None, None)]),
    ("meat", "五花肉取消", [("remove", "五花肉", None, None)]),
    ("meat", "不要了", [("remove", None, None, None)]),
    ("meat", "取消", [("remove", None, None, None)]),
    ("meat", "五花肉加到3斤", [("set", "五花肉", 3.0, "斤")]),
    ("meat", "排骨换成牛腩", [("remove", "排骨", None, None), ("add", "牛腩", None, None)]),
    ("meat", "排骨2斤换成牛腩1斤", [("remove", "排骨", None, None), ("add", "牛腩", 1.0, "斤")]),
    ("meat", "五花肉减1斤", [("add", "五花肉", -1.0, "斤")]),
    ("meat", "五花肉少要半斤", [("add", "五花肉", -0.5, "斤")]),
    ("meat", "减一只三黄鸡", [("add", "三黄鸡", -1.0, "只")]),
    ("seafood", "大闸蟹改成6只", [("set", "大闸蟹", 6.0, "只")]),
    ("seafood", "公的改成3只", [("set", "大闸蟹", 3.0, "只")]),
    ("seafood", "母的再加2只", [("add", "大闸蟹", 2.0, "只")]),
    ("seafood", "母的不要了", [("remove", "大闸蟹", None, None)]),
    ("drinks", "中杯改成3杯", [("set", "珍珠奶茶", 3.0, "杯")]),
    ("drinks", "可乐再加一箱", [("add", "可乐", 1.0, "箱")]),
    ("drinks", "七喜改成5瓶", [("set", "7喜", 5.0, "瓶")]),
    ("flowers", "玫瑰改成十九枝", [("set", "玫瑰", 19.0, "枝")]),
    ("daily", "卷纸不要了", [("remove", "卷纸", None, None)]),
]


@pytest.mark.parametrize("trade, line, actions", CHANGES, ids=[f"{row[0]}:{row[1]}" for row in CHANGES])
def test_change_line_reads_as_its_one_meaning(trade, line, actions):
    parsed = parse_line(normalize(line), TRADES[trade])
    assert isinstance(parsed, ChangeRequest), f"{line!r} was read as {parsed!r}"
    got = [(a.kind, a.item.match.product if a.item else None,
            a.quantity.value if a.quantity else None, a.quantity.unit if a.quantity else None)
           for a in parsed.actions]
    assert got == actions


@pytest.mark.parametrize("line, customer", [("同上", None), ("王姐 同上", "王姐"), ("5-302 同上", "5-302")])
def test_same_as_above_is_read_with_its_customer(line, customer):
    parsed = parse_line(normalize(line), TRADES["meat"])
    assert isinstance(parsed, EntryRequest) and parsed.same_as_above and parsed.customer == customer


@pytest.mark.parametrize("line, plus, customer", [("+1", 1.0, None), ("+2 王姐", 2.0, "王姐"),
                                                  ("王姐 +1", 1.0, "王姐")])
def test_plus_one_is_read_with_its_customer(line, plus, customer):
    parsed = parse_line(normalize(line), TRADES["flowers"])
    assert isinstance(parsed, EntryRequest) and parsed.plus == plus and parsed.customer == customer


@pytest.mark.parametrize("line, plus, spec, customer", [("+2 母", 2.0, "母", None), ("+1 公的", 1.0, "公", None),
                                                        ("王姐 +1 母", 1.0, "母", "王姐"), ("+1", 1.0, None, None)])
def test_plus_one_keeps_its_spec_apart_from_the_customer(line, plus, spec, customer):
    parsed = parse_line(normalize(line), TRADES["seafood"])
    assert (parsed.plus, parsed.spec, parsed.customer) == (plus, spec, customer)


def _slips() -> list[tuple[str, str, str]]:
    """Every name of the tables above with one character swapped for a
    homophone an IME would offer (same toneless pinyin, a GB2312 character):
    the first two such characters by code point, for each position."""
    from pypinyin import lazy_pinyin

    def common(ch: str) -> bool:
        try:
            ch.encode("gb2312")
            return True
        except UnicodeEncodeError:
            return False

    wanted = {lazy_pinyin(c)[0] for catalogue in TRADES.values() for p in catalogue.products for c in p.name}
    homophones: dict[str, list[str]] = {}
    for code in range(0x4E00, 0x9FA6):
        ch = chr(code)
        if common(ch) and (py := lazy_pinyin(ch)[0]) in wanted:
            homophones.setdefault(py, []).append(ch)
    rows = []
    for trade, catalogue in TRADES.items():
        for p in catalogue.products:
            if p.specs or len(p.name) < 2 or not all("\u4e00" <= c <= "\u9fff" for c in p.name):
                continue
            for pos, ch in enumerate(p.name):
                for other in [c for c in homophones[lazy_pinyin(ch)[0]] if c != ch][:2]:
                    rows.append((trade, p.name[:pos] + other + p.name[pos + 1:] + "2" + p.unit, f"{p.name} 2"))
    return rows


@pytest.mark.parametrize("trade, line, item", _slips())
def test_homophone_slip_in_a_name_still_names_it(trade, line, item):
    assert read(trade, line)[1] == [item]


SUGGESTIONS = [
    # an unknown product suggests names that share a character or a syllable, or nothing
    ("meat", "猪肉2斤", {"五花肉", "猪蹄"}),
    ("meat", "鸡腿2斤", {"鸡翅", "三黄鸡"}),
    ("meat", "腊肠2斤", set()),
    ("daily", "抽纸2提", {"卷纸"}),
    ("daily", "面粉1袋", set()),
    ("flowers", "满天星1束", set()),
    ("drinks", "雪碧2瓶", set()),
]


@pytest.mark.parametrize("trade, line, expected", SUGGESTIONS, ids=[row[1] for row in SUGGESTIONS])
def test_unknown_product_suggests_only_plausible_names(trade, line, expected):
    catalogue = TRADES[trade]
    parsed = parse_line(normalize(line), catalogue)
    problem = resolve_item(parsed.items[0], catalogue)
    assert isinstance(problem, ItemProblem) and problem.reason == "unknown_product"
    assert set(problem.suggestions) == expected


@pytest.mark.parametrize("line", ["啊" * 100_000, "三" * 100_000, "五花肉2斤 排骨1斤，" * 10_000,
                                  "+1" * 50_000, "五 " * 50_000, "王姐无花肉2斤" * 15_000,
                                  "1" * 100_000, "x" * 100_000, "[玫瑰]" * 20_000, "蘋果2斤" * 20_000])
def test_very_long_line_does_not_raise(line):
    """Timing is printed by bench/parser_bench.py, never asserted here."""
    parsed = parse_line(normalize(line), TRADES["meat"])
    assert parsed is None or isinstance(parsed, (EntryRequest, ChangeRequest))


SPEC_SHOP = Catalogue((
    product("玫瑰", "束", specs=("红", "粉", "白")), product("大米", "袋", specs=("5kg", "10kg")),
    product("酸奶", "箱", "安慕希", specs=("原味", "草莓味")), product("基围虾", "斤", specs=("活", "冻")),
    product("汤圆", "袋", specs=("黑芝麻", "花生")), product("草莓", "盒"),
))


@pytest.mark.parametrize("line, item, note", [
    ("玫瑰 粉色 2束", ("玫瑰", "粉", 2.0), ""),
    ("粉色玫瑰一束", ("玫瑰", "粉", 1.0), ""),
    ("大米10KG一袋", ("大米", "10kg", 1.0), ""),
    ("大米 10公斤 1袋", ("大米", "10kg", 1.0), ""),
    ("安慕希原味2箱", ("酸奶", "原味", 2.0), ""),
    ("基围虾(活)2斤", ("基围虾", "活", 2.0), ""),
    ("基围虾（冻）1斤 自提", ("基围虾", "冻", 1.0), "自提"),
    ("花生味汤圆1袋", ("汤圆", "花生", 1.0), ""),
    ("黑芝麻馅汤圆2袋", ("汤圆", "黑芝麻", 2.0), ""),
])
def test_a_spec_is_read_in_the_forms_people_type_it(line, item, note):
    entry = parse_line(normalize(line), SPEC_SHOP)
    assert [(i.match.product, i.spec, i.quantity.value) for i in entry.items] == [item]
    assert entry.note == note


def test_a_spec_form_that_is_a_product_stays_the_product():
    # 草莓 is sold: 草莓酸奶 is not read as 酸奶 草莓味 behind the customer's back
    entry = parse_line(normalize("草莓2盒"), SPEC_SHOP)
    assert [(i.match.product, i.spec) for i in entry.items] == [("草莓", None)]


@pytest.mark.parametrize("line, items", [
    ("黑芝麻汤圆一袋 花生汤圆一袋", [("汤圆", "黑芝麻", 1.0), ("汤圆", "花生", 1.0)]),
    ("原味酸奶1箱 草莓味酸奶1箱", [("酸奶", "原味", 1.0), ("酸奶", "草莓味", 1.0)]),
    ("汤圆黑芝麻2袋 花生1袋", [("汤圆", "黑芝麻", 2.0), ("汤圆", "花生", 1.0)]),
])
def test_two_items_of_one_product_in_two_specs_are_two_items(line, items):
    entry = parse_line(normalize(line), SPEC_SHOP)
    assert [(i.match.product, i.spec, i.quantity.value) for i in entry.items] == items


BRANDS = Catalogue((
    product("黑人牙膏", "盒", "牙膏", "黑人", "Darlie"), product("蒙牛纯牛奶", "箱", "纯牛奶", "蒙牛", "牛奶"),
))


@pytest.mark.parametrize("line, quantity", [("Darlie牙膏一盒", 1.0), ("黑人 牙膏一盒", 1.0), ("蒙牛牛奶两箱", 2.0)])
def test_a_brand_beside_another_name_of_the_same_product_is_one_mention(line, quantity):
    entry = parse_line(normalize(line), BRANDS)
    assert [(i.match.product, i.quantity.value) for i in entry.items] == [(entry.items[0].match.product, quantity)]
    assert len(entry.items) == 1


@pytest.mark.parametrize("text, question", [
    ("大米一袋有几斤？", True), ("卷纸一提几卷？", True), ("鸡蛋还有3盒吗", True),
    ("鸡蛋两盒够吃一周吗", True), ("抽纸是几层的呀？2提够不够用一个月", True),
    ("鸡蛋2盒", False), ("还有香蕉2斤", False), ("可乐两箱 谢谢", False),
])
def test_questions_that_name_an_amount_are_told_from_orders(text, question):
    assert asks_price(normalize(text)) is question


BUNS = Catalogue((product("包子", "袋", specs=("鲜肉", "香菇青菜")), product("鲜肉水饺", "袋"), product("鲜肉馄饨", "袋")))


@pytest.mark.parametrize("line, items", [
    ("包子 鲜肉 1袋", [("包子", "鲜肉", 1.0)]),
    ("周阿姨 包子鲜肉1袋", [("包子", "鲜肉", 1.0)]),
    ("包子香菇青菜1袋 鲜肉水饺1袋", [("包子", "香菇青菜", 1.0), ("鲜肉水饺", None, 1.0)]),
])
def test_a_spec_that_is_also_part_of_a_name_is_the_spec_of_the_product_named_before_it(line, items):
    entry = parse_line(normalize(line), BUNS)
    assert [(i.match.product, i.spec, i.quantity.value) for i in entry.items] == items


def test_a_word_that_is_a_spec_and_part_of_two_names_alone_is_still_asked_about():
    entry = parse_line(normalize("鲜肉1袋"), BUNS)
    assert entry.items[0].match.products == ("鲜肉水饺", "鲜肉馄饨")
