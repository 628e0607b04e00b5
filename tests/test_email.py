"""`rreview email` against a real SMTP server (aiosmtpd) on 127.0.0.1: what arrives, and
that a week is sent once, retried after a failure, and never lost."""

from __future__ import annotations

import datetime as dt
import email
import io
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rreview.analyze.weeks import Week
from rreview.cli.main import app
from rreview.engines.offline import OfflineEngine
from rreview.report.build import build_week_report
from rreview.report.markdown import render_week
from rreview.store.sync import load_log

runner = CliRunner()
WEEK = "2026-W47"
HOSTILE = "<script>alert(1)</script>"
USER, PASSWORD = "alice", "s3cret pass"


# --- a real SMTP server ------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler: keeps what it received, or answers DATA with `reply`."""

    def __init__(self, reply: str | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.reply = reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply:
            return self.reply
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


StartServer = Callable[..., Inbox]


@pytest.fixture
def smtp_server() -> Iterator[StartServer]:
    """Start aiosmtpd servers on 127.0.0.1; all are stopped at the end of the test."""
    from aiosmtpd.controller import Controller

    running: list[Controller] = []

    def start(port: int | None = None, reply: str | None = None, **kwargs: Any) -> Inbox:
        inbox = Inbox(reply)
        controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(), **kwargs)
        controller.start()
        running.append(controller)
        inbox.port = controller.port  # type: ignore[attr-defined]
        return inbox

    yield start
    for controller in running:
        controller.stop()


def use_server(monkeypatch: pytest.MonkeyPatch, port: int, security: str = "none") -> None:
    monkeypatch.setenv("RREVIEW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RREVIEW_SMTP_PORT", str(port))
    monkeypatch.setenv("RREVIEW_SMTP_SECURITY", security)
    monkeypatch.setenv("RREVIEW_EMAIL_FROM", "rreview <rreview@example.org>")
    monkeypatch.setenv("RREVIEW_EMAIL_TO", "me@example.org")


def send(log: Path, *args: str) -> Any:
    return runner.invoke(app, ["email", "--log", str(log), *args])


@pytest.fixture
def hostile_log(example_log: Path) -> Path:
    """The example log with a hostile bug line on 2026-11-18."""
    page = example_log / "2026-11-18.md"
    page.write_text(
        page.read_text().replace(
            "## What was done\n", f"## What was done\n- {HOSTILE} in the run name #bug\n"
        )
    )
    return example_log


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def write_config(text: str) -> None:
    config = Path(os.environ["RREVIEW_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)


def parts(message: EmailMessage) -> dict[str, list[EmailMessage]]:
    found: dict[str, list[EmailMessage]] = {}
    for part in message.walk():
        found.setdefault(part.get_content_type(), []).append(part)  # type: ignore[arg-type]
    return found


def assert_png(data: bytes) -> tuple[int, int]:
    from PIL import Image

    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


# --- settings ------------------------------------------------------------------------------

FULL = {
    "RREVIEW_SMTP_HOST": "127.0.0.1",
    "RREVIEW_EMAIL_FROM": "me@example.org",
    "RREVIEW_EMAIL_TO": "me@example.org",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"RREVIEW_SMTP_HOST": None}, "SMTP host not set: set RREVIEW_SMTP_HOST"),
        ({"RREVIEW_EMAIL_FROM": None}, "e-mail sender not set: set RREVIEW_EMAIL_FROM"),
        ({"RREVIEW_EMAIL_TO": None}, "pass --to ADDR, or set RREVIEW_EMAIL_TO"),
        ({"RREVIEW_EMAIL_TO": "bob"}, "RREVIEW_EMAIL_TO: 'bob' is not an e-mail address"),
        ({"RREVIEW_SMTP_PORT": "25x"}, "RREVIEW_SMTP_PORT: '25x' is not a port number"),
        ({"RREVIEW_SMTP_SECURITY": "tls"}, "RREVIEW_SMTP_SECURITY: 'tls' is not a security"),
        ({"RREVIEW_SMTP_USER": "alice"}, "SMTP password not set for user alice"),
        ({"RREVIEW_SMTP_PASSWORD": "x"}, "an SMTP password is set (RREVIEW_SMTP_PASSWORD)"),
    ],
)
def test_missing_or_wrong_setting_is_exit_2_before_anything_is_rendered(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    isolated_home: Path,
    change: dict[str, str | None],
    message: str,
) -> None:
    for name, value in {**FULL, **change}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    # the log does not even exist: the setting is what is reported, and nothing is written
    result = send(tmp_path / "no-such-log", "--week", WEEK)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (isolated_home / "email").exists()


def test_config_file_settings_and_their_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    mail = '[email]\nfrom = "me@example.org"\nto = ["me@example.org"]\n'
    write_config(mail + '[smtp]\nhostname = "x"\n')
    result = send(Path("."), "--week", WEEK)
    assert result.exit_code == 2
    assert "unknown setting 'hostname' under [smtp]" in result.stderr
    write_config(mail + '[smtp]\nhost = "127.0.0.1"\nuser = "alice"\npassword_command = "exit 3"\n')
    result = send(Path("."), "--week", WEEK)
    assert result.exit_code == 2
    assert "[smtp] password_command failed (exit 3)" in result.stderr


# --- what is sent --------------------------------------------------------------------------


@pytest.mark.slow
def test_the_message_has_text_html_inline_charts_and_the_markdown(
    hostile_log: Path, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = smtp_server()
    use_server(monkeypatch, inbox.port)  # type: ignore[attr-defined]
    result = send(hostile_log, "--week", WEEK, "--to", "Ana <ana@example.org>, bo@example.org")
    assert result.exit_code == 0, result.output
    assert f"{WEEK}: sent to ana@example.org, bo@example.org" in result.stderr
    assert len(inbox.messages) == 1
    assert inbox.envelopes == [("rreview@example.org", ["ana@example.org", "bo@example.org"])]
    message = inbox.messages[0]
    assert message["Subject"] == f"[rreview] Week {WEEK}: 4 of 7 planned to-dos done (57%)"
    found = parts(message)
    assert message.get_content_type() == "multipart/mixed"
    assert set(found) == {
        "multipart/mixed",
        "multipart/alternative",
        "multipart/related",
        "text/plain",
        "text/html",
        "image/png",
        "text/markdown",
    }

    text = found["text/plain"][0].get_content().replace("\r\n", "\n")  # CRLF on the wire
    assert text.startswith(f"# Week {WEEK} (Mon 16 Nov")
    assert "## Estimates vs actual" in text

    html = found["text/html"][0].get_content()
    assert HOSTILE not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in the run name" in html
    assert "<h2" in html and "Estimates vs actual" in html

    images = found["image/png"]
    assert sorted(i.get_filename() or "" for i in images) == [
        "bugs.png",
        "estimates.png",
        "focus.png",
    ]
    for image in images:
        cid = str(image["Content-ID"]).strip("<>")
        assert f'src="cid:{cid}"' in html
        assert image.get_content_disposition() == "inline"
        width, height = assert_png(image.get_content())
        assert width >= 600 and height >= 300

    attachment = found["text/markdown"][0]
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == f"rreview-{WEEK}.md"
    assert attachment.get_payload(decode=True) == text.encode()  # LF, as the report file
    report, _ = build_week_report(load_log(hostile_log).facts, Week(2026, 47), OfflineEngine())
    assert render_week(report) == text  # the report `rreview week` writes


@pytest.mark.slow
def test_a_sent_week_is_not_sent_again_unless_forced(
    example_log: Path,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> None:
    inbox = smtp_server()
    use_server(monkeypatch, inbox.port)  # type: ignore[attr-defined]
    assert send(example_log, "--week", WEEK).exit_code == 0
    again = send(example_log, "--week", WEEK)
    assert again.exit_code == 0
    assert f"{WEEK}: already sent" in again.stderr
    assert len(inbox.messages) == 1
    forced = send(example_log, "--week", WEEK, "--force")
    assert forced.exit_code == 0, forced.output
    assert len(inbox.messages) == 2
    assert inbox.messages[0]["Message-ID"] != inbox.messages[1]["Message-ID"]
    record = json.loads((isolated_home / "email" / "sent.json").read_text())
    assert list(record["weeks"]) == [WEEK]
    # a long Message-ID may be folded onto its own line (legal): compare the id itself
    assert record["weeks"][WEEK]["message_id"] == inbox.messages[1]["Message-ID"].strip()
    assert not list((isolated_home / "email" / "outbox").glob("*.eml"))
    assert len(list((isolated_home / "email" / "sent").glob(f"{WEEK}.*.eml"))) == 2


@pytest.mark.slow
def test_a_refused_connection_keeps_the_message_and_the_next_run_sends_it(
    example_log: Path,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> None:
    port = free_port()
    use_server(monkeypatch, port)
    failed = send(example_log, "--week", WEEK)
    assert failed.exit_code == 1
    error = failed.stderr.strip().splitlines()[-1]
    assert error.startswith(f"rreview: error: cannot connect to SMTP server 127.0.0.1:{port}")
    assert "refused" in error.lower() and "kept in" in error
    assert "Traceback" not in failed.output
    queued = isolated_home / "email" / "outbox" / f"{WEEK}.eml"
    written = email.message_from_bytes(queued.read_bytes(), policy=policy.default)

    inbox = smtp_server(port=port)
    retried = send(example_log)  # no --week: the queued message goes first, as written
    assert retried.exit_code == 0, retried.output
    assert f"{WEEK}: kept in the outbox by an earlier run; retrying" in retried.stderr
    assert [m["Message-ID"] for m in inbox.messages] == [written["Message-ID"]]
    assert not queued.exists()
    assert send(example_log, "--week", WEEK).exit_code == 0
    assert len(inbox.messages) == 1


@pytest.mark.slow
def test_a_server_refusing_the_message_leaves_it_queued(
    example_log: Path,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> None:
    inbox = smtp_server(reply="451 4.3.0 mailbox busy, try later")
    use_server(monkeypatch, inbox.port)  # type: ignore[attr-defined]
    result = send(example_log, "--week", WEEK)
    assert result.exit_code == 1
    assert "did not take the message: 451 4.3.0 mailbox busy" in result.stderr
    assert (isolated_home / "email" / "outbox" / f"{WEEK}.eml").exists()
    assert not (isolated_home / "email" / "sent.json").exists()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_auth_login_and_a_wrong_password(
    example_log: Path, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = smtp_server(authenticator=check_login, auth_require_tls=False, auth_required=True)
    use_server(monkeypatch, inbox.port)  # type: ignore[attr-defined]
    monkeypatch.setenv("RREVIEW_SMTP_USER", USER)
    monkeypatch.setenv("RREVIEW_SMTP_PASSWORD", "Wr0ng-Pa55")
    refused = send(example_log, "--week", WEEK)
    assert refused.exit_code == 1
    assert f"SMTP login as {USER} refused by 127.0.0.1:" in refused.stderr
    assert "Wr0ng-Pa55" not in refused.output
    monkeypatch.setenv("RREVIEW_SMTP_PASSWORD", PASSWORD)
    result = send(example_log, "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 1


@pytest.mark.slow
def test_starttls_with_a_self_signed_certificate(
    example_log: Path, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    inbox = smtp_server(
        tls_context=server_tls(cert, key),
        require_starttls=True,
        authenticator=check_login,
        auth_required=True,
    )
    use_server(monkeypatch, inbox.port, security="starttls")  # type: ignore[attr-defined]
    write_config(f'[smtp]\nuser = "{USER}"\npassword_command = "echo \'{PASSWORD}\'"\n')
    untrusted = send(example_log, "--week", WEEK)
    assert untrusted.exit_code == 1
    assert "STARTTLS with 127.0.0.1" in untrusted.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr
    write_config(
        f'[smtp]\nuser = "{USER}"\npassword_command = "echo \'{PASSWORD}\'"\nca_file = "{cert}"\n'
    )
    result = send(example_log, "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 1


@pytest.mark.slow
def test_ssl_from_the_first_byte(
    example_log: Path, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    inbox = smtp_server(ssl_context=server_tls(cert, key))
    use_server(monkeypatch, inbox.port, security="ssl")  # type: ignore[attr-defined]
    write_config(f'[smtp]\nca_file = "{cert}"\n')
    result = send(example_log, "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 1
    plain = smtp_server()
    monkeypatch.setenv("RREVIEW_SMTP_PORT", str(plain.port))  # type: ignore[attr-defined]
    wrong = send(example_log, "--week", "2026-W46")
    assert wrong.exit_code == 1
    assert "TLS with 127.0.0.1" in wrong.stderr and "Traceback" not in wrong.output


@pytest.mark.slow
def test_catch_up_sends_the_missed_weeks_oldest_first(
    example_log: Path, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = smtp_server()
    use_server(monkeypatch, inbox.port)  # type: ignore[attr-defined]
    assert send(example_log, "--week", "2026-W45").exit_code == 0
    result = send(example_log, "--catch-up", "--today", "2026-11-25")  # a Wednesday of W48
    assert result.exit_code == 0, result.output
    weeks = [m["X-Rreview-Week"] for m in inbox.messages]
    assert weeks == ["2026-W45", "2026-W46", WEEK]
    again = send(example_log, "--catch-up", "--today", "2026-11-25")
    assert again.exit_code == 0
    assert len(inbox.messages) == 3


@pytest.mark.slow
def test_a_week_with_nothing_logged_is_not_sent_by_default(
    example_log: Path, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = smtp_server()
    use_server(monkeypatch, inbox.port)  # type: ignore[attr-defined]
    result = send(example_log, "--today", "2026-12-09")  # last week, W49, is empty
    assert result.exit_code == 0
    assert "2026-W49: nothing logged, nothing sent" in result.stderr
    assert inbox.messages == []


def test_a_second_run_does_not_send_while_the_first_holds_the_lock(
    example_log: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    from filelock import FileLock

    use_server(monkeypatch, free_port())
    lock_path = isolated_home / "email" / "email.lock"
    lock_path.parent.mkdir(parents=True)
    with FileLock(str(lock_path)):
        result = send(example_log, "--week", WEEK)
    assert result.exit_code == 1
    assert "another `rreview email` is running" in result.stderr
    assert not (isolated_home / "email" / "outbox").exists()


# --- without a server ----------------------------------------------------------------------


def test_dry_run_writes_the_message_and_needs_no_smtp_settings(
    hostile_log: Path, tmp_path: Path, isolated_home: Path
) -> None:
    out = tmp_path / "week.eml"
    result = send(hostile_log, "--dry-run", str(out), "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert f"{WEEK}: written to {out}, not sent" in result.stderr
    raw = out.read_bytes()
    raw.decode("ascii")  # 7-bit clean: any server takes it as it is
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["X-Rreview-Week"] == WEEK  # the last full week before 2026-11-25
    html = message.get_body(("html",))
    assert html is not None and HOSTILE not in html.get_content()
    assert len(parts(message)["image/png"]) == 3  # type: ignore[arg-type]
    assert not (isolated_home / "email").exists()


def test_catch_up_and_dry_run_do_not_mix(example_log: Path, tmp_path: Path) -> None:
    result = send(example_log, "--catch-up", "--dry-run", str(tmp_path / "x.eml"))
    assert result.exit_code == 2
    assert "--catch-up picks the weeks itself" in result.stderr


def test_charts_are_pngs_and_refuse_empty_input() -> None:
    from rreview.analyze.week import week_facts
    from rreview.analyze.weeks import Week
    from rreview.report.charts import bugs_over_time_png, estimate_chart_png, focus_chart_png
    from rreview.store.sync import load_log

    facts = load_log(Path(__file__).resolve().parents[1] / "examples" / "research-log").facts
    tasks = week_facts(facts, Week(2026, 47)).estimates.tasks
    assert len(tasks) == 7
    assert_png(estimate_chart_png(tasks))
    assert_png(focus_chart_png({"data": 2, "eval": 1}, {}))
    assert_png(bugs_over_time_png([("W46", 1), ("W47", 0)]))
    for draw in (
        lambda: estimate_chart_png([]),
        lambda: focus_chart_png({}, {"data": 1}),
        lambda: bugs_over_time_png([]),
    ):
        with pytest.raises(ValueError):
            draw()


def test_code_spans_are_escaped_before_they_become_code() -> None:
    from rreview.report.html import code_spans

    html = str(code_spans("ran `rm <x>` & then <b>"))
    assert "<code" in html and "rm &lt;x&gt;</code>" in html
    assert html.endswith("&amp; then &lt;b&gt;")


class HangUp:
    """A server that greets, reads one command and dies: killed in the middle of a run."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.sendall(b"220 127.0.0.1 ESMTP\r\n")
            conn.recv(1024)
        self.sock.close()


@pytest.mark.slow
def test_a_server_dying_mid_session_is_one_line_and_the_message_stays(
    example_log: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    server = HangUp()
    use_server(monkeypatch, server.port)
    result = send(example_log, "--week", WEEK)
    server.thread.join(timeout=5)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"rreview: error: SMTP session with 127.0.0.1:{server.port}")
    assert "Traceback" not in result.output
    assert (isolated_home / "email" / "outbox" / f"{WEEK}.eml").exists()


def test_the_cli_starts_without_the_email_libraries() -> None:
    code = (
        "import sys, rreview.cli.main\n"
        "mods = ('matplotlib', 'jinja2', 'crontab', 'croniter', 'aiosmtpd', 'smtplib')\n"
        "print(','.join(m for m in mods if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"imported at start-up: {out}"


def test_a_template_beside_the_config_overrides_ours_and_is_still_escaped(
    hostile_log: Path, tmp_path: Path
) -> None:
    folder = Path(os.environ["RREVIEW_CONFIG"]).parent / "templates"
    folder.mkdir(parents=True)
    (folder / "email.html.j2").write_text(
        "<p>mine {{ report.week }}</p>{% for s in sections %}{% for b in s.blocks %}"
        "{% for l in b.lines %}<li>{{ l.text }}</li>{% endfor %}{% endfor %}{% endfor %}"
    )
    out = tmp_path / "mine.eml"
    assert send(hostile_log, "--week", WEEK, "--dry-run", str(out)).exit_code == 0
    message = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    html = message.get_body(("html",))
    assert html is not None
    content = html.get_content()
    assert content.startswith(f"<p>mine {WEEK}</p>")
    assert "&lt;script&gt;" in content and "<script" not in content

    (folder / "email.html.j2").write_text("<p>{% for %}</p>\n")
    broken = send(hostile_log, "--week", WEEK, "--dry-run", str(out))
    assert broken.exit_code == 2
    assert "email.html.j2:1: e-mail template error" in broken.stderr


def test_the_envelope_of_a_stored_message_unfolds_its_headers() -> None:
    from rreview.deliver.mail import envelope

    raw = (
        b"From: rreview <r@example.org>\r\nTo: a@example.org,\r\n b@example.org\r\n"
        b"Message-ID:\r\n <1795.25305.11454810754337495725.week-2026-W11@example.org>\r\n"
        b"X-Rreview-Week: 2026-W11\r\n\r\nbody\r\n"
    )
    head = envelope(raw)
    assert head.sender == "r@example.org"
    assert head.recipients == ["a@example.org", "b@example.org"]
    assert head.message_id == "<1795.25305.11454810754337495725.week-2026-W11@example.org>"
    assert head.week == "2026-W11"


@pytest.mark.slow
def test_a_recorded_message_left_in_the_outbox_is_not_sent_twice(
    example_log: Path,
    smtp_server: StartServer,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> None:
    inbox = smtp_server()
    use_server(monkeypatch, inbox.port)  # type: ignore[attr-defined]
    assert send(example_log, "--week", WEEK).exit_code == 0
    # a crash after the week was recorded but before its message left the outbox
    (sent,) = (isolated_home / "email" / "sent").glob("*.eml")
    left = isolated_home / "email" / "outbox" / f"{WEEK}.eml"
    left.write_bytes(sent.read_bytes())
    result = send(example_log, "--week", WEEK)
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 1
    assert not left.exists()
