"""The summary workbook's formats and print setup, shared by its table and statistics sheets."""

from __future__ import annotations

from ..store.summaryconfig import SummaryConfig

# GB/T 9704-2012's type area (版心 156 × 225 mm on A4) turned for a landscape table: the margins
# of the portrait page, 37/35 mm (天头/地脚) left and right and 28/26 mm (订口/翻口) top and bottom.
MARGINS_MM = {"left": 37, "right": 35, "top": 28, "bottom": 26}
A4_MM = (297, 210)  # landscape
FOOTER = "&C第 &P 页 共 &N 页"


class Styles:
    """The formats of the summary workbook, each made once (XlsxWriter wants few formats)."""

    def __init__(self, wb, scfg: SummaryConfig):
        self.wb, self.scfg = wb, scfg
        self._made: dict[tuple, object] = {}

    def get(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._made:
            self._made[key] = self.wb.add_format(props)
        return self._made[key]

    def body(self, **props):
        base = {"font_name": self.scfg.body_font, "font_size": self.scfg.body_size, "text_wrap": True,
                "valign": "vcenter"}
        return self.get(**{**base, **props})

    def cell(self, align="left", **props):
        return self.body(border=1, align=align, **props)

    def run(self, bold: bool):
        """Font of a rich-text run: every run gets one, else Excel falls back to Calibri."""
        return self.get(font_name=self.scfg.body_font, font_size=self.scfg.body_size, bold=bold)

    @property
    def title(self):
        return self.get(font_name=self.scfg.title_font, font_size=self.scfg.title_size, align="center",
                        valign="vcenter", text_wrap=True)

    @property
    def header(self):
        return self.get(font_name=self.scfg.header_font, font_size=self.scfg.header_size, align="center",
                        valign="vcenter", text_wrap=True, border=1)


def page_setup(ws, header_row: int | None, scale: int | None = None) -> None:
    """A4 landscape, GB/T 9704 margins, page footer; one page wide: at `scale` percent, or fitted
    by the program that prints it."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if scale:
        ws.set_print_scale(scale)
    else:
        ws.fit_to_pages(1, 0)  # one page wide, as many long as it takes
    ws.set_margins(**{k: v / 25.4 for k, v in MARGINS_MM.items()})
    ws.set_footer(FOOTER, {"margin": 0.55})
    ws.center_horizontally()
    if header_row is not None:
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, 0)
