"""How fast rreview is at 1, 3 and 10 years of log, against the model itself.

For each size a deterministic synthetic log is written (`benchmarks/synthlog.py`, 19 items a
day) and these are measured, each in a process of its own so its peak memory is its own:

- full index (`load_log` + `sync_index`, model already loaded) and items/s; in the same
  process, just before, bare `SentenceTransformer.encode` of the same texts with the same
  batch size; the ratio of the two (our pipeline's overhead); and bare encode + a bare
  Chroma add of those vectors (in a process of its own);
- `rreview index` after editing one day (the installed command, model load included; the
  median of --runs edits, and the first run after the full index on its own), and a
  `rreview ask` right after such an edit;
- `rreview week`, `rreview --help`, `rreview add` (median of --runs);
- `rreview ask` over 20 questions: cold (a new process per question) and warm (one process,
  the command run again and again; and retrieval alone, what a long-running process pays);
- the size of the index on disk.

Nothing is asserted: the targets are printed beside the numbers. Run as a new user would:
`.venv/bin/python benchmarks/run.py --years 1` (a few minutes), `--years 1 3 10` for the
table in the README (10 years embeds ~70,000 items: ~10 minutes on a 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.synthlog import END, write_log  # noqa: E402

RREVIEW = Path(sys.executable).parent / "rreview"
TODAY = "2026-11-23"  # the Monday after the generated logs end
LAST_WEEK = "2026-W47"
QUESTIONS = (
    "when did the dataloader hang?",
    "what bugs recur?",
    "which runs crashed with CUDA out of memory?",
    "how far off are my estimates?",
    "what did I do last week?",
    "what did Yitao suggest?",
    "when did the checkpoint go missing?",
    "what did I try with the KL controller?",
    "which predictions were most off?",
    "what do I keep postponing?",
    "ideas about the belief signal",
    "slurm requeue restarted from step 0",
    "what happened with the h5py read error in October?",
    "tokenizer mismatch padding side",
    "what did I benchmark on 7B?",
    "eval numbers off by a few points",
    "what did Mira say about label smoothing?",
    "NaN in loss fp16 overflow",
    "what did I read about the DPO baseline since 2026-09-01?",
    "which ideas came from a talk?",
)
TARGETS = {
    "ratio": (">=", 0.9),
    "incremental_s": ("<", 2.0),
    "startup_s": ("<", 0.3),
    "memory_mib": ("<", 2048),
    "disk_mib": ("<", 1024),
    "ask_cold_p50_s": ("<", 1.5),
    "ask_warm_p50_s": ("<", 0.15),
}


@dataclass
class Run:
    """One process: wall time, peak resident memory, output."""

    seconds: float
    peak_mib: float
    stdout: str
    code: int
    timed_out: bool = False


TIMEOUT_S = [900.0]  # per process (not the index runs); --timeout sets it
ASK_BUDGET_S = [600.0]  # cold and warm ask each stop asking after this; --ask-budget sets it


def run_process(
    args: list[str], env: dict[str, str], check: bool = True, timeout: float | None = None
) -> Run:
    """Run `args`; wall time and the peak RSS of that process alone (wait4). A process still
    running after the timeout is stopped and reported as such, not waited for."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > (timeout or TIMEOUT_S[0]):
                process.kill()
                timed_out = True
                _, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if check and process.returncode != 0 and not timed_out:
        raise RuntimeError(f"{' '.join(args[:3])} failed ({process.returncode}):\n{stderr[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, stdout, process.returncode, timed_out)


def child(
    mode: str, env: dict[str, str], *args: str, timeout: float | None = None
) -> tuple[dict[str, Any], Run]:
    """Run one of the `_child_*` functions below in a fresh interpreter; its JSON result."""
    run = run_process([sys.executable, __file__, "--child", mode, *args], env, timeout=timeout)
    if run.timed_out:
        return {"timed_out": True}, run
    return json.loads(run.stdout.strip().splitlines()[-1]), run


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def folder_mib(path: Path) -> float:
    """Disk use of a folder (allocated blocks)."""
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file()) / 2**20


# --- measured inside child processes ------------------------------------------------------


def _child_index(log: str) -> dict[str, Any]:
    """Model load (and the one-time ONNX export); bare `SentenceTransformer.encode` of every
    item text of `log` (same model, same batch size); then the full index of `log`. Both
    timings come from one process, back to back, so they share the machine's conditions;
    the bare vectors are kept for `_child_bare`'s Chroma add."""
    import numpy as np

    from rreview.paths import index_dir
    from rreview.store.embed import BATCH_SIZE, Embedder, sentence_model
    from rreview.store.sync import load_log, sync_index

    start = time.perf_counter()
    model = sentence_model()
    model.encode(["warm up"])
    loaded = time.perf_counter()
    texts = [f.item.text for f in load_log(Path(log), cache=False).facts]
    before_bare, cpu_before_bare = time.perf_counter(), time.process_time()
    vectors = model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True)
    bare_s = time.perf_counter() - before_bare
    bare_cpu_s = time.process_time() - cpu_before_bare
    np.save(f"{log}.bare.npy", vectors)
    Path(f"{log}.bare.json").write_text(json.dumps({"encode_s": bare_s}))
    began, cpu_began = time.perf_counter(), time.process_time()
    snapshot = load_log(Path(log))
    embedder = Embedder()
    stats = sync_index(snapshot, index_dir(Path(log)), embedder)
    done, cpu_done = time.perf_counter(), time.process_time()
    # what `rreview index` does next: the questions' corpus (word index, vector copy), timed
    # apart: it is not embedding, so it stays out of the ratio to bare encode
    from rreview.retrieve.corpus import open_corpus

    open_corpus(snapshot, index_dir(Path(log)), index_dir(Path(log))).close()
    corpus_s = time.perf_counter() - done
    return {
        "corpus_s": corpus_s,
        "model_load_s": loaded - start,
        "bare_encode_s": bare_s,
        "bare_encode_cpu_s": bare_cpu_s,
        "index_s": done - began,
        "index_cpu_s": cpu_done - cpu_began,
        "items": stats.items_embedded,
        "distinct_texts": embedder.model_runs,
        "entries": stats.entries,
        "runtime": "+".join(name for name, n in embedder.texts_by_backend.items() if n),
    }


def _child_bare(log: str, chroma_dir: str) -> dict[str, Any]:
    """Bare sentence-transformers on the same texts (same batch size), then a bare Chroma add."""
    import chromadb
    import numpy as np
    from chromadb.config import Settings

    from rreview.store.embed import BATCH_SIZE, _load_model
    from rreview.store.sync import load_log

    texts = [f.item.text for f in load_log(Path(log), cache=False).facts]
    saved = Path(f"{log}.bare.npy")
    if saved.exists():  # encoded by the index process, in the same conditions as the index
        vectors = np.load(saved)
        encode_s = json.loads(Path(f"{log}.bare.json").read_text())["encode_s"]
    else:
        model = _load_model()
        model.encode(["warm up"])
        start = time.perf_counter()
        vectors = model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True)
        encode_s = time.perf_counter() - start
    encoded = time.perf_counter()
    client = chromadb.PersistentClient(chroma_dir, settings=Settings(anonymized_telemetry=False))
    collection = client.get_or_create_collection(
        "bare", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    step = client.get_max_batch_size()
    for at in range(0, len(texts), step):
        collection.add(
            ids=[str(n) for n in range(at, min(at + step, len(texts)))],
            embeddings=vectors[at : at + step],
            documents=texts[at : at + step],
        )
    added = time.perf_counter()
    return {"items": len(texts), "encode_s": encode_s, "chroma_add_s": added - encoded}


def _child_warm_ask(log: str, rounds: str, budget: str) -> dict[str, Any]:
    """`ask` run again and again in one process; then retrieval alone on a loaded log."""
    from typer.testing import CliRunner

    from rreview.cli.main import app

    runner = CliRunner()

    def ask(question: str) -> float:
        start = time.perf_counter()
        result = runner.invoke(app, ["ask", question, "--log", log, "--offline", "--today", TODAY])
        if result.exit_code != 0:
            raise RuntimeError(result.output)
        return time.perf_counter() - start

    ask(QUESTIONS[0])  # warm-up: imports, model, caches
    started = time.perf_counter()
    command = []
    for question in QUESTIONS[: int(rounds)]:
        command.append(ask(question))
        if time.perf_counter() - started > float(budget):
            break
    retrieval = _retrieval_only(Path(log), int(rounds))
    return {"command_s": command, "retrieval_s": retrieval}


def _retrieval_only(log: Path, rounds: int) -> list[float]:
    """Dense + lexical retrieval per question with the log and the retriever already loaded:
    what a long-running process (`rreview serve`) would pay per question."""
    from rreview.paths import index_dir
    from rreview.retrieve.corpus import open_corpus
    from rreview.retrieve.hybrid import HybridRetriever
    from rreview.store.sync import load_log

    index = index_dir(log)
    retriever = HybridRetriever(open_corpus(load_log(log), index, index))
    retriever.search(QUESTIONS[0], 8)
    out = []
    for question in QUESTIONS[:rounds]:
        start = time.perf_counter()
        retriever.search(question, 8)
        out.append(time.perf_counter() - start)
    return out


# --- one size ---------------------------------------------------------------------------


def measure(years: float, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement for one size of log."""
    days = round(years * 365.25)
    log = work / f"log-{years:g}y"
    size = write_log(log, days=days, items_per_day=args.items_per_day, seed=args.seed)
    home = work / f"home-{years:g}y"
    env = {
        **os.environ,
        "RREVIEW_HOME": str(home),
        "RREVIEW_LOG": str(log),
        "RREVIEW_CONFIG": str(work / "no-config.toml"),
        "RREVIEW_OFFLINE": "1",
    }
    env.pop("RREVIEW_STORE", None)
    env.pop("RREVIEW_MODELS", None)
    result: dict[str, Any] = {
        "years": years,
        "days": size.days,
        "items": size.items,
        "load_before": os.getloadavg()[0],
    }
    say(f"{years:g} years: {size.days} days, {size.items} items in {log}")

    index, index_run = child("index", env, str(log), timeout=float("inf"))
    result["index"] = {**index, "peak_mib": index_run.peak_mib}
    say(f"  full index {index['index_s']:.1f} s ({size.items / index['index_s']:.0f} items/s)")
    say(f"  questions' corpus built after it in {index['corpus_s']:.1f} s")
    if not args.skip_bare:
        bare, bare_run = child(
            "bare", env, str(log), str(work / f"bare-chroma-{years:g}y"), timeout=float("inf")
        )
        result["bare"] = {**bare, "peak_mib": bare_run.peak_mib}
        say(f"  bare encode {bare['encode_s']:.1f} s, chroma add {bare['chroma_add_s']:.1f} s")
    result["disk_mib"] = folder_mib(home / "index")

    result["incremental"] = measure_incremental(log, env, days, args.runs)
    inc = result["incremental"]
    say(
        f"  one day edited: index {inc['seconds']:.2f} s median of {inc['runs']} "
        f"(first after the full index {inc['first_s']:.2f} s; {inc['items_embedded']} items)"
    )

    result["week"] = median_run(
        args.runs, [str(RREVIEW), "week", "--week", LAST_WEEK, "--offline"], env
    )
    say(f"  week {result['week']['seconds']:.2f} s")
    result["help"] = median_run(args.runs, [str(RREVIEW), "--help"], env)
    if ask_exists():
        result["ask"] = measure_ask(env, str(log), args.questions)
    # last: `add` writes today's page, a new day the next index would embed
    result["add"] = median_run(
        args.runs, [str(RREVIEW), "add", "benchmark line", "--today", TODAY], env
    )
    say(f"  add {result['add']['seconds']:.3f} s")
    result["load_after"] = os.getloadavg()[0]
    return result


def measure_incremental(log: Path, env: dict[str, str], days: int, runs: int) -> dict[str, Any]:
    """`rreview index` after editing one day, `runs` times (a line added to a different day
    each time; the first run right after the full index is reported on its own), then one
    `rreview ask` right after such an edit (it brings the index up to date itself)."""
    measured = []
    for number in range(max(runs, 1)):
        day = (END.replace(month=6, day=1) if days > 200 else END) - timedelta(days=number)
        page = log / f"{day.isoformat()}.md"
        page.write_text(page.read_text() + f"- reran the sweep after the node fix {number}\n")
        measured.append(run_process([str(RREVIEW), "index", "--json"], env))
    stats = json.loads(measured[-1].stdout)
    page.write_text(page.read_text() + "- reran the sweep once more #training\n")
    ask = run_process([str(RREVIEW), "ask", QUESTIONS[0], "--offline"], env, check=False)
    return {
        "seconds": statistics.median(r.seconds for r in measured[1:] or measured),
        "first_s": measured[0].seconds,
        "runs": len(measured),
        "all_s": [round(r.seconds, 3) for r in measured],
        "peak_mib": max(r.peak_mib for r in measured),
        "changed": stats["changed"],
        "items_embedded": stats["items_embedded"],
        "waiting": stats.get("waiting", 0),
        "ask_after_edit_s": ask.seconds,
        "ask_after_edit_mib": ask.peak_mib,
    }


def median_run(runs: int, args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Median wall time and the largest peak memory over `runs` runs."""
    measured = []
    for _ in range(runs):
        measured.append(run_process(args, env, check=False))
        if measured[-1].timed_out or measured[-1].code != 0:
            break
    return {
        "seconds": statistics.median(r.seconds for r in measured),
        "peak_mib": max(r.peak_mib for r in measured),
        "runs": len(measured),
        "timed_out": any(r.timed_out for r in measured),
        "exit_codes": sorted({r.code for r in measured}),
    }


def ask_exists() -> bool:
    """Whether this checkout has `rreview ask`."""
    return run_process([str(RREVIEW), "ask", "--help"], dict(os.environ), check=False).code == 0


def measure_ask(env: dict[str, str], log: str, questions: int) -> dict[str, Any]:
    """Cold: a new `rreview ask` process per question. Warm: one process, asked repeatedly."""
    cold: list[Run] = []
    started = time.perf_counter()
    for question in QUESTIONS[:questions]:
        args = [str(RREVIEW), "ask", question, "--offline", "--today", TODAY]
        cold.append(run_process(args, env, check=False))
        if cold[-1].timed_out or time.perf_counter() - started > ASK_BUDGET_S[0]:
            break
    try:
        warm, warm_run = child("warm-ask", env, log, str(questions), str(ASK_BUDGET_S[0]))
    except RuntimeError as exc:  # the warm process failed: say so, keep the cold numbers
        say(f"  warm ask failed: {str(exc)[-300:]}")
        warm, warm_run = {"timed_out": True}, Run(float("nan"), float("nan"), "", 1)
    if warm.get("timed_out"):
        warm = {"command_s": [warm_run.seconds], "retrieval_s": [float("nan")]}
    seconds = [r.seconds for r in cold]
    say(
        f"  ask cold p50 {percentile(seconds, 0.5):.2f} s, warm p50 "
        f"{percentile(warm['command_s'], 0.5):.3f} s"
    )
    return {
        "cold_questions": len(cold),
        "cold_exit_codes": sorted({r.code for r in cold}),
        "warm_questions": len(warm["command_s"]),
        "cold_p50_s": percentile(seconds, 0.5),
        "cold_p95_s": percentile(seconds, 0.95),
        "cold_peak_mib": max(r.peak_mib for r in cold),
        "warm_p50_s": percentile(warm["command_s"], 0.5),
        "warm_p95_s": percentile(warm["command_s"], 0.95),
        "warm_peak_mib": warm_run.peak_mib,
        "retrieval_p50_s": percentile(warm["retrieval_s"], 0.5),
        "retrieval_p95_s": percentile(warm["retrieval_s"], 0.95),
    }


# --- report ------------------------------------------------------------------------------


def verdict(key: str, value: float) -> str:
    """'ok' or 'MISSED' against the target named `key`."""
    op, limit = TARGETS[key]
    ok = value >= limit if op == ">=" else value < limit
    return f"{op} {limit:g}: {'ok' if ok else 'MISSED'}"


def _runtime_name(index: dict[str, Any]) -> str:
    """Which runtime ran our pipeline's model (the bare baseline is always torch)."""
    names = {"onnx": "ONNX Runtime", "torch": "sentence-transformers"}
    runtime = index.get("runtime", "torch")
    return " + ".join(names.get(part, part) for part in runtime.split("+"))


def rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The printed table of one size: what, value, target."""
    index, items = result["index"], result["items"]
    out = [
        ("items (distinct texts)", f"{items} ({index['distinct_texts']})", ""),
        ("model load (+ ONNX export, first time)", f"{index['model_load_s']:.1f} s", ""),
        (
            f"full index (model loaded; embedded by {_runtime_name(index)})",
            f"{index['index_s']:.1f} s = {items / index['index_s']:.0f} items/s",
            "",
        ),
        ("  peak memory", f"{index['peak_mib']:.0f} MiB", verdict("memory_mib", index["peak_mib"])),
    ]
    if "corpus_s" in index:
        out.append(
            ("then the questions' corpus (words, vectors)", f"{index['corpus_s']:.1f} s", "")
        )
    if "bare" in result:
        bare = result["bare"]
        ratio = bare["encode_s"] / index["index_s"]
        with_add = bare["encode_s"] + bare["chroma_add_s"]
        out += [
            (
                "bare SentenceTransformer.encode",
                f"{bare['encode_s']:.1f} s = {items / bare['encode_s']:.0f} items/s",
                "",
            ),
            ("index throughput / bare encode", f"{ratio:.2f}x", verdict("ratio", ratio)),
            *(
                [
                    (
                        "  same, in CPU time (less noisy)",
                        f"{index['bare_encode_cpu_s'] / index['index_cpu_s']:.2f}x",
                        "",
                    )
                ]
                if "index_cpu_s" in index
                else []
            ),
            (
                "bare encode + bare Chroma add",
                f"{with_add:.1f} s (index throughput / this: {with_add / index['index_s']:.2f}x)",
                "",
            ),
        ]
    inc = result["incremental"]
    out += [
        (
            "index size on disk",
            f"{result['disk_mib']:.0f} MiB",
            verdict("disk_mib", result["disk_mib"]),
        ),
        (
            "rreview index, one day edited",
            f"{inc['seconds']:.2f} s ({inc['items_embedded']} items)",
            verdict("incremental_s", inc["seconds"]),
        ),
        *(
            [
                ("  first run after the full index", f"{inc['first_s']:.2f} s", ""),
                (
                    "  rreview ask right after an edit",
                    f"{inc['ask_after_edit_s']:.2f} s, {inc['ask_after_edit_mib']:.0f} MiB",
                    "",
                ),
            ]
            if "first_s" in inc
            else []
        ),
        ("  peak memory", f"{inc['peak_mib']:.0f} MiB", verdict("memory_mib", inc["peak_mib"])),
        ("rreview week", seconds(result["week"]), ""),
        (
            "  peak memory",
            f"{result['week']['peak_mib']:.0f} MiB",
            verdict("memory_mib", result["week"]["peak_mib"]),
        ),
        (
            "rreview --help",
            f"{result['help']['seconds']:.3f} s",
            verdict("startup_s", result["help"]["seconds"]),
        ),
        (
            "rreview add",
            f"{result['add']['seconds']:.3f} s",
            verdict("startup_s", result["add"]["seconds"]),
        ),
        ("  peak memory", f"{result['add']['peak_mib']:.0f} MiB", ""),
    ]
    if "ask" in result:
        ask = result["ask"]
        out += [
            (
                f"rreview ask, cold p50 / p95 ({ask['cold_questions']} q)",
                f"{ask['cold_p50_s']:.2f} / {ask['cold_p95_s']:.2f} s",
                verdict("ask_cold_p50_s", ask["cold_p50_s"]),
            ),
            (
                "  peak memory",
                f"{ask['cold_peak_mib']:.0f} MiB",
                verdict("memory_mib", ask["cold_peak_mib"]),
            ),
            (
                f"ask warm, same process p50 / p95 ({ask['warm_questions']} q)",
                f"{ask['warm_p50_s']:.3f} / {ask['warm_p95_s']:.3f} s",
                verdict("ask_warm_p50_s", ask["warm_p50_s"]),
            ),
            (
                "  retrieval alone, log loaded p50 / p95",
                f"{ask['retrieval_p50_s'] * 1000:.0f} / {ask['retrieval_p95_s'] * 1000:.0f} ms",
                "",
            ),
            (
                "  peak memory",
                f"{ask['warm_peak_mib']:.0f} MiB",
                verdict("memory_mib", ask["warm_peak_mib"]),
            ),
        ]
    return out


def seconds(run: dict[str, Any]) -> str:
    """A median run's seconds, marked when a run was stopped at the timeout or failed."""
    text = f"{run['seconds']:.2f} s"
    if run.get("timed_out"):
        return f"> {text} (stopped at --timeout)"
    failed = [code for code in run.get("exit_codes", [0]) if code != 0]
    return f"{text} (FAILED: exit {failed[0]})" if failed else text


def markdown(saved: Path) -> str:
    """The README's table from a `--json` file: one column per size, targets last."""
    data = json.loads(saved.read_text())
    results = sorted(data["results"], key=lambda r: r["years"])
    tables = [rows(result) for result in results]
    head = " | ".join(f"{r['years']:g} years ({r['items']:,} items)" for r in results)
    lines = [f"| | {head} | target |", "|---" * (len(results) + 2) + "|"]
    for position, (name, _, target) in enumerate(tables[0]):
        cells = [t[position][1] if position < len(t) else "" for t in tables]
        label = f"... {name.strip()}" if name.startswith("  ") else name
        lines.append(f"| {label} | {' | '.join(cells)} | {target.split(':')[0]} |")
    return "\n".join(lines)


def say(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def machine() -> str:
    """The machine the numbers were taken on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    except OSError:
        memory = 0.0
    system = f"{platform.system()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {system}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=float, nargs="+", default=[1.0, 3.0, 10.0])
    parser.add_argument("--items-per-day", type=int, default=19)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5, help="runs of week/--help/add (median)")
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    parser.add_argument("--skip-bare", action="store_true", help="skip the bare encode run")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per command")
    parser.add_argument(
        "--ask-budget", type=float, default=600.0, help="seconds for the cold (and warm) asks"
    )
    parser.add_argument("--markdown", type=Path, help="print the table of a --json file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.markdown:
        print(markdown(args.markdown))
        return
    if args.child:
        mode, *rest = args.child
        function = {"index": _child_index, "bare": _child_bare, "warm-ask": _child_warm_ask}
        print(json.dumps(function[mode](*rest)))
        return
    TIMEOUT_S[0], ASK_BUDGET_S[0] = args.timeout, args.ask_budget
    results = []
    work = Path(tempfile.mkdtemp(prefix="rreview-bench-"))
    for years in args.years:
        results.append(measure(years, work, args))
        if args.json:  # after each size: a later failure keeps what was measured
            args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {machine()}")
    for result in results:
        print(
            f"\n{result['years']:g} years of log ({result['days']} days, {result['items']} items;"
            f" load average {result['load_before']:.1f} before, {result['load_after']:.1f} after)"
        )
        for name, value, target in rows(result):
            print(f"  {name:<42} {value:<34} {target}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
