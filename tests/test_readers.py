"""The log readers: each format's hand-written fixture read into entries and items with exact
dates, sections, texts, tags and lines; detection, mixed folders, and bad input."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES
from rreview.errors import UsageError
from rreview.log.dates import find_date, parse_date
from rreview.log.detect import choose_reader, detect, read_log
from rreview.log.model import Entry, Item, Section
from rreview.log.readers import READERS

PLAN, DONE, IDEAS, NOTES = Section.PLAN, Section.DONE, Section.IDEAS, Section.NOTES
OBSIDIAN = FIXTURES / "obsidian" / "vault"
LOGSEQ = FIXTURES / "logseq" / "graph"
NOTION = FIXTURES / "notion" / "export"
JRNL = FIXTURES / "jrnl"
ORG = FIXTURES / "org"


def _entries(path: Path, fmt: str = "auto"):
    return read_log(path, fmt)[1]


def _item(result, name: str, line: int) -> Item:
    (item,) = [
        i for e in result.entries for i in e.items if Path(i.file).name == name and i.line == line
    ]
    return item


def _entry(result, name: str, line: int = 1) -> Entry:
    (entry,) = [e for e in result.entries if Path(e.file).name == name and e.line == line]
    return entry


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- every fixture: its format is detected and every item knows its day, file and line ---------


@pytest.mark.parametrize(
    ("path", "fmt", "days"),
    [
        (OBSIDIAN, "obsidian", ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"]),
        (LOGSEQ, "logseq", ["2026-11-23", "2026-11-24", "2026-11-25"]),
        (NOTION, "notion", ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]),
        (JRNL, "jrnl", ["2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08", "2026-10-09",
                        "2026-10-12"]),
        (ORG, "org", ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-14", "2026-12-15",
                      "2026-12-17"]),
    ],
)  # fmt: skip
def test_fixture_format_detected_and_items_located(path: Path, fmt: str, days: list[str]) -> None:
    reader, result = read_log(path)
    assert reader.name == fmt
    assert detect(path).confidence >= 0.85
    assert sorted({e.date.isoformat() for e in result.entries}) == days
    assert set(result.formats.values()) == {fmt}
    for entry in result.entries:
        assert entry.reader == fmt
        lines = Path(entry.file).read_text(encoding="utf-8-sig").split("\n")
        for item in entry.items:
            assert item.date == entry.date and item.file == entry.file
            words = [w for w in item.text.replace("#", " ").split() if w.isalpha()][:2]
            if fmt != "jrnl":  # a jrnl JSON body is one line; checked on its own below
                assert all(w in lines[item.line - 1] for w in words), (item.line, item.text)


def test_every_reader_has_a_name_and_a_title() -> None:
    names = [r.name for r in READERS]
    assert names == ["native", "obsidian", "logseq", "notion", "jrnl", "org", "blog", "chronicle"]
    assert all(r.title for r in READERS)


# --- Obsidian ----------------------------------------------------------------------------------


def test_obsidian_front_matter_sections_links_and_tags() -> None:
    result = _entries(OBSIDIAN)
    monday = _entry(result, "2026-11-16.md")
    assert monday.date == date(2026, 11, 16)
    assert monday.tags == ("daily", "rm-noise")
    got = [(i.line, i.section, i.checked) for i in monday.items[:4]]
    assert got == [(8, PLAN, False), (9, PLAN, False), (10, PLAN, False), (13, DONE, None)]
    link = _item(result, "2026-11-16.md", 10)
    assert (
        link.text == "read the Co-teaching paper properly"
    )  # [[Co-teaching|the Co-teaching paper]]
    assert _item(result, "2026-11-16.md", 8).tags == ("rm-noise",)
    assert _item(result, "2026-11-16.md", 20).section is IDEAS
    assert _item(result, "2026-11-16.md", 20).text.endswith("noise score?")  # block id dropped
    assert (
        _item(result, "2026-11-16.md", 21).text
        == "could try the forget-rate schedule from Co-teaching"
    )


def test_obsidian_tasks_plugin_callouts_embeds_and_yaml_list_tags() -> None:
    result = _entries(OBSIDIAN)
    tuesday = _entry(result, "2026-11-17.md")
    assert tuesday.tags == ("daily", "rm-noise")  # a YAML list
    read = _item(result, "2026-11-17.md", 11)
    assert (read.checked, read.text) == (
        True,
        "read the Co-teaching paper properly",
    )  # ✅ date gone
    assert _item(result, "2026-11-17.md", 12).text == "noise sweep 10/20/40% on 1.5B"  # 📅 gone
    callout = _item(result, "2026-11-17.md", 19)
    assert callout.text.startswith("Related work Saw on twitter")
    hung = _item(result, "2026-11-17.md", 16)
    assert (hung.depth, hung.parent_line) == (1, 15)
    thursday = _entry(result, "2026-11-19 Thursday.md")  # the date in a longer name
    assert thursday.date == date(2026, 11, 19)
    assert all("png" not in i.text for i in thursday.items)  # ![[image]] embed dropped


def test_obsidian_lists_what_it_ignored_and_why() -> None:
    ignored = {Path(i.file).name: i.reason for i in _entries(OBSIDIAN).files_ignored}
    assert ignored == {
        "Co-teaching.md": "no date in its name, front matter or headings",
        "Daily.md": "a note template (placeholder date)",
        "loss-curve-1.5B.png": "not a log file (.png)",
    }


def test_obsidian_front_matter_date_wins_and_bad_yaml_is_one_warning(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    _write(vault / "Journal" / "standup.md", "---\ndate: 2026-05-04\n---\n- [x] ship it\n")
    _write(vault / "2026-05-05.md", "---\ntags: [a, b\n---\n## Log\n- broken yaml, still read\n")
    result = _entries(vault)
    assert [(e.date, [(i.line, i.text) for i in e.items]) for e in result.entries] == [
        (date(2026, 5, 4), [(4, "ship it")]),
        (date(2026, 5, 5), [(5, "broken yaml, still read")]),
    ]
    (problem,) = result.problems
    assert problem.file.endswith("2026-05-05.md") and problem.line == 2
    assert "front matter" in problem.message


# --- Logseq ------------------------------------------------------------------------------------


def test_logseq_sections_are_parent_bullets_and_markers_are_todos() -> None:
    result = _entries(LOGSEQ)
    got = [(i.line, i.section, i.checked, i.depth) for i in _entry(result, "2026_11_23.md").items]
    assert got == [
        (2, PLAN, False, 0),
        (4, PLAN, False, 0),
        (6, DONE, True, 0),
        (10, DONE, None, 0),
        (11, DONE, None, 1),
        (12, DONE, None, 0),
        (14, DONE, None, 0),
        (20, IDEAS, None, 0),
    ]
    rerun = _item(result, "2026_11_23.md", 2)
    assert rerun.text == "rerun the head-importance scores with the fixed hook #pruning (est 2h)"
    assert rerun.tags == ("pruning",)
    assert _item(result, "2026_11_23.md", 4).text == "ask Mira for the DeiT checkpoints"
    hook = _item(result, "2026_11_23.md", 6)
    assert hook.clocked_hours == pytest.approx(2 + 27 / 60 + 22 / 3600, abs=1e-3)
    assert "CLOCK" not in hook.text and ":LOGBOOK:" not in hook.text
    assert _item(result, "2026_11_23.md", 12).text.endswith("(source: paper)")  # source:: paper
    assert "Segmentation fault" in _item(result, "2026_11_23.md", 14).code
    assert _item(result, "2026_11_23.md", 20).tags == ("head-importance",)  # #[[head importance]]


def test_logseq_page_properties_and_a_day_without_sections() -> None:
    result = _entries(LOGSEQ)
    assert _entry(result, "2026_11_25.md").tags == ("weekly-review",)
    tuesday = _entry(result, "2026_11_24.md")
    assert {i.section for i in tuesday.items} == {DONE}  # no section bullets: what was done
    child = _item(result, "2026_11_24.md", 4)
    assert (child.depth, child.parent_line, child.text) == (
        1,
        1,
        "last time it took 3h because of the hook bug",
    )
    assert "collapsed" not in _item(result, "2026_11_24.md", 1).text


def test_logseq_skips_backups_and_lists_pages_as_ignored() -> None:
    result = _entries(LOGSEQ)
    assert not any("bak" in e.file for e in result.entries)
    ignored = sorted(str(Path(i.file).relative_to(LOGSEQ)) for i in result.files_ignored)
    assert ignored == [
        "assets/image_1700000000000_0.png",
        "logseq/bak",
        "logseq/config.edn",
        "pages/ViT pruning.md",
        "pages/contents.md",
    ]


# --- Notion ------------------------------------------------------------------------------------


def test_notion_pages_dated_by_property_and_database() -> None:
    result = _entries(NOTION)
    dec1 = _entry(result, "Daily log Dec 1 1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6.md")
    assert (dec1.date, dec1.title, dec1.tags) == (
        date(2026, 12, 1),
        "Daily log Dec 1",
        ("asr", "daily"),
    )
    assert [(i.line, i.section) for i in dec1.items] == [
        (8, DONE), (9, DONE), (10, DONE), (14, PLAN), (15, PLAN), (18, PLAN),
    ]  # fmt: skip
    assert _item(result, dec1.file.split("/")[-1], 10).text.startswith("Listen, Attend and Spell —")
    assert _item(result, dec1.file.split("/")[-1], 18).text.startswith("💡 Idea:")  # <aside> gone


def test_notion_task_page_and_csv_rows() -> None:
    result = _entries(NOTION)
    page = _entry(result, "Fix CTC blank collapse 9e8d7c6b5a4f43e2a1b0c9d8e7f6a5b4.md")
    title = page.items[0]
    assert (title.line, title.text, title.checked, title.tags) == (
        1,
        "Fix CTC blank collapse (est 2h, took 5h)",
        True,
        ("asr", "bug"),
    )
    csv = "Research Log 8f3c2a1b9d4e4f6a8b7c6d5e4f3a2b1c.csv"
    row = _entry(result, csv, 4)  # a row without a page of its own
    assert row.date == date(2026, 12, 2)
    (item,) = row.items
    assert (item.section, item.checked, item.text) == (
        PLAN,
        False,
        "Whisper-small fine-tune on clinic audio (est 4h)",
    )
    assert _entry(result, csv, 7).date == date(2026, 12, 4)
    standup = _entry(result, "Standup 2026-12-04 5e6f7a8b9c0d41e2f3a4b5c6d7e8f9a0.md")
    assert standup.date == date(2026, 12, 4)  # the date in the page title
    (ignored,) = result.files_ignored
    assert ignored.file.endswith("Meeting notes 4d5e6f7a8b9c40d1e2f3a4b5c6d7e8f9.md")


def test_notion_page_without_date_but_dated_headings(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "Lab journal 0123456789abcdef0123456789abcdef.md",
        "# Lab journal\n\n## November 30, 2026\n\n- tried bf16\n\n## Dec 1, 2026\n\n- [ ] rerun\n",
    )
    result = _entries(tmp_path)
    assert [(e.date, e.line, [(i.line, i.text) for i in e.items]) for e in result.entries] == [
        (date(2026, 11, 30), 3, [(5, "tried bf16")]),
        (date(2026, 12, 1), 7, [(9, "rerun")]),
    ]
    assert result.formats == {str(page): "notion"}


# --- jrnl --------------------------------------------------------------------------------------


def test_jrnl_json_entries_title_runs_into_body() -> None:
    result = _entries(JRNL)
    first = _entry(result, "journal.json", 9)
    assert (first.date, first.title, first.tags) == (
        date(2026, 10, 5),
        "09:30 Started the PPO reward-shaping ablation.",
        ("ppo",),
    )
    assert [(i.line, i.section, i.text[:40]) for i in first.items] == [
        (9, DONE, "Started the PPO reward-shaping ablation."),
        (10, DONE, "Next: run 5 seeds per shaping variant."),
    ]
    assert first.items[0].tags == ("ppo",)  # @ppo
    assert _entry(result, "journal.json", 19).tags == ("paper", "starred")
    bullets = [i for i in _entry(result, "journal.json", 29).items if i.line == 30]
    assert [i.text for i in bullets] == [
        "5 seeds re-launched, each run takes ~3h on the cluster",
        "the fix itself was quick, maybe 20 minutes",
    ]


def test_jrnl_text_journal_has_exact_lines() -> None:
    result = _entries(JRNL)
    hung = _entry(result, "journal.txt", 4)
    assert (hung.date, hung.items[0].line, hung.items[0].tags) == (date(2026, 10, 9), 4, ("bug",))
    plan = _entry(result, "journal.txt", 8)
    assert [(i.line, i.text) for i in plan.items] == [
        (8, "Plan for the week."),
        (9, "finish the workshop paper draft, should take about 2 days"),
        (10, "re-run seed 3"),
    ]


def test_jrnl_bad_entry_is_one_warning(tmp_path: Path) -> None:
    journal = _write(
        tmp_path / "export.json",
        '{"entries": [\n  {"title": "ok.", "body": "", "date": "2026-01-02"},\n'
        '  {"title": "bad date.", "body": "", "date": "2026-13-40"}\n]}\n',
    )
    result = _entries(journal)
    assert [e.date for e in result.entries] == [date(2026, 1, 2)]
    (problem,) = result.problems
    assert (problem.file, problem.line) == (str(journal), 3)
    _write(journal, '{"entries": [ {"title": "x"')
    (broken,) = _entries(journal).problems
    assert "invalid JSON" in broken.message and broken.line == 1


# --- org-journal -------------------------------------------------------------------------------


def test_org_daily_files_entries_keywords_tags_effort_and_clock() -> None:
    result = _entries(ORG)
    monday = _entry(result, "20261207")
    assert monday.date == date(2026, 12, 7)  # "* Monday, 12/07/26" and the file name
    port = _item(result, "20261207", 2)
    assert (port.text, port.checked, port.tags, port.effort_hours) == (
        "Port the alias analysis pass to the new IR",
        False,
        ("compiler",),
        3.0,
    )
    fuzzer = _item(result, "20261207", 6)
    assert (fuzzer.text, fuzzer.tags, fuzzer.section) == (
        "Found why the fuzzer crashes on loop nests",
        ("bug",),
        DONE,
    )
    body = _item(result, "20261207", 7)
    assert (body.depth, body.parent_line) == (1, 6)
    assert "Assertion" in body.code
    assert _item(result, "20261208", 2).clocked_hours == 3.5
    done = _item(result, "20261209.org", 3)
    assert (done.checked, done.clocked_hours) == (True, 2.5)
    box = _item(result, "20261208", 13)
    assert (box.checked, box.depth, box.parent_line) == (True, 1, 12)


def test_org_single_file_with_sections_and_an_impossible_day() -> None:
    result = _entries(ORG / "yearly.org")
    assert [(e.date, e.line) for e in result.entries] == [
        (date(2026, 12, 14), 4),
        (date(2026, 12, 15), 10),
        (date(2026, 12, 17), 19),
    ]
    (problem,) = result.problems
    assert problem.line == 16 and "2026-02-30" in problem.message
    assert [(i.line, i.section) for i in result.entries[0].items] == [
        (6, DONE),
        (7, DONE),
        (9, PLAN),
    ]
    assert _item(result, "yearly.org", 7).text.endswith("stale analyses #212")  # [[url][#212]]


# --- detection, forcing a format, mixed folders --------------------------------------------------


def test_forced_format_reads_only_what_it_can(tmp_path: Path) -> None:
    assert choose_reader(LOGSEQ, "native").name == "native"
    result = _entries(LOGSEQ, "obsidian")  # Logseq journals have no ISO date in their names
    assert result.entries == []
    assert any("not a obsidian file" in i.reason for i in result.files_ignored)
    with pytest.raises(UsageError, match="unknown log format 'roam'"):
        read_log(LOGSEQ, "roam")


def test_plain_dated_pages_in_a_vault_are_obsidian_notes(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    _write(vault / "2026-01-01.md", "## Log\n- a [[Page]] link\n")
    _write(vault / "2026-01-02.md", "- plain day\n")
    reader, result = read_log(vault)
    assert reader.name == "obsidian"
    assert result.entries[0].items[0].text == "a Page link"
    assert not tmp_path.joinpath("vault", ".obsidian").is_file()


def test_mixed_folder_warns_once_and_reads_every_file(tmp_path: Path) -> None:
    log = tmp_path / "log"
    shutil.copytree(FIXTURES / "native" / "folder", log)
    shutil.copy(JRNL / "journal.json", log / "old-journal.json")
    _write(log / "notes.org", "* Monday, 2026-03-09\n** fixed the loader\n")
    reader, result = read_log(log)
    assert reader.name == "native"
    assert result.format_counts() == {"native": 2, "jrnl": 1, "org": 1}
    mixed = [p for p in result.problems if "mixed folder" in p.message]
    assert len(mixed) == 1 and mixed[0].file == str(log)
    assert "2 as 'native'" in mixed[0].message
    assert {e.reader for e in result.entries} == {"native", "jrnl", "org"}
    assert [Path(i.file).name for i in result.files_ignored] == ["README.md"]


def test_majority_reader_keeps_files_it_claims_nearly_as_much(tmp_path: Path) -> None:
    log = tmp_path / "log"
    for day in ("01", "02", "03"):
        _write(log / f"2026-01-{day}.md", f"---\ndate: 2026-01-{day}\n---\n- day {day}\n")
    _write(log / "2026-01-04.md", "## Done\n- plain page\n")  # native claims it a bit more
    reader, result = read_log(log)
    assert reader.name == "obsidian"
    assert set(result.formats.values()) == {"obsidian"}
    assert not any("mixed" in p.message for p in result.problems)


# --- dates as people write them ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-11-23", date(2026, 11, 23)),
        ("Monday, 2026-11-23", date(2026, 11, 23)),
        ("* Monday, 11/23/26", date(2026, 11, 23)),
        ("November 23, 2026", date(2026, 11, 23)),
        ("Nov 23rd, 2026", date(2026, 11, 23)),
        ("23 November 2026", date(2026, 11, 23)),
        ("23.11.2026", date(2026, 11, 23)),
        ("2026_11_23", date(2026, 11, 23)),
        ("Restart after node failure (2022-07-15)", date(2022, 7, 15)),
    ],
)
def test_find_date(text: str, day: date) -> None:
    found = find_date(text)
    assert found is not None and found[0] == day


def test_dates_that_do_not_exist_or_are_not_dates() -> None:
    found = find_date("2026-02-30")
    assert found is not None and found[0] is None  # written, but no such day
    assert find_date("version 1.2.3, 24GB, 9am") is None
    assert parse_date("20261123") == date(2026, 11, 23)
    assert parse_date(date(2026, 1, 2)) == date(2026, 1, 2)
    assert parse_date(12) is None


def test_format_help_names_every_reader() -> None:
    from typer.testing import CliRunner

    from rreview.cli.main import app

    out = CliRunner().invoke(app, ["index", "--help"]).stdout
    assert all(reader.name in out for reader in READERS)
