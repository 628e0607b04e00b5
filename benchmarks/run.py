"""Start-up and end-to-end timings of the everyday commands, on the bundled example log.

Run: `make bench` (or `.venv/bin/python benchmarks/run.py [--runs N]`). Prints medians;
nothing here is asserted: record the numbers in the README's performance section.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RREVIEW = Path(sys.executable).parent / "rreview"
TARGET_STARTUP_S = 0.3


def timed(args: list[str], env: dict[str, str]) -> float:
    """Wall time of one run of the installed `rreview` command."""
    start = time.perf_counter()
    subprocess.run([str(RREVIEW), *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def median_of(runs: int, args: list[str], env: dict[str, str]) -> float:
    """Median wall time over `runs` runs."""
    return statistics.median(timed(args, env) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "log"
        shutil.copytree(ROOT / "examples" / "research-log", log)
        env = {**os.environ, "RREVIEW_HOME": str(Path(tmp) / "home"), "RREVIEW_LOG": str(log)}
        rows = [
            ("rreview --help", median_of(runs, ["--help"], env), TARGET_STARTUP_S),
            (
                "rreview add",
                median_of(runs, ["add", "benchmark line", "--today", "2026-11-23"], env),
                TARGET_STARTUP_S,
            ),
            ("rreview index (cold, 20 days)", timed(["index"], env), None),
            (
                "rreview week (index up to date)",
                median_of(3, ["week", "--week", "2026-W47"], env),
                None,
            ),
        ]
        (log / "2026-11-20.md").open("a").write("- one more line for the benchmark\n")
        rows.append(
            ("rreview week (one day changed)", timed(["week", "--week", "2026-W47"], env), None)
        )
    print(f"{'command':<36} {'seconds':>8}  target")
    for name, seconds, target in rows:
        verdict = (
            "" if target is None else f"< {target} s: {'ok' if seconds < target else 'MISSED'}"
        )
        print(f"{name:<36} {seconds:>8.3f}  {verdict}")


if __name__ == "__main__":
    main()
