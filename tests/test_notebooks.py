"""Real notebooks as they are: blog-style posts, chronicles with dated headings in many forms,
free-form day files (prose, code, log output), other languages; found without being told."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from conftest import FIXTURES
from rreview.cli.main import app
from rreview.extract import extract
from rreview.log.detect import read_log
from rreview.log.model import Section
from rreview.store.status import index_status
from rreview.store.sync import load_log

BLOG = FIXTURES / "blog" / "notebook"
CHRONICLE = FIXTURES / "chronicle" / "training-chronicle.md"
FREEFORM = FIXTURES / "freeform" / "days"
DONE = Section.DONE


def _by_name(result, name: str):
    return [e for e in result.entries if Path(e.file).name == name]


def test_blog_posts_are_detected_and_dated() -> None:
    reader, result = read_log(BLOG)
    assert reader.name == "blog"
    assert [(e.date, Path(e.file).name) for e in result.entries] == [
        (date(2022, 7, 14), "2022-07-14-kickoff.md"),
        (date(2022, 7, 15), "2022-07-15-loss-spike-postmortem.md"),
        (date(2022, 7, 15), "2022-07-15-restart-after-node-failure.md"),
        (date(2022, 7, 16), "2022-07-16-中文笔记.md"),
    ]


def test_two_posts_on_one_day_keep_their_titles_tags_and_categories() -> None:
    result = read_log(BLOG)[1]
    day = [e for e in result.entries if e.date == date(2022, 7, 15)]
    assert [e.title for e in day] == ["Loss spike post-mortem", "Restart after node failure"]
    restart = _by_name(result, "2022-07-15-restart-after-node-failure.md")[0]
    assert restart.tags == ("esm2", "infra", "plm", "runs")  # "tags: a b", "categories: c d"
    title, first, second = restart.items
    assert (title.line, title.text, title.section) == (1, "Restart after node failure", DONE)
    assert first.line == 9 and first.text.startswith("Node `gpu-17` went down at 03:12")
    assert "NODE FAILURE" in first.code  # the log output stays with the paragraph before it
    assert second.line == 16
    kickoff = _by_name(result, "2022-07-14-kickoff.md")[0]
    assert kickoff.tags == ("esm2", "thermostability", "plm")
    assert [i.line for i in kickoff.items] == [1, 9, 11, 12, 13, 15]


def test_blog_images_and_links_read_as_their_words() -> None:
    result = read_log(BLOG)[1]
    spike = _by_name(result, "2022-07-15-loss-spike-postmortem.md")[0]
    texts = [i.text for i in spike.items]
    assert texts[1] == "loss curve with a spike at step 6k"  # ![alt](img)
    assert "See the LoRA paper for why" in texts[2] and "arxiv" not in texts[2]


def test_blog_bad_date_and_non_posts() -> None:
    result = read_log(BLOG)[1]
    (problem,) = result.problems
    assert problem.file.endswith("2022-02-30-draft.md") and "no real date" in problem.message
    ignored = sorted(Path(i.file).name for i in result.files_ignored)
    assert ignored == ["_config.yml", "index.md", "loss-spike.png"]


def test_other_languages_are_read_and_kept_verbatim() -> None:
    result = read_log(BLOG)[1]
    (post,) = _by_name(result, "2022-07-16-中文笔记.md")
    assert post.title == "组会记录" and post.tags == ("组会",)
    assert [i.text for i in post.items] == [
        "组会记录",
        "和导师讨论了热稳定性数据集的划分问题",
        "下一步：用 LoRA 微调 ESM-2，先跑 3 个随机种子",
    ]
    free = read_log(FREEFORM)[1]
    (friday,) = [e for e in free.entries if e.date == date(2022, 7, 22)]
    assert friday.items[-1].tags == ("组会",)  # a tag in another script


def test_chronicle_heading_forms_undated_headings_and_ranges() -> None:
    reader, result = read_log(CHRONICLE)
    assert reader.name == "chronicle"
    got = [(e.date, e.line, e.title, e.until) for e in result.entries]
    assert got == [
        (date(2022, 7, 15), 5, "", None),  # ## 2022-07-15
        (date(2022, 7, 15), 14, "restart after node failure", None),  # ### 2022-07-15 restart ...
        (date(2022, 7, 16), 18, "Loss spike at 21k", None),  # ## Loss spike at 21k (2022-07-16)
        (date(2022, 7, 18), 23, "", None),  # ## July 18, 2022
        (date(2022, 7, 19), 28, "", None),  # ## 19.07.2022
        (date(2022, 7, 20), 32, "", date(2022, 7, 22)),  # ## 2022-07-20 - 2022-07-22
    ]
    first = result.entries[0]
    # "### Eval setup" has no date: it belongs to the day above it
    assert [(i.line, i.section) for i in first.items] == [(7, DONE), (8, DONE), (12, DONE)]
    (problem,) = result.problems
    assert problem.line == 36 and "2022-02-30" in problem.message


def test_chronicle_prose_is_extracted() -> None:
    result = read_log(CHRONICLE)[1]
    rollback = next(i for e in result.entries for i in e.items if i.line == 26)
    facts = extract(rollback)
    assert (facts.estimate_hours, facts.actual_hours) == (1.0, 4.0)
    assert extract(next(i for e in result.entries for i in e.items if i.line == 16)).is_bug


def test_free_form_days_code_only_day_and_impossible_date() -> None:
    reader, result = read_log(FREEFORM)
    assert reader.name == "native"
    by_day = {e.date: e for e in result.entries}
    prose = by_day[date(2022, 7, 20)]
    assert [(i.line, i.section) for i in prose.items] == [
        (1, DONE),
        (8, DONE),
        (9, DONE),
        (11, DONE),
    ]
    assert prose.items[0].text.startswith("Spent the morning on the tokenizer.")
    assert 'tok.encode("thermostability")' in prose.items[0].code
    assert "tok.encode" not in prose.items[0].text  # code is shown and searched, not embedded
    assert (
        prose.items[3].text == "Afternoon: read the ESM-2 paper again, sections 2 and 4. figure 2"
    )
    (log_output,) = by_day[date(2022, 7, 21)].items  # a day that is all code and log output
    assert log_output.text == "$ python train.py --config configs/lora_r8.yaml"
    assert "RuntimeError: CUDA out of memory" in log_output.code
    assert extract(log_output).is_bug  # the pasted output shows a RuntimeError
    (problem,) = result.problems
    assert "2022-02-30" in problem.message


def test_a_folder_mixing_posts_chronicle_and_day_pages(tmp_path: Path) -> None:
    log = tmp_path / "notebook"
    shutil.copytree(FIXTURES / "native" / "folder", log / "daily")
    shutil.copytree(BLOG / "_posts", log / "_posts")
    shutil.copy(CHRONICLE, log / "chronicle.md")
    reader, result = read_log(log)
    counts = result.format_counts()
    assert counts == {"blog": 4, "native": 2, "chronicle": 1}
    assert reader.name == "blog"
    assert any("mixed folder" in p.message for p in result.problems)
    status = index_status(load_log(log), tmp_path / "no-index")
    formats = {f.file: f.format for f in status.files if f.format}
    assert formats["chronicle.md"] == "chronicle" and formats["daily/2026-03-02.md"] == "native"
    ranged = next(f for f in status.files if f.file == "chronicle.md").days[-1]
    assert (ranged.date, ranged.until) == ("2022-07-20", "2022-07-22")


def test_verbose_says_which_layout_was_chosen() -> None:
    result = CliRunner().invoke(app, ["facts", "--log", str(CHRONICLE), "-v", "--kind", "bug"])
    assert result.exit_code == 0
    assert "as 'chronicle' (confidence 0.80)" in result.stderr
