"""A round as a PNG: per-product totals and orders over time.

matplotlib is imported only here and only when a chart is asked for (it
costs a second of start-up), with the Agg backend (no display on a server).
Chinese labels need a CJK font: `make setup` installs one (WenQuanYi Micro
Hei or Noto Sans CJK); without one the chart is still drawn, with a warning.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.merchant.reports import orders_over_time, product_totals
from storage.queries import RoundRows

log = logging.getLogger("jielong.charts")

CJK_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
                "Source Han Sans SC", "Source Han Sans CN", "SimHei", "Microsoft YaHei", "PingFang SC",
                "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback")
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
CJK_FILE_HINTS = ("wqy", "notosanscjk", "notoserifcjk", "sourcehan", "simhei", "msyh", "droidsansfallback",
                  "uming", "ukai")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, registering its file if needed."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    # A font installed after matplotlib built its cache: add the files directly.
    for folder in FONT_FOLDERS:
        root = Path(folder)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() in (".ttf", ".ttc", ".otf") and \
                    any(h in path.name.lower().replace("-", "").replace("_", "") for h in CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(str(path))
                except Exception:  # a broken font file must not stop the chart
                    continue
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot

    family = cjk_font()
    if family:
        matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
        matplotlib.rcParams["font.family"] = "sans-serif"
    else:
        log.warning("no CJK font found (apt-get install fonts-wqy-microhei); Chinese labels will not render")
    matplotlib.rcParams["axes.unicode_minus"] = False
    return pyplot


def local_time(value: datetime, timezone: str) -> datetime:
    """Wall-clock time in the group's timezone, naive (SQLite already stores it so)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def round_chart(rnd: RoundRows, path: Path, timezone: str = "Asia/Shanghai") -> Path:
    """Two panels: how much of each product, and how the orders came in."""
    pyplot = _pyplot()
    totals = product_totals(rnd)
    timeline = orders_over_time(rnd)
    figure, (bars, line) = pyplot.subplots(2, 1, figsize=(7, 3 + 0.35 * max(4, len(totals))),
                                           gridspec_kw={"height_ratios": [max(2, len(totals) * 0.5), 2]})
    try:
        labels = [t.label for t in totals][::-1]
        values = [t.quantity for t in totals][::-1]
        drawn = bars.barh(labels, values, color="#e4572e")
        bars.bar_label(drawn, labels=[f"{t.quantity:g}{t.unit}" for t in totals][::-1], padding=3)
        bars.set_title(f"{rnd.name}：各商品数量（共{len(rnd.orders)}单）")
        bars.set_xlabel("数量（按售卖单位）")
        if values:
            bars.set_xlim(0, max(values) * 1.2)
        if timeline:
            from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

            times = [local_time(t, timezone) for t, _ in timeline]
            counts = [n for _, n in timeline]
            line.step(times, counts, where="post", color="#17bebb")
            line.fill_between(times, counts, step="post", alpha=0.2, color="#17bebb")
            pad = max((times[-1] - times[0]) * 0.05, timedelta(minutes=10))   # one order: still a range
            line.set_xlim(times[0] - pad, times[-1] + pad)
            locator = AutoDateLocator()       # its own per-frequency tick limits: no interval warnings
            line.xaxis.set_major_locator(locator)
            line.xaxis.set_major_formatter(ConciseDateFormatter(
                locator, offset_formats=["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"]))
        line.set_title("下单时间（累计订单数）")
        line.set_ylabel("订单数")
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=110)
    finally:
        pyplot.close(figure)
    return path
