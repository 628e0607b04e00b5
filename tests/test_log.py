"""The log reader: native day files and single-file logs to entries and items, with problems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import EXAMPLE_LOG, FIXTURES
from rreview.errors import Problem
from rreview.log.detect import choose_reader, read_log
from rreview.log.files import read_text
from rreview.log.markdown import parse_day
from rreview.log.model import Entry, Item, Section, find_tags, section_for_heading
from rreview.log.readers.native import NativeReader

NATIVE = FIXTURES / "native"
FOLDER = NATIVE / "folder"
SINGLE = NATIVE / "single.md"


def _read(path: Path):
    return NativeReader().read(path)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def _entry(result, day: date) -> Entry:
    (entry,) = [e for e in result.entries if e.date == day]
    return entry


def _at(entry: Entry, line: int) -> Item:
    (item,) = [i for i in entry.items if i.line == line]
    return item


# --- sections -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("What to do next", Section.PLAN),
        ("Next", Section.PLAN),
        ("TODO", Section.PLAN),
        ("To do", Section.PLAN),
        ("To-do", Section.PLAN),
        ("Todos", Section.PLAN),
        ("Plan", Section.PLAN),
        ("Plan for tomorrow", Section.PLAN),
        ("Next steps", Section.PLAN),
        ("What was done", Section.DONE),
        ("Done", Section.DONE),
        ("Log", Section.DONE),
        ("Done today", Section.DONE),
        ("What I did", Section.DONE),
        ("Random ideas", Section.IDEAS),
        ("Ideas", Section.IDEAS),
        ("Thoughts", Section.IDEAS),
        ("Meeting notes", Section.NOTES),
        ("Notes", Section.NOTES),
        ("Reading list", Section.NOTES),
        ("Blog posts", Section.NOTES),  # "log" inside a word is not the Log section
        ("Backlog", Section.NOTES),
        ("Tasks", Section.PLAN),
        ("Tasks done today", Section.DONE),
        ("2026-03-02", Section.NOTES),
    ],
)
def test_section_for_heading(heading: str, section: Section) -> None:
    assert section_for_heading(heading) is section


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("trained the model #training", ("training",)),
        ("#Bug in #data loader #bug", ("bug", "data")),
        ("see issue #12 and C# code", ()),
        ("link http://x.org/#anchor and a&#39;b", ()),
        ("end of sentence #eval.", ("eval",)),
        ("nested #area/sub-topic tag", ("area/sub-topic",)),
    ],
)
def test_find_tags(text: str, tags: tuple[str, ...]) -> None:
    assert find_tags(text) == tags


# --- a folder of day pages --------------------------------------------------------------------


def test_folder_reads_days_in_order_and_ignores_readme() -> None:
    result = _read(FOLDER)
    assert result.problems == []
    assert [e.date for e in result.entries] == [date(2026, 3, 2), date(2026, 3, 3)]
    assert sorted(Path(f).name for f in result.files_read) == ["2026-03-02.md", "2026-03-03.md"]
    assert len(result.files_ignored) == 1
    assert "README.md" in str(result.files_ignored[0])


def test_folder_entry_fields() -> None:
    entry = _entry(_read(FOLDER), date(2026, 3, 2))
    assert entry.file == str(FOLDER / "2026-03-02.md")
    assert entry.line == 1
    assert entry.raw == (FOLDER / "2026-03-02.md").read_text(encoding="utf-8")
    assert len(entry.content_hash) == 64


def test_folder_items_exact_lines_sections_and_text() -> None:
    entry = _entry(_read(FOLDER), date(2026, 3, 2))
    got = [(i.line, i.section, i.text) for i in entry.items]
    assert got == [
        (3, Section.PLAN, "write the loader #data (est 2h)"),
        (4, Section.PLAN, "book GPUs"),
        (5, Section.PLAN, "email Ana about the split"),
        (6, Section.PLAN, "read the Co-teaching paper"),
        (8, Section.DONE, "trained the baseline #training ~3h"),
        (9, Section.DONE, "lr 3e-4, batch 64"),
        (10, Section.DONE, "grad clip 1.0"),
        (11, Section.DONE, "warmup 500 steps"),
        (12, Section.DONE, "bug: NaN loss after step 2k #bug"),
        (18, Section.DONE, "A paragraph about the day that continues on a second line."),
        (21, Section.IDEAS, "reweight examples by margin (source: chat)"),
        (23, Section.NOTES, "Ana prefers the clean split"),
    ]
    for item in entry.items:
        assert item.date == date(2026, 3, 2)
        assert item.file == str(FOLDER / "2026-03-02.md")
        assert item.key == f"2026-03-02:{item.file}:{item.line}"


def test_bullet_markers_and_checkboxes() -> None:
    entry = _entry(_read(FOLDER), date(2026, 3, 2))
    assert _at(entry, 3).checked is False  # "- [ ]"
    assert _at(entry, 4).checked is True  # "* [x]"
    assert _at(entry, 5).checked is True  # "+ [X]"
    assert _at(entry, 6).checked is None  # "1." without a box
    assert _at(entry, 8).checked is None
    assert _at(entry, 18).checked is None  # a paragraph


def test_item_tags() -> None:
    entry = _entry(_read(FOLDER), date(2026, 3, 2))
    assert _at(entry, 3).tags == ("data",)
    assert _at(entry, 8).tags == ("training",)
    assert _at(entry, 12).tags == ("bug",)
    assert _at(entry, 4).tags == ()


def test_nested_bullets_depth_and_parent() -> None:
    entry = _entry(_read(FOLDER), date(2026, 3, 2))
    assert (_at(entry, 8).depth, _at(entry, 8).parent_line) == (0, None)
    assert (_at(entry, 9).depth, _at(entry, 9).parent_line) == (1, 8)
    assert (_at(entry, 10).depth, _at(entry, 10).parent_line) == (2, 9)
    assert (_at(entry, 11).depth, _at(entry, 11).parent_line) == (1, 8)
    assert (_at(entry, 12).depth, _at(entry, 12).parent_line) == (0, None)


def test_fenced_code_attaches_to_previous_item_and_makes_no_items() -> None:
    entry = _entry(_read(FOLDER), date(2026, 3, 2))
    bug = _at(entry, 12)
    assert "ValueError: loss is nan" in bug.code
    assert "- not an item" in bug.code
    assert not any("not an item" in i.text for i in entry.items)
    assert not any(i.line in (13, 14, 15, 16) for i in entry.items)
    assert all(i.code == "" for i in entry.items if i.line != 12)


def test_second_day_with_short_headings() -> None:
    entry = _entry(_read(FOLDER), date(2026, 3, 3))
    got = [(i.line, i.section, i.text, i.checked, i.tags) for i in entry.items]
    assert got == [
        (3, Section.PLAN, "write the loader (est 2h)", False, ()),
        (5, Section.DONE, "read the Co-teaching paper, took 1h", None, ()),
        (7, Section.IDEAS, "#idea anneal the label smoothing", None, ("idea",)),
    ]


def test_folder_recurses_into_subfolders_but_not_hidden_ones(tmp_path: Path) -> None:
    _write(tmp_path / "2026-01-01.md", "# 2026-01-01\n- top\n")
    _write(tmp_path / "2026" / "01" / "2026-01-02.md", "# 2026-01-02\n- nested\n")
    _write(tmp_path / ".trash" / "2026-01-03.md", "# 2026-01-03\n- deleted\n")
    _write(tmp_path / "notes.png", "not an image")
    result = _read(tmp_path)
    assert [e.date for e in result.entries] == [date(2026, 1, 1), date(2026, 1, 2)]
    assert result.problems == []
    assert len(result.files_ignored) == 1
    assert "notes.png" in str(result.files_ignored[0])


def test_day_file_with_text_and_markdown_suffixes(tmp_path: Path) -> None:
    _write(tmp_path / "2026-01-01.txt", "- plain text day\n")
    _write(tmp_path / "2026-01-02.markdown", "- markdown day\n")
    result = _read(tmp_path)
    assert [(e.date, e.items[0].text, e.items[0].line) for e in result.entries] == [
        (date(2026, 1, 1), "plain text day", 1),
        (date(2026, 1, 2), "markdown day", 1),
    ]
    # a page without a done section is a free-form day: what it says is what was done
    assert result.entries[0].items[0].section is Section.DONE


def test_heading_date_differs_from_file_name(tmp_path: Path) -> None:
    _write(tmp_path / "2026-01-05.md", "# 2026-01-06\n- which day?\n")
    result = _read(tmp_path)
    assert [e.date for e in result.entries] == [date(2026, 1, 5)]
    assert len(result.problems) == 1
    assert result.problems[0].line == 1
    assert "2026-01-05.md" in result.problems[0].file


# --- a single Markdown file of days -----------------------------------------------------------


def test_single_file_days_start_mid_file() -> None:
    result = _read(SINGLE)
    assert result.problems == []
    assert result.files_read == [str(SINGLE)]
    first, second = result.entries
    assert (first.date, first.line) == (date(2026, 3, 5), 1)
    assert (second.date, second.line) == (date(2026, 3, 6), 7)
    got = [
        (i.date, i.line, i.section, i.text, i.checked, i.depth, i.parent_line)
        for e in result.entries
        for i in e.items
    ]
    assert got == [
        (date(2026, 3, 5), 3, Section.PLAN, "write the loader (est 2h)", False, 0, None),
        (date(2026, 3, 5), 5, Section.DONE, "profiled the dataloader #infra", None, 0, None),
        (date(2026, 3, 6), 9, Section.PLAN, "write the loader", False, 0, None),
        (date(2026, 3, 6), 11, Section.DONE, "wrote the eval script, took 3h", True, 0, None),
        (date(2026, 3, 6), 12, Section.DONE, "it caches tokenized data", None, 1, 11),
    ]
    assert all(i.file == str(SINGLE) for e in result.entries for i in e.items)
    assert second.raw.splitlines()[0] == "# 2026-03-06"


def test_single_file_day_raw_text_does_not_leak_into_next_day() -> None:
    first, second = _read(SINGLE).entries
    assert "2026-03-06" not in first.raw
    assert "profiled" not in second.raw


def test_single_file_with_preamble_reports_it_once(tmp_path: Path) -> None:
    log = _write(tmp_path / "log.md", "\n\n# My research log\n\n# 2026-01-01\n- a\n")
    result = _read(log)
    assert [(e.date, e.items[0].line) for e in result.entries] == [(date(2026, 1, 1), 6)]
    assert len(result.problems) == 1
    assert result.problems[0].line == 3


def test_single_file_without_day_headings(tmp_path: Path) -> None:
    log = _write(tmp_path / "notes.md", "# Notes\n- nothing dated\n")
    result = _read(log)
    assert result.entries == []
    assert len(result.problems) == 1
    assert result.problems[0].file == str(log)


def test_single_file_date_heading_inside_code_is_not_a_day(tmp_path: Path) -> None:
    text = "# 2026-01-01\n- ran the cron job\n```sh\n# 2026-01-02 nightly\nrun.sh\n```\n- after\n"
    result = _read(_write(tmp_path / "log.md", text))
    assert result.problems == []
    (entry,) = result.entries
    assert [(i.line, i.text) for i in entry.items] == [(2, "ran the cron job"), (7, "after")]
    assert entry.items[0].code == "# 2026-01-02 nightly\nrun.sh"


# --- line endings, code, paragraphs -----------------------------------------------------------


def test_crlf_line_endings(tmp_path: Path) -> None:
    text = "# 2026-01-01\r\n## Done\r\n- first #tag\r\n  - child\r\n\r\n- second\r\n"
    path = tmp_path / "2026-01-01.md"
    path.write_bytes(text.encode("utf-8"))
    (entry,) = _read(tmp_path).entries
    assert [(i.line, i.text, i.depth, i.tags) for i in entry.items] == [
        (3, "first #tag", 0, ("tag",)),
        (4, "child", 1, ()),
        (6, "second", 0, ()),
    ]
    assert "\r" not in entry.raw
    assert all(i.section is Section.DONE for i in entry.items)


def test_crlf_single_file(tmp_path: Path) -> None:
    text = "# 2026-01-01\r\n- a\r\n# 2026-01-02\r\n- b\r\n"
    log = tmp_path / "log.md"
    log.write_bytes(text.encode("utf-8"))
    result = _read(log)
    assert [(e.date, e.line, [(i.line, i.text) for i in e.items]) for e in result.entries] == [
        (date(2026, 1, 1), 1, [(2, "a")]),
        (date(2026, 1, 2), 3, [(4, "b")]),
    ]


def test_utf8_bom_is_not_text(tmp_path: Path) -> None:
    (tmp_path / "2026-01-01.md").write_bytes(b"\xef\xbb\xbf# 2026-01-01\n- caf\xc3\xa9\n")
    result = _read(tmp_path)
    assert result.problems == []
    assert result.entries[0].items[0].text == "café"


def _day(text: str) -> tuple[Item, ...]:
    return parse_day(text.split("\n"), date(2026, 1, 1), "day.md", 1)


def test_code_block_after_blank_line_still_belongs_to_previous_item() -> None:
    items = _day("- ran it, got:\n\n```\nTraceback (most recent call last)\n```\n")
    assert [(i.line, i.text, i.code) for i in items] == [
        (1, "ran it, got:", "Traceback (most recent call last)")
    ]


def test_code_block_lines_that_look_like_markdown_are_code() -> None:
    items = _day("- config\n```yaml\n# not a heading\n- not: a bullet\n```\n## Done\n- d\n")
    assert [(i.line, i.section, i.text) for i in items] == [
        (1, Section.NOTES, "config"),
        (7, Section.DONE, "d"),
    ]
    assert items[0].code == "# not a heading\n- not: a bullet"


def test_tilde_fence_and_backtick_fence_do_not_close_each_other() -> None:
    items = _day("- a\n~~~\n```\nstill code\n~~~\n- b\n")
    assert [(i.line, i.text) for i in items] == [(1, "a"), (6, "b")]
    assert items[0].code == "```\nstill code"


def test_text_after_code_block_is_a_new_item() -> None:
    items = _day("- a\n```\nx = 1\n```\nthen a remark\n")
    assert [(i.line, i.text, i.code) for i in items] == [
        (1, "a", "x = 1"),
        (5, "then a remark", ""),
    ]


def test_code_block_before_any_item_is_its_own_item_not_misattributed() -> None:
    # a day that is only code or log output is still read: the block becomes an item
    items = _day("## Done\n- a\n## Notes\n```\n\norphan line\nmore\n```\n- b\n")
    assert [(i.line, i.text, i.code) for i in items] == [
        (2, "a", ""),
        (4, "orphan line", "\norphan line\nmore"),
        (9, "b", ""),
    ]


def test_paragraphs_and_continuations() -> None:
    items = _day("First paragraph\nstill first.\n\nSecond one.\n- bullet\n  continues here\n")
    assert [(i.line, i.text, i.depth) for i in items] == [
        (1, "First paragraph still first.", 0),
        (4, "Second one.", 0),
        (5, "bullet continues here", 0),
    ]


def test_ordered_and_paren_bullets_and_checkbox_after_number() -> None:
    items = _day("1. one\n2) two\n3. [x] three\n10. ten\n")
    assert [(i.line, i.text, i.checked) for i in items] == [
        (1, "one", None),
        (2, "two", None),
        (3, "three", True),
        (4, "ten", None),
    ]


def test_empty_bullets_are_not_items() -> None:
    items = _day("- \n- [ ] \n- real\n")
    assert [(i.line, i.text) for i in items] == [(3, "real")]


def test_parse_day_honours_first_line_offset() -> None:
    items = parse_day(["## Done", "- a", "  - b"], date(2026, 1, 1), "log.md", 40)
    assert [(i.line, i.parent_line) for i in items] == [(41, None), (42, 41)]


def test_heading_resets_nesting() -> None:
    items = _day("- parent\n## Done\n  - indented but first in section\n")
    assert [(i.line, i.depth, i.parent_line) for i in items] == [(1, 0, None), (3, 0, None)]


# --- bad input: one problem each, the rest still read -----------------------------------------


GOOD_DAYS = {
    "2026-01-01.md": "# 2026-01-01\n## Done\n- first good day\n",
    "2026-01-03.md": "# 2026-01-03\n## Done\n- second good day\n",
}


def _folder_with(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "log"
    for good, text in GOOD_DAYS.items():
        _write(folder / good, text)
    (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("name", "data", "words", "line"),
    [
        ("2026-09-31.md", b"# 2026-09-31\n- no such day\n", "not a real date", None),
        ("2026-01-02.md", b"# 2026-01-02\n## Done\n- caf\xe9 with Ana\n", "UTF-8", 3),
        ("2026-01-02.md", b"", "empty", None),
        ("2026-01-02.md", b"  \n\n", "empty", None),
        ("2026-01-02.md", b"# 2026-01-02\n\x00\x01\x02\xff binary", "binary", None),
    ],
    ids=["impossible-date", "latin-1", "empty", "blank", "binary"],
)
def test_bad_file_in_folder(
    tmp_path: Path, name: str, data: bytes, words: str, line: int | None
) -> None:
    folder = _folder_with(tmp_path, name, data)
    result = _read(folder)
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.file == str(folder / name)
    assert words in problem.message
    assert problem.line == line
    assert [e.date for e in result.entries] == [date(2026, 1, 1), date(2026, 1, 3)]
    assert str(folder / name) not in result.files_read
    assert name in str(problem)


def test_impossible_date_heading_in_single_file(tmp_path: Path) -> None:
    text = (
        "# 2026-02-27\n"  # 1
        "- before\n"  # 2
        "\n"  # 3
        "# 2026-02-30\n"  # 4
        "- lost day\n"  # 5
        "- lost too\n"  # 6
        "# 2026-03-01\n"  # 7
        "## Done\n"  # 8
        "- after\n"  # 9
    )
    log = _write(tmp_path / "log.md", text)
    result = _read(log)
    assert result.problems == [Problem(str(log), result.problems[0].message, 4)]
    assert "2026-02-30" in result.problems[0].message
    assert [(e.date, e.line) for e in result.entries] == [
        (date(2026, 2, 27), 1),
        (date(2026, 3, 1), 7),
    ]
    texts = [(i.line, i.text) for e in result.entries for i in e.items]
    assert texts == [(2, "before"), (9, "after")]


def test_non_utf8_single_file(tmp_path: Path) -> None:
    log = tmp_path / "log.md"
    log.write_bytes(b"# 2026-01-01\n- ok\n- na\xefve\n")
    result = _read(log)
    assert result.entries == []
    assert len(result.problems) == 1
    assert (result.problems[0].file, result.problems[0].line) == (str(log), 3)


def test_read_text_records_problem_instead_of_raising(tmp_path: Path) -> None:
    problems: list[Problem] = []
    assert read_text(tmp_path / "missing.md", problems) is None
    assert len(problems) == 1
    assert "missing.md" in problems[0].file


def test_read_text_normalises_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"a\r\nb\rc\n")
    problems: list[Problem] = []
    assert read_text(path, problems) == "a\nb\nc\n"
    assert problems == []


# --- detection and the example log -----------------------------------------------------------


def test_detect_native(tmp_path: Path) -> None:
    reader = NativeReader()
    assert reader.claim(FOLDER / "2026-03-02.md", "# 2026-03-02\n## Done\n") == pytest.approx(0.8)
    assert reader.claim(FOLDER / "README.md", "# About this log\n") == 0.0
    assert reader.detect(SINGLE) == pytest.approx(0.9)  # date headings and seed sections
    assert reader.detect(FOLDER) > 0.5  # two day pages out of three Markdown files
    assert reader.detect(tmp_path) == 0.0  # an empty folder
    assert choose_reader(FOLDER).name == "native"


def test_example_log_reads_cleanly() -> None:
    reader, result = read_log(EXAMPLE_LOG)
    assert reader.name == "native"
    assert result.problems == []
    assert result.files_ignored == []
    assert len(result.entries) == 20
    dates = [e.date for e in result.entries]
    assert dates == sorted(set(dates))
    assert all(e.items for e in result.entries)
    assert all(i.date == e.date and i.file == e.file for e in result.entries for i in e.items)


def test_example_log_copy_reads_the_same(example_log: Path) -> None:
    _, original = read_log(EXAMPLE_LOG)
    _, copy = read_log(example_log)
    assert [(e.date, e.content_hash) for e in copy.entries] == [
        (e.date, e.content_hash) for e in original.entries
    ]
