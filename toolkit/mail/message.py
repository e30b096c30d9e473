"""Composing a mail (邮件): recipients from units.xlsx, the body from a clerk's Jinja2 template,
and a MIME message whose Chinese attachment name every client the units use shows right.

The attachment headers are written by hand. The standard library splits a long non-ASCII
file name into RFC 2231 continuations (filename*0*=, filename*1*=), which Outlook shows as
"Untitled Attachment" and QQ Mail as tcmime.bin. What they all read is an RFC 2047 `name=`
in Content-Type (older Outlook and Foxmail) plus one unsplit `filename*=UTF-8''…` in
Content-Disposition (everything newer).
"""

from __future__ import annotations

import base64
import re
import unicodedata
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import quote

from ..core.errors import ConfigError
from ..store.templates import TEMPLATES, template_dirs

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Raw header values set with set_raw are written exactly as given (refold_source="none");
# headers set by assignment (Subject, From, To) are still folded and encoded by the library.
POLICY = SMTP.clone(refold_source="none")
MAX_LINE = 998  # RFC 5322's hard limit on a header line: the unsplit filename* must fit in it
_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SEPARATORS = re.compile(r"[;,、\s]+")


# -- recipients -------------------------------------------------------------------------------
def parse_addresses(cell: str) -> tuple[list[str], list[str]]:
    """(addresses, mistakes) from a 电子邮箱 cell: several addresses separated by ; , 、 or
    spaces, full-width punctuation from a Chinese input method included (NFKC folds ＠ ； ，).
    Mistakes are pieces with an @ that are not an address (zhang@abc); other words, such as a
    name before the address, are left out quietly."""
    text = unicodedata.normalize("NFKC", cell or "")
    found: list[str] = []
    mistakes: list[str] = []
    for piece in _SEPARATORS.split(text):
        piece = piece.strip("<>()[]\"'")
        if _ADDRESS.fullmatch(piece):
            if piece.lower() not in {a.lower() for a in found}:
                found.append(piece)
        elif "@" in piece:
            mistakes.append(piece)
    return found, mistakes


# -- templates --------------------------------------------------------------------------------
def template_environment(workspace_root: Path, autoescape: bool = False):
    """Templates from the workspace's own templates/ folder first, then duban's (mail bodies
    plain; the dashboard's HTML autoescaped, so a unit's <script> stays text)."""
    import jinja2

    # utf-8-sig: Notepad may save UTF-8 with a byte-order mark, which must not reach the body.
    loaders = [jinja2.FileSystemLoader(str(p), encoding="utf-8-sig") for p in template_dirs(workspace_root)]
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=autoescape)


def render(env, name: str, context: dict, source: str | None = None) -> str:
    """Render the template file `name`, or the template text `source` (a subject) under that name."""
    import jinja2

    try:
        template = env.from_string(source) if source is not None else env.get_template(name)
        return template.render(context)
    except jinja2.TemplateNotFound as e:
        raise ConfigError(f"找不到邮件模板“{name}”；请把它放回 {TEMPLATES} 或工作区的 templates 文件夹。") from e
    except jinja2.TemplateSyntaxError as e:
        raise ConfigError(f"邮件模板“{name}”第{e.lineno}行写法有误（{e.message}）；请改正，"
                          "或删除工作区 templates 文件夹里的这个文件以恢复默认模板。") from e
    except jinja2.UndefinedError as e:
        raise ConfigError(f"邮件模板“{name}”用了不认识的词（{e.message}）；可用的词见模板开头的说明。") from e


# -- the message ------------------------------------------------------------------------------
def build_message(sender: str, to: list[str], subject: str, body: str, attachment_name: str,
                  attachment: bytes, draft: bool = False) -> EmailMessage:
    """A multipart message: the body as UTF-8 text, the workbook attached.

    A draft carries X-Unsent: 1, which makes Outlook open the .eml as an unsent message
    the clerk can still edit and send; a message to send carries Date and Message-ID."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = " ".join(subject.split())  # a newline in a clerk's subject would break the header
    msg["From"] = sender
    if to:
        msg["To"] = ", ".join(to)
    if draft:
        msg["X-Unsent"] = "1"
    else:
        msg["Date"] = format_datetime(_local_now())
        msg["Message-ID"] = make_msgid(domain=sender_domain(sender))
    # base64: Chinese text passes any server unchanged, with or without 8BITMIME.
    msg.set_content(body.replace("\r\n", "\n"), cte="base64")
    msg.make_mixed()
    msg.attach(attachment_part(attachment_name, attachment))
    return msg


def attachment_part(name: str, data: bytes) -> EmailMessage:
    name = fit_file_name(name)
    part = EmailMessage(policy=POLICY)
    part.set_raw("Content-Type", f'{content_type(name)};\n name="{encoded_words(name)}"')
    part.set_raw("Content-Transfer-Encoding", "base64")
    part.set_raw("Content-Disposition", f"attachment;\n filename*=UTF-8''{rfc2231(name)}")
    part.set_payload(base64.encodebytes(data).decode("ascii"))
    return part


def content_type(name: str) -> str:
    return XLSX_TYPE if name.lower().endswith(".xlsx") else "application/octet-stream"


def rfc2231(name: str) -> str:
    # quote() leaves only letters, digits and _.-~ unescaped: all RFC 2231 attribute-chars.
    return quote(name, safe="")


def encoded_words(name: str) -> str:
    """RFC 2047 base64 words of at most 75 characters, each holding whole characters,
    separated by folding white space (decoders join adjacent encoded words)."""
    words, chunk = [], ""
    for ch in name:
        if len(base64.b64encode((chunk + ch).encode("utf-8"))) > 75 - len("=?UTF-8?B??="):
            words.append(chunk)
            chunk = ""
        chunk += ch
    words.append(chunk)
    return "\n ".join(f"=?UTF-8?B?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words if w)


def fit_file_name(name: str) -> str:
    """The name, shortened from the front of its stem (the title every file shares) until
    its filename* line stays within the header line limit."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    while stem and len(" filename*=UTF-8'';" + rfc2231(stem + dot + suffix)) > MAX_LINE:
        stem = stem[1:]
    return (stem or "附件") + dot + suffix


def sender_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "duban.local"


def envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1]


def sender_name(sender: str) -> str:
    name, address = parseaddr(sender)
    return name or address


def _local_now():
    import datetime as dt

    return dt.datetime.now().astimezone()
