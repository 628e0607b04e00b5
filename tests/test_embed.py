"""The ONNX copy of MiniLM: same vectors as sentence-transformers, no torch for questions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.synthlog import write_log

from rreview.store import onnx_embed
from rreview.store.embed import Embedder
from rreview.store.sync import load_log

ROOT = Path(__file__).resolve().parents[1]


def sample_texts(tmp_path: Path) -> list[str]:
    """A few hundred distinct item texts: a synthetic log plus the example log."""
    write_log(tmp_path / "synthetic", days=16, items_per_day=19, seed=7)
    texts = [f.item.text for f in load_log(tmp_path / "synthetic").facts]
    texts += [f.item.text for f in load_log(ROOT / "examples" / "research-log").facts]
    texts += ["", "x", "word " * 400]  # empty, tiny, and longer than the 256-token cut
    texts += LONG_TEXTS
    return list(dict.fromkeys(texts))


# Longer than the model's 256 tokens, each differently: both runtimes must cut them alike.
LONG_TEXTS = [
    "Traceback (most recent call last):\n"
    + '  File "train.py", line 212, in step\n    loss.backward()\n' * 40
    + "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
    "组会讨论了奖励模型中的噪声标签问题，以及如何用对数概率作为信念信号。" * 20,
    " ".join(f"run-{n:04d} lr={n / 1e4:.4f} acc={0.5 + n / 1e3:.3f}" for n in range(120)),
    "Predicted val acc 72%, got 68% #prediction. " * 60,
    ("Notes from the reading group on DPO vs. PPO (source: talk): " + "the KL term " * 150),
    "```python\n" + "for batch in loader:\n    out = model(**batch)\n" * 50 + "```",
    "Übermäßig lange Notiz über Lernraten-Aufwärmphasen und Überläufe in fp16. " * 30,
]


def test_onnx_vectors_match_sentence_transformers(tmp_path: Path) -> None:
    texts = sample_texts(tmp_path)
    assert len(texts) > 300
    reference = Embedder(backend="torch")
    exported = Embedder(backend="onnx")

    expected = reference.encode_array(texts)
    got = exported.encode_array(texts)

    assert exported.texts_by_backend == {"torch": 0, "onnx": len(texts)}
    assert got.shape == expected.shape == (len(texts), 384)
    cosines = (expected * got).sum(axis=1)  # both are unit vectors
    assert float(cosines.min()) >= 0.999, texts[int(cosines.argmin())]
    assert abs(float((got * got).sum(axis=1).min()) - 1.0) < 1e-4


def test_the_export_is_checked_and_records_its_source() -> None:
    Embedder(backend="torch").encode(["load the model, which makes the copy"])

    model = onnx_embed.exported_model()

    assert model is not None and model.stat().st_size > 80_000_000
    meta = json.loads((model.parent / "export.json").read_text())
    assert meta["min_cosine"] >= onnx_embed.MIN_COSINE
    assert meta["source"]["weights"].endswith("model.safetensors")


def test_a_stale_export_is_not_used() -> None:
    Embedder(backend="torch").encode(["make sure the copy exists"])
    stamp = onnx_embed.export_dir() / "export.json"
    original = stamp.read_text()
    try:
        meta = json.loads(original)
        meta["source"]["size"] += 1  # as if the model package had been upgraded
        stamp.write_text(json.dumps(meta))
        assert onnx_embed.exported_model() is None
        assert onnx_embed.onnx_encoder() is None
    finally:
        stamp.write_text(original)
    assert onnx_embed.exported_model() is not None


def test_small_and_bulk_batches_both_go_to_onnx() -> None:
    """The bulk of a full index runs on the ONNX copy too (about half torch's CPU time)."""
    Embedder(backend="torch").encode(["make sure the copy exists"])
    embedder = Embedder()

    embedder.encode(["one", "two", "three"])
    vectors = embedder.encode_array([f"bulk text number {n} about run-{n}" for n in range(600)])

    assert embedder.texts_by_backend == {"onnx": 603, "torch": 0}
    assert vectors.shape == (600, 384)


@pytest.mark.slow
def test_embed_query_in_a_fresh_process_imports_no_torch(tmp_path: Path) -> None:
    (reference,) = Embedder(backend="torch").encode(["which runs crashed on a100-07?"])
    code = (
        "import json, sys\n"
        "from rreview.store.embed import embed_query\n"
        "vector = embed_query('which runs crashed on a100-07?')\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') "
        "if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'vector': vector}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )

    result = json.loads(done.stdout)
    assert result["heavy"] == []
    assert sum(a * b for a, b in zip(result["vector"], reference, strict=True)) >= 0.999


def test_without_an_export_embed_query_falls_back_to_sentence_transformers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(onnx_embed, "onnx_encoder", lambda: None)
    embedder = Embedder()

    (vector,) = embedder.encode(["what bugs recur?"])

    assert embedder.texts_by_backend == {"torch": 1, "onnx": 0}
    assert len(vector) == 384


@pytest.mark.slow
def test_the_cli_starts_without_the_embedding_runtimes() -> None:
    code = (
        "import sys, rreview.cli.main, rreview.store.embed, rreview.store.sync\n"
        "names = ('onnxruntime', 'tokenizers', 'numpy', 'torch', 'chromadb')\n"
        "print(','.join(m for m in names if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
