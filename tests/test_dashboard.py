"""status --html: the 红黄绿 dashboard, self-contained and safe with units' texts, and looked at
as a person would: in headless Chromium at 1366×768 and printed to PDF."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from conftest import IMPORT
from test_collect import DGRC, EDU, Round
from test_generate import metadata

from toolkit import simulate
from toolkit.collect.run import collect
from toolkit.core import schema
from toolkit.core.config import Config
from toolkit.core.model import Item, SubRow
from toolkit.core.rounds import Round as DueRound
from toolkit.core.state import Answer, item_status, light, reportings, status_rank
from toolkit.generate.run import generate
from toolkit.importing.run import init_workspace


@pytest.fixture
def rnd(tmp_path):
    return Round(tmp_path)


class Page(HTMLParser):
    """The page's tables as a reader sees them: per table (by class), its rows (the tr's class,
    the cells' classes and texts, markup taken as the browser takes it)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[dict]] = {}
        self._rows: list[dict] | None = None
        self._cell: list | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "table":
            self._rows = self.tables.setdefault(cls, [])
        elif tag == "tr" and self._rows is not None:
            self._rows.append({"class": cls, "cells": []})
        elif tag in ("td", "th") and self._rows:
            self._cell = [cls, ""]
            self._rows[-1]["cells"].append(self._cell)

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None
        elif tag == "table":
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data

    COLUMNS = {"灯": "light_cn", "序号": "number", "事项": "title", "牵头单位": "units", "完成时限": "due",
               "完成状态": "why", "进展情况": "progress", "存在问题": "problems"}

    def items(self, table: str) -> dict[str, dict]:
        """'一、重点指标类（7项）/1' → {light, why, progress, problems, units, …} of the table's items,
        by the columns' headers (whatever other columns the table has)."""
        header, *rows = self.tables[f"items {table}"]
        names = [self.COLUMNS.get(t, t) for _, t in header["cells"]]
        out, category = {}, ""
        for row in rows:
            texts = [t for _, t in row["cells"]]
            if row["class"] == "group":
                category = texts[0].split("：")[0]  # the warnings' say how many are red: 一、…（7项）：红色 6 项
            elif row["class"].startswith("item"):
                item = {"light": row["class"].split()[1], **dict(zip(names, texts))}
                out[f"{category}/{item['number']}"] = item
        return out

    def units(self) -> dict[str, list[str]]:
        return {cells[0][1]: [t for _, t in cells[1:]] for cells in (r["cells"] for r in self.tables["units"][1:])}


def by_title(items: dict[str, dict], start: str) -> dict:
    return next(i for i in items.values() if i["title"].startswith(start))


def status_counts(html: str) -> dict[str, int]:
    """The dashboard's items per status (the one rule's counts)."""
    return {k: int(v) for k, v in re.findall(r'<td class="n" data-status="([^"]+)">(\d+)</td>', html)}


def cards(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'<div class="card (green|yellow|red)"><b>(\d+)</b>', html)}


def test_dashboard_lights_warnings_and_escaped_texts(rnd, run):
    keys = rnd.keys(DGRC)  # GDP: 5 node rows, then fixed investment: 4
    done = {"进展情况": "已全部完成。", "完成状态": "已完成", "完成时间": "2022-06-30"}
    answers = {k: done for k in keys}
    answers[keys[0]] = {"进展情况": "<script>alert(1)</script>受疫情影响滞后。", "完成状态": "未按进度完成",
                        "存在问题": "=HYPERLINK(\"http://x\") <b>资金</b>不足。"}
    rnd.fill(DGRC, answers=answers)
    edu = rnd.keys(EDU)  # its nodes due 4月底 (done), 6月底 (this round's, on track), 8月底 and 9月底
    rnd.fill(EDU, answers={**rnd.answers(EDU), edu[0]: done})
    rnd.collect()
    page = rnd.tmp / "看板.html"
    code, out = run("status", "-w", rnd.ws.root, "--html", page)
    assert code == 0 and str(page) in out.replace("\n", "")
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html  # a unit's text cannot run in the page
    assert "<b>资金" not in html  # nor mark it up
    assert "<link" not in html and "src=" not in html  # nothing fetched from elsewhere: works offline
    # 9 items: 1 done (green), 1 on track (yellow: 市教育局's), 1 behind + 6 not reported (red)
    assert cards(html) == {"green": 1, "yellow": 1, "red": 7}
    assert status_counts(html) == {"已完成": 1, "基本按进度完成": 1, "未按进度完成": 1, "暂缓实施": 0, "未报送": 6}
    assert "红色预警（7 项）" in html and "缺报单位：" in html and "市委办公室" in html
    seen = Page(html)
    gdp = by_title(seen.items("all"), "地区生产总值")
    assert gdp["light"] == "red" and gdp["why"] == "未按进度完成" and gdp == by_title(seen.items("warnings"), "地区生产总值")
    # GDP's four done nodes say the same: shown once; 存在问题 beside 进展情况, as text
    assert gdp["progress"].count("已全部完成。") == 1 and "<script>alert(1)</script>受疫情影响滞后。" in gdp["progress"]
    assert gdp["problems"] == "=HYPERLINK(\"http://x\") <b>资金</b>不足。"
    school = by_title(seen.items("all"), "完成沙坪六小综合楼")
    assert school["light"] == "yellow" and school["why"] == "基本按进度完成（完成时限6月底已到）"  # due in this round's period: the unit's word stands
    # a node still not done a round after its deadline (4月底, at the round of 5月3日) makes its item red
    rnd.fill(EDU, name="again.xlsx", answers=rnd.answers(EDU), saved_at=dt.datetime(2022, 7, 2))
    rnd.collect()
    run("status", "-w", rnd.ws.root, "--html", page)
    html = page.read_text(encoding="utf-8")
    school = by_title(Page(html).items("all"), "完成沙坪六小综合楼")
    assert (school["light"], school["why"]) == ("red", "已过完成时限（4月底）仍未完成")
    assert status_counts(html)["基本按进度完成"] == 1


def test_an_item_whose_sub_row_units_sent_nothing_is_red_unreported_not_green(tmp_path, run):
    """Item 1 of the Zhanjiang-style table: its lead reports 已完成, the two units of its
    sub-rows send nothing. The item is 未报送 (red), in status and on the dashboard alike."""
    ws, _ = init_workspace(tmp_path / "ws", IMPORT / "merged_subrows.xlsx")
    files = {f.unit: f.path for f in generate(ws, "2022-05-03").files}
    lead = "市交通运输局"
    key = next(k for k, _ in metadata(files[lead]).rows)
    done = {"进展情况": "38座危桥整治已全部完成。", "完成状态": "已完成", "完成时间": "2022-04-30"}
    simulate.fill(files[lead], tmp_path / "inbox" / files[lead].name, {key: done}, saved_at=dt.datetime(2022, 5, 1))
    collect(ws, tmp_path / "inbox")
    code, out = run("status", "-w", ws.root, "--json", "--html", tmp_path / "看板.html")
    item = next(i for i in out["items"] if i["number"] == "1")
    assert item["units"] == [lead, "市水务局", "市雷州青年运河管理局"]
    assert item["status"] == "未报送" and [(r["unit"], r["node"]) for r in item["reports"]] == [(lead, None)]
    html = (tmp_path / "看板.html").read_text(encoding="utf-8")
    row = next(i for k, i in Page(html).items("all").items() if k.endswith("/1"))
    assert row["light"] == "red" and row["why"] == "未报送（共 3 行，2 行未报）"
    assert row["units"] == "、".join(item["units"])
    assert status_counts(html) == out["counts"]


# -- the light rule (core.state.light) --------------------------------------------------------------

ROUNDS = [DueRound(dt.date(2022, m, 3), "") for m in (4, 5, 7, 9, 11)] + [DueRound(dt.date(2023, 1, 3), "")]


def lit(deadlines_statuses: list[tuple[str, str | None]], due: str, rounds=ROUNDS) -> tuple[str, str]:
    """The light of an item whose rows have these deadlines and these answers (None: none)."""
    item = Item("1", "事项", deadline=deadlines_statuses[0][0], units=["市甲局"], key="k",
                subrows=[SubRow("", d, [], 0, key=f"k.{n}") for n, (d, _) in enumerate(deadlines_statuses[1:], 2)])
    answers = {key: [Answer("市甲局", {schema.STATUS: s})]
               for key, (_, s) in zip(["k"] + [s.key for s in item.subrows], deadlines_statuses) if s}
    cfg = Config(year=2022, rounds=rounds)
    rank = status_rank(cfg.statuses)
    rows = reportings(item, answers, rank)
    return light(item_status(rows, rank), rows, next(r for r in rounds if r.name == due), cfg)


def test_the_light_follows_the_status_and_a_target_late_by_a_round_is_red():
    on, done = "基本按进度完成", "已完成"
    assert lit([("6月底", done), ("12月15日", done)], "2023-01-03") == ("green", "已完成")
    # the year's last round: targets due in December and called on track are yellow, not overdue red
    assert lit([("6月底", done), ("12月15日", on)], "2023-01-03") == ("yellow", "基本按进度完成（完成时限12月15日已到）")
    assert lit([("6月底", done), ("12月15日", on)], "2022-11-03") == ("yellow", "基本按进度完成")
    # still not done at the round after its deadline: red, whatever the unit calls it
    assert lit([("6月底", on), ("12月15日", on)], "2022-09-03") == ("red", "已过完成时限（6月底）仍未完成")
    assert lit([("6月底", on)], "2022-07-03") == ("yellow", "基本按进度完成（完成时限6月底已到）")
    # a workspace's first round has no earlier one: what fell due is reported for the first time
    assert lit([("3月底", on)], "2022-07-03", rounds=ROUNDS[2:]) == ("yellow", "基本按进度完成（完成时限3月底已到）")
    assert lit([("12月15日", "未按进度完成")], "2022-07-03") == ("red", "未按进度完成")
    assert lit([("6月底", done), ("12月15日", None)], "2022-07-03") == ("red", "未报送（共 2 行，1 行未报）")
    assert lit([("12月15日", None)], "2022-07-03") == ("red", "未报送")


# -- looked at in a browser: the Heshan year-end round -----------------------------------------------

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and Path(p).exists()), None)
needs_chromium = pytest.mark.skipif(
    (CHROMIUM is None or shutil.which("pdftotext") is None) and not os.environ.get("DUBAN_REQUIRE_OFFICE"),
    reason="Chromium or poppler not installed (CI installs them and sets DUBAN_REQUIRE_OFFICE)")
WIDTH, HEIGHT = 1366, 768  # the office laptop's screen

# Injected into a test-only copy of the page (the shipped page has no scripts): after layout,
# it writes what a reader would see into the DOM, which --dump-dom hands back. Sizes are the
# browser's own (CSS px), not guessed from the HTML.
MEASURE = """<script>(function () {
  function lines(el) {  // line boxes of an element's text: distinct tops of its text's rects
    var r = document.createRange(), tops = {}, rects, i;
    r.selectNodeContents(el); rects = r.getClientRects();
    for (i = 0; i < rects.length; i++) if (rects[i].width > 0) tops[Math.round(rects[i].top)] = 1;
    return Object.keys(tops).length;
  }
  function each(sel, f) { return Array.prototype.map.call(document.querySelectorAll(sel), f); }
  var out = {viewport: innerWidth, scroll: document.documentElement.scrollWidth,
             right: Math.max.apply(null, each('table', function (t) { return t.getBoundingClientRect().right; }))};
  out.cards = each('.band .card', function (c) {
    var b = c.getBoundingClientRect();
    return {text: c.innerText.replace(/\\s+/g, ' '), bottom: b.bottom, bg: getComputedStyle(c).backgroundColor};
  });
  out.table = document.querySelector('table.all').getBoundingClientRect().width;
  out.columns = {};
  each('table.all thead th', function (th) { out.columns[th.innerText] = th.getBoundingClientRect().width; });
  out.number_lines = Math.max.apply(null, each('table.all td.num', lines));
  out.units = each('table.all .unit', function (u) { return [u.innerText, lines(u)]; });
  out.row_heights = each('table.all tr.item', function (tr) { return tr.getBoundingClientRect().height; });
  out.clipped = each('.clip', function (c) {
    return c.scrollHeight > c.clientHeight + 2 ? c.textContent : null; }).filter(Boolean);
  out.lights = each('table.all td.light', function (td) { return getComputedStyle(td).backgroundColor; });
  document.body.setAttribute('data-layout', JSON.stringify(out));
})();</script>"""


def png_rows(png: bytes, rows: int) -> tuple[int, list[bytes]]:
    """(width, the first `rows` rows as RGB bytes) of an 8-bit RGB or RGBA PNG (Chromium's screenshots)."""
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and colour in (2, 6)
    bpp, pos, data = 3 if colour == 2 else 4, 8, b""
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data += png[pos + 8:pos + 8 + n] if kind == b"IDAT" else b""
        pos += 12 + n
    raw, stride, prev, out = zlib.decompressobj().decompress(data, (1 + width * bpp) * rows), width * bpp, None, []
    for y in range(rows):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        up = prev or bytes(stride)
        for i in range(stride):  # PNG's row filters: none, sub, up, average, paeth
            a, b = line[i - bpp] if i >= bpp else 0, up[i]
            c = up[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = bytes(line)
        out.append(prev if bpp == 3 else bytes(v for j, v in enumerate(prev) if j % 4 != 3))
    return width, out


def has_colour(rows: list[bytes], rgb: tuple[int, int, int], at_least: int, tolerance: int = 6) -> bool:
    """At least `at_least` pixels of about this colour."""
    pixels = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(-1, 3).astype(int)
    return int((np.abs(pixels - rgb) <= tolerance).all(axis=1).sum()) >= at_least


@pytest.fixture(scope="module")
def browser(heshan_mixed, tmp_path_factory):
    """The year-end dashboard written by `status --html`, opened once by headless Chromium at
    1366×768: the laid-out page's measurements, a screenshot and the page printed to PDF."""
    if CHROMIUM is None:
        pytest.fail("Chromium not installed, and DUBAN_REQUIRE_OFFICE asks for it")
    ws, run, _ = heshan_mixed
    tmp = tmp_path_factory.mktemp("browser")
    code, st = run("status", "-w", ws.root, "--json", "--html", tmp / "看板.html")
    html = (tmp / "看板.html").read_text(encoding="utf-8")
    (tmp / "measured.html").write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    profile = tmp / "profile"
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
         "--no-pdf-header-footer", f"--screenshot={tmp / 'screen.png'}", f"--print-to-pdf={tmp / 'printed.pdf'}",
         "--dump-dom", (tmp / "measured.html").as_uri()],
        capture_output=True, text=True, timeout=120)
    layout = re.search(r'data-layout="([^"]*)"', done.stdout)
    assert layout, done.stderr[-2000:]
    return {"html": html, "status": st, "layout": json.loads(htmllib.unescape(layout.group(1))),
            "png": (tmp / "screen.png").read_bytes(), "pdf": tmp / "printed.pdf"}


@needs_chromium
@pytest.mark.xdist_group("test_state")
def test_the_page_fits_a_laptop_screen_with_the_lights_on_top(browser):
    layout, counts = browser["layout"], browser["status"]["counts"]
    # no horizontal scrolling at 1366 px; every table inside the page's margin
    assert layout["viewport"] == WIDTH and layout["scroll"] <= WIDTH and layout["right"] <= WIDTH - 16
    cards = {c["text"].split(" ", 1)[1]: c for c in layout["cards"]}
    assert all(c["bottom"] < 200 for c in cards.values())  # the whole band above the first table, at the top
    green, yellow, red = (int(cards[k]["text"].split()[0]) for k in ("绿：已完成", "黄：推进中", "红：滞后、暂缓、逾期或未报送"))
    assert green == counts["已完成"] and green + yellow + red == 258
    # the year's last round has yellow again: Heshan's own 基本按进度完成 items due in December
    assert 0 < yellow <= counts["基本按进度完成"] and red >= counts["未按进度完成"] + counts["暂缓实施"] + counts["未报送"]
    assert cards["单位部分退回"]["text"].startswith("1 ") and cards["单位缺报"]["text"].startswith("2 ")
    assert sorted(Counter(layout["lights"]).values()) == sorted([green, yellow, red])  # the rows' colours add up
    # …and a person sees the three colours at the top of the screenshot, in the band's own colours
    width, top = png_rows(browser["png"], 160)
    assert width == WIDTH
    for card in ((226, 240, 217), (255, 242, 204), (248, 203, 173)):  # .card.green/.yellow/.red
        assert has_colour(top, card, at_least=2000), card


@needs_chromium
@pytest.mark.xdist_group("test_state")
def test_columns_read_as_a_person_reads_them(browser):
    layout = browser["layout"]
    share = {name: w / layout["table"] for name, w in layout["columns"].items()}
    assert layout["number_lines"] == 1  # 序号 never wraps
    assert share["序号"] < 0.05 and share["灯"] < 0.04
    assert share["事项"] <= 0.25 < share["进展情况"] and share["存在问题"] >= 0.12  # 事项 does not take the page
    assert max(share.values()) == share["进展情况"]
    # a unit's name wraps as a whole: names up to 10 characters (市人力资源社会保障局) on one line
    split = [(name, n) for name, n in layout["units"] if n > 1 and len(name) <= 10]
    assert split == [] and all(n <= 2 for _, n in layout["units"])
    # long texts clamped: no row of the overview taller than a few lines
    assert max(layout["row_heights"]) < 140 and len(layout["row_heights"]) == 258


@needs_chromium
@pytest.mark.xdist_group("test_state")
def test_long_texts_are_clamped_on_screen_and_whole_on_paper(browser):
    clipped = browser["layout"]["clipped"]
    assert len(clipped) > 50  # clipped, not cut: the text is all there, a click (or 显示全文) shows it
    warnings = Page(browser["html"]).items("warnings")
    assert max((i["progress"] for i in warnings.values()), key=len) in clipped
    # on paper every red item's 进展情况 is whole, read down the printed column page after page
    printed = "".join(pdf_column(browser["pdf"], "进展情况", "存在问题"))
    assert all(re.sub(r"\s+", "", i["progress"]) in printed for i in warnings.values())


@needs_chromium
@pytest.mark.xdist_group("test_state")
def test_printed_on_a4_landscape_with_the_header_on_every_page_and_the_colours(browser):
    info = subprocess.run(["pdfinfo", browser["pdf"]], capture_output=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert (round(float(size.group(1))), round(float(size.group(2)))) == (842, 595)  # A4 landscape
    pages = pdf_text(browser["pdf"])
    assert 5 < len(pages) < 60  # the overview of all items leaves out their texts: not the whole summary again
    assert pages[0].lstrip().startswith("2022年鹤山市委、市政府重点工作任务 督办看板")
    # every later page starts with its table's header row, repeated, or with a section's heading
    # (the overview of all items starts a page of its own)…
    lines = [[line.split() for line in p.strip().splitlines()[:2]] for p in pages[1:]]
    assert all(h[:3] == ["灯", "序号", "事项"] or h[:2] == ["单位", "报送"] or h[0].startswith("全部事项") for h, _ in lines), lines
    assert any(h[0].startswith("全部事项") for h, _ in lines)
    # …then a whole row: a light, a category, a unit. Only a row taller than a page goes on
    # (三、30: its nodes' texts fill more than a page)
    cut = [row for head, row in lines if head[0] == "灯" and row[0] not in "红黄绿" and not re.match("[一二三四五六七八九十]+、", row[0])]
    assert len(cut) <= 1, cut
    # the lights print in colour: page 1's red cells and cards, as poppler renders them
    ppm = subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", browser["pdf"]], capture_output=True).stdout
    width, height = map(int, ppm.split(b"\n")[1].split())
    rows = [ppm[-width * height * 3:]]
    for colour in ((192, 57, 43), (226, 240, 217), (255, 242, 204)):  # red light cell, green and yellow cards
        assert has_colour(rows, colour, at_least=20, tolerance=10), colour


@needs_chromium
@pytest.mark.xdist_group("test_state")
def test_a_partly_accepted_unit_is_not_plainly_reported(browser):
    """市发展改革局's file had one row with a status not in the list: the file stands (the unit
    has reported, as status --json says), but that row is still owed."""
    seen = Page(browser["html"])
    assert seen.units()["市发展改革局"][:3] == ["部分退回", "", "1"]
    assert next(u for u in browser["status"]["units"] if u["name"] == "市发展改革局")["submitted"] is True
    assert seen.units()["龙口镇"][0] == "缺报" and seen.units()["市财政局"][:3] == ["已报", "", ""]
    assert "部分退回（仍有行未采纳，待补报）：市发展改革局（第 1 行）" in re.sub(r"<[^>]+>", "", browser["html"])



@pytest.mark.xdist_group("test_state")
def test_the_terminal_status_names_a_partly_accepted_unit_and_the_rows_it_owes(heshan_mixed):
    ws, run, _ = heshan_mixed
    code, out = run("status", "-w", ws.root)
    flat = out.replace("\n", "")
    assert "部分退回，待补报：市发展改革局（第 1 行）" in flat, out
    assert "缺报" in flat and "龙口镇" in flat

def pdf_text(pdf: Path) -> list[str]:
    """Each page's text, laid out as printed."""
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")[:-1]


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>')


def pdf_column(pdf: Path, header: str, next_header: str) -> list[str]:
    """The text printed under `header` on each page that has it, top to bottom (the column runs
    from its header's left edge to the next one's), without the header repeated on the page."""
    out = []
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    for page in bbox.split("<page ")[1:]:
        words = [(float(x), float(y), htmllib.unescape(t)) for x, y, t in WORD.findall(page)]
        heads = {t: (x, y) for x, y, t in words if t in (header, next_header)}
        if len(heads) == 2:
            (left, top), (right, _) = heads[header], heads[next_header]
            column = sorted((round(y), x, t) for x, y, t in words if left - 3 <= x < right - 3 and y > top + 2)
            out.append("".join(t for _, _, t in column))
    return out
