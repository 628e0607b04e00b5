"""`rreview today` and `rreview add`: the only writes to the log, appended atomically."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rreview.analyze.todos import carry_over
from rreview.cli.main import app
from rreview.errors import UsageError
from rreview.log import capture
from rreview.log.capture import add_done, atomic_write, start_day

RREVIEW = Path(sys.executable).parent / "rreview"
MONDAY = "2026-11-23"  # the example log's last day is Friday 2026-11-20
FRIDAY_OPEN = [
    "write method section #writing (est 4h)",
    "40% noise sweep on 1.5B, 3 seeds #training (est 1d)",
    "draft abstract + intro for Daniel #writing (est 2h)",
]

FRIDAY_PAGE = """\
# 2026-11-20
## What to do next
- [ ] rerun ablation with seed 2 (est 2h)
- [x] email Daniel the plots (est 15m)
- [ ] fix flaky eval test #bug (est 30m)
  - [ ] child to-do stays with its parent
- [ ] read the rDPO paper (est 1h)
## What was done
- email Daniel the plots (took 10m)
- fix flaky eval test #bug (took 1h)
## Random ideas
- a belief signal from log-probs
"""


def invoke(*args: str):
    """Run the CLI in-process; stdout and stderr stay separate."""
    return CliRunner().invoke(app, list(args))


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def assert_one_line_added(old: list[str], new: list[str], added: str) -> int:
    """Every old line is still there, in order, plus exactly `added`; returns its index."""
    assert len(new) == len(old) + 1
    at = new.index(added)
    assert new[:at] + new[at + 1 :] == old
    return at


def single_file_log(folder: Path, days: list[str]) -> Path:
    """A one-file log made of the given example pages, in order."""
    target = folder.parent / "single.md"
    target.write_text("".join((folder / f"{d}.md").read_text(encoding="utf-8") for d in days))
    return target


# --- today -------------------------------------------------------------------------------


def test_today_carries_fridays_open_todos_to_monday(example_log: Path) -> None:
    result = invoke("today", "--log", str(example_log), "--today", MONDAY)

    assert result.exit_code == 0, result.stderr
    page = example_log / f"{MONDAY}.md"
    assert result.stdout.strip() == str(page)
    assert "3 to-dos carried over from 2026-11-20" in result.stderr
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {MONDAY}\n## What to do next\n")
    plan = text.split("## What to do next\n")[1].split("## What was done")[0]
    assert plan.strip().split("\n") == [f"- [ ] {todo}" for todo in FRIDAY_OPEN]
    assert "cut related work" not in text  # checked on Friday
    assert "## What was done" in text and "## Random ideas" in text


def test_today_skips_checked_done_and_child_todos(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.mkdir()
    (log / "2026-11-20.md").write_text(FRIDAY_PAGE)

    result = start_day(log, date(2026, 11, 23), lambda: carry_over(log, date(2026, 11, 23))[1])

    assert result.created and result.carried == 2
    text = result.path.read_text(encoding="utf-8")
    assert "- [ ] rerun ablation with seed 2 (est 2h)\n" in text
    assert "- [ ] read the rDPO paper (est 1h)\n" in text
    for gone in ("email Daniel", "flaky eval", "child to-do"):
        assert gone not in text


def test_carry_over_takes_the_last_logged_day_before_today(example_log: Path) -> None:
    assert carry_over(example_log, date(2026, 11, 23)) == (date(2026, 11, 20), FRIDAY_OPEN)
    previous, todos = carry_over(example_log, date(2026, 11, 20))
    assert previous == date(2026, 11, 19)
    assert "cut related work to one column #writing (est 1h)" in todos
    assert carry_over(example_log, date(2026, 10, 26)) == (None, [])


def test_today_twice_leaves_the_page_as_it_is(example_log: Path) -> None:
    assert invoke("today", "--log", str(example_log), "--today", MONDAY).exit_code == 0
    page = example_log / f"{MONDAY}.md"
    page.write_text(page.read_text() + "- my own edit\n")
    before = page.read_bytes()

    result = invoke("today", "--log", str(example_log), "--today", MONDAY)

    assert result.exit_code == 0
    assert "left as it is" in result.stderr
    assert page.read_bytes() == before


def test_today_on_a_single_file_log_appends_a_section(example_log: Path) -> None:
    log = single_file_log(example_log, ["2026-11-18", "2026-11-19", "2026-11-20"])
    old = log.read_bytes()

    result = invoke("today", "--log", str(log), "--today", MONDAY)

    assert result.exit_code == 0, result.stderr
    new = log.read_bytes()
    assert new.startswith(old)
    added = new[len(old) :].decode()
    assert added.lstrip("\n").startswith(f"# {MONDAY}\n## What to do next\n")
    for todo in FRIDAY_OPEN:
        assert f"- [ ] {todo}\n" in added
    assert "3 to-dos carried over from 2026-11-20" in result.stderr
    assert invoke("today", "--log", str(log), "--today", MONDAY).exit_code == 0
    assert log.read_bytes() == new  # a second run leaves it alone


def test_today_on_a_single_file_without_final_newline(tmp_path: Path) -> None:
    log = tmp_path / "log.md"
    log.write_text("# 2026-11-20\n## What to do next\n- [ ] a (est 1h)")
    old = log.read_bytes()

    start_day(log, date(2026, 11, 23), lambda: carry_over(log, date(2026, 11, 23))[1])

    new = log.read_text()
    assert new.encode().startswith(old)
    assert "\n# 2026-11-23\n## What to do next\n- [ ] a (est 1h)\n" in new


# --- add ---------------------------------------------------------------------------------


def test_add_appends_at_the_end_of_done_before_random_ideas(example_log: Path) -> None:
    page = example_log / "2026-11-20.md"
    old = lines_of(page)

    result = invoke(
        "add", "fixed the loader #bug (took 2h)", "--log", str(example_log), "--today", "2026-11-20"
    )

    assert result.exit_code == 0, result.stderr
    new = lines_of(page)
    at = assert_one_line_added(old, new, "- fixed the loader #bug (took 2h)")
    assert new[at - 1].startswith("- Weekly plan for W48")  # the last done bullet
    assert new[at + 1] == "## Random ideas"
    assert f"{page}:{at + 1}" in result.stderr  # the 1-based line it wrote


def test_add_after_nested_bullets_and_blank_lines(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.mkdir()
    page = log / "2026-11-23.md"
    page.write_text(
        "# 2026-11-23\n## What was done\n- trained\n  - child note\n\n\n## Random ideas\n- x\n"
    )
    old = lines_of(page)

    add_done(log, date(2026, 11, 23), "evaluated", lambda: [])

    new = lines_of(page)
    at = assert_one_line_added(old, new, "- evaluated")
    assert new[at - 1] == "  - child note"


def test_add_skips_headings_inside_code_fences(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.mkdir()
    page = log / "2026-11-23.md"
    page.write_text(
        textwrap.dedent(
            """\
            # 2026-11-23
            ## What was done
            - relaunched the sweep
            ```bash
            # resubmit with the fixed path
            sbatch sweep.sh
            ```
            ## Random ideas
            - z
            """
        )
    )
    old = lines_of(page)

    add_done(log, date(2026, 11, 23), "checked the logs", lambda: [])

    new = lines_of(page)
    at = assert_one_line_added(old, new, "- checked the logs")
    assert new[at - 1] == "```" and new[at + 1] == "## Random ideas"


def test_add_creates_todays_page_with_carried_todos(example_log: Path) -> None:
    result = invoke("add", "read the rDPO paper", "--log", str(example_log), "--today", MONDAY)

    assert result.exit_code == 0, result.stderr
    assert "new page, 3 to-dos carried" in result.stderr
    text = (example_log / f"{MONDAY}.md").read_text()
    for todo in FRIDAY_OPEN:
        assert f"- [ ] {todo}\n" in text
    done = text.split("## What was done\n")[1].split("## Random ideas")[0]
    assert done.strip() == "- read the rDPO paper"


def test_add_adds_a_done_section_when_the_page_has_none(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.mkdir()
    page = log / "2026-11-23.md"
    page.write_text("# 2026-11-23\n## Notes\n- met Daniel\n")

    add_done(log, date(2026, 11, 23), "drafted intro", lambda: [])

    assert (
        page.read_text()
        == "# 2026-11-23\n## Notes\n- met Daniel\n\n## What was done\n- drafted intro\n"
    )


def test_add_to_a_single_file_log_new_day(example_log: Path) -> None:
    log = single_file_log(example_log, ["2026-11-19", "2026-11-20"])
    old = log.read_bytes()

    result = invoke("add", "wrote the method section", "--log", str(log), "--today", MONDAY)

    assert result.exit_code == 0, result.stderr
    new = log.read_text()
    assert new.encode().startswith(old)
    day = new[len(old.decode()) :]
    assert day.lstrip("\n").startswith(f"# {MONDAY}\n")
    done = day.split("## What was done\n")[1].split("## Random ideas")[0]
    assert done.strip() == "- wrote the method section"


def test_add_to_a_single_file_log_existing_earlier_day(example_log: Path) -> None:
    log = single_file_log(example_log, ["2026-11-18", "2026-11-19", "2026-11-20"])
    old = lines_of(log)

    result = invoke("add", "late note", "--log", str(log), "--today", "2026-11-19")

    assert result.exit_code == 0, result.stderr
    new = lines_of(log)
    at = assert_one_line_added(old, new, "- late note")
    day_start = new.index("# 2026-11-19")
    assert day_start < at < new.index("# 2026-11-20")
    assert new[at + 1] == "## Random ideas"
    assert new[at - 1].startswith("- Method section: notation")


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_add_after_a_last_line_without_line_ending(tmp_path: Path, eol: str) -> None:
    log = tmp_path / "log"
    log.mkdir()
    page = log / "2026-11-23.md"
    page.write_bytes(f"# 2026-11-23{eol}## What was done{eol}- a".encode())

    result = add_done(log, date(2026, 11, 23), "b", lambda: [])

    assert page.read_bytes() == f"# 2026-11-23{eol}## What was done{eol}- a{eol}- b".encode()
    assert result.line == 4


def test_today_and_add_find_day_pages_in_subfolders(tmp_path: Path) -> None:
    log = tmp_path / "log"
    (log / "2026" / "11").mkdir(parents=True)
    (log / "2026" / "11" / "2026-11-20.md").write_text(FRIDAY_PAGE)
    monday = log / "2026" / "11" / "2026-11-23.md"

    result = invoke("today", "--log", str(log), "--today", MONDAY)

    assert result.exit_code == 0, result.stderr
    assert "2 to-dos carried over from 2026-11-20" in result.stderr
    created = Path(result.stdout.strip())
    assert "- [ ] read the rDPO paper (est 1h)" in created.read_text()
    created.rename(monday)  # the user files it with the others
    old = lines_of(monday)

    assert invoke("add", "filed", "--log", str(log), "--today", MONDAY).exit_code == 0

    assert_one_line_added(old, lines_of(monday), "- filed")
    assert not (log / f"{MONDAY}.md").exists()


def test_add_uses_an_existing_txt_day_page(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.mkdir()
    page = log / "2026-11-23.txt"
    page.write_text("# 2026-11-23\n## What was done\n- a\n")

    result = add_done(log, date(2026, 11, 23), "b", lambda: [])

    assert result.path == page and not result.created
    assert page.read_text() == "# 2026-11-23\n## What was done\n- a\n- b\n"
    assert sorted(p.name for p in log.iterdir()) == ["2026-11-23.txt"]


def test_hidden_folders_are_not_day_pages(tmp_path: Path) -> None:
    log = tmp_path / "log"
    (log / ".trash").mkdir(parents=True)
    (log / ".trash" / "2026-11-20.md").write_text(FRIDAY_PAGE)

    assert carry_over(log, date(2026, 11, 23)) == (None, [])
    result = start_day(log, date(2026, 11, 23), lambda: [])
    assert result.created and result.path == log / "2026-11-23.md"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_add_rejects_empty_text(example_log: Path, text: str) -> None:
    before = sorted(p.name for p in example_log.iterdir())

    result = invoke("add", text, "--log", str(example_log), "--today", MONDAY)

    assert result.exit_code == 2
    assert "empty" in result.stderr
    assert sorted(p.name for p in example_log.iterdir()) == before  # no page created


def test_add_keeps_crlf_line_endings_of_a_page(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.mkdir()
    page = log / "2026-11-23.md"
    page.write_bytes(b"# 2026-11-23\r\n## What was done\r\n- a\r\n## Random ideas\r\n- b\r\n")

    add_done(log, date(2026, 11, 23), "c", lambda: [])

    assert page.read_bytes() == (
        b"# 2026-11-23\r\n## What was done\r\n- a\r\n- c\r\n## Random ideas\r\n- b\r\n"
    )


def test_today_keeps_the_bytes_of_a_crlf_single_file_log(tmp_path: Path) -> None:
    log = tmp_path / "log.md"
    log.write_bytes(b"# 2026-11-20\r\n## What to do next\r\n- [ ] a (est 1h)\r\n")
    old = log.read_bytes()

    add_done(log, date(2026, 11, 23), "b", lambda: carry_over(log, date(2026, 11, 23))[1])

    new = log.read_bytes()
    assert new.startswith(old)
    assert b"\n" not in new.replace(b"\r\n", b"")  # one line-ending style throughout
    assert b"- [ ] a (est 1h)\r\n" in new[len(old) :] and b"- b\r\n" in new


# --- which log ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["today"], ["add", "x"]])
def test_missing_log_folder_is_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "no-such-log"

    result = invoke(*command, "--log", str(missing))

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and str(missing) in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("command", [["today"], ["add", "x"]])
def test_no_log_configured_is_a_usage_error(command: list[str]) -> None:
    result = invoke(*command)

    assert result.exit_code == 2
    assert "no log set" in result.stderr and result.stderr.count("\n") == 1


def test_bad_today_is_a_usage_error(example_log: Path) -> None:
    result = invoke("today", "--log", str(example_log), "--today", "23/11/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_rreview_log_env_var(example_log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RREVIEW_LOG", str(example_log))

    result = invoke("add", "from the env", "--today", MONDAY)

    assert result.exit_code == 0, result.stderr
    assert "- from the env" in (example_log / f"{MONDAY}.md").read_text()


def test_log_option_wins_over_env(
    example_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other-log"
    other.mkdir()
    monkeypatch.setenv("RREVIEW_LOG", str(example_log))

    result = invoke("add", "from the option", "--log", str(other), "--today", MONDAY)

    assert result.exit_code == 0, result.stderr
    assert "- from the option" in (other / f"{MONDAY}.md").read_text()
    assert not (example_log / f"{MONDAY}.md").exists()


# --- atomic writes -----------------------------------------------------------------------


def test_no_temp_files_left_behind(example_log: Path) -> None:
    before = {p.name for p in example_log.iterdir()}
    invoke("today", "--log", str(example_log), "--today", MONDAY)
    for n in range(3):
        assert (
            invoke("add", f"step {n}", "--log", str(example_log), "--today", MONDAY).exit_code == 0
        )

    assert {p.name for p in example_log.iterdir()} == before | {f"{MONDAY}.md"}


def test_failed_write_leaves_the_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "2026-11-23.md"
    page.write_text("old\n")

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(capture.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(page, "new\n")

    assert page.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name != "rreview-home"] == [page.name]


def test_atomic_write_keeps_the_file_mode(tmp_path: Path) -> None:
    page = tmp_path / "private.md"
    page.write_text("old\n")
    page.chmod(0o600)

    atomic_write(page, "new\n")

    assert page.read_text() == "new\n"
    assert page.stat().st_mode & 0o777 == 0o600


def test_add_refuses_a_page_that_is_not_utf8(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.mkdir()
    page = log / "2026-11-23.md"
    page.write_bytes(b"# 2026-11-23\n## What was done\n- caf\xe9\n")

    with pytest.raises(UsageError, match="UTF-8"):
        add_done(log, date(2026, 11, 23), "x", lambda: [])
    assert page.read_bytes() == b"# 2026-11-23\n## What was done\n- caf\xe9\n"


# --- processes ---------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RREVIEW), *args], capture_output=True, text=True, env=os.environ.copy(), timeout=120
    )


@pytest.mark.slow
@pytest.mark.parametrize("page_exists", [False, True])
def test_concurrent_adds_lose_nothing(example_log: Path, page_exists: bool) -> None:
    if page_exists:
        assert invoke("today", "--log", str(example_log), "--today", MONDAY).exit_code == 0
    texts = [f"parallel write number {n}" for n in range(8)]
    procs = [
        subprocess.Popen(
            [str(RREVIEW), "add", text, "--log", str(example_log), "--today", MONDAY],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for text in texts
    ]
    outcomes = [proc.communicate(timeout=120) for proc in procs]

    assert [proc.returncode for proc in procs] == [0] * 8, outcomes
    text = (example_log / f"{MONDAY}.md").read_text()
    for line in texts:
        assert text.count(f"- {line}\n") == 1
    assert text.count(f"# {MONDAY}\n") == 1
    for todo in FRIDAY_OPEN:
        assert text.count(f"- [ ] {todo}\n") == 1
    assert not [p.name for p in example_log.iterdir() if p.name.startswith(".")]


HEAVY = ("torch", "transformers", "sentence_transformers", "chromadb", "openai", "anthropic")


@pytest.mark.slow
def test_add_loads_no_model_or_client_libraries(example_log: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from rreview.cli.main import app
        try:
            app(["add", "import check", "--log", {str(example_log)!r}, "--today", "{MONDAY}"])
        except SystemExit as exc:
            assert not exc.code, exc.code
        print(" ".join(m for m in {HEAVY!r} if m in sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert "- import check" in (example_log / f"{MONDAY}.md").read_text()
    assert result.stdout.strip() == ""


@pytest.mark.slow
def test_add_wall_time(example_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    times = []
    for n in range(5):
        started = time.perf_counter()
        result = run_cli("add", f"timed {n}", "--log", str(example_log), "--today", MONDAY)
        times.append(time.perf_counter() - started)
        assert result.returncode == 0, result.stderr
    with capsys.disabled():
        print(
            f"\n`rreview add` wall time over 5 runs: median {statistics.median(times):.3f}s "
            f"(min {min(times):.3f}s, max {max(times):.3f}s)"
        )
