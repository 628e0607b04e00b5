"""The weekly e-mail: composing the MIME message, and sending it over SMTP.

The message is multipart/mixed: a multipart/alternative of the Markdown report as plain
text and the HTML report (multipart/related, the charts inline by Content-ID), then the
Markdown report attached. It is 7-bit clean (headers RFC 2047, bodies quoted-printable or
base64), so it can be stored as text in the outbox and sent by any server as it is.

Every SMTP failure becomes one OperationError line; nothing here prints or logs a password.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from rreview.analyze.vectors import ItemVectors
from rreview.analyze.week import WeekFacts
from rreview.analyze.weeks import Week
from rreview.config import MailSettings, SmtpSettings
from rreview.engines.base import Engine
from rreview.errors import OperationError
from rreview.extract.facts import ItemFacts
from rreview.report.build import build_week_report
from rreview.report.charts import Chart, week_charts
from rreview.report.html import InlineImage, render_week_html
from rreview.report.markdown import render_week
from rreview.report.model import WeekReport

POLICY = policy.SMTP.clone(cte_type="7bit")  # CRLF, and no 8-bit bodies
WEEK_HEADER = "X-Rreview-Week"


def headline(facts: WeekFacts) -> str:
    """The week's one headline number, for the subject line."""
    counts = facts.counts
    if counts.planned:
        share = round(100 * counts.planned_done / counts.planned)
        return f"{counts.planned_done} of {counts.planned} planned to-dos done ({share}%)"
    if counts.done:
        return f"{counts.done} items done over {len(counts.days)} days"
    if counts.days:
        return f"{len(counts.days)} days logged"
    return "nothing logged"


def subject(report: WeekReport, facts: WeekFacts) -> str:
    """`[rreview] Week 2026-W47: 4 of 7 planned to-dos done (57%)`."""
    return f"[rreview] Week {report.week}: {headline(facts)}"


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def compose(
    report: WeekReport,
    facts: WeekFacts,
    markdown: str,
    charts: Sequence[Chart],
    settings: MailSettings,
    log: Path,
    now: datetime | None = None,
) -> EmailMessage:
    """The weekly e-mail of `report`, ready to store and send."""
    now = now or datetime.now().astimezone()
    domain = _domain(settings.sender)
    cids = {chart.name: make_msgid(idstring=chart.name, domain=domain) for chart in charts}
    images = [InlineImage(c.section, cids[c.name].strip("<>"), c.alt) for c in charts]
    footer = (
        "Every number above is computed from your log, and every line cites the days it "
        f"rests on. The Markdown report is attached. Sent by rreview on {now:%Y-%m-%d %H:%M} "
        f"from {log.expanduser().resolve()}."
    )
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject(report, facts)
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(idstring=f"week-{report.week}", domain=domain)
    message[WEEK_HEADER] = report.week
    message.set_content(markdown)
    message.add_alternative(render_week_html(report, images, footer), subtype="html")
    html_part = next(p for p in message.iter_parts() if p.get_content_type() == "text/html")
    for chart in charts:
        html_part.add_related(
            chart.png,
            maintype="image",
            subtype="png",
            cid=cids[chart.name],
            filename=f"{chart.name}.png",
            disposition="inline",
        )
    message.add_attachment(  # as bytes (base64): the saved file is the report, byte for byte
        markdown.encode("utf-8"),
        maintype="text",
        subtype="markdown",
        params={"charset": "utf-8"},
        filename=f"rreview-{report.week}.md",
        disposition="attachment",
    )
    return message


def weekly_message(
    facts: Sequence[ItemFacts],
    week: Week,
    engine: Engine,
    settings: MailSettings,
    log: Path,
    vectors: ItemVectors | None = None,
) -> tuple[EmailMessage, WeekFacts]:
    """The weekly e-mail of `week`: the same report `rreview week` writes, with its charts.
    `vectors`: the index's item vectors (else the model embeds what the analyses compare)."""
    report, computed = build_week_report(facts, week, engine, vectors)
    message = compose(
        report, computed, render_week(report), week_charts(facts, computed), settings, log
    )
    return message, computed


def as_text(message: EmailMessage) -> str:
    """The message as stored: ASCII text with CRLF line ends."""
    return message.as_bytes(policy=POLICY).decode("ascii")


@dataclass(frozen=True)
class Envelope:
    """What sending a stored message needs to know, from its headers."""

    sender: str
    recipients: list[str]
    week: str | None
    message_id: str | None


def envelope(raw: bytes) -> Envelope:
    """The envelope of a stored message."""
    from email.parser import BytesHeaderParser
    from email.utils import getaddresses

    headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    sender = parseaddr(str(headers.get("From", "")))[1]
    recipients = [addr for _, addr in getaddresses([str(headers.get("To", ""))]) if addr]
    week, message_id = headers.get(WEEK_HEADER), headers.get("Message-ID")
    return Envelope(
        sender,
        recipients,
        str(week).strip() if week else None,
        str(message_id).strip() if message_id else None,
    )


def _tls_context(smtp: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if smtp.ca_file:
        context.load_verify_locations(cafile=str(smtp.ca_file))
    return context


def _where(smtp: SmtpSettings) -> str:
    return f"{smtp.host}:{smtp.port}"


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    """An open, secured and logged-in session, or an OperationError saying what failed."""
    where = _where(smtp)
    try:
        if smtp.security == "ssl":
            session: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=_tls_context(smtp)
            )
        else:
            session = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    except ssl.SSLError as exc:
        raise OperationError(
            f"TLS with {where} failed: {exc.reason or exc} (security = ssl: is {smtp.port} "
            "the server's SSL port? a self-signed certificate needs ca_file under [smtp])"
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise OperationError(f"cannot connect to SMTP server {where}: {_reason(exc)}") from None
    try:
        session.ehlo()
        if smtp.security == "starttls":
            if not session.has_extn("starttls"):
                raise OperationError(
                    f"{where} does not offer STARTTLS; use security = ssl (port 465) if the "
                    "server has it, or none on a trusted network"
                )
            session.starttls(context=_tls_context(smtp))
            session.ehlo()
        if smtp.user:
            if not session.has_extn("auth"):
                raise OperationError(f"{where} offers no login (AUTH) for user {smtp.user}")
            session.login(smtp.user, smtp.password or "")
    except smtplib.SMTPAuthenticationError as exc:
        _close(session)
        raise OperationError(
            f"SMTP login as {smtp.user} refused by {where}: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except ssl.SSLError as exc:
        _close(session)
        raise OperationError(
            f"STARTTLS with {where} failed: {exc.reason or exc} (a self-signed certificate "
            "needs ca_file under [smtp])"
        ) from None
    except OperationError:
        _close(session)
        raise
    except (OSError, smtplib.SMTPException) as exc:
        _close(session)
        raise OperationError(f"SMTP session with {where} failed: {_reason(exc)}") from None
    return session


def _close(session: smtplib.SMTP) -> None:
    try:
        session.quit()
    except (OSError, smtplib.SMTPException):
        session.close()


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()
        )
        return f"recipients refused ({refused})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return _text(str(exc)) or type(exc).__name__


class Session:
    """One SMTP session for a run: messages sent one by one, each failure one clear line."""

    def __init__(self, smtp: SmtpSettings, session: smtplib.SMTP) -> None:
        self.smtp, self.session = smtp, session

    def send(self, raw: bytes) -> None:
        """Send one stored message to the recipients in its headers."""
        head = envelope(raw)
        try:
            self.session.sendmail(head.sender, head.recipients, raw)
        except (OSError, smtplib.SMTPException) as exc:
            raise OperationError(
                f"SMTP server {_where(self.smtp)} did not take the message: {_reason(exc)}"
            ) from None


@contextmanager
def smtp_session(smtp: SmtpSettings) -> Iterator[Session]:
    """Connect (and secure, and log in) once; quit at the end whatever happened."""
    session = _connect(smtp)
    try:
        yield Session(smtp, session)
    finally:
        _close(session)
