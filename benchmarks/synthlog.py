"""A deterministic synthetic research log in the native format, of any size.

`write_log(folder, days=365, items_per_day=19, seed=0)` writes one `YYYY-MM-DD.md` page per
day, ending on `end`, each with exactly `items_per_day` bullets: to-dos under "What to do
next" (unfinished ones are carried to the next day, as the habit says), done items with
estimates and actuals, recurring bug families with their error messages, predictions and
their outcomes, sources, nested detail bullets and random ideas. Same arguments, same bytes.

Ten years at 19 items a day is 3,652 pages and ~69,000 items, the size the issue names.

Run: `python benchmarks/synthlog.py OUT --years 10 [--items-per-day 19] [--seed 0]`.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

END = date(2026, 11, 22)
TAGS = ("#training", "#eval", "#data", "#infra", "#writing", "#reading", "#analysis")
VERBS = (
    "ran",
    "debugged",
    "rewrote",
    "profiled",
    "cleaned up",
    "reviewed",
    "plotted",
    "refactored",
    "benchmarked",
    "sketched",
    "compared",
    "tuned",
    "ablated",
    "documented",
    "re-ran",
    "sanity-checked",
)
OBJECTS = (
    "the reward model",
    "the lr warmup schedule",
    "label smoothing",
    "the tokenizer",
    "the data loader",
    "the eval harness",
    "the DPO baseline",
    "the noisy-label filter",
    "the belief signal",
    "the length penalty",
    "the KL controller",
    "the checkpoint averaging",
    "the attention probe",
    "the calibration plot",
    "the seed sweep",
    "the judge prompts",
    "mixed precision",
    "gradient clipping",
    "the replay buffer",
    "the retrieval baseline",
)
MODELS = ("125M", "350M", "1.5B", "7B", "13B")
DATASETS = ("HH-RLHF", "UltraFeedback", "TL;DR", "SHP", "Anthropic-helpful", "our 40% noise set")
PEOPLE = ("Yitao", "Daniel", "Mira", "Kenji", "Ana", "Priya", "Tomas", "Lea")
SOURCES = ("chat", "paper", "talk", "meeting", "own experiment", "twitter")
METRICS = ("val acc", "win-rate", "AUROC", "reward accuracy", "ECE", "perplexity")
BUGS = (
    ("NaN in loss", "fp16 overflow in the softmax of layer {n}", "`RuntimeError: loss is NaN`"),
    (
        "dataloader hang",
        "worker {n} deadlocked on the tokenizer lock",
        "`DataLoader worker (pid {pid}) is killed by signal: Bus error.`",
    ),
    (
        "CUDA OOM",
        "activation memory of the {model} model at seq len {seq}",
        "`torch.OutOfMemoryError: CUDA out of memory. Tried to allocate {n} GiB`",
    ),
    (
        "checkpoint not found",
        "resume_from pointed at a cleaned /home dir",
        "`FileNotFoundError: ckpt/step_{step}.pt`",
    ),
    (
        "slurm requeue restarted run-{run} from step 0",
        "the requeue flag dropped the resume path",
        "`slurmstepd: error: *** JOB {pid} CANCELLED`",
    ),
    (
        "eval numbers off by a few points",
        "the judge saw the prompts in a different order",
        "`AssertionError: expected 500 prompts, got {n}`",
    ),
    (
        "h5py read error after fork",
        "file handle opened before the workers forked",
        "`OSError: Can't read data (inflate() failed)`",
    ),
    ("tokenizer mismatch", "padding side left vs right", "`ValueError: Asking to pad`"),
)
TODO_VERBS = (
    "run",
    "debug",
    "rewrite",
    "profile",
    "review",
    "plot",
    "refactor",
    "benchmark",
    "ablate",
    "document",
    "re-run",
    "sanity-check",
)
IDEA_STARTS = (
    "what if",
    "try",
    "could use",
    "maybe",
    "look into",
    "worth testing whether",
)


@dataclass(frozen=True)
class LogSize:
    """What `write_log` wrote."""

    days: int
    items: int
    first: date
    last: date


class _Day:
    """The text generator for one day: a seeded RNG and the vocabulary."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, pool: tuple[str, ...]) -> str:
        return self.rng.choice(pool)

    def hours(self) -> str:
        value = self.rng.choice((0.5, 1, 1, 1.5, 2, 2, 3, 4, 6, 8))
        return f"{int(value * 60)}m" if value < 1 else f"{value:g}h"

    def task(self) -> str:
        verb = self.pick(TODO_VERBS)
        return f"{verb} {self.pick(OBJECTS)} on {self.pick(MODELS)} {self.pick(TAGS)}"

    def fill(self, template: str) -> str:
        return template.format(
            n=self.rng.randint(1, 48),
            pid=self.rng.randint(1000, 99999),
            model=self.pick(MODELS),
            seq=self.rng.choice((1024, 2048, 4096, 8192)),
            step=self.rng.randint(1, 200) * 500,
            run=f"{self.rng.randint(0, 9999):04d}",
        )

    def done_item(self) -> tuple[str, list[str]]:
        """One done bullet and its nested detail bullets."""
        rng = self.rng
        kind = rng.random()
        details: list[str] = []
        if kind < 0.12:
            title, cause, error = self.pick_bug()
            text = f"{title}: {cause} #bug (est {self.hours()}, took {self.hours()})"
            details.append(f"error was {error}")
        elif kind < 0.2:
            metric = self.pick(METRICS)
            predicted, got = rng.randint(40, 90), rng.randint(40, 90)
            data = self.pick(DATASETS)
            text = f"predicted {metric} {predicted}%, got {got}% on {data} #prediction"
        elif kind < 0.27:
            text = (
                f"idea from {self.pick(('chat with', 'talk by', 'paper by'))} "
                f"{self.pick(PEOPLE)}: {self.pick(OBJECTS)} under noisy labels "
                f"(source: {self.pick(SOURCES)})"
            )
        elif kind < 0.6:
            text = f"{self.task()} (est {self.hours()}, took {self.hours()})"
        else:
            run = f"run-{rng.randint(0, 9999):04d}"
            text = (
                f"{self.pick(VERBS)} {self.pick(OBJECTS)} with {self.pick(DATASETS)} "
                f"({run}, {rng.randint(2, 5)} seeds) {self.pick(TAGS)}"
            )
        if rng.random() < 0.25:
            details.append(
                f"{self.pick(METRICS)} {rng.uniform(0.1, 0.99):.3f} vs {rng.uniform(0.1, 0.99):.3f}"
                f" for {self.pick(OBJECTS)}; {self.pick(PEOPLE)} suggested {self.pick(OBJECTS)}"
            )
        return text, details

    def pick_bug(self) -> tuple[str, str, str]:
        title, cause, error = self.rng.choice(BUGS)
        return self.fill(title), self.fill(cause), self.fill(error)

    def idea(self) -> str:
        return (
            f"{self.pick(IDEA_STARTS)} {self.pick(OBJECTS)} as a signal for {self.pick(OBJECTS)}"
            f" on {self.pick(DATASETS)}"
        )


def day_page(
    day: date, todos: list[str], done: list[tuple[str, list[str]]], ideas: list[str]
) -> str:
    """One page of the native format."""
    lines = [f"# {day.isoformat()}", "## What to do next"]
    lines += [f"- [ ] {t}" for t in todos]
    lines.append("## What was done")
    for text, details in done:
        lines.append(f"- {text}")
        lines += [f"  - {d}" for d in details]
    if ideas:
        lines.append("## Random ideas")
        lines += [f"- {i}" for i in ideas]
    return "\n".join(lines) + "\n"


def write_log(
    folder: Path,
    days: int = 365,
    items_per_day: int = 19,
    seed: int = 0,
    end: date = END,
) -> LogSize:
    """Write `days` daily pages ending on `end` into `folder`, `items_per_day` bullets each."""
    if items_per_day < 4:
        raise ValueError("items_per_day must be at least 4 (to-do, done, detail, idea)")
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    gen = _Day(rng)
    open_todos: list[str] = []
    first = end - timedelta(days=days - 1)
    total = 0
    for offset in range(days):
        day = first + timedelta(days=offset)
        open_todos = [t for t in open_todos if rng.random() < 0.6][:4]  # some get done
        while len(open_todos) < 3:
            open_todos.append(f"{gen.task()} (est {gen.hours()})")
        budget = items_per_day - len(open_todos)
        ideas = [gen.idea() for _ in range(1 if rng.random() < 0.7 else 0)]
        budget -= len(ideas)
        done: list[tuple[str, list[str]]] = []
        while budget > 0:
            text, details = gen.done_item()
            details = details[: budget - 1]
            done.append((text, details))
            budget -= 1 + len(details)
        page = day_page(day, open_todos, done, ideas)
        (folder / f"{day.isoformat()}.md").write_text(page, encoding="utf-8")
        total += items_per_day
    return LogSize(days=days, items=total, first=first, last=end)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the pages into")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--years", type=float, default=1.0)
    size.add_argument("--days", type=int)
    parser.add_argument("--items-per-day", type=int, default=19)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    days = args.days or round(args.years * 365.25)
    written = write_log(args.out, days, args.items_per_day, args.seed)
    span = f"{written.first}..{written.last}"
    print(f"{written.days} days, {written.items} items ({span}) in {args.out}")


if __name__ == "__main__":
    main()
