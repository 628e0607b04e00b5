"""The word index of the retrieval corpus: BM25 (the Lucene variant bm25s computes) kept as
three arrays on disk, so a question scores it with numpy alone.

bm25s builds the matrix (it costs ~0.5 s to import, with scipy): only when the index changed.
Its matrix holds, per token, the documents containing it and their precomputed score; a
query's score is the sum of its tokens' columns, which is what `bm25s.BM25.get_scores` does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

ARRAYS = ("data", "indices", "indptr")
VOCAB = "bm25-vocab.json"


class LexicalIndex:
    """BM25 over the tokens of each document: token -> (documents, scores) in CSC arrays."""

    def __init__(self, arrays: dict[str, Any], vocab: dict[str, int], size: int) -> None:
        self.data = arrays["data"]
        self.indices = arrays["indices"]
        self.indptr = arrays["indptr"]
        self.vocab = vocab
        self.size = size

    @classmethod
    def build(cls, corpus: Sequence[Sequence[str]]) -> LexicalIndex:
        """Index `corpus` (one token list per document, none empty)."""
        import bm25s  # ~0.5 s (scipy): paid only when the corpus is built

        bm25 = bm25s.BM25()
        bm25.index([list(tokens) for tokens in corpus], show_progress=False)
        arrays = {name: bm25.scores[name] for name in ARRAYS}
        return cls(arrays, dict(bm25.vocab_dict), len(corpus))

    def save(self, folder: Path) -> None:
        """Write the arrays and the vocabulary into `folder`."""
        import numpy as np

        for name in ARRAYS:
            np.save(folder / f"bm25-{name}.npy", getattr(self, name))
        (folder / VOCAB).write_text(json.dumps(self.vocab), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        """The index saved in `folder`, its arrays memory-mapped (nothing read until used)."""
        import numpy as np

        arrays = {name: np.load(folder / f"bm25-{name}.npy", mmap_mode="r") for name in ARRAYS}
        vocab = json.loads((folder / VOCAB).read_text(encoding="utf-8"))
        return cls(arrays, vocab, size)

    def __contains__(self, token: str) -> bool:
        return token in self.vocab

    def doc_freq(self, token: str) -> int:
        """How many documents contain `token` (0 if none)."""
        column = self.vocab.get(token)
        if column is None:
            return 0
        return int(self.indptr[column + 1] - self.indptr[column])

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query `tokens` (a repeated token counts
        again, unknown ones not at all), as float32 like bm25s."""
        import numpy as np

        out = np.zeros(self.size, dtype=np.float32)
        for token in tokens:
            column = self.vocab.get(token)
            if column is None:
                continue
            start, end = int(self.indptr[column]), int(self.indptr[column + 1])
            out[self.indices[start:end]] += self.data[start:end]
        return out
