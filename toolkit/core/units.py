"""Unit lists and leader lists, read the way the table means them.

A cell of units is a list, but offices separate its entries in several ways: 、，；, a line
break, or a space, and a long name is also wrapped over lines ("湛江机场\\n迁建办",
"市钢铁石化项目\\n建设协调小组"). Hard separators (、，,；;) always split (except inside
brackets: 各县（市、区）政府). At a line break or space the reading is decided by:

1. the table's own vocabulary and units.xlsx (`known`): a join that forms a known whole name
   wins; two known names split;
2. the shape of the text: a piece that cannot stand alone (管委会, 办公室, 有限公司, a gloss in
   brackets, a lone character) continues the name before it; otherwise the line ends a unit
   where the text so far ends like a unit name (局, 委, 办, 政府, 街道, 镇, 公司, 中心 …) and
   continues it where it does not.

A short X办 piece with no place or level prefix (迁建办) is read as a continuation, but the
line before could be a unit by itself (湛江机场): that choice is returned as an `Ambiguity`
naming both readings, which import turns into a finding; a name or alias in units.xlsx (or
the name written whole elsewhere in the table) settles it.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .findings import Finding, finding
from .text import fold, squash

HARD_SEPARATORS = "、，,；;"
_SOFT = "\n \t\u3000\xa0"
_OPEN, _CLOSE = "（(《【", "）)》】"
_TRIM = "。.：:"

# A unit's name ends in one of these; a piece of a cell that does not is the first half of a
# long name the cell wrapped (市钢铁石化项目\n建设协调小组), not a whole unit.
_UNIT_ENDINGS = tuple(
    "局委办府司组会院所队部处室站区市县镇乡村街团行社厅馆校台联心场园关)）"
) + ("中心", "集团", "公司", "银行", "单位", "机构", "企业", "党委", "党组", "街道", "大学", "（街）", "(街)")

# Words that only name a kind of body: alone they are no unit, so a line holding nothing else
# (or one of them with a gloss in brackets: 政府（管委会）) continues the name before it.
_KINDS = (
    "人民政府", "政府", "管理委员会", "管委会", "委员会", "党工委", "党委", "党组", "工作领导小组", "领导小组",
    "工作小组", "工作组", "小组", "工作专班", "专班", "指挥部", "办公室", "办事处", "街道办事处", "街道",
    "股份有限公司", "有限责任公司", "有限公司", "分公司", "集团有限公司", "集团公司", "集团", "公司",
    "分局", "中心", "管理处", "管理局", "成员单位", "各成员单位",
)
_KIND_ONLY = re.compile(
    "^(?:" + "|".join(sorted(map(re.escape, _KINDS), key=len, reverse=True)) + r")+(?:[（(][^）)]*[）)])?$")
# A short X办/X组 piece with no place or level prefix (迁建办, 创文办) names a kind of office: most
# likely the end of the name before it, but it may be a unit by itself.
_SHORT_OFFICE = re.compile(r"^[^市区县镇乡省州村各全国]\w{0,2}[办组]$")
# 附属医院, 所属企业: a piece that names its parent's part continues the parent's name.
_PART_OF = ("附属", "所属", "下属", "直属")
_LOOKAHEAD = 8  # the most lines one known name is joined over


@dataclass(frozen=True)
class Ambiguity:
    """A line break read one way that the text also allows the other way."""

    text: str  # the cell, as written
    chosen: list[str]  # the reading taken: ["湛江机场迁建办"]
    other: list[str]  # the reading not taken: ["湛江机场", "迁建办"]

    def finding(self, **where) -> Finding:
        """The import finding for this ambiguity; `where` gives row, column, item."""
        return finding("unit-split-ambiguous", **where, value=" ".join(self.text.split()),
                       chosen="、".join(self.chosen), other="、".join(self.other))


def unit_vocabulary(cells: Iterable[str], names: Iterable[str] = ()) -> frozenset[str]:
    """The unit names a table writes whole: every piece of a unit cell between hard separators
    that stands on one line (no line break or space inside) and ends like a unit name, plus
    `names` (units.xlsx names and aliases, taken as they are). Kind words alone (政府, 管委会)
    are left out: they are never a unit."""
    out = {squash(n).strip(_TRIM) for n in names}
    for cell in cells:
        for piece, _sep in _pieces((cell or "").strip(), soft=False):
            piece = piece.strip().strip(_TRIM)
            if any(ch in _SOFT for ch in piece):
                continue
            # the names as a list reads them: 财政局和市直各单位 is two, a role note no part of one
            for name in _split_joined(piece, frozenset()):
                m = _ROLE_NOTE.match(name)
                name = m.group(1) if m else name
                if ends_like_unit(name) and not _KIND_ONLY.match(name):
                    out.add(name)
    out.discard("")
    return frozenset(out)


@dataclass(frozen=True)
class RoleNote:
    """A bracket after a unit's name saying what the unit does, not what it is called:
    区统计局(数据统计评估牵头单位), 区教体局（区国资公司代建）."""

    text: str  # the cell, as written
    unit: str
    note: str

    def finding(self, **where) -> Finding:
        return finding("unit-role-note", **where, value=self.unit, note=self.note)


# Words that make a bracket a note on the unit's part in the work, not a part of its name
# (各县（市、区）政府（管委会） and 湛江港（集团）股份有限公司 keep theirs).
_ROLE_NOTE = re.compile(r"^(.+?)[（(]([^（）()]*(牵头|负责|配合|代建|配建|项目|为主|参与|协助|除外|统筹|具体|督导)[^（）()]*)[）)]$")
# 岳麓区和市直相关单位, 财政局和市直各单位: two units joined by 和/及/与. The first must end like
# an office (not 市人力资源和社会保障局, 市场和质量监督局), the second be a unit or a collective.
_JOINED = re.compile(r"^(.{2,}?(?:局|委|办|府|区|县|镇|乡|街道|公司|中心|集团))(?:和|及|与)(.{2,})$")
_COLLECTIVE = ("各", "市直", "区直", "县直", "相关", "有关", "其他")


def _narrow_wrap(text: str) -> str:
    """A name a narrow column wrapped a character or two per line ("市政\n府办\n公厅",
    "长沙\n先导\n区管委会") is joined back: every line but the last has the same one or two
    characters, which no list of unit names has."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    # "残联\n妇联\n团委" is a list: its first line already ends the way a unit's name does
    if len(lines) >= 3 and len({len(line) for line in lines[:-1]}) == 1 and len(lines[0]) <= 2 \
            and len(lines[-1]) <= 2 * len(lines[0]) + 2 and not lines[0].endswith(_UNIT_ENDINGS):
        return "".join(lines)
    return text


def _split_joined(name: str, known: frozenset[str]) -> list[str]:
    if fold(name) in known:
        return [name]
    m = _JOINED.match(name)
    if m and not _KIND_ONLY.match(m.group(2)) and (ends_like_unit(m.group(2)) or m.group(2).startswith(_COLLECTIVE)):
        return [m.group(1), *_split_joined(m.group(2), known)]
    return [name]


def read_unit_list(text: str, known: frozenset[str] = frozenset()) -> tuple[list[str], list[Ambiguity | RoleNote]]:
    """A cell's units in order, without duplicates, and what the clerk should hear about it: the
    line breaks that stayed ambiguous, and notes in brackets taken off the names."""
    keys = _keys(known)
    units: list[str] = []
    ambiguities: list[Ambiguity | RoleNote] = []
    text = _narrow_wrap((text or "").strip())
    segment: list[str] = []
    for piece, sep in _pieces(text, soft=True):
        if piece.strip():
            segment.append(squash(piece))
        if sep and sep in _SOFT:
            continue
        for whole, amb in _read_segment(segment, keys):
            if amb:
                ambiguities.append(Ambiguity(text, *amb))
            for name in _split_joined(whole.strip(_TRIM), keys):
                m = _ROLE_NOTE.match(name)
                if m and fold(name) not in keys:
                    name = m.group(1)
                    ambiguities.append(RoleNote(text, name, m.group(2)))
                if name and name not in units:
                    units.append(name)
        segment = []
    return share_suffix(units), ambiguities


def split_units(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """A cell's list of units (read_unit_list without the ambiguities)."""
    return read_unit_list(text, known)[0]


def _read_segment(lines: list[str], keys: frozenset[str]):
    """(name, ambiguity or None) for each unit in the soft-separated lines of one segment."""
    out = []
    i, n = 0, len(lines)
    while i < n:
        buf, i = lines[i], i + 1
        amb = None
        while i < n:
            nxt = lines[i]
            joined = _known_run(buf, lines, i, keys)
            if joined is not None:  # a join that forms a known whole name wins
                buf, i = buf + "".join(lines[i:joined + 1]), joined + 1
                amb = None
                continue
            if fold(buf) in keys and _known_run("", lines, i, keys) is not None:
                break  # two known names
            if nxt.startswith(tuple(_OPEN) + _PART_OF) or len(nxt) == 1 or _KIND_ONLY.match(nxt):
                buf, i = buf + nxt, i + 1  # a gloss, a lone character, a kind word, a part: never alone
                continue
            if _SHORT_OFFICE.match(nxt):
                if _stands_alone(buf, keys):
                    amb = ([buf + nxt], [buf, nxt])
                buf, i = buf + nxt, i + 1
                continue
            if _stands_alone(buf, keys):
                break
            buf, i = buf + nxt, i + 1  # the text so far is half a name: the line wrapped it
        out.append((buf, amb))
    return out


def _known_run(buf: str, lines: list[str], i: int, keys: frozenset[str]) -> int | None:
    """The last line j (≥ i) such that buf + lines[i..j] is a known name, the longest such."""
    best, text = None, buf
    for j in range(i, min(len(lines), i + _LOOKAHEAD)):
        text += lines[j]
        if fold(text) in keys:
            best = j
    return best


def _stands_alone(text: str, keys: frozenset[str]) -> bool:
    return fold(text) in keys or ends_like_unit(text)


# Units whose usual name has two characters only: 残联 is a unit, where 市政 is half of one.
_TWO_CHARACTER_UNITS = frozenset({"残联", "妇联", "团委", "侨联", "科协", "文联", "工会", "侨办", "台办", "编办",
                                  "海关", "人行", "工商", "税务", "供电", "邮政", "电信", "移动", "联通"})


def ends_like_unit(text: str) -> bool:
    """Whether a piece of text ends the way a unit's name does (局, 委, 街道, 公司 …)."""
    return (len(text) >= 3 and text.endswith(_UNIT_ENDINGS)) or text in _TWO_CHARACTER_UNITS


@lru_cache(maxsize=16)
def _keys(known: frozenset[str]) -> frozenset[str]:
    """Known names as they are matched: spaces gone, full-width brackets as half-width."""
    return frozenset(fold(k) for k in known if k)


def _pieces(text: str, soft: bool, extra: str = "") -> list[tuple[str, str]]:
    """Split at top level (not inside brackets) into (piece, separator that followed); at
    hard separators and `extra`, and at line breaks and spaces too when `soft`."""
    stops = HARD_SEPARATORS + extra + (_SOFT if soft else "")
    out, buf, depth = [], [], 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in stops:
            out.append(("".join(buf), ch))
            buf = []
        else:
            buf.append(ch)
    out.append(("".join(buf), ""))
    return out


_BARE_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,6}[区市县镇]$")
_PLACE_WITH_BODY = re.compile(r"^[\u4e00-\u9fff]{2,6}[区市县镇](人民政府|政府|管委会|党委)$")


def share_suffix(units: list[str]) -> list[str]:
    """赤坎区、霞山区、遂溪县政府 means each of them's 政府: a run of bare place names takes
    the body named after the last of them."""
    out = list(units)
    for i, unit in enumerate(out):
        m = _PLACE_WITH_BODY.match(unit)
        if not m:
            continue
        j = i - 1
        while j >= 0 and _BARE_PLACE.match(out[j]):
            out[j] += m.group(1)
            j -= 1
    return list(dict.fromkeys(out))


# -- leaders -------------------------------------------------------------------------------
_TITLES = tuple(sorted((
    "市长", "副市长", "区长", "副区长", "县长", "副县长", "镇长", "副镇长", "乡长", "副乡长", "省长", "副省长",
    "书记", "副书记", "主任", "副主任", "局长", "副局长", "部长", "副部长", "主席", "副主席", "秘书长", "副秘书长",
    "常委", "委员", "组长", "副组长", "厅长", "副厅长", "处长", "副处长", "科长", "主任委员", "总经理", "副总经理",
    "经理", "董事长", "负责人", "巡视员", "调研员", "党组书记", "党委书记", "政委", "指挥长", "院长", "校长", "行长",
    "总指挥", "成员", "领导", "同志",
), key=len, reverse=True))
_TITLE_WORDS = ("常务", "主要", "分管", "执行", "第一", "兼")
_ORG_TAIL = tuple("局委办府部厅会院处室站区市县镇乡街团司") + ("中心", "政府", "党委", "党组")


def people(text: str) -> list[str]:
    """A leader cell's people, in order: split at line breaks and 、，,；; and at spaces between
    two names (曹  兴 is one name, 曹兴). A title stays with its person, and a piece that is
    only a title (市公安局局长) belongs to the person before it: 谭晓滨副市长、市公安局局长 is
    one leader."""
    out: list[str] = []
    joiner = ""  # how the piece just read was separated from the one before
    for piece, sep in _pieces((text or "").strip(), soft=False, extra="\n"):
        names: list[str] = []
        for word in piece.split():
            # a lone character is half a spaced-out name (曹  兴); a title goes with its person
            if names and (len(word) == 1 or len(names[-1]) == 1 or _only_title(word) or _only_title(names[-1])):
                names[-1] += word
            else:
                names.append(word)
        for k, name in enumerate(names):
            if out and _only_title(name):
                out[-1] += (joiner if k == 0 else "") + name
            else:
                out.append(name)
        joiner = sep if sep in HARD_SEPARATORS else "、"
    return [p for p in (p.strip(_TRIM) for p in out) if p]


def _only_title(text: str) -> bool:
    """市公安局局长, 常务副市长, 局长: a title with no person in it."""
    t = text.strip(_TRIM)
    for title in _TITLES:
        if t.endswith(title):
            rest = t[: -len(title)]
            return not rest or rest in _TITLE_WORDS or rest.endswith(_ORG_TAIL) or rest.endswith(_TITLE_WORDS)
    return False


_LEVELS = "市区县镇乡"


def leader_key(person: str) -> str:
    """How one leader (a person of `people`) is matched, as unit names are (spaces and full-width
    forms aside), with the offices after the first title read without the government's own
    level: 谭晓滨副市长、市公安局局长 and 谭晓滨副市长、公安局局长 are one leader."""
    first, *offices = re.split(r"[、，,；;]", fold(person))
    return "、".join([first] + [_without_level(o) for o in offices])


def _without_level(office: str) -> str:
    """市公安局局长 → 公安局局长; 市长 and 区委书记 stay (what is left would name no office)."""
    rest = office[1:]
    if office[:1] not in _LEVELS or not _only_title(rest):
        return office
    title = next(t for t in _TITLES if rest.endswith(t))
    return rest if len(rest) - len(title) >= 2 else office


# The commonest Chinese surnames (over nine in ten people): a 2–4 character cell starting with
# one is a name, where 已完工 or 全年 is not.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
    "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
    "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
) | {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯"}


def looks_like_person(name: str) -> bool:
    """A name a leader cell may hold: a title (…副市长, 局长) or 2–4 characters after a surname."""
    if _only_title(name) or name.endswith(_TITLES):
        return True
    # 黄埔区, 王家镇: a surname opens many a place's name too
    return 2 <= len(name) <= 4 and (name[0] in _SURNAMES or name[:2] in _SURNAMES) and not ends_like_unit(name)
