"""The command line as a user meets it: start-up cost, help, the README's commands."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rreview.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "sentence_transformers", "chromadb", "openai", "anthropic", "transformers")
runner = CliRunner()


def python_output(code: str) -> str:
    """What `code` prints, run by a fresh interpreter (start-up is what is measured)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import sys, rreview.cli.main\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = python_output(code).strip()
    assert out == "", f"imported at start-up: {out}"


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("today", "add", "index", "week"):
        assert re.search(rf"\b{command}\b", result.stdout)


def test_help_imports_no_command_module() -> None:
    """`rreview --help` prints the command table without importing any command's module."""
    code = (
        "import sys\n"
        "from rreview.cli.main import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('rreview.cli.') and m not in"
        " ('rreview.cli.main',)]\n"
        "print('LOADED=' + ','.join(sorted(loaded)))\n"
    )
    out = python_output(code)
    assert "Commands:" in out
    assert out.strip().splitlines()[-1] == "LOADED="


def test_command_table_matches_each_command() -> None:
    """The one-line help of `rreview --help` is the help of the command itself (no drift),
    and every command of the table loads."""
    from rreview.cli.main import COMMANDS, load_command

    for name, (_, _, short_help) in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        assert command.get_short_help_str(limit=1000) == short_help, name


def test_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["weeek"])
    assert result.exit_code == 2
    assert "No such command 'weeek'" in result.stderr


def test_week_help_documents_the_options() -> None:
    result = runner.invoke(app, ["week", "--help"])
    assert result.exit_code == 0
    for option in ("--week", "--log", "--offline", "--json", "--today", "--out"):
        assert option in result.stdout


def test_unknown_engine_is_a_usage_error() -> None:
    result = runner.invoke(
        app, ["week", "--log", str(ROOT / "examples" / "research-log"), "--engine", "gpt-9"]
    )
    assert result.exit_code == 2
    assert "unknown engine 'gpt-9'" in result.stderr


def test_config_file_names_the_log(tmp_path: Path) -> None:
    config = Path(os.environ["RREVIEW_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'log = "{tmp_path / "missing-log"}"\n')
    result = runner.invoke(app, ["index"])
    assert result.exit_code == 2
    assert "missing-log: log not found (from config file" in result.stderr
    config.write_text("log = [broken\n")
    result = runner.invoke(app, ["index"])
    assert result.exit_code == 2
    assert "cannot read config file" in result.stderr


def readme_commands() -> list[str]:
    """The two set-up commands the README opens with."""
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]


def test_readme_opens_with_the_two_make_targets() -> None:
    assert readme_commands() == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: ", makefile, re.M) and re.search(r"^test: ", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
def test_make_run_command_prints_the_example_report(isolated_home: Path) -> None:
    """What `make run` runs, as a subprocess of the installed console script."""
    makefile = (ROOT / "Makefile").read_text()
    week = re.search(r"^WEEK\s*\?=\s*(\S+)", makefile, re.M)
    assert week
    rreview = Path(sys.executable).parent / "rreview"
    args = [str(rreview), "week", "--log", "examples/research-log", "--week", week.group(1)]
    result = subprocess.run(
        [*args, "--offline"], cwd=ROOT, capture_output=True, text=True, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"# Week {week.group(1)}")
    assert "warning" not in result.stderr
    for title in ("In one look", "What was done", "Carried over", "Bugs", "Estimates vs actual"):
        assert f"## {title}" in result.stdout


def test_start_up_reads_no_log_machinery() -> None:
    """`--help` and `add` import no reader, store or analysis: only the commands that read
    the log pay for it."""
    code = (
        "import sys, rreview.cli.main\n"
        "stages = ('rreview.store.sync', 'rreview.log.readers', 'rreview.analyze.week',"
        " 'rreview.report.build', 'rreview.engines.base')\n"
        "print(','.join(m for m in stages if m in sys.modules))\n"
    )
    out = python_output(code).strip()
    assert out == "", f"imported at start-up: {out}"
