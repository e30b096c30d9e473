"""One SMTP session for `duban mail --send`: connect as duban.toml [mail] says, log in with a
password that is never stored, send, and turn what the server says into Chinese sentences."""

from __future__ import annotations

import os
import smtplib
import ssl

from ..core.errors import ConfigError, DubanError


class ServerUnreachable(DubanError):
    """The SMTP server could not be reached or would not start a session."""

    exit_code = 3


class SmtpSession:
    """Connects on the first message; after a dropped connection, on the next one."""

    def __init__(self, settings, password_prompt=None):
        self.settings = settings
        self.prompt = password_prompt
        self.password: str | None = None
        self.conn: smtplib.SMTP | None = None

    def send(self, sender: str, to: list[str], data: bytes) -> dict:
        """Send `data`; returns the refused recipients when some (not all) were refused."""
        if self.conn is None:
            self.conn = self._connect()
        try:
            return self.conn.sendmail(sender, to, data)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
            raise  # smtplib has reset the session: the connection can carry the next message
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except OSError:
                self.conn.close()
            self.conn = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.smtp_host}:{s.smtp_port}"
        try:
            if s.security == "ssl":
                conn = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.timeout, context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout)
            if s.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
        except OSError as e:
            raise ServerUnreachable(f"无法连接邮件服务器 {where}（{e}）；请检查网络，以及 duban.toml [mail] 中的 "
                                    "smtp_host、smtp_port、security。") from e
        if s.user:
            self._login(conn, where)
        return conn

    def _login(self, conn: smtplib.SMTP, where: str) -> None:
        try:
            conn.login(self.settings.user, self._password())
        except smtplib.SMTPAuthenticationError as e:
            conn.close()
            raise ConfigError(f"登录邮件服务器 {where} 失败（用户 {self.settings.user}）：密码不对或未开通 SMTP 服务；"
                              f"请核对环境变量 {self.settings.password_env} 中的密码（有的邮箱要用“授权码”）。") from e
        except OSError as e:
            conn.close()
            raise ServerUnreachable(f"邮件服务器 {where} 不接受登录（{e}）；请检查 duban.toml [mail] 中的 security 和 user。") from e
        except BaseException:
            conn.close()
            raise

    def _password(self) -> str:
        if self.password is None:
            self.password = os.environ.get(self.settings.password_env) or ""
        if not self.password and self.prompt:
            self.password = self.prompt(f"邮箱 {self.settings.user} 的密码")
        if not self.password:
            raise ConfigError(f"邮件服务器需要密码：请先设置环境变量 {self.settings.password_env}，"
                              "或在命令行窗口中直接运行 duban mail --send 以便输入密码（密码不会被保存）。")
        return self.password


def refusals(refused: dict) -> str:
    return "、".join(f"{addr}（{code} {_text(msg)}）" for addr, (code, msg) in refused.items())


def failure_message(e: OSError) -> str:
    """Why one message failed, and what to do, in a sentence for the clerk."""
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        return f"邮件服务器拒收：{refusals(e.recipients)}；请核对 units.xlsx 中该单位的电子邮箱，改正后重新运行 duban mail --send 即可补发。"
    if isinstance(e, smtplib.SMTPSenderRefused):
        return f"邮件服务器不接受发件人 {e.sender}（{e.smtp_code} {_text(e.smtp_error)}）；请核对 duban.toml [mail] 中的 sender 和 user。"
    if isinstance(e, smtplib.SMTPResponseException):
        return (f"邮件服务器拒绝了这封邮件（{e.smtp_code} {_text(e.smtp_error)}）；可能是附件过大或被当成了垃圾邮件，"
                "稍后可重新运行 duban mail --send 补发。")
    return f"发送时与邮件服务器的连接中断（{e}）；稍后重新运行 duban mail --send 即可补发。"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
