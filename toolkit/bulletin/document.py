"""The bulletin as a Word document: toolkit/templates/bulletin.docx filled by docxtpl (Jinja2 in Word).

The template is the office's to edit in Word or WPS (toolkit/templates/build_bulletin_template.py makes
duban's own); a copy in the workspace's templates/ folder wins. Jinja2 autoescapes every value,
so a unit's "<b>" or "&lt;" is printed as typed, never read as Word XML; values are never
rendered again, so a unit's "{{ … }}" is printed as typed too.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..core.errors import ConfigError
from ..store.templates import TEMPLATES, find_template

TEMPLATE = "bulletin.docx"


def render(workspace_root: Path, context: dict, target: Path) -> Path:
    """Fill the bulletin template with `context` and save it as `target`; returns the template used."""
    import jinja2
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    source = find_template(workspace_root, TEMPLATE)
    if source is None:
        raise ConfigError(f"找不到通报模板 {TEMPLATE}；请把它放回 {TEMPLATES} 或工作区的 templates 文件夹。")
    try:
        doc = DocxTemplate(str(source))
        doc.init_docx()
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as e:
        raise ConfigError(f"通报模板“{source}”不是能打开的 Word 文件（.docx）；请在 Word/WPS 中另存为 .docx，"
                          "或删除工作区 templates 文件夹里的这个文件以恢复默认模板。") from e
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        doc.render(context, jinja_env=env, autoescape=True)
    except jinja2.TemplateSyntaxError as e:
        raise ConfigError(f"通报模板“{source.name}”里的 {{{{ }}}} 或 {{% %}} 写法有误（{e.message}）；请改正，"
                          "或删除工作区 templates 文件夹里的这个文件以恢复默认模板。") from e
    except jinja2.UndefinedError as e:
        raise ConfigError(f"通报模板“{source.name}”用了不认识的词（{e.message}）；可用的词见 README 的“督查通报”一节。") from e
    doc.save(str(target))
    return source
