"""Charts as PNG bytes: estimate against actual, focus by topic, bug mentions over the weeks.

matplotlib is imported inside each function (Agg, no display, no pyplot state): `rreview
--help` and the commands that draw nothing never pay for it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rreview.analyze.history import bugs_by_week, focus_by_topic
from rreview.analyze.stats import fmt_hours
from rreview.analyze.week import WeekFacts
from rreview.extract.facts import ItemFacts
from rreview.extract.tasks import Task

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

BLUE = "#3b6ea5"
RED = "#c8553d"
GREY = "#8a949e"
LIGHT = "#c9d3dd"
HOUR_TICKS = (1 / 6, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128)
MAX_LABEL = 32
MAX_TOPICS = 8


def _figure(
    width: float, height: float, layout: Literal["constrained"] | None = "constrained"
) -> Figure:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=150, layout=layout)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _tidy(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9, colors="#333333")


def _items(count: int) -> str:
    return f"{count} item{'' if count == 1 else 's'}"


def _short(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.replace("`", "").split())  # Markdown code marks mean nothing here
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def estimate_chart_png(tasks: Sequence[Task], title: str = "Estimate against actual") -> bytes:
    """Each task with an estimate and an actual as a point (hours, log axes) against the
    diagonal of a perfect estimate; points above it overran. Raises ValueError if no task
    has both numbers."""
    pairs = [t for t in tasks if t.estimate_hours and t.actual_hours]
    if not pairs:
        raise ValueError("no task has both an estimate and an actual")
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    fig = _figure(6, 4.6, layout=None)
    ax = fig.add_axes((0.1, 0.1, 0.64, 0.82))  # fixed, so labels can be placed before drawing
    est = [t.estimate_hours or 0.0 for t in pairs]
    took = [t.actual_hours or 0.0 for t in pairs]
    low, high = min(est + took) / 1.8, max(est + took) * 1.8
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_aspect("equal")
    ax.plot([low, high], [low, high], color=GREY, linestyle="--", linewidth=1, label="as estimated")
    ax.plot(
        [low, high], [2 * low, 2 * high], color=LIGHT, linestyle=":", linewidth=1, label="took 2x"
    )
    colours = [RED if a > e else BLUE for e, a in zip(est, took, strict=True)]
    ax.scatter(est, took, c=colours, s=36, zorder=3, edgecolors="white", linewidths=0.6)
    labels: dict[tuple[float, float], list[str]] = {}
    for task, e, a in zip(pairs, est, took, strict=True):
        labels.setdefault((e, a), []).append(_short(task.text))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(FixedLocator([h for h in HOUR_TICKS if low <= h <= high]))
        axis.set_major_formatter(FuncFormatter(lambda value, _pos: fmt_hours(value)))
        axis.set_minor_locator(NullLocator())
    _place_labels(fig, ax, labels)
    ax.set_xlabel("estimated", fontsize=9)
    ax.set_ylabel("took", fontsize=9)
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.grid(True, color="#eeeeee", linewidth=0.6)
    _tidy(ax)
    return _png(fig)


# Where a point's label may go, tried in order: right-above, right-below, left-above, left-below.
LABEL_SPOTS = ((5, 3, "left"), (5, -11, "left"), (-5, 3, "right"), (-5, -11, "right"))


def _place_labels(
    fig: Figure, ax: Axes, labels: Mapping[tuple[float, float], Sequence[str]]
) -> None:
    """Annotate each point with its task, moving a label that would overlap one already
    placed (or leave the figure) to the next spot around its point."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    frame = fig.bbox
    placed: list[Bbox] = []
    for (x, y), texts in sorted(labels.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        text = texts[0] + (f" (+{len(texts) - 1})" if len(texts) > 1 else "")
        for dx, dy, align in LABEL_SPOTS:
            note = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=8,
                color="#333333",
                ha=align,
            )
            box = note.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1
            if inside and not any(box.overlaps(other) for other in placed):
                break
            note.remove()
        else:
            note = ax.annotate(text, (x, y), xytext=(5, 3), textcoords="offset points", fontsize=8)
            box = note.get_window_extent(renderer)
        placed.append(box)


def focus_chart_png(
    this_week: Mapping[str, int],
    last_week: Mapping[str, int],
    labels: tuple[str, str] = ("this week", "last week"),
) -> bytes:
    """Share of done items per topic, this week beside last week (horizontal bars, %), so a
    topic that faded shows with an empty bar this week. Topics beyond the eight largest are
    summed as "more topics". Raises ValueError if this week has no done item."""
    total = sum(this_week.values())
    if not total:
        raise ValueError("no done item this week")
    before_total = sum(last_week.values())
    ranked = sorted(
        set(this_week) | set(last_week),
        key=lambda topic: (-this_week.get(topic, 0), -last_week.get(topic, 0), topic),
    )
    topics = ranked[:MAX_TOPICS]
    now = [100 * this_week.get(t, 0) / total for t in topics]
    before = [100 * last_week.get(t, 0) / before_total if before_total else 0.0 for t in topics]
    if len(ranked) > MAX_TOPICS:
        rest = ranked[MAX_TOPICS:]
        topics.append("more topics")
        now.append(100 * sum(this_week.get(t, 0) for t in rest) / total)
        before.append(
            100 * sum(last_week.get(t, 0) for t in rest) / before_total if before_total else 0.0
        )
    fig = _figure(6, 0.9 + 0.42 * len(topics))
    ax = fig.add_subplot()
    rows = list(range(len(topics)))
    height = 0.38 if before_total else 0.6
    ax.barh(
        [r - (height / 2 if before_total else 0) for r in rows],
        now,
        height=height,
        color=BLUE,
        label=f"{labels[0]} ({_items(total)})",
    )
    if before_total:
        ax.barh(
            [r + height / 2 for r in rows],
            before,
            height=height,
            color=LIGHT,
            label=f"{labels[1]} ({_items(before_total)})",
        )
    for row, share in zip(rows, now, strict=True):
        offset = height / 2 if before_total else 0
        ax.annotate(
            f"{share:.0f}%",
            (share, row - offset),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(rows, [_short(t, 24) for t in topics])
    ax.invert_yaxis()
    ax.set_xlim(0, max([*now, *before]) * 1.18)
    ax.set_xlabel("share of done items (%)", fontsize=9)
    ax.set_title("Focus by topic", fontsize=10, loc="left", pad=18)
    ax.legend(
        fontsize=8,
        frameon=False,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncols=2,
        borderaxespad=0,
    )
    _tidy(ax)
    return _png(fig)


def bugs_over_time_png(weeks: Sequence[tuple[str, int]]) -> bytes:
    """Bug mentions per week (label, count), oldest first; the last week highlighted.
    Raises ValueError for no weeks."""
    if not weeks:
        raise ValueError("no weeks to draw")
    from matplotlib.ticker import MaxNLocator

    fig = _figure(6, 2.6)
    ax = fig.add_subplot()
    labels = [label for label, _ in weeks]
    counts = [count for _, count in weeks]
    colours = [LIGHT] * (len(weeks) - 1) + [RED]
    bars = ax.bar(range(len(weeks)), counts, color=colours, width=0.65)
    ax.bar_label(bars, labels=[str(c) if c else "" for c in counts], fontsize=8, padding=2)
    ax.set_xticks(range(len(weeks)), labels)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(max(counts), 1) * 1.25)
    ax.set_ylabel("bug mentions", fontsize=9)
    ax.set_title("Bug mentions per week", fontsize=10, loc="left")
    _tidy(ax)
    return _png(fig)


@dataclass(frozen=True)
class Chart:
    """One chart of the weekly report: which section it illustrates, and the PNG."""

    name: str  # also the image's file name: estimates.png
    section: str  # title (prefix) of the report section it goes under
    alt: str
    png: bytes


def week_charts(facts: Sequence[ItemFacts], week: WeekFacts) -> list[Chart]:
    """The charts of a week that have something to show, in report order."""
    charts = []
    this = focus_by_topic(facts, week.week)
    if this:
        before = focus_by_topic(facts, week.week.previous())
        labels = (week.week.label, week.week.previous().label)
        charts.append(
            Chart(
                "focus",
                "What was done",
                f"Focus by topic: share of the {sum(this.values())} done items per topic tag, "
                f"{labels[0]} beside {labels[1]}",
                focus_chart_png(this, before, labels),
            )
        )
    bugs = bugs_by_week(facts, week.week)
    if any(b.count for b in bugs):
        charts.append(
            Chart(
                "bugs",
                "Bugs",
                f"Bug mentions per week, {bugs[0].week.label} to {bugs[-1].week.label}: "
                + ", ".join(str(b.count) for b in bugs),
                bugs_over_time_png([(b.week.label.split("-")[1], b.count) for b in bugs]),
            )
        )
    if week.estimates.tasks:
        charts.append(
            Chart(
                "estimates",
                "Estimates vs actual",
                f"Estimate against actual for {len(week.estimates.tasks)} tasks, log axes; "
                "points above the diagonal took longer than estimated",
                estimate_chart_png(week.estimates.tasks),
            )
        )
    return charts
