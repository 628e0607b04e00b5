"""Prose extraction: estimates and actuals, bugs, predictions, sources and ideas written
without notation, and how they combine with the notation in `extract()`."""

from __future__ import annotations

from datetime import date

import pytest

from rreview.extract import extract
from rreview.extract.durations import find_durations, parse_duration
from rreview.extract.facts import SourceKind
from rreview.extract.mentions import is_bug, is_idea, prediction, source
from rreview.extract.prose import read_time
from rreview.extract.tasks import link_tasks
from rreview.log.model import Item, Section, find_tags

DONE, PLAN = Section.DONE, Section.PLAN


def _item(
    text: str, section: Section = DONE, checked: bool | None = None, day: int = 2, line: int = 5
) -> Item:
    return Item(date(2026, 3, day), section, text, "log.md", line, find_tags(text), checked)


# --- durations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("2h", 2.0),
        ("20 min", 1 / 3),
        ("an hour", 1.0),
        ("half an hour", 0.5),
        ("an hour and a half", 1.5),
        ("a couple of hours", 2.0),
        ("two hours", 2.0),
        ("half a day", 4.0),
        ("a day", 8.0),
        ("two days", 16.0),
        ("the whole day", 8.0),
        ("1h 30m", 1.5),
        ("2-3h", 2.5),
        ("an hour or two", 1.5),
        ("a week", 40.0),
    ],
)
def test_durations(text: str, hours: float) -> None:
    assert parse_duration(text) == pytest.approx(hours)


def test_vague_duration_takes_the_number_in_parentheses() -> None:
    (found,) = find_durations("ended up spending the whole afternoon (~4h)")
    assert (found.hours, found.vague) == (4.0, False)
    (vague,) = find_durations("spent all afternoon on it")
    assert (vague.hours, vague.vague) == (4.0, True)


def test_no_durations_in_times_of_day_sizes_and_counts() -> None:
    assert find_durations("took the 9am train, 24GB cards, 1.5B model, 3 GPUs, 2k steps") == []


# --- estimates and actuals: the table ---------------------------------------------------------

NONE = (None, None)

TIME_PHRASINGS = [
    # pairs
    ("planned an hour, ended up spending the whole afternoon (~4h)", (1.0, 4.0)),
    ("thought it'd take 20 min, took 2 hours", (1 / 3, 2.0)),
    ("2h -> 5h", (2.0, 5.0)),
    ("lr-warmup ablation 2h → 5h", (2.0, 5.0)),
    ("planned half a day, took two days", (4.0, 16.0)),
    ("took way longer than the hour I planned, about 4h", (1.0, 4.0)),
    ("budgeted 4h, it ate the whole day (8h) with the OOM restarts", (4.0, 8.0)),
    ("should take ~30 min, took closer to 2h", (0.5, 2.0)),
    ("Thought it would be a 10-minute fix, cost me the whole morning.", (1 / 6, 4.0)),
    ("expected 1h, it was more like 3h with the conflicts", (1.0, 3.0)),
    ("took 4h instead of 1h", (1.0, 4.0)),
    ("took 5h instead of the planned 2h", (2.0, 5.0)),
    ("I planned 1h for the verifier change, took 3 hours because the API changed", (1.0, 3.0)),
    ("estimated 2h for the refactor, actually took 6h", (2.0, 6.0)),
    ("the plan was 30 min; in the end it was 2 hours", (0.5, 2.0)),
    ("figured an hour or two, it took the whole day", (1.5, 8.0)),
    ("was supposed to be a quick 10-minute fix, took 3 hours", (1 / 6, 3.0)),
    ("allotted 45 minutes, took an hour and a half", (0.75, 1.5)),
    ("2-3h planned, spent 5h", (2.5, 5.0)),
    ("1h planned, 3h actual", (1.0, 3.0)),
    ("budgeted half an hour but spent 2 hours", (0.5, 2.0)),
    ("gave it 2h, needed 4h", (2.0, 4.0)),
    ("timeboxed to 1h; took 90 min", (1.0, 1.5)),
    ("hoped to finish in 3h, took two days", (3.0, 16.0)),
    ("expected it to take 20 minutes, it took 2 hours", (1 / 3, 2.0)),
    ("it took me 4 hours, twice the estimate", (2.0, 4.0)),
    ("write the method section: thought it'd take half a day, took two days", (4.0, 16.0)),
    ("guessed an hour, it was closer to three", (1.0, 3.0)),
    ("My estimate for the cleaning script was 2 hours; it ended up taking 5.", (2.0, 5.0)),
    ("told my advisor it'd be done in an hour, it took four", (1.0, 4.0)),
    ("should have been a quick one (say 20 min), but it was 3h", (1 / 3, 3.0)),
    ("(2h planned, 2.5h in practice)", (2.0, 2.5)),
    ("estimate: 1 day for the appendix. reality: 3 days", (8.0, 24.0)),
    ("took me way longer than planned: 4 hours instead of 90 minutes", (1.5, 4.0)),
    ("spent 6h on the poster, way more than the 2h I had in mind", (2.0, 6.0)),
    ("Thought the rebuttal would take 2 days, finished it in one", (16.0, 8.0)),
    ("cleaned the repo (thought 2h -> it was 3h)", (2.0, 3.0)),
    ("estimated the review at half a day and it took exactly that", (4.0, 4.0)),
    ("figured 20 minutes, it dragged on for 2 hours", (1 / 3, 2.0)),
    # one side only
    ("debugging the kernel took me about 3 hours", (None, 3.0)),
    ("spent about 3 hours cleaning the transcripts", (None, 3.0)),
    ("Wrote the related-work section, took about 4 hours", (None, 4.0)),
    ("finish the workshop paper draft, should take about 2 days", (16.0, None)),
    ("I think it'll take 2 hours", (2.0, None)),
    ("I'd guess 2 hours for the plotting script", (2.0, None)),
    # not estimates, not actuals: a machine's time, a thing's length, rates, settings, clocks
    ("the job ran for 6h", NONE),
    ("a 2h meeting", NONE),
    ("a two-hour meeting with the lab", NONE),
    ("trained for 3 days", NONE),
    ("took the 9am train", NONE),
    ("the fine-tune job took 14h on 8 GPUs, as expected", NONE),
    ("each run takes ~3h on the cluster", NONE),
    ("the cluster run took 6h, the queue was full", NONE),
    ("the eval took 40 min per checkpoint", NONE),
    ("eval takes 2h per epoch", NONE),
    ("the training run took 6h", NONE),
    ("the download took 3h", NONE),
    ("it took 3 days to converge", NONE),
    ("raised the timeout 2h -> 5h", NONE),
    ("raised the walltime from 2h -> 5h", NONE),
    ("waited 2h for the queue", NONE),
    ("the job was killed after 6h", NONE),
    ("No progress for 2h, the GPU was at 0% utilisation.", NONE),
    ("spent 200 dollars on GPUs", NONE),
    ("a 10-minute fix", NONE),
    ("slept 8h", NONE),
    ("the 6h job finished overnight", NONE),
    ("ETA 14h for the fine-tune", NONE),
    ("took 2 GPUs off the queue", NONE),
    ("took 3 tries to get it right", NONE),
    ("lr warmup 500 steps, 2h of compute", NONE),
    ("another 2h tomorrow", NONE),
    ("2h later the loss diverged", NONE),
    ("every 2h a checkpoint is saved", NONE),
    ("the sweep should take 6h", NONE),
    ("I thought the sweep would take 2h, it took 9h", NONE),
    ("kicked off the sweep, took 6h", NONE),
    ("30 min lunch break", NONE),
    ("took 2h longer than planned", NONE),
    ("spent the afternoon in meetings", NONE),
    ("it ate the whole afternoon", NONE),
    ("The 2h recording of the clinic session has 40 min of silence", NONE),
    ("fine-tune for 30 epochs is running, ETA 14h", NONE),
    ("Node 113 died, restarted from step 12k. Lost 40 minutes.", NONE),
    ("kicked off the 7B run on 16 GPUs, will take ~20h", NONE),
    ("the node was down for half a day", NONE),
    ("3 hours of meetings, no coding", NONE),
]


@pytest.mark.parametrize(("text", "expected"), TIME_PHRASINGS)
def test_time_phrasings(text: str, expected: tuple[float | None, float | None]) -> None:
    found = read_time(text)
    got = (found.estimate_hours, found.actual_hours)
    assert got == (
        pytest.approx(expected[0], abs=1e-3) if expected[0] is not None else None,
        pytest.approx(expected[1], abs=1e-3) if expected[1] is not None else None,
    )


def test_the_table_has_many_negatives() -> None:
    negatives = [text for text, expected in TIME_PHRASINGS if expected == NONE]
    assert len(TIME_PHRASINGS) >= 40 and len(negatives) >= 25


# --- bugs, predictions, sources, ideas ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bug"),
    [
        ("finally found why the loss went NaN again", True),
        ("the dataloader hung again", True),
        ("segfault in the custom CUDA kernel", True),
        ("Whisper fine-tune crashed with CUDA out of memory at batch 16", True),
        ("RuntimeError: DataLoader worker is killed by signal", True),
        ("found a bug in the WER script", True),
        ("Linker error in the Python bindings, same as last week", True),
        ("The nightly build broke again", True),
        ("Value loss exploded on HalfCheetah again", True),
        ("use-after-free in the module destructor", True),
        ("fixed the collapse: the blank index was wrong in the loss", True),
        ("test error dropped to 3%", False),
        ("plotted the error bars for the paper", False),
        ("the NaN check passed, no NaNs this time", False),
        ("fixed the seed to 1234 for all runs", False),
        ("broke down the results by noise rate", False),
        ("opened a GitHub issue for the docs", False),
        ("error analysis on 100 failure cases", False),
        ("crash course on JAX with Mira", False),
        ("the Jupyter kernel died again when I densified X", True),
        ("saving the checkpoint blew up on a mixed-type column", True),
        ("ran out of GPU memory at batch 1024", True),
        ("could not load the tokenizer from the cache", True),
        ("tracked down the loss spikes: one shard had duplicated examples", True),
        ("nothing crashed today for once", False),
        ("the v-pred run diverged at step 40k, NaNs everywhere in the grads", True),
        ("memory usage creeps up during sampling, the cache is never freed", True),
        ("unit test for the scheduler was flaky", True),
        ("filled NaNs in the metadata table with 0", False),
        ("an issue upstream blames large inputs; no fix yet", False),
        ("the run finished fine", False),
    ],
)
def test_bugs_in_prose(text: str, bug: bool) -> None:
    assert is_bug(text) is bug


PREDICTIONS = [
    (
        "I expected small-loss to beat reweighting at 40% noise; it came out the other way",
        "small-loss to beat reweighting at 40% noise",
        "the other way",
    ),
    (
        "I expected the new pass to cut compile time by 20%; it came out at 7%.",
        "the new pass to cut compile time by 20%",
        "7%",
    ),
    (
        "WER 16.9% → 14.2% after fine-tuning. I'd guessed 15%, so better than expected",
        "15%",
        "14.2%",
    ),
    (
        "I expect 40% pruning to cost about 3 pts top-1",
        "40% pruning to cost about 3 pts top-1",
        None,
    ),
    ("my guess was 70% accuracy, got 64%", "70% accuracy", "64%"),
]


@pytest.mark.parametrize(("text", "predicted", "outcome"), PREDICTIONS)
def test_predictions_in_prose(text: str, predicted: str, outcome: str | None) -> None:
    found = prediction(text)
    assert found is not None
    assert (found.predicted, found.outcome) == (predicted, outcome)


@pytest.mark.parametrize(
    "text",
    [
        "results as expected",
        "better than expected on the long prompts",
        "expected calibration error went down",
        "expected 1h, took 3h",  # an estimate, not a prediction
        "I thought it was the loader, it was the tokenizer",
    ],
)
def test_no_prediction_in_prose(text: str) -> None:
    assert prediction(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("idea from a chat with Yitao at lunch", ("chat with Yitao", SourceKind.CHAT)),
        ("Priya mentioned that the new mic drifts", ("chat with Priya", SourceKind.CHAT)),
        ("saw on twitter that Skywork filters with a second RM", ("twitter", SourceKind.SOCIAL)),
        ("read the paper by Wang et al. on SCE", ("paper by Wang et al", SourceKind.PAPER)),
        ("from the reading group on Friday", ("reading group on Friday", SourceKind.TALK)),
        ("The reviewer suggested an ablation", None),
        ("read the Co-teaching paper properly", None),
    ],
)
def test_sources_in_prose(text: str, expected: tuple[str, SourceKind] | None) -> None:
    assert source(text) == expected


@pytest.mark.parametrize(
    ("text", "idea"),
    [
        ("what if we use the margin as a noise score?", True),
        ("symmetric CE might be worth trying as the RM loss", True),
        ("Idea: use the LM weight sweep as a proxy", True),
        ("I wonder whether EMA helps here", True),
        ("ran the sweep", False),
    ],
)
def test_ideas_in_prose(text: str, idea: bool) -> None:
    assert is_idea(text) is idea


# --- extract(): notation first, prose where it is silent ----------------------------------------


def test_prose_pair_is_marked_heuristic_and_leaves_the_task_words() -> None:
    facts = extract(_item("write the method section: thought it'd take half a day, took two days"))
    assert (facts.estimate_hours, facts.actual_hours) == (4.0, 16.0)
    assert facts.origin_of("estimate") == "heuristic"
    assert facts.origin_of("bug") == "notation"
    assert facts.task == "write the method section"
    assert facts.task_key == "write the method section"


def test_notation_wins_where_both_apply() -> None:
    facts = extract(_item("fixed NaN in loss #bug (est 1h, took 3h), thought 20 min"))
    assert (facts.estimate_hours, facts.actual_hours) == (1.0, 3.0)
    assert facts.origin_of("estimate") == "notation"
    assert facts.origin_of("bug") == "notation"
    assert facts.origins == ()


def test_prose_fills_the_half_the_notation_left_empty() -> None:
    facts = extract(_item("rebase onto main (est 1h), it was more like 3h"))
    assert (facts.estimate_hours, facts.actual_hours) == (1.0, 3.0)
    assert facts.origin_of("estimate") == "heuristic"


def test_tilde_read_as_the_plan_when_the_prose_says_so() -> None:
    # `~30 min` on a done item is notation for time spent, unless the words make it the plan
    facts = extract(_item("cleaned up the notebook, should take ~30 min, took closer to 2h"))
    assert (facts.estimate_hours, facts.actual_hours) == (0.5, 2.0)
    plain = extract(_item("cleaned up the notebook ~30 min"))
    assert (plain.estimate_hours, plain.actual_hours) == (None, 0.5)


def test_machine_time_is_not_notation_either() -> None:
    assert extract(_item("the fine-tune job took 14h on 8 GPUs")).actual_hours is None
    assert extract(_item("each run takes ~3h on the cluster")).actual_hours is None
    assert extract(_item("wrote the loader, took 3h")).actual_hours == 3.0
    assert extract(_item("trained the baseline (took 3h)")).actual_hours == 3.0


def test_bug_source_prediction_idea_from_prose_with_origins() -> None:
    facts = extract(_item("the dataloader hung again; Ana suggested a timeout, what if we retry?"))
    assert facts.is_bug and facts.origin_of("bug") == "heuristic"
    assert facts.source == "chat with Ana" and facts.origin_of("source") == "heuristic"
    assert facts.is_idea and facts.origin_of("idea") == "heuristic"
    assert facts.origin == "heuristic"


def test_prose_closes_an_open_notation_prediction() -> None:
    text = "Predicted the 40% run would lose ~6 pts; it came out at -9.1 pts #prediction"
    p = extract(_item(text)).prediction
    assert p is not None
    assert (p.predicted, p.outcome, p.outcome_value) == (
        "the 40% run would lose ~6 pts",
        "-9.1 pts",
        -9.1,
    )


def test_an_idea_under_the_plan_is_not_a_todo() -> None:
    idea = extract(_item("💡 Idea: use the LM weight sweep as a proxy", PLAN))
    assert (idea.is_idea, idea.is_todo) == (True, False)
    todo = extract(_item("idea: try label smoothing", PLAN, False))
    assert (todo.is_idea, todo.is_todo) == (True, True)


def test_todo_line_in_prose() -> None:
    facts = extract(_item("TODO: rerun seed 3 with the fixed wrapper"))
    assert (facts.is_todo, facts.done, facts.task) == (
        True,
        False,
        "rerun seed 3 with the fixed wrapper",
    )
    assert facts.origin_of("todo") == "heuristic"


def test_prose_only_mode_is_off_switchable() -> None:
    facts = extract(_item("thought it'd take 20 min, took 2 hours"), prose=False)
    assert (facts.estimate_hours, facts.actual_hours) == (None, 2.0)  # `took 2 hours` is notation


# --- tasks across days ----------------------------------------------------------------------------


def test_task_across_days_with_prose_done_item_and_past_tense() -> None:
    items = [
        _item("[ ] rebase onto upstream main (est 1h)", PLAN, False, day=2, line=3),
        _item("[ ] rebase onto upstream main (est 1h)", PLAN, False, day=3, line=3),
        _item("rebased onto upstream main: expected 1h, it was more like 3h", DONE, None, 5, 7),
    ]
    (task,) = link_tasks(extract(i) for i in items)
    assert task.first_seen == date(2026, 3, 2)
    assert task.done_date == date(2026, 3, 5)
    assert task.span_days == 3
    assert (task.estimate_hours, task.actual_hours) == (1.0, 3.0)
    assert task.open_dates == (date(2026, 3, 2), date(2026, 3, 3))


def test_clocked_time_adds_up_over_days() -> None:
    first = Item(date(2026, 3, 2), PLAN, "port the pass", "j.org", 2, (), False, clocked_hours=3.5)
    second = Item(date(2026, 3, 3), DONE, "port the pass", "j.org", 2, (), True, clocked_hours=2.5)
    (task,) = link_tasks(extract(i) for i in (first, second))
    assert task.actual_hours == 6.0
