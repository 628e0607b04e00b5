"""`rreview schedule` against a crontab kept in a temporary file (never the user's crontab)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rreview.cli.main import app
from rreview.deliver.schedule import MARKER, on_calendar
from rreview.errors import UsageError

runner = CliRunner()
OTHER_LINE = "0 1 * * * /usr/local/bin/backup.sh # nightly backup"
RUN_LINE = re.compile(r"^  (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4}-\d\d-\d\d \d\d:\d\d)")


@pytest.fixture(autouse=True)
def crontab_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A crontab file with someone else's entry in it, and the e-mail settings set."""
    tab = tmp_path / "crontab"
    tab.write_text(OTHER_LINE + "\n")
    monkeypatch.setenv("RREVIEW_CRONTAB_FILE", str(tab))
    monkeypatch.setenv("RREVIEW_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("RREVIEW_EMAIL_FROM", "me@example.org")
    monkeypatch.setenv("RREVIEW_EMAIL_TO", "me@example.org")
    return tab


def ours(tab: Path) -> list[str]:
    return [line for line in tab.read_text().splitlines() if line.endswith(f"# {MARKER}")]


def next_runs(output: str) -> list[tuple[str, datetime]]:
    runs = [RUN_LINE.match(line) for line in output.splitlines()]
    return [(m.group(1), datetime.fromisoformat(m.group(2))) for m in runs if m]


def test_install_twice_leaves_one_entry_and_remove_removes_it(
    crontab_file: Path, example_log: Path, isolated_home: Path
) -> None:
    first = runner.invoke(app, ["schedule", "install", "--log", str(example_log)])
    assert first.exit_code == 0, first.output
    assert "added one entry" in first.stderr
    second = runner.invoke(
        app, ["schedule", "install", "--log", str(example_log), "--cron", "30 7 * * 1-5"]
    )
    assert second.exit_code == 0, second.output
    assert "replaced the rreview entry" in second.stderr
    entries = ours(crontab_file)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.startswith("30 7 * * 1-5 export ")
    assert f"RREVIEW_HOME={isolated_home}" in entry
    assert f"RREVIEW_LOG={example_log}" in entry
    assert re.search(r"/rreview index; \S+/rreview email --catch-up; \}", entry)
    assert f">> {isolated_home / 'logs' / 'schedule.log'} 2>&1" in entry
    assert (isolated_home / "logs").is_dir()
    assert OTHER_LINE in crontab_file.read_text()

    removed = runner.invoke(app, ["schedule", "remove"])
    assert removed.exit_code == 0
    assert ours(crontab_file) == []
    assert crontab_file.read_text().strip() == OTHER_LINE
    again = runner.invoke(app, ["schedule", "remove"])
    assert again.exit_code == 0
    assert "nothing to remove" in again.stderr


def test_show_prints_the_entry_and_the_next_five_runs(example_log: Path) -> None:
    not_yet = runner.invoke(app, ["schedule", "show"])
    assert not_yet.exit_code == 0
    assert "not installed" in not_yet.stdout
    assert runner.invoke(app, ["schedule", "install", "--log", str(example_log)]).exit_code == 0
    result = runner.invoke(app, ["schedule", "show"])
    assert result.exit_code == 0, result.output
    assert "installed in crontab file" in result.stdout and ": 0 8 * * MON" in result.stdout
    runs = next_runs(result.stdout)
    assert len(runs) == 5
    assert all(day == "Mon" and when.strftime("%H:%M") == "08:00" for day, when in runs)
    times = [when for _, when in runs]
    assert all(b - a == timedelta(days=7) for a, b in pairwise(times))
    assert datetime.now() < times[0] <= datetime.now() + timedelta(days=7)


def test_show_with_cron_previews_another_schedule() -> None:
    result = runner.invoke(app, ["schedule", "show", "--cron", "0 */6 * * *"])
    assert result.exit_code == 0
    hours = [when.hour for _, when in next_runs(result.stdout)]
    assert len(hours) == 5 and set(hours) <= {0, 6, 12, 18}


def test_show_systemd_prints_a_service_and_a_timer(example_log: Path, isolated_home: Path) -> None:
    result = runner.invoke(app, ["schedule", "show", "--systemd", "--log", str(example_log)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "rreview-email.service" in out and "rreview-email.timer" in out
    assert "OnCalendar=Mon *-*-* 08:00:00" in out
    assert "Persistent=true" in out
    assert re.search(r"^ExecStart=-\S+/rreview index$", out, re.M)
    assert re.search(r"^ExecStart=\S+/rreview email --catch-up$", out, re.M)
    assert f"Environment=RREVIEW_HOME={isolated_home}" in out
    assert f"StandardOutput=append:{isolated_home / 'logs' / 'schedule.log'}" in out
    assert "systemctl --user enable --now rreview-email.timer" in out


def test_a_bad_schedule_is_exit_2(example_log: Path, crontab_file: Path) -> None:
    for bad in ("61 8 * * *", "every monday", "@reboot"):
        result = runner.invoke(
            app, ["schedule", "install", "--log", str(example_log), "--cron", bad]
        )
        assert result.exit_code == 2, bad
        assert f"--cron '{bad}': not a cron schedule" in result.stderr
    assert ours(crontab_file) == []


def test_install_checks_the_log_and_the_mail_settings_first(
    example_log: Path, crontab_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    no_log = runner.invoke(app, ["schedule", "install", "--log", str(tmp_path / "nope")])
    assert no_log.exit_code == 2
    assert "log not found" in no_log.stderr
    monkeypatch.delenv("RREVIEW_SMTP_HOST")
    no_host = runner.invoke(app, ["schedule", "install", "--log", str(example_log)])
    assert no_host.exit_code == 2
    assert "RREVIEW_SMTP_HOST" in no_host.stderr
    assert ours(crontab_file) == []


def test_secrets_are_never_written_into_the_crontab(
    example_log: Path, crontab_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RREVIEW_SMTP_USER", "alice")
    monkeypatch.setenv("RREVIEW_SMTP_PASSWORD", "hunter2-secret")
    result = runner.invoke(app, ["schedule", "install", "--log", str(example_log)])
    assert result.exit_code == 0, result.output
    assert "RREVIEW_SMTP_PASSWORD is set in this shell but is not written" in result.stderr
    assert "hunter2-secret" not in crontab_file.read_text()
    assert "RREVIEW_SMTP_USER=alice" in ours(crontab_file)[0]


@pytest.mark.parametrize(
    ("cron", "calendar"),  # each checked against `systemd-analyze calendar` by hand
    [
        ("0 8 * * MON", "Mon *-*-* 08:00:00"),
        ("30 7 * * 1-5", "Mon..Fri *-*-* 07:30:00"),
        ("*/15 * * * *", "*-*-* *:00/15:00"),
        ("0 9 1 * *", "*-*-01 09:00:00"),
        ("0 8 * * 0,6", "Sun,Sat *-*-* 08:00:00"),
        ("0 8 * * 7", "Sun *-*-* 08:00:00"),
        ("@weekly", "Sun *-*-* 00:00:00"),
        ("0 8 * JAN-MAR MON", "Mon *-01..03-* 08:00:00"),
        ("0 */2 * * *", "*-*-* 00/2:00:00"),
    ],
)
def test_cron_to_on_calendar(cron: str, calendar: str) -> None:
    assert on_calendar(cron) == calendar


@pytest.mark.parametrize("cron", ["0 8 1 * MON", "0 8-18/2 * * *"])
def test_what_on_calendar_cannot_say_is_refused(cron: str) -> None:
    with pytest.raises(UsageError, match="by hand"):
        on_calendar(cron)


def test_show_json(example_log: Path, crontab_file: Path) -> None:
    import json

    before = json.loads(runner.invoke(app, ["schedule", "show", "--json"]).stdout)
    assert before == {
        "installed": False,
        "crontab": str(crontab_file),
        "cron": None,
        "command": None,
        "next_runs": [],
    }
    assert runner.invoke(app, ["schedule", "install", "--log", str(example_log)]).exit_code == 0
    after = json.loads(runner.invoke(app, ["schedule", "show", "--json"]).stdout)
    assert after["installed"] is True and after["cron"] == "0 8 * * MON"
    assert "rreview email --catch-up" in after["command"]
    runs = [datetime.fromisoformat(when) for when in after["next_runs"]]
    assert len(runs) == 5 and all(when.strftime("%a %H:%M") == "Mon 08:00" for when in runs)
