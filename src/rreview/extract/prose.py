"""Estimates and actuals written in plain prose, offline and cautious.

"planned an hour, ended up spending the whole afternoon (~4h)", "thought it'd take 20 min,
took 2 hours", "2h -> 5h", "budgeted 4h, it ate the whole day". A duration counts only when
the words right before or after it say what it is: a plan ("planned", "thought it would
take", "budgeted") or the time spent ("took me", "ended up", "spent"). Everything else is
left alone, because a false estimate pair corrupts the calibration numbers: a job's run time
("the job ran for 6h", "the eval took 40 min per checkpoint"), a thing's length ("a 2h
meeting"), a rate ("2h per epoch"), a change of setting ("timeout 2h -> 5h"), a time of day
("took the 9am train"). Vague spans ("all afternoon") count only as one half of a pair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rreview.extract.durations import WORDS, Duration, find_durations, unit_hours, unit_of
from rreview.log.patterns import lazy

_BOUNDARY_RE = lazy(r"[.;:!?()\[\]]|,|—|–|\s-\s|\b(?:and|but|so|then|because|while)\b", re.I)
MACHINE_NOUNS = lazy(
    r"\b(?:jobs?|runs?|sweeps?|training|epochs?|evals?|evaluations?|inference|downloads?|"
    r"uploads?|builds?|compil(?:e|ation)|pipelines?|queue|nodes?|gpus?|cpus?|cluster|servers?|"
    r"scripts?|process(?:es)?|checkpointing|preprocessing|tokeni[sz]ation|test\s+suite|ci|"
    r"backups?|sync|transfer|conversion|install(?:ation)?|indexing|models?|experiments?|"
    r"steps?|iterations?|rollouts?|simulations?|fine-?tunes?|finetuning|fine-tuning|"
    r"benchmarks?|queries|query|seeds?|trials?|workers?|containers?|docker|machines?|vms?|"
    r"batch(?:es)?)\b",
    re.I,
)
RUN_VERBS = lazy(
    r"\b(?:ran|run|running|launched|kicked\s+off|submitted|queued|trained|re-?launched|"
    r"restarted|started\s+the\s+\w+)\b",
    re.I,
)
ME_US = lazy(r"\b(?:me|us|myself|ourselves)\b", re.I)
_GERUND_RE = lazy(r"^\s*(?:the\s+)?([a-z]+ing)\b", re.I)
MACHINE_GERUNDS = {
    "training", "running", "evaluating", "finetuning", "downloading", "uploading", "compiling",
    "indexing", "preprocessing", "tokenizing", "tokenising", "sweeping", "waiting", "queuing",
    "queueing", "loading", "checkpointing", "syncing", "copying", "transferring", "installing",
    "sampling", "inferencing", "benchmarking", "converging",
}  # fmt: skip

_IRREGULAR_DONE = {
    "wrote", "rewrote", "read", "reread", "made", "did", "redid", "found", "built", "rebuilt",
    "set", "sent", "got", "began", "fought", "thought", "spent", "drew", "taught", "caught",
}  # fmt: skip
_Q = (
    r"(?:(?:about|around|roughly|approximately|approx\.?|~|≈|nearly|almost|maybe|probably|"
    r"like|at\s+least|over|under|more\s+than|less\s+than|just|only|easily|a\s+good|a\s+solid|"
    r"closer\s+to|more\s+like|something\s+like|a\s+bit\s+over|well\s+over|upwards\s+of)\s*)*"
)
_ME = r"(?:\s+(?:me|us|myself))?"
_MODAL = r"(?:'d|'ll|would|will|should|might|could|may|was\s+going\s+to|is\s+going\s+to|gonna)"
ESTIMATE_BEFORE = lazy(
    r"(?:"
    r"\b(?:i\s+|we\s+)?(?:had\s+)?(?:planned|budgeted|allotted|allocated|allowed|reserved|"
    r"blocked\s+(?:off|out)|set\s+aside|time-?boxed|estimated|guessed|figured|aimed|hoped|"
    r"scheduled)(?:\s+(?:for|on|at|to|it\s+at|it\s+for|it\s+to|myself|it))?"
    r"|\b(?:estimated|budgeted|put|pegged|guessed|scoped)\s+(?:the|my|this|it|that)\b"
    r"[^,;.:]{0,30}?\s+at"
    r"|\b(?:hoped|planned|expected|meant|wanted|aimed|hoping|planning|expecting)\s+to\s+"
    r"(?:finish|be\s+done|wrap\s+(?:it\s+)?up|get\s+(?:it|this)\s+done)"
    r"(?:\s+(?:it|this|that))?\s+(?:in|within)"
    r"|(?:\b(?:should|would|will)|'d|'ll)\s+be\s+(?:done|finished|ready)\s+(?:in|within)"
    r"|\btold\s+(?:myself|\w+)(?:\s+(?:it|they|that|this)\s*(?:'d|'ll|would|will)\s+"
    r"(?:take|need|be(?:\s+(?:done|finished|ready)\s+(?:in|within))?))?"
    r"|\bshould\s+have\s+(?:been|taken)(?:\s+(?:a|an|about|around|only|just))?"
    r"|\(\s*say"
    r"|\b(?:expected|expecting)(?P<esubj>\s+[^,;.]{0,40}?)?\s+to\s+(?:take|need|last)"
    + _ME
    + r"|\b(?:thought|assumed|guessed|figured|hoped)(?P<tsubj>\s+[^,;.]{0,40}?)?\s*"
    + _MODAL
    + r"\s+(?:take|need|be|last)"
    + _ME
    + r"|\b(?:thought|expected|guessed|figured|assumed)"
    r"|(?P<msubj>\b[^,;.:]{0,40}?)(?:\b(?:should|would|will|might|ought\s+to|shall|"
    r"is\s+going\s+to)|'ll|'d)"
    r"\s+(?:only\s+)?(?:take|need|last)"
    + _ME
    + r"|\b(?:was\s+|were\s+)?(?:supposed|meant|planned)\s+to\s+(?:take|be|last)"
    + _ME
    + r"|\b(?:my|the|our|an?)?\s*(?:estimate|guess|plan|budget)(?:\s+for\s+[^,;.:]{1,40}?)?"
    r"\s*(?:was|is|:|of|=)?"
    r"|\b(?:gave|give|giving)\s+(?:it|myself|this)"
    r"|\bi'd\s+(?:say|guess)|\bin\s+my\s+head\s+(?:it\s+was)?"
    r")\s*(?:(?:a|an|about|around)\s+)?" + _Q + r"$",
    re.I,
)
ACTUAL_BEFORE = lazy(
    r"(?:"
    r"(?P<asubj>\b[^,;.:]{0,50}?)?\b(?:took|takes|taking|has\s+taken|had\s+taken|needed|lasted)"
    + _ME
    + r"|\b(?:i\s+|we\s+)?(?:spent|spending|spend|wasted|lost|burned|burnt|sank|sunk|invested|"
    r"used\s+up|put\s+in)"
    r"|\b(?:it\s+|this\s+|that\s+)?(?:ate|eaten|ate\s+up|cost|swallowed)(?:\s+(?:me|us))?"
    r"|\bended\s+up\s+(?:taking|spending|being|needing|at|with)?"
    + _ME
    + r"|\b(?:in\s+the\s+end|in\s+reality|all\s+told|actually|really|in\s+fact)\s*(?:it\s+)?"
    r"(?:was|took|needed|:)?"
    + _ME
    + r"|\b(?:it\s+|this\s+|that\s+)?(?:was|is|turned\s+out\s+to\s+be|became|turned\s+into|"
    r"grew\s+(?:to|into))\s+(?:more\s+like|closer\s+to|actually)"
    r"|\b(?:more\s+like|closer\s+to)"
    r"|\b(?:dragged\s+on|stretched|ballooned|blew\s+up|grew)(?:\s+(?:for|to|into|past))?"
    r"|\bbut\s+(?:it|that|this|they)\s+(?:was|were|took)(?:\s+(?:me|us))?"
    r"|\b(?:it|they)\s+(?:took|were)\s+(?:me\s+)?(?:more\s+like\s+)?(?=\S)"
    r"|\b(?:actual(?:ly)?|reality|in\s+practice|real\s+time|real)\s*[:=]?"
    r"|\b(?:finished|done|wrapped\s+up|completed|did)\s+(?:it\s+|this\s+|that\s+)?in"
    r")\s*" + _Q + r"$",
    re.I,
)
ESTIMATE_AFTER = lazy(
    r"^\s*(?:planned|estimated|budgeted|est\.?|estimate|expected|allotted|in\s+my\s+head)\b", re.I
)
ACTUAL_AFTER = lazy(
    r"^\s*(?:actual(?:ly)?|in\s+total|total|all\s+told|spent|real|in\s+practice|in\s+reality|"
    r"in\s+the\s+end|for\s+real)\b",
    re.I,
)
THE_PLANNED_RE = lazy(  # "the hour I planned", "the 2h I'd budgeted"
    r"^\s*(?:i|we)\s*(?:'d|had)?\s*(?:originally\s+|initially\s+)?(?:planned|budgeted|"
    r"estimated|expected|allotted|allowed|gave\s+it|thought\s+it\s+would\s+take|set\s+aside|"
    r"had\s+in\s+mind|wanted\s+to\s+spend|hoped\s+for|guessed|reserved)\b",
    re.I,
)
SPENT_WORDS = lazy(
    r"\b(?:took|spent|needed|ended\s+up|cost|lasted|longer\s+than|more\s+than)\b", re.I
)
BARE_NUMBER_RE = lazy(
    r"(?<![\w.$€£])(?P<n>\d+(?:[.,]\d+)?|(?:one|two|three|four|five|six)\s+and\s+a\s+half|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|twelve)\b(?!\s*(?:%|x\b|[/:]|[.,]\d|[A-Za-z]))",
    re.I,
)
ARROW_RE = lazy(
    r"^\s*(?:->|→|=>|⇒|-->|—>|➝)\s*(?:(?:it\s+)?(?:was|took)|actual(?:ly)?:?|reality:?|real:?)?"
    r"\s*(?:about|~|more\s+like)?\s*$",
    re.I,
)
AS_PLANNED_RE = lazy(
    r"\b(?:took|was|came\s+in|landed|finished|done)\s+(?:(?:exactly|just|about|right)\s+)?"
    r"(?:that|that\s+long|as\s+(?:planned|estimated|expected|budgeted)|on\s+(?:time|budget|"
    r"schedule)|spot\s+on)\b",
    re.I,
)
INSTEAD_RE = lazy(r"^\s*instead\s+of\s+(?:the\s+|my\s+)?(?:planned\s+|estimated\s+)?$", re.I)
SETTING_WORDS = lazy(
    r"\b(?:timeout|time\s*limit|limit|walltime|wall\s*time|ttl|interval|window|max|"
    r"retention|cron|every|schedule|changed|increased|raised|bumped|reduced|lowered|cut|set|"
    r"from|eta|sleep|delay|cache|expiry|expires?|lease|slot|shift)\b",
    re.I,
)
ADJECTIVE_TASKS = lazy(
    r"^\s*(?:fix|job|task|change|tweak|thing|patch|refactor|cleanup|clean-up|edit|update|"
    r"chore|hack|port|review|read|exercise)\b",
    re.I,
)
_DETERMINER_RE = lazy(r"\b(?:a|an|the|each|every|per|that|this|its|one|first|last)\s*$", re.I)
_ALLOWED_NEXT = {
    "on", "of", "for", "to", "in", "and", "but", "so", "then", "instead", "total", "all", "with",
    "because", "since", "at", "as", "i", "we", "it", "this", "that", "which", "while", "before",
    "after", "not", "rather", "or", "ish", "tops", "max", "actually", "again", "straight",
    "today", "yesterday", "tonight", "overall", "altogether", "just", "already", "including",
    "mostly", "there", "here", "vs", "versus", "though", "when", "until", "till", "plus",
    "minimum", "by", "from", "due", "thanks", "counting", "net", "planned", "estimated",
    "budgeted", "est", "estimate", "expected", "actual", "real", "spent",
}  # fmt: skip
_NOUN_GERUNDS = {
    "meeting",
    "morning",
    "evening",
    "thing",
    "string",
    "wedding",
    "briefing",
    "ceiling",
}
_REJECT_NEXT = lazy(
    r"^\s*(?:more|longer|extra|less|shorter|late|later|ago|earlier|early|per\b|/|each|every|"
    r"a\s+(?:day|week|night|run|step|epoch)|an\s+(?:epoch|hour)\b|of\s+(?:compute|gpu|cpu|"
    r"wall|queue|training|sleep|runtime|run\s+time|video|audio|recording|data|footage)|"
    r"in\s+(?:the\s+)?queue|to\s+(?:converge|train|run|load|download|upload|compile|sync|"
    r"complete|restart|boot|index|preprocess|tokeni[sz]e|checkpoint|save|warm\s+up)|off\b|"
    r"break|nap|sleep|lunch|walk|commute|drive|flight|ride|train\b|bus\b)",
    re.I,
)


FACTORS = {"twice": 2.0, "double": 2.0, "three times": 3.0, "triple": 3.0, "four times": 4.0}
FACTOR_RE = lazy(
    r"\b(?:(?P<word>twice|double|three\s+times|triple|four\s+times)|(?P<n>\d+(?:\.\d+)?)\s*x)"
    r"\s+(?:the|my|what\s+i)\s+(?:estimate[d]?|plan(?:ned)?|budget(?:ed)?|guess(?:ed)?)\b",
    re.I,
)


@dataclass(frozen=True)
class TimeFacts:
    """An estimate and/or actual read from prose, with the spans that said so."""

    estimate_hours: float | None = None
    actual_hours: float | None = None
    spans: tuple[tuple[int, int], ...] = ()


def _mask_code(text: str) -> str:
    """Inline code and URLs blanked out (same length): their numbers are not prose."""
    text = re.sub(r"`[^`]*`", lambda m: " " * len(m.group(0)), text)
    return re.sub(r"https?://\S+", lambda m: " " * len(m.group(0)), text)


def _clause_before(text: str, end: int) -> str:
    """The words from the last clause boundary before `end` up to `end`."""
    head = text[:end]
    cuts = [m.end() for m in _BOUNDARY_RE.finditer(head)]
    return head[cuts[-1] :] if cuts else head


def _previous_clause(text: str, end: int) -> str:
    head = text[:end]
    cuts = [m.end() for m in _BOUNDARY_RE.finditer(head)]
    if not cuts:
        return ""
    start = cuts[-2] if len(cuts) > 1 else 0
    return head[start : cuts[-1]]


def _machine(words: str) -> bool:
    """Whether the subject of "took"/"should take" is a machine's work: a job, a run, an eval.
    "debugging the eval" (an activity) and "took me" (a person) are not."""
    words = re.sub(r"#[\w/-]+", "", words)  # topic tags are not the subject
    if ME_US.search(words):
        return False
    gerund = _GERUND_RE.match(words)
    if gerund and gerund.group(1).lower() not in MACHINE_GERUNDS:
        return False
    first = re.match(r"\s*([A-Za-z]+)", words)
    if first and _human_verb(first.group(1)):
        return False  # "wrote the eval script, took 2h": the writer did something
    return bool(MACHINE_NOUNS.search(words) or RUN_VERBS.search(words))


def _human_verb(word: str) -> bool:
    """A past-tense verb of someone's work ("fixed", "wrote"), not of launching a run."""
    word = word.lower()
    if RUN_VERBS.fullmatch(word):
        return False
    return word in _IRREGULAR_DONE or (word.endswith("ed") and len(word) > 4)


def _ran_something(words: str) -> bool:
    """Whether a clause launched something ("kicked off the sweep"): a bare "took 6h" after it
    is the run's time."""
    return bool(RUN_VERBS.search(re.sub(r"#[\w/-]+", "", words))) and not ME_US.search(words)


def machine_time(text: str, start: int, end: int) -> bool:
    """Whether the duration at text[start:end] is a machine's time or a rate: "the job took
    6h", "each run takes ~3h", "2h per epoch". The notation uses this to leave such prose
    alone even where it reads like `took 6h`."""
    after = text[end:]
    if re.match(r"\s*(?:per\b|/\s*\w|each\b|every\b|a\s+(?:run|step|epoch)\b)", after, re.I):
        return True
    clause = _clause_before(text, start)
    cues = list(re.finditer(r"\b(?:took|takes|taking|taken|needed|lasted)\b", clause, re.I))
    if not cues or ME_US.search(clause[cues[-1].start() :]):
        return False
    return _machine(clause[: cues[-1].start()])


def _usable(text: str, d: Duration) -> bool:
    """A duration that can be an amount of someone's time: not "a 2h meeting", not "2h per
    epoch", not "2 days of compute", not "another 2h"."""
    after = text[d.end :]
    if _REJECT_NEXT.match(after):
        return False
    before = text[: d.start]
    if re.search(r"\b(?:another|extra|additional|an\s+extra)\s*$", before, re.I):
        return False
    if d.definite:  # "the hour": only as "the hour I planned"
        return bool(THE_PLANNED_RE.match(after))
    if d.vague:
        return True
    numeric = bool(re.match(r"\s*[\d.,]", text[d.start : d.end]))
    if numeric and _DETERMINER_RE.search(before):
        return bool(THE_PLANNED_RE.match(after))  # "the 2h I had in mind" is a plan
    next_word = re.match(r"\s*([A-Za-z']+)", after)
    if d.adjective or (next_word and not re.match(r"\s*[,.;:!?)(\]—–-]", after)):
        word = next_word.group(1).lower() if next_word else ""
        gerund = word.endswith("ing") and word not in _NOUN_GERUNDS
        if d.adjective or not (word in _ALLOWED_NEXT or gerund):
            return False
    return True


def _estimate_cue(text: str, d: Duration) -> re.Match[str] | None:
    match = ESTIMATE_BEFORE.search(text[: d.start])
    if match is None:
        return None
    subject = match.group("esubj") or match.group("tsubj") or match.group("msubj") or ""
    if subject and _machine(subject):
        return None
    bare_modal = match.group("msubj") is not None and not match.group("msubj").strip()
    if bare_modal and _ran_something(_previous_clause(text, match.start() + 1)):
        return None  # "kicked off the 7B run, will take ~20h"
    if re.match(r"\s*to\s+(?:train|converge|run|finish|complete|download)\b", text[d.end :], re.I):
        return None
    return match


def _actual_cue(text: str, d: Duration) -> re.Match[str] | None:
    match = ACTUAL_BEFORE.search(text[: d.start])
    if match is None:
        return None
    cue = match.group(0)
    lost = re.search(r"\b(?:lost|wasted|burned|burnt|sank|sunk)$", cue.strip(), re.I)
    mine = re.search(r"\b(?:i|we)\s+\w+$", cue.strip(), re.I)
    if lost and not mine and _ran_something(_previous_clause(text, match.start() + 1)):
        return None  # "restarted from step 12k. Lost 40 minutes": the run lost them
    if re.search(r"\b(?:took|takes|taking|taken|needed|lasted)\b", cue, re.I):
        if ME_US.search(cue):
            return match
        subject = match.group("asubj") or ""
        if _machine(subject):
            return None
        if not subject.strip() and _ran_something(_previous_clause(text, match.start() + 1)):
            return None
    return match


def _machine_plan(text: str, durations: list[Duration]) -> bool:
    """Whether the text plans a machine's time ("thought the sweep would take 2h"): then a
    bare "it took 9h" after it is the sweep's time too."""
    for d in durations:
        match = ESTIMATE_BEFORE.search(text[: d.start])
        subject = match and (match.group("esubj") or match.group("tsubj") or match.group("msubj"))
        if subject and _machine(subject):
            return True
    return False


def read_time(text: str) -> TimeFacts:
    """The estimate and the actual a text states in prose (either may be None)."""
    text = _mask_code(text)
    durations = [d for d in find_durations(text) if _usable(text, d)]
    if _machine_plan(text, durations) and not ME_US.search(text):
        return TimeFacts()
    estimates: list[tuple[Duration, int]] = []
    actuals: list[tuple[Duration, int]] = []
    for index, d in enumerate(durations):
        between_next = (
            text[d.end : durations[index + 1].start] if index + 1 < len(durations) else ""
        )
        if index + 1 < len(durations) and ARROW_RE.match(between_next):
            if not SETTING_WORDS.search(_clause_before(text, d.start)) and not _machine(
                _clause_before(text, d.start)
            ):
                estimates.append((d, d.start))
                actuals.append((durations[index + 1], d.start))
            continue
        if any(a is d for a, _ in actuals):
            continue
        if index + 1 < len(durations) and INSTEAD_RE.match(between_next):
            actual_cue = _actual_cue(text, d)
            sentence = re.split(r"[.;!?]", text[: d.start])[-1]
            spent = SPENT_WORDS.search(sentence) and not _machine(_clause_before(text, d.start))
            if actual_cue or spent or ESTIMATE_AFTER.match(text[durations[index + 1].end :]):
                actuals.append((d, actual_cue.start() if actual_cue else d.start))
                estimates.append((durations[index + 1], d.end))
            continue
        if any(e is d for e, _ in estimates):
            continue
        _classify(text, d, estimates, actuals)
    _longer_than(text, durations, estimates, actuals)
    _bare_actual(text, estimates, actuals)
    if len(estimates) == 1 and not actuals:
        planned = estimates[0][0]
        same = AS_PLANNED_RE.search(text, planned.end)
        if same and not planned.vague:  # "estimated the rebuttal at 1 day and it took exactly that"
            actuals.append((Duration(planned.hours, same.start(), same.end()), same.start()))
    return _decide(text, durations, estimates, actuals)


def _bare_actual(
    text: str, estimates: list[tuple[Duration, int]], actuals: list[tuple[Duration, int]]
) -> None:
    """ "guessed an hour, it was closer to three", "...; it ended up taking 5.": a number with
    no unit after an actual's cue is in the unit of the estimate before it."""
    if actuals or len(estimates) != 1:
        return
    planned = estimates[0][0]
    unit = unit_of(text[planned.start : planned.end])
    for match in BARE_NUMBER_RE.finditer(text, planned.end):
        cue = ACTUAL_BEFORE.search(text[: match.start()])
        if cue is None or cue.end() < planned.end:
            continue
        word = " ".join(match.group("n").lower().replace(",", ".").split())
        value = WORDS.get(word) or (float(word) if word[0].isdigit() else None)
        hours = unit_hours(value, unit) if value else None
        if hours and _actual_cue(text, Duration(hours, match.start(), match.end())) is not None:
            actuals.append((Duration(hours, match.start(), match.end()), _cue_start(cue)))
            return


def _cue_start(cue: re.Match[str]) -> int:
    """Where the cue words start: after the subject ("the reply" in "the reply would take")."""
    for name in ("msubj", "asubj"):  # subjects before the cue; the others sit inside it
        if name in cue.re.groupindex and cue.group(name):
            return cue.end(name)
    return cue.start()


def _classify(
    text: str,
    d: Duration,
    estimates: list[tuple[Duration, int]],
    actuals: list[tuple[Duration, int]],
) -> None:
    the = d.definite or re.search(r"\b(?:the|my)\s*$", text[: d.start], re.I)
    if the and THE_PLANNED_RE.match(text[d.end :]):
        estimates.append((d, d.start))
    elif (cue := _estimate_cue(text, d)) is not None:
        estimates.append((d, _cue_start(cue)))
    elif (cue := _actual_cue(text, d)) is not None:
        actuals.append((d, _cue_start(cue)))
    elif ESTIMATE_AFTER.match(text[d.end :]):
        estimates.append((d, d.start))
    elif ACTUAL_AFTER.match(text[d.end :]):
        actuals.append((d, d.start))


def _longer_than(
    text: str,
    durations: list[Duration],
    estimates: list[tuple[Duration, int]],
    actuals: list[tuple[Duration, int]],
) -> None:
    """ "took way longer than the hour I planned, about 4h": the number after the comparison."""
    if actuals or not estimates:
        return
    if not re.search(r"\b(?:longer|more)\s+than\b", text, re.I):
        return
    last_estimate = max(e.end for e, _ in estimates)
    for d in durations:
        lead = text[last_estimate : d.start]
        if d.start >= last_estimate and re.fullmatch(rf"[^,;.]*[,;—–-]\s*{_Q}", lead, re.I):
            actuals.append((d, d.start))
            return


def _adjective_estimate(text: str, actual: Duration) -> Duration | None:
    """ "supposed to be a 10-minute fix, took 3h": the kind of task names the plan."""
    for d in find_durations(text):
        if d.end > actual.start or not (d.adjective or _DETERMINER_RE.search(text[: d.start])):
            continue
        if ADJECTIVE_TASKS.match(text[d.end :]) and not d.vague:
            return d
    return None


def _decide(
    text: str,
    durations: list[Duration],
    estimates: list[tuple[Duration, int]],
    actuals: list[tuple[Duration, int]],
) -> TimeFacts:
    """One estimate and one actual at most; disagreeing values on one side are ambiguous."""
    if actuals and not estimates:
        adjective = _adjective_estimate(text, actuals[0][0])
        if adjective is not None:
            estimates.append((adjective, adjective.start))
    estimate = _single(estimates)
    actual = _single(actuals)
    factor = FACTOR_RE.search(text)
    if estimate is None and actual is not None and factor and not actual[0].vague:
        times = FACTORS.get(" ".join((factor.group("word") or "").lower().split())) or float(
            factor.group("n") or 0
        )
        if times > 0:
            planned = Duration(actual[0].hours / times, factor.start(), factor.end())
            estimate = (planned, factor.start())
    if estimate is None and actual is not None and actual[0].vague:
        actual = None  # "spent the afternoon on it": a half-told story, no number to trust
    if actual is None and estimate is not None and estimate[0].vague:
        estimate = None
    spans = tuple(
        (cue_start, d.end) for chosen in (estimate, actual) if chosen for d, cue_start in [chosen]
    )
    return TimeFacts(
        round(estimate[0].hours, 4) if estimate else None,
        round(actual[0].hours, 4) if actual else None,
        spans,
    )


def _single(found: list[tuple[Duration, int]]) -> tuple[Duration, int] | None:
    values = {round(d.hours, 4) for d, _ in found}
    return found[0] if len(values) == 1 else None
