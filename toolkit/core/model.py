"""The items of a breakdown table (重点督办事项分解表) and the rows units report on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class SubRow:
    """A further row of an item: a plan node (节点) or a part with its own responsible unit."""

    plan: str
    deadline: str
    units: list[str]  # own units; empty when the row shares the item's unit cell
    row: int  # 1-based row in the source sheet
    key: str = ""
    # The row's own leader and further units where the table gives them (a node run by another
    # leader, with co-units of its own); empty when it shares the item's.
    leader: str = ""
    implementing: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)

    @property
    def lead_unit(self) -> str:
        return self.units[0] if self.units else ""


@dataclass
class Item:
    """One supervised item (事项), with the plan and units as the table gives them."""

    number: str
    title: str
    plan: str = ""
    deadline: str = ""
    leader: str = ""
    units: list[str] = field(default_factory=list)  # the lead column split; units[0] leads (牵头)
    implementing: list[str] = field(default_factory=list)  # 实施单位/承办单位
    cooperating: list[str] = field(default_factory=list)  # 协办单位/配合单位
    star: bool = False  # ★: also a key task of the level above
    category: str | None = None  # 一、重点指标类（7项）
    subcategory: str | None = None  # （一）聚焦党的建设…（15项）
    leader_group: str | None = None  # 陈文副市长分管工作（共2项）
    extras: dict[str, str] = field(default_factory=dict)
    row: int = 0
    subrows: list[SubRow] = field(default_factory=list)
    key: str = ""

    @property
    def lead_unit(self) -> str:
        return self.units[0] if self.units else ""

    @property
    def final_deadline(self) -> str:
        """When the whole item is due: the last deadline of its plan nodes (Heshan tables give
        each node its own), else the item's own."""
        nodes = [self.deadline] + [s.deadline for s in self.subrows if not s.units]
        return next((d for d in reversed(nodes) if d), "")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Item":
        data = dict(data)
        data["subrows"] = [SubRow(**s) for s in data.get("subrows", [])]
        return cls(**data)
