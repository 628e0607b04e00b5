"""Bugs, predictions, sources, ideas and to-dos written in plain prose, without notation.

"finally found why the loss went NaN again", "the dataloader hung again" (bugs); "I expected
X; it came out Y" (a prediction and its outcome); "from a chat with Yitao", "saw on twitter",
"in the paper by Wang et al." (sources); "what if ...", "might be worth trying" (ideas);
"TODO: ..." (a to-do). ML prose is full of words that only look like bugs ("error rate",
"the NaN check passed", "fixed the seed"), so a weak word needs a second clue.
"""

from __future__ import annotations

import re

from rreview.extract.durations import find_durations
from rreview.extract.facts import Prediction, SourceKind
from rreview.extract.notation import stated_number
from rreview.log.patterns import lazy

# A bug on its own: crashes, hangs, NaNs, OOMs, exceptions, leaks, races, "the bug".
BUG_STRONG = lazy(
    r"\b(?:bugs?|buggy|debugg(?:ed|ing)|segfault(?:s|ed)?|segmentation\s+fault|core\s+dumped|"
    r"crash(?:ed|es|ing)?(?!\s+course)|hang(?:s|ing)?(?!\s+out)|hung(?!\s+up)|deadlock(?:s|ed)?|"
    r"race\s+condition|memory\s+leak|leak(?:s|ed|ing)\s+memory|off[- ]by[- ]one|"
    r"use[- ]after[- ]free|double\s+free|illegal\s+memory\s+access|stack\s+overflow|"
    r"out\s+of\s+memory|OOM(?:s|ed)?|cuda\s+error|nccl\s+(?:error|timeout)|traceback|"
    r"[A-Z]\w*(?:Error|Exception)|assertion\s+(?:error|failed)|infinite\s+loop|"
    r"(?:linker|linking|compile|compiler|compilation|build|syntax|runtime|import|type|shape|"
    r"dtype|device|cuda|memory|permission|connection|key|index|attribute|value)\s+errors?|"
    r"(?:loss|grads?|gradients?|logits|outputs?|weights)\s+(?:went|goes|go|going|became|become|"
    r"turned|turn|is|are|was|were|exploded|blew\s+up)\s+(?:to\s+)?(?:nan|inf)\b|"
    r"nans?\b|infs?\s+(?:in|and)|"
    r"(?:loss|value\s+loss|grads?|gradients?)\s+(?:exploded|blew\s+up|diverged)|"
    r"silently\s+(?:wrong|dropped|ignored|broken|failing|corrupt\w*)|broke|broken|"
    r"flaky|never\s+(?:freed|released|closed|cleaned\s+up)|"
    r"memory\s+(?:usage\s+)?(?:grows|creeps|keeps\s+growing|climbs|keeps\s+climbing)|"
    r"died|dies|blew\s+up|blows\s+up|choked|(?:got|was|were|gets)\s+killed|"
    r"ran\s+out\s+of\s+(?:\w+\s+)?(?:memory|disk|space)|out\s+of\s+disk|"
    r"(?:could\s+not|couldn't|can't|cannot|won't|wouldn't)\s+(?:save|load|open|read|write|import|"
    r"find|allocate|connect|reproduce|start|compile|build|run))",
    re.I,
)
# Words that name a problem only with a clue that it was one ("fixed", "found why", "again").
BUG_WEAK = lazy(
    r"\b(?:errors?|issues?|problems?|broke|broken|breaks|fail(?:s|ed|ing|ure)?|wrong|mismatch|"
    r"regression|corrupt(?:ed|ion)?|stale|stuck|typo|glitch|flaky|misconfigured|leak(?:age)?|"
    r"collapsed?|spikes?|spiked|spiking|duplicated|duplicates|"
    r"exploded|diverged|wasn't|weren't|didn't\s+work|not\s+working|doesn't\s+work)\b",
    re.I,
)
BUG_CLUE = lazy(
    r"\b(?:fix(?:ed|es|ing)?|found\s+(?:why|the|a|out)|figured\s+out|tracked\s+down|"
    r"root\s+cause|turned\s+out|culprit|workaround|patched|again|because|caused\s+by|"
    r"the\s+reason|repro(?:duced)?|noticed|realised|realized|same\s+as\s+(?:last|before)|"
    r"pinned|reverted|rolled\s+back)\b",
    re.I,
)
NOT_BUG = lazy(
    r"\b(?:error\s+(?:rate|bars?|analysis|analyses|cases|budget|term|signal|correction)|"
    r"(?:mean|squared|absolute|relative|test|train(?:ing)?|val(?:idation)?|generali[sz]ation|"
    r"approximation|reconstruction|calibration|standard|bayes|top-?\d)\s+errors?|"
    r"failure\s+(?:cases|modes?|analysis)|(?:fill|filled|replace|replaced|drop|dropped|impute|"
    r"imputed|mask|masked|count|counted)\s+(?:the\s+|all\s+)?nans?|nan\s+(?:check|guard)s?|"
    r"broke\s+(?:down|even|into)|fixed\s+(?:the\s+)?"
    r"(?:seed|lr|learning\s+rate|budget|point|size|length|set|schedule|step)|"
    r"(?:no|not\s+a|without|zero|never)\s+(?:\w+\s+)?(?:bugs?|crash(?:es)?|hangs?|nans?|"
    r"errors?|issues?|problems?|ooms?)|issue\s+#?\d+|github\s+issue|bug\s+bash|"
    r"debug(?:ging)?\s+(?:print|log|flag|mode|build)s?)\b",
    re.I,
)
_NEGATED_RE = lazy(
    r"\b(?:no|not|never|without|didn't|did\s+not|zero|nothing|none|no\s+more)\s+(?:\w+\s+){0,2}$",
    re.I,
)

_PRED_CUE = (
    r"(?:i\s+)?(?:expected|predicted|guessed|bet|hypothesi[sz]ed|thought|assumed|"
    r"my\s+(?:guess|bet|prediction|expectation|hypothesis)\s+was|i'd\s+guessed|i\s+had\s+guessed)"
)
_OUTCOME = (
    r"(?:it\s+|this\s+|that\s+|the\s+result\s+|result\s+|reality\s+|actual\s+)?"
    r"(?:came\s+out(?:\s+at|\s+as)?|came\s+in\s+at|turned\s+out(?:\s+to\s+be)?|ended\s+up"
    r"(?:\s+at|\s+being)?|actually\s+(?:got|was|came\s+out)|was\s+actually|is\s+actually|got|"
    r"measured|observed|result(?:ed)?(?:\s+in)?:?|actual:?|landed\s+at|reached|instead)"
)
PRED_CLOSED_RE = lazy(
    rf"\b{_PRED_CUE}\b\s*:?\s*(?P<pred>[^;.!?]+?)\s*(?:[;,.]|\s+but|\s+—|\s+-)\s*"
    rf"(?:but\s+|and\s+|so\s+)?{_OUTCOME}\b\s*:?\s*(?P<got>[^;.!?()]+)",
    re.I,
)
PRED_AFTER_OUTCOME_RE = lazy(  # "WER 14.2%. I'd guessed 15%" / "got 68%, expected 72%"
    r"\b(?:i'd\s+|i\s+had\s+)?(?:guessed|expected|predicted)\s+(?P<pred>[-+−]?\d[\d.,]*\s*(?:%|pts?|points)?)",
    re.I,
)
PRED_OPEN_RE = lazy(
    r"\b(?:i\s+(?:expect|predict|bet|guess)|my\s+(?:guess|bet|prediction)\s+(?:is|:)|"
    r"hypothesis\s*:|prediction\s*:)\s*(?:that\s+)?(?P<pred>[^;.!?]+)",
    re.I,
)
NOT_PREDICTION = lazy(
    r"\b(?:as\s+expected|than\s+expected|unexpected(?:ly)?|expected\s+(?:value|return|reward|"
    r"calibration|improvement|loss|utility|number|behaviou?r)|as\s+i\s+thought)\b",
    re.I,
)

SOURCE_PATTERNS: tuple[tuple[re.Pattern[str], SourceKind], ...] = (
    (
        lazy(
            r"\b(?i:from|after|during|in|over)\s+(?i:a|the|my|our)?\s*(?i:quick\s+|long\s+)?"
            r"(?P<src>(?i:chat|conversation|discussion|call|meeting|1:1|one-on-one|coffee|lunch|"
            r"email|slack\s+thread|dm)\s+with\s+[A-Z][\w.-]+(?:\s+[A-Z][\w-]+)?)"
        ),
        SourceKind.CHAT,
    ),
    (
        lazy(
            r"\b(?P<src>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+(?:suggested|mentioned|pointed\s+out|"
            r"recommended|proposed|told\s+me|noticed|showed\s+me)\b"
        ),
        SourceKind.CHAT,
    ),
    (
        lazy(
            r"\b(?:saw|seen|read|found|spotted)\s+(?:it\s+|this\s+|that\s+)?(?:on|in)\s+"
            r"(?P<src>twitter|x\.com|bluesky|mastodon|reddit|hacker\s+news|hn|a\s+blog(?:\s+post)?|"
            r"linkedin|the\s+\w+\s+blog|a\s+tweet|a\s+thread)",
            re.I,
        ),
        SourceKind.SOCIAL,
    ),
    (
        lazy(
            r"\b(?:in|from|per)\s+(?:the|a)\s+(?P<src>paper\s+(?:by|from)\s+[A-Z][\w-]+"
            r"(?:\s+et\s+al\.?)?|[\w-]+\s+paper)",
        ),
        SourceKind.PAPER,
    ),
    (
        lazy(r"\b(?:read\s+)?the\s+(?P<src>paper\s+by\s+[A-Z][\w-]+(?:\s+et\s+al\.?)?)"),
        SourceKind.PAPER,
    ),
    (
        lazy(
            r"\b(?:from|at|in|during|after)\s+(?:the|a|our|my)\s+"
            r"(?P<src>(?:reading\s+group|talk|seminar|lecture|keynote|workshop|poster\s+session|"
            r"tutorial|conference|group\s+meeting|lab\s+meeting|journal\s+club)"
            r"(?:\s+(?:by|on|from)\s+[A-Z][\w-]+)?)",
            re.I,
        ),
        SourceKind.TALK,
    ),
)
_NOT_A_NAME = {
    "The", "This", "It", "He", "She", "They", "We", "I", "That", "Reviewer", "Someone", "Nobody",
    "Everyone", "Which", "What", "Who", "Also", "Then", "And", "But", "So", "Paper", "Model",
}  # fmt: skip
IDEA_RE = lazy(
    r"^\s*(?:💡\s*)?idea\s*[:\-–]|\bwhat\s+if\b|\b(?:might|may|could|would)\s+be\s+worth\s+"
    r"(?:trying|testing|a\s+try|exploring|checking)|\bworth\s+(?:trying|a\s+try|exploring)\b|"
    r"\bi\s+wonder\s+(?:if|whether)\b|\brandom\s+thought\b",
    re.I,
)
TODO_RE = lazy(r"^\s*(?:TODO|FIXME|To-?do)\b\s*[:\-–]?\s*(?=\S)")


_NEGATED_CLUE_RE = lazy(r"\b(?:no|not|never|without|nothing\s+to)\s+$", re.I)  # "no fix yet"


def is_bug(text: str) -> bool:
    """Whether a text tells of a bug: a strong word ("crashed", "hung", "NaN loss", a Python
    exception name), or a weak one ("error", "broke", "wrong") with a clue it was a problem
    ("fixed", "found why", "again", "turned out"); never a metric ("error rate") or a
    negation ("no NaNs this time")."""
    masked = NOT_BUG.sub(" ", text)
    for match in BUG_STRONG.finditer(masked):
        if not _NEGATED_RE.search(masked[: match.start()]):
            return True
    weak = [m for m in BUG_WEAK.finditer(masked) if not _NEGATED_RE.search(masked[: m.start()])]
    clues = [
        m for m in BUG_CLUE.finditer(masked) if not _NEGATED_CLUE_RE.search(masked[: m.start()])
    ]
    return bool(weak) and bool(clues)


CODE_ERROR_RE = lazy(
    r"^(?:Traceback \(most recent call last\)|[A-Z]\w*(?:Error|Exception)\b:|Segmentation fault|"
    r".*\bcore dumped\b|.*\bKilled\b$|FAILED\b)",
    re.M,
)


def shows_error(code: str) -> bool:
    """Whether pasted code or log output shows a failure: a traceback, `ValueError: ...`."""
    return bool(code) and bool(CODE_ERROR_RE.search(code))


def _about_time(text: str) -> bool:
    """A "prediction" made of durations is an estimate, not a prediction."""
    return bool(find_durations(text))


def prediction(text: str) -> Prediction | None:
    """A prediction told in prose, with its outcome when the text gives one."""
    text = NOT_PREDICTION.sub(lambda m: " " * len(m.group(0)), text)
    closed = PRED_CLOSED_RE.search(text)
    if closed and not (_about_time(closed.group("pred")) or _about_time(closed.group("got"))):
        pred, got = closed.group("pred").strip(), closed.group("got").strip().rstrip(".")
        vague = closed.group(0).lower().lstrip().startswith(("thought", "assumed", "i thought"))
        if vague and (stated_number(pred)[0] is None or stated_number(got)[0] is None):
            return None  # "thought it was the loader, it was the tokenizer": no numbers
        (pv, pu), (gv, gu) = stated_number(pred), stated_number(got)
        return Prediction(pred, got, pv, gv, pu or gu)
    after = PRED_AFTER_OUTCOME_RE.search(text)
    if after:
        before = text[: after.start()]
        values = [v for v in re.findall(r"[-+−]?\d+(?:\.\d+)?\s*%", before)]
        if values:
            pred = after.group("pred").strip()
            got = values[-1].strip()
            (pv, pu), (gv, gu) = stated_number(pred), stated_number(got)
            return Prediction(pred, got, pv, gv, pu or gu)
    opened = PRED_OPEN_RE.search(text)
    if opened and not _about_time(opened.group("pred")):
        pred = opened.group("pred").strip()
        value, unit = stated_number(pred)
        return Prediction(pred, None, value, None, unit)
    return None


def source(text: str) -> tuple[str, SourceKind] | None:
    """Where an idea or finding came from, when the prose says ("from a chat with Yitao")."""
    for pattern, kind in SOURCE_PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        found = match.group("src").strip().rstrip(".,")
        if kind is SourceKind.CHAT and found.split()[0] in _NOT_A_NAME:
            continue
        if pattern is SOURCE_PATTERNS[1][0]:
            found = f"chat with {found}"
        return found, kind
    return None


def is_idea(text: str) -> bool:
    """Whether a text floats an idea ("what if ...", "might be worth trying ...")."""
    return bool(IDEA_RE.search(text))


def todo_text(text: str) -> str | None:
    """The task of a "TODO: ..." line, else None."""
    match = TODO_RE.match(text)
    return text[match.end() :] if match else None
