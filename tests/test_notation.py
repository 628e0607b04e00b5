"""The explicit notation: estimates, actuals, bugs, predictions, sources, ideas, to-dos, tasks."""

from __future__ import annotations

from datetime import date

import pytest

from rreview.extract.facts import ItemFacts, Prediction, SourceKind
from rreview.extract.notation import (
    extract,
    parse_hours,
    parse_prediction,
    source_kind,
    strip_notation,
    task_key,
)
from rreview.extract.tasks import link_tasks
from rreview.log.model import Item, Section, find_tags

PLAN, DONE, IDEAS, NOTES = Section.PLAN, Section.DONE, Section.IDEAS, Section.NOTES
DAY = date(2026, 3, 2)


def _item(
    text: str,
    section: Section = DONE,
    checked: bool | None = None,
    day: date = DAY,
    line: int = 3,
    depth: int = 0,
) -> Item:
    return Item(day, section, text, "log.md", line, find_tags(text), checked, depth)


def _facts(text: str, section: Section = DONE, checked: bool | None = None) -> ItemFacts:
    return extract(_item(text, section, checked))


# --- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("2h", 2.0),
        ("30m", 0.5),
        ("1d", 8.0),
        ("2 days", 16.0),
        ("1.5h", 1.5),
        ("1,5h", 1.5),
        ("1.5 hours", 1.5),
        ("3 hrs", 3.0),
        ("90 min", 1.5),
        ("45 minutes", 0.75),
        ("2h30m", 2.5),
        ("2h 30min", 2.5),
        ("1h15m", 1.25),
        ("2 hours 30 minutes", 2.5),
        ("2-3h", 2.5),
        ("2–3 h", 2.5),
        ("2 to 4 hours", 3.0),
        ("30-90m", 1.0),
        ("half a day", None),
        ("2", None),
        ("2 pts", None),
    ],
)
def test_parse_hours(text: str, hours: float | None) -> None:
    assert parse_hours(text) == (pytest.approx(hours) if hours is not None else None)


@pytest.mark.parametrize(
    ("text", "section", "checked", "estimate", "actual"),
    [
        ("write the loader est 2h", PLAN, False, 2.0, None),
        ("write the loader est 30m", PLAN, False, 0.5, None),
        ("write the loader est 1d", PLAN, False, 8.0, None),
        ("write the loader est 1.5h", PLAN, False, 1.5, None),
        ("write the loader est: 2h", PLAN, False, 2.0, None),
        ("write the loader est. 2h", PLAN, False, 2.0, None),
        ("write the loader estimate 2h", PLAN, False, 2.0, None),
        ("write the loader estimated: 3h", PLAN, False, 3.0, None),
        ("write the loader (est 2h)", PLAN, False, 2.0, None),
        ("write the loader EST 2H", PLAN, False, 2.0, None),
        ("write the loader est 90 min", PLAN, False, 1.5, None),
        ("write the loader est 2h30m", PLAN, False, 2.5, None),
        ("write the loader est 2h 30m", PLAN, False, 2.5, None),
        ("write the loader est 2-3h", PLAN, False, 2.5, None),
        ("write the loader est ~2h", PLAN, False, 2.0, None),
        ("wrote the loader, took 3h", DONE, None, None, 3.0),
        ("wrote the loader, took 45m", DONE, None, None, 0.75),
        ("wrote the loader, took: 1.5h", DONE, None, None, 1.5),
        ("wrote the loader, spent 3h", DONE, None, None, 3.0),
        ("wrote the loader (actual 2h)", DONE, None, None, 2.0),
        ("wrote the loader (est 1h, took 3h)", DONE, None, 1.0, 3.0),
        ("wrote the loader (took 3h, est 1h)", DONE, None, 1.0, 3.0),
        ("[x] wrote the loader est 1h took 2h30m", PLAN, True, 1.0, 2.5),
        ("wrote the loader ~2h", DONE, None, None, 2.0),
        ("write the loader ~2h", PLAN, False, 2.0, None),
        ("write the loader ~2h", PLAN, None, 2.0, None),
        ("wrote the loader ~2h", PLAN, True, None, 2.0),  # ticked off: ~ is what it took
        ("wrote the loader est 1h ~2h", DONE, None, 1.0, 2.0),
        ("val loss ~0.52 with smoothing", DONE, None, None, None),
        ("baseline loses ~4 pts", DONE, None, None, None),
        ("baseline loses ~4 pts", PLAN, False, None, None),
        ("ran 3 epochs of warmup", DONE, None, None, None),
        ("tested 2h of audio", DONE, None, None, None),  # "test" is not "est"
        ("spent the morning reading", DONE, None, None, None),
        ("took notes in 2 meetings", DONE, None, None, None),
    ],
)
def test_estimates_and_actuals(
    text: str,
    section: Section,
    checked: bool | None,
    estimate: float | None,
    actual: float | None,
) -> None:
    facts = _facts(text, section, checked)
    assert facts.estimate_hours == (pytest.approx(estimate) if estimate is not None else None)
    assert facts.actual_hours == (pytest.approx(actual) if actual is not None else None)


# --- bugs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "is_bug"),
    [
        ("#bug NaN loss after step 2k", True),
        ("NaN loss #bug after step 2k", True),
        ("NaN loss after step 2k #Bug", True),
        ("fixed tokenizer padding #bugfix", True),
        ("bug: NaN loss after step 2k", True),
        ("Bug: NaN loss", True),
        ("BUG - NaN loss", True),
        ("Bug - NaN loss after step 2k", True),
        ("bug – wrong split used", True),
        ("**Bug:** wrong split used", True),
        ("added debug prints to the collator", False),
        ("merged bugfix-branch into main", False),
        ("debugging session with Ana", False),
        ("a ladybug on the window", False),
        ("no bugs today", False),
        ("wrote #debug notes", False),
    ],
)
def test_bugs(text: str, is_bug: bool) -> None:
    assert _facts(text).is_bug is is_bug


def test_bug_text_loses_its_marker() -> None:
    assert _facts("bug: NaN loss after step 2k #bug").task == "NaN loss after step 2k"


# --- predictions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "predicted", "outcome", "unit", "error"),
    [
        ("predicted 72%, got 68%", 72.0, 68.0, "%", -4.0),
        ("Predicted val acc 72%, got 68% #prediction", 72.0, 68.0, "%", -4.0),
        ("predicted 72 %, got 68 %", 72.0, 68.0, "%", -4.0),
        ("predicted ~0.31 loss, got 0.35", 0.31, 0.35, "", 0.04),
        (
            "predicted val loss ~0.52 with label smoothing, got 0.58 #prediction",
            0.52,
            0.58,
            "",
            0.06,
        ),
        ("predicted RewardBench 68.0 for the combined run, got 64.3", 68.0, 64.3, "", -3.7),
        ("predicted 0.72 and got 0.68", 0.72, 0.68, "", -0.04),
        ("prediction: 70% -> got 66%", 70.0, 66.0, "%", -4.0),
        ("predicted 70%; measured 75%", 70.0, 75.0, "%", 5.0),
        ("predicted 70%, but got 75%", 70.0, 75.0, "%", 5.0),
        ("predicted -3 pts, got −5 pts", -3.0, -5.0, " pts", -2.0),
        # numbers glued to letters or hyphens are names, not values
        ("predicted best-of-16 win-rate +5 pts, got +2.8 pts #prediction", 5.0, 2.8, " pts", -2.2),
        ("predicted run-0463 reaches 70%, got 66%", 70.0, 66.0, "%", -4.0),
        ("predicted W48 release slips 2 pts, got 3 pts", 2.0, 3.0, " pts", 1.0),
        ("predicted Qwen2.5-1.5B gains 3 points, got 1 point", 3.0, 1.0, " pts", -2.0),
        ("predicted +5pp over BT, got +2pp", 5.0, 2.0, " pts", -3.0),
        ("predicted 1.5B backbone adds +3 pts pairwise acc, got +3.4 pts", 3.0, 3.4, " pts", 0.4),
        # a number with a unit wins over a bare one; without a unit, the last bare number
        ("predicted BT loses ~4 pts pairwise acc, got 6.1 pts #prediction", 4.0, 6.1, " pts", 2.1),
        ("predicted 3 seeds give 71.5, got 70.9", 71.5, 70.9, "", -0.6),
        ("predicted small-loss recovers half the gap, got 31% of the gap", None, 31.0, "%", None),
    ],
)
def test_predictions_with_outcome(
    text: str,
    predicted: float | None,
    outcome: float | None,
    unit: str,
    error: float | None,
) -> None:
    facts = _facts(text)
    prediction = facts.prediction
    assert prediction is not None
    assert prediction.outcome is not None
    assert prediction.predicted_value == (
        pytest.approx(predicted) if predicted is not None else None
    )
    assert prediction.outcome_value == pytest.approx(outcome)
    assert prediction.unit == unit
    assert prediction.error == (pytest.approx(error) if error is not None else None)


def test_prediction_texts() -> None:
    prediction = parse_prediction("Predicted val acc 72%, got 68% #prediction")
    assert prediction == Prediction("val acc 72%", "68%", 72.0, 68.0, "%")


@pytest.mark.parametrize(
    ("text", "predicted", "unit"),
    [
        (
            "predicted BT baseline loses ~4 pts pairwise acc at 20% flipped labels #prediction",
            4.0,
            " pts",
        ),
        ("predicted 1.5B backbone adds +3 pts pairwise acc at 20% noise #prediction", 3.0, " pts"),
        ("predicted best-of-16 win-rate +5 pts over BT baseline #prediction", 5.0, " pts"),
        ("predicted belief reweighting wins by 2+ pts at 40% noise #prediction", 2.0, " pts"),
        ("predicted clean val acc 72% #prediction", 72.0, "%"),
        ("predicted flip-detection AUROC 0.80 #prediction", 0.80, ""),
        ("predicted the sweep finishes before Friday #prediction", None, ""),
    ],
)
def test_open_predictions(text: str, predicted: float | None, unit: str) -> None:
    prediction = _facts(text).prediction
    assert prediction is not None
    assert prediction.outcome is None
    assert prediction.outcome_value is None
    assert prediction.error is None
    assert prediction.predicted_value == (
        pytest.approx(predicted) if predicted is not None else None
    )
    assert prediction.unit == unit


@pytest.mark.parametrize(
    "text",
    ["trained the baseline ~3h", "predictable loss curve, nothing new", "got 68% on val"],
)
def test_no_prediction(text: str) -> None:
    assert _facts(text).prediction is None


def test_prediction_tag_without_the_word() -> None:
    assert _facts("val acc will beat 70% #prediction").prediction is None  # needs "predict"


# --- sources and ideas ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source", "kind"),
    [
        ("reweight by margin (source: chat)", "chat", SourceKind.CHAT),
        ("reweight by margin source: paper", "paper", SourceKind.PAPER),
        ("reweight by margin (source: twitter)", "twitter", SourceKind.SOCIAL),
        ("reweight by margin (source: chat with Yitao)", "chat with Yitao", SourceKind.CHAT),
        ("reweight by margin (source: arXiv 2403.01234)", "arXiv 2403.01234", SourceKind.PAPER),
        ("reweight by margin (source: NeurIPS talk)", "NeurIPS talk", SourceKind.TALK),
        ("reweight by margin (source: meeting) #writing", "meeting", SourceKind.CHAT),
        ("reweight by margin (Source: my ablation run)", "my ablation run", SourceKind.EXPERIMENT),
        ("reweight by margin (source: a dream)", "a dream", SourceKind.OTHER),
        ("reweight by margin, via: Slack", "Slack", SourceKind.CHAT),
        ("reweight by margin", None, None),
        ("the open-source: release is out", None, None),
    ],
)
def test_sources(text: str, source: str | None, kind: SourceKind | None) -> None:
    facts = _facts(text, IDEAS)
    assert facts.source == source
    assert facts.source_kind == kind


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("chat", SourceKind.CHAT),
        ("paper", SourceKind.PAPER),
        ("twitter", SourceKind.SOCIAL),
        ("reading group", SourceKind.TALK),
        ("own experiment", SourceKind.EXPERIMENT),
        ("intuition", SourceKind.OTHER),
    ],
)
def test_source_kind(source: str, kind: SourceKind) -> None:
    assert source_kind(source) is kind


@pytest.mark.parametrize(
    ("text", "section", "is_idea"),
    [
        ("use the RM's margin as a belief signal", IDEAS, True),
        ("use the RM's margin as a belief signal #idea", DONE, True),
        ("#ideas for the workshop", NOTES, True),
        ("use the RM's margin as a belief signal", DONE, False),
        ("an idea came up in the meeting", DONE, False),  # the word alone is not the tag
    ],
)
def test_ideas(text: str, section: Section, is_idea: bool) -> None:
    assert _facts(text, section).is_idea is is_idea


# --- to-dos -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "checked", "is_todo", "done"),
    [
        (PLAN, None, True, False),
        (PLAN, False, True, False),
        (PLAN, True, True, True),
        (DONE, None, False, True),
        (DONE, False, True, False),  # an unticked box under Done is still open
        (DONE, True, True, True),
        (NOTES, None, False, False),
        (NOTES, False, True, False),
        (NOTES, True, True, True),
        (IDEAS, None, False, False),
    ],
)
def test_todo_states(section: Section, checked: bool | None, is_todo: bool, done: bool) -> None:
    facts = _facts("write the loader", section, checked)
    assert (facts.is_todo, facts.done) == (is_todo, done)


# --- the same task with and without notation -----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "write the loader",
        "write the loader (est 2h)",
        "write the loader est 2h",
        "write the loader (est 1h, took 3h)",
        "write the loader, took 3h",
        "write the loader ~2h",
        "write the loader #data",
        "write the loader #data (est 2h) #infra",
        "Write the Loader.",
        "write the loader (source: chat)",
        "write the loader, spent 45m",
        "write  the   loader (est 2-3h)",
        "write the loader (est 1d)",
    ],
)
def test_task_key_ignores_notation(text: str) -> None:
    assert task_key(text) == "write the loader"


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("write the loader (est 2h)", "write the loader"),
        ("write the loader #data (est 2h)", "write the loader"),
        ("wrote the loader, took 3h", "wrote the loader"),
        ("bug: NaN loss after step 2k #bug", "NaN loss after step 2k"),
        (
            "baseline BT reward model on Qwen2.5-0.5B #training (est 1.5h)",
            "baseline BT reward model on Qwen2.5-0.5B",
        ),
        ("run sweep (10/20/40% flips) (est 3h)", "run sweep (10/20/40% flips)"),
        ("idea from Ana (source: chat)", "idea from Ana"),
        ("val loss ~0.52", "val loss ~0.52"),
    ],
)
def test_strip_notation(text: str, bare: str) -> None:
    assert strip_notation(text) == bare


def test_task_key_tells_different_tasks_apart() -> None:
    assert task_key("write the loader") != task_key("write the evaluator")
    assert task_key("run seed 0") != task_key("run seed 1")


# --- one task across days ---------------------------------------------------------------------


def test_link_tasks_carried_two_days_then_done() -> None:
    mentions = [
        _item("[ ] write the loader #data (est 2h)", PLAN, False, date(2026, 3, 2), 3),
        _item("[ ] write the loader (est 3h)", PLAN, False, date(2026, 3, 3), 3),
        _item("write the loader", PLAN, None, date(2026, 3, 4), 3),
        _item("write the loader, took 5h", DONE, None, date(2026, 3, 4), 8),
        _item("unrelated chore", DONE, None, date(2026, 3, 3), 9),
        _item("note about the loader", DONE, None, date(2026, 3, 3), 10, depth=1),
    ]
    tasks = link_tasks(extract(item) for item in mentions)
    (task,) = [t for t in tasks if t.key == "write the loader"]
    assert task.first_seen == date(2026, 3, 2)
    assert task.open_dates == (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4))
    assert task.done_date == date(2026, 3, 4)
    assert task.dates == (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4))
    assert task.estimate_hours == 2.0  # the first estimate, not the revised one
    assert task.actual_hours == 5.0
    assert task.span_days == 2
    assert task.ratio == pytest.approx(2.5)
    assert task.text == "write the loader"
    assert len(task.mentions) == 4
    assert sorted(t.key for t in tasks) == ["unrelated chore", "write the loader"]


def test_link_tasks_open_task_has_no_span_or_ratio() -> None:
    mentions = [
        _item("write the paper (est 4h)", PLAN, False, date(2026, 3, 2)),
        _item("write the paper", PLAN, False, date(2026, 3, 5)),
    ]
    (task,) = link_tasks(extract(item) for item in mentions)
    assert task.done_date is None
    assert task.span_days is None
    assert task.ratio is None
    assert task.estimate_hours == 4.0
    assert task.actual_hours is None


def test_link_tasks_same_chore_after_done_is_a_new_task() -> None:
    mentions = [
        _item("backup the data (est 1h)", PLAN, False, date(2026, 3, 2)),
        _item("backup the data, took 1h", DONE, None, date(2026, 3, 2), 9),
        _item("backup the data (est 30m)", PLAN, False, date(2026, 3, 9)),
    ]
    first, second = link_tasks(extract(item) for item in mentions)
    assert (first.first_seen, first.done_date, first.span_days, first.ratio) == (
        date(2026, 3, 2),
        date(2026, 3, 2),
        0,
        1.0,
    )
    assert (second.first_seen, second.done_date, second.estimate_hours) == (
        date(2026, 3, 9),
        None,
        0.5,
    )


def test_link_tasks_on_the_example_log() -> None:
    from conftest import EXAMPLE_LOG
    from rreview.log.detect import read_log

    _, result = read_log(EXAMPLE_LOG)
    tasks = link_tasks(extract(i) for e in result.entries for i in e.items)
    by_key = {t.key: t for t in tasks}
    loader = by_key["read co teaching paper again"]
    assert loader.first_seen == date(2026, 10, 26)
    assert loader.done_date == date(2026, 10, 30)
    assert (loader.estimate_hours, loader.actual_hours, loader.span_days) == (1.0, 1.5, 4)


@pytest.mark.parametrize(
    ("text", "predicted", "outcome"),
    [
        (
            "predicted final 40% gap (belief minus BT) stays above 3 pts with 3 seeds #prediction",
            "final 40% gap (belief minus BT) stays above 3 pts with 3 seeds",
            None,
        ),
        ("predicted 72% -> 68%", "72%", "68%"),
        ("predicted BLEU +1.5 from the new tokenizer #prediction (est 1h)", None, None),
    ],
)
def test_prediction_text_is_kept_whole(
    text: str, predicted: str | None, outcome: str | None
) -> None:
    from rreview.extract.notation import parse_prediction

    parsed = parse_prediction(text)
    assert parsed is not None
    if predicted is not None:
        assert parsed.predicted == predicted
    else:
        assert "(" not in parsed.predicted and "#" not in parsed.predicted
    assert parsed.outcome == outcome


@pytest.mark.parametrize(
    ("text", "predicted_value", "outcome_value"),
    [
        ("predicted ~300 DE genes in basal cells at FDR 0.05, got 1,140", 300.0, 1140.0),
        ("predicted about 6 doublets per library, got 9", 6.0, 9.0),
        ("predicted 12,500 cells pass QC, got 11,020", 12500.0, 11020.0),
    ],
)
def test_prediction_values_with_thousands_and_approximations(
    text: str, predicted_value: float, outcome_value: float
) -> None:
    from rreview.extract.notation import parse_prediction

    parsed = parse_prediction(text)
    assert parsed is not None
    assert (parsed.predicted_value, parsed.outcome_value) == (predicted_value, outcome_value)
