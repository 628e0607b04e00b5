"""Words of the log as the analyses compare them: tokens, IDF weights, overlap, key terms.

Lexical overlap sits beside the embeddings: it catches exact identifiers (`num_workers`,
`NCCL`, an error name) that a small sentence model blurs, and the embeddings catch the
paraphrases that share no word. Pure Python, no model.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rreview.extract.notation import strip_notation

STOPWORDS = frozenset(
    """a an the and or but nor of in on at to for with from by as into onto over under up
    down out off about than then so not no yes is are was were be been being am it its it's
    this that these those there here i me my we our us you your he she him her his they them
    their what which who whom when where why how all any some each every both few more most
    other such only own same too very can could should would will just also again still now
    did do does done doing had has have having get got gets getting one two via per after
    before while if else because until once new first second third fixed fix found today
    yesterday tomorrow bug bugs""".split()  # noqa: SIM905  (a word list reads better so)
)
WORD_RE = re.compile(r"[a-z][a-z0-9_]*(?:-[a-z0-9]+)*")
DIGIT_RE = re.compile(r"\d")
# Texts whose words are remembered: every item of ten years of log (~70,000), so an analysis
# that compares one item with many reads each text's words once per process, not per pair.
TEXT_CACHE = 1 << 17

# Failure modes that logs name in words with nothing in common ("OOM" and "ran out of GPU
# memory", "NaN" and "the loss exploded"). Each adds one shared token to a bug's words, so the
# lexical half of the bug similarity sees the overlap. Keep the list short and general.
FAILURE_CONCEPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "~nonfinite",
        re.compile(
            r"\bnan\b|\binf\b|\binfinite\b|non-?finite|\bdiverg\w*|\boverflow\w*"
            r"|found invalid values"  # PyTorch's message for NaN parameters
            # "blew up" alone is any failure ("saving the file blew up"); after a number it is this
            r"|\b(?:loss(?:es)?|grad\w*|norm|elbo|kl|logits?|weights?|activations?)\b"
            r"(?:\W+\w+){0,3}?\W+(?:blew up|blow-?up|explod\w*)",
            re.I,
        ),
    ),
    (
        "~oom",
        re.compile(
            r"\boom\b|out of (?:\w+ )?memory|memory ?error|memory blew up|cannot allocate memory"
            r"|\bkernel (?:died|crashed)",  # a notebook kernel dies when the host runs out
            re.I,
        ),
    ),
    ("~timeout", re.compile(r"wall[- ]?time|time limit|\btim(?:es|ed|ing) out\b|\btimeout", re.I)),
    (
        "~hang",
        re.compile(
            r"\bhang\w*|\bhung\b|\bstuck\b|\bfroze\w*|\bfreez\w*|\bstall\w*|\bdeadlock\w*", re.I
        ),
    ),
    (
        "~halfprecision",
        re.compile(r"\bfp16\b|\bbf16\b|half[- ]precision|mixed[- ]precision|\bautocast\b", re.I),
    ),
    ("~tokenizer", re.compile(r"\btokeni[sz]\w*|\bvocab\w*|\bchat template\b", re.I)),
    ("~disk", re.compile(r"disk quota|quota exceeded|no space left|disk (?:is )?full", re.I)),
)


MAX_TEXT = 140


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    """The log's own words, cut (never rewritten) at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


CONCEPT_NAMES = {
    "~nonfinite": "NaN/inf",
    "~oom": "out of memory",
    "~timeout": "timeout",
    "~hang": "hang",
    "~halfprecision": "fp16/bf16",
    "~tokenizer": "tokenizer/vocab",
    "~disk": "disk quota",
}


@lru_cache(maxsize=TEXT_CACHE)
def stem(word: str) -> str:
    """A light stemmer, enough to match "hangs"/"hanging"/"hang", "exploded"/"explode"."""
    if word.endswith("ss") or "_" in word or DIGIT_RE.search(word):
        return sys.intern(word)
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return sys.intern(word[:-1] if word.endswith("e") and len(word) > 3 else word)


def words(text: str) -> list[tuple[str, str]]:
    """(stem, surface) pairs of the content words of `text`, in order."""
    out = []
    for found in WORD_RE.findall(text.lower()):
        surface = found.strip("-")
        if len(surface) < 2 or surface in STOPWORDS:
            continue
        out.append((stem(surface), sys.intern(surface)))
    return out


@lru_cache(maxsize=TEXT_CACHE)
def item_words(text: str) -> tuple[tuple[str, str], ...]:
    """`words` of an item's text without its notation and tags, remembered per text: the
    vocabulary of the whole log and the comparisons after it read each text once."""
    return tuple(words(strip_notation(text)))


def tokens(text: str) -> list[str]:
    """The stems of the content words of an item's text (notation and tags removed)."""
    return [s for s, _ in item_words(text)]


def concepts(text: str) -> list[str]:
    """The failure-mode concepts `text` names (`~nonfinite`, `~oom`, ...)."""
    return list(_concepts(text))


@lru_cache(maxsize=TEXT_CACHE)
def _concepts(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in FAILURE_CONCEPTS if pattern.search(text))


@dataclass(frozen=True)
class Vocabulary:
    """Inverse document frequencies over a set of documents (usually every item of the log),
    and the surface form each stem was most often written as."""

    idf: Mapping[str, float]
    documents: int
    surface: Mapping[str, str] = field(default_factory=dict)

    def weight(self, token: str) -> float:
        """IDF of `token`; a token never seen counts as rare."""
        return self.idf.get(token, math.log(self.documents + 1) + 1)

    def shown(self, token: str) -> str:
        """How `token` was written in the log."""
        return self.surface.get(token, token)


@dataclass(frozen=True)
class WordCounts:
    """What some texts add to a vocabulary: how many there are, in how many each stem
    occurs, and how often each (stem, form) was written, in order of first use. Counts of
    parts of the log summed in log order are the counts of the whole: one day's edit counts
    that day's words again, not ten years'. Plain dicts: quick to pickle and to sum."""

    documents: int
    df: dict[str, int]
    forms: dict[tuple[str, str], int]


def word_counts(texts: Iterable[str]) -> WordCounts:
    """The `WordCounts` of item texts `texts`."""
    df: dict[str, int] = {}
    forms: dict[tuple[str, str], int] = {}
    count = 0
    for text in texts:
        count += 1
        pairs = item_words(text)
        for s in {s for s, _ in pairs}:
            df[s] = df.get(s, 0) + 1
        for pair in pairs:
            forms[pair] = forms.get(pair, 0) + 1
    return WordCounts(count, df, forms)


def vocabulary(texts: Iterable[str]) -> Vocabulary:
    """IDF (smoothed: log((N+1)/(df+1)) + 1) of every stem over `texts`."""
    return vocabulary_from_counts([word_counts(texts)])


def vocabulary_from_counts(parts: Sequence[WordCounts]) -> Vocabulary:
    """The vocabulary of the texts whose counts are `parts`, in the texts' order. A stem is
    shown as its most used form; on a tie, the one written first."""
    df, forms = (parts[0].df, parts[0].forms) if len(parts) == 1 else _summed(parts)
    count = sum(part.documents for part in parts)
    idf = {token: math.log((count + 1) / (n + 1)) + 1 for token, n in df.items()}
    best: dict[str, tuple[str, int]] = {}
    for (s, form), n in forms.items():  # in order of first use: the first of equals stays
        if n > best.get(s, ("", 0))[1]:
            best[s] = (form, n)
    return Vocabulary(idf=idf, documents=count, surface={s: f for s, (f, _) in best.items()})


def _summed(parts: Sequence[WordCounts]) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    df: dict[str, int] = {}
    forms: dict[tuple[str, str], int] = {}
    for part in parts:
        for s, n in part.df.items():
            df[s] = df.get(s, 0) + n
        for pair, n in part.forms.items():
            forms[pair] = forms.get(pair, 0) + n
    return df, forms


def vocabulary_of(
    documents: Iterable[Sequence[str]], surface: Mapping[str, str] | None = None
) -> Vocabulary:
    """IDF over documents given as token lists; `surface` says how stems were written."""
    df: Counter[str] = Counter()
    count = 0
    for document in documents:
        count += 1
        df.update(set(document))
    idf = {token: math.log((count + 1) / (n + 1)) + 1 for token, n in df.items()}
    return Vocabulary(idf=idf, documents=count, surface=dict(surface or {}))


def weighted(tokens_: Sequence[str], vocab: Vocabulary) -> dict[str, float]:
    """A unit-length TF-IDF vector of `tokens_` as a dict."""
    counts = Counter(tokens_)
    vector = {token: n * vocab.weight(token) for token, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {token: v / norm for token, v in vector.items()} if norm else {}


def overlap(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two unit TF-IDF vectors: 0 with no word in common, 1 for the same words."""
    if len(b) < len(a):
        a, b = b, a
    return sum(value * b.get(token, 0.0) for token, value in a.items())


class BagMatrix:
    """Many unit TF-IDF vectors (`weighted`) kept as postings (token -> documents, values),
    so the overlap of a few bags with all of them is a few numpy additions per token instead
    of a Python loop over every pair. numpy is imported when one is built."""

    def __init__(self, bags: Sequence[Mapping[str, float]]) -> None:
        import numpy as np

        documents: dict[str, list[int]] = {}
        values: dict[str, list[float]] = {}
        for i, bag in enumerate(bags):
            for token, value in bag.items():
                documents.setdefault(token, []).append(i)
                values.setdefault(token, []).append(value)
        self.size = len(bags)
        self._postings = {
            token: (np.array(documents[token], dtype=np.intp), np.array(values[token]))
            for token in documents
        }

    def overlaps(self, queries: Sequence[Mapping[str, float]]) -> Any:
        """`overlap` of each query bag with every bag (a len(queries) x size array)."""
        import numpy as np

        out = np.zeros((len(queries), self.size))
        for row, query in zip(out, queries, strict=True):
            for token, value in query.items():
                posting = self._postings.get(token)
                if posting is not None:
                    row[posting[0]] += value * posting[1]
        return out


def _noise(token: str) -> bool:
    """Fragments of numbers and ids ("e4" from "1e4", "s0") say nothing as key terms."""
    return len(token) <= 2 and any(ch.isdigit() for ch in token)


def key_concepts(documents: Sequence[Sequence[str]]) -> list[str]:
    """Failure concepts named in every document, as readable names ("NaN/inf"); if none is,
    the most common one named in more than half of them."""
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update({t for t in document if t in CONCEPT_NAMES})
    order = list(CONCEPT_NAMES)
    everywhere = [c for c in order if counts[c] == len(documents)]
    if everywhere:
        return [CONCEPT_NAMES[c] for c in everywhere]
    common = sorted((c for c in order if 2 * counts[c] > len(documents)), key=lambda c: -counts[c])
    return [CONCEPT_NAMES[c] for c in common[:1]]


def key_terms(documents: Sequence[Sequence[str]], vocab: Vocabulary, limit: int = 3) -> list[str]:
    """The words that best describe a group of documents (token lists): in most of the group's
    documents and rare in the log. Concept tokens (`~oom`) are left out; words as written."""
    spread: Counter[str] = Counter()
    for document in documents:
        spread.update({t for t in document if not t.startswith("~") and not _noise(t)})
    ranked = sorted(spread, key=lambda t: (-spread[t] * vocab.weight(t), t))
    shown: list[str] = []
    for token in ranked:
        word = vocab.shown(token)
        if word not in shown:
            shown.append(word)
        if len(shown) == limit:
            break
    return shown
