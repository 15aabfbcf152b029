"""storyweave's benchmarks, ours and the peers' side by side in one run.

    python -m benchmarks.run                      # everything (about an hour at 1M articles)
    python -m benchmarks.run --sizes 10000,100000 # a quicker pass

Quality: B-cubed F1 of every system on the annotated development data, both with the peers'
parameter tuned on that very file (their best case) and cross-validated by topic (tuned on the
other topics; the honest figure). Speed and memory: throughput and peak resident memory on
synthetic streams (benchmarks/synthetic.py), each system in its own process, with a time budget:
streams of each size at one rate of articles a day (does time grow linearly with the stream?),
and storyweave alone on streams of one size at several rates (what do more stories at once cost?).
Results go to benchmarks/results/latest.json, the record, kept in git, and docs/benchmarks.md,
rendered from it (`python -m benchmarks.report` renders it again, e.g. after adding "notes").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from benchmarks.peers import PEERS, Record
from benchmarks.report import RECORD, write_report
from benchmarks.synthetic import PER_DAY
from benchmarks.synthetic import write as write_synthetic
from storyweave.cluster import ClusterParams
from storyweave.cluster.training import cross_validate
from storyweave.eval.harness import evaluate, labelled_articles
from storyweave.eval.metrics import bcubed

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DEV = ROOT.parent / "shared" / "data" / "ecbplus-dev.jsonl"
GRIDS = {
    "agglomerative": [round(x, 2) for x in np.arange(0.50, 0.96, 0.05)],
    "textclust": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
}
BATCH_ONLY_LIMIT = 20_000  # the agglomerative peer needs an n-by-n distance matrix


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        "commit": _commit(),
    }


def _commit() -> str:
    """The code measured: the checkout's commit, with "-dirty" when tracked files differ from it."""
    try:
        described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    except OSError:  # no git
        return "unknown"
    return described.stdout.strip() if described.returncode == 0 else "unknown"


def _tuned(
    peer: Callable[..., list[int]], records: Sequence[Record], labels: Sequence[str], grid: Sequence[float]
) -> tuple[float, float]:
    scores = {value: bcubed(labels, peer(records, value)).f1 for value in grid}
    best = max(scores, key=scores.__getitem__)
    return best, scores[best]


def peer_quality(name: str, records: list[Record]) -> dict[str, Any]:
    """The peer's B-cubed F1 tuned in-sample, and cross-validated by topic."""
    peer, grid = PEERS[name], GRIDS[name]
    labels = [r["event"] for r in records]
    best, in_sample = _tuned(peer, records, labels, grid)
    folds = []
    for train, test in GroupKFold(5).split(records, labels, [r["topic"] for r in records]):
        value, _ = _tuned(peer, [records[i] for i in train], [labels[i] for i in train], grid)
        folds.append(bcubed([labels[i] for i in test], peer([records[i] for i in test], value)).f1)
    return {
        "bcubed_f1_tuned_in_sample": round(in_sample, 4),
        "parameter": best,
        "bcubed_f1_cv": round(float(np.mean(folds)), 4),
    }


def our_quality(mode: str) -> dict[str, Any]:
    """The shipped parameters' scores on the whole file, and the fitting procedure's topic-wise
    cross-validated F1, run afresh (the figure the shipped file records goes stale as code changes)."""
    params = ClusterParams.load(mode)
    scores = evaluate(DEV, params=params)
    articles, labels = labelled_articles(DEV, "event")
    folds = cross_validate(articles, labels, [str(a.meta["topic"]) for a in articles], base=params)
    return {
        "bcubed_f1_fitted_on_file": round(scores["bcubed"]["f1"], 4),
        "bcubed_f1_cv": round(float(np.mean(folds)), 4),
        "cv_folds": [round(f, 4) for f in folds],
        "bcubed": scores["bcubed"],
        "pairwise": scores["pairwise"],
        "ari": round(scores["ari"], 4),
        "nmi": round(scores["nmi"], 4),
        "n_pred": scores["n_pred"],
        "n_gold": scores["n_gold"],
    }


def measure(system: str, path: Path, budget_s: float | None, option: tuple[str, str] | None = None) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.measure", system, str(path), *(option or ())]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=budget_s, check=True)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {budget_s:.0f} s"}
    except subprocess.CalledProcessError as exc:
        return {"error": (exc.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ours(path: Path, per_day: float) -> dict[str, Any]:
    """storyweave on a stream of `per_day` articles a day, always run to the end."""
    return measure("storyweave", path, None, ("--per-day", f"{per_day:g}"))


def _stream(size: int, per_day: float) -> Path:
    return write_synthetic(RESULTS / f"synthetic-{size}-{per_day:g}-a-day.jsonl", size, per_day=per_day)


def speed(sizes: Sequence[int], per_day: float, budget_s: float, quality: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    gave_up: dict[str, int] = {}  # a peer that ran out of time at a size is not tried on larger ones
    for size in sizes:
        path = _stream(size, per_day)
        row = {"storyweave": _ours(path, per_day)}
        for name in PEERS:
            if name == "agglomerative" and size > BATCH_ONLY_LIMIT:
                row[name] = {"error": f"needs an n x n distance matrix ({size**2 * 4 / 1e9:.0f} GB)"}
            elif name in gave_up:
                row[name] = {"error": f"not tried: did not finish {gave_up[name]:,} within {budget_s:.0f} s"}
            else:
                row[name] = measure(name, path, budget_s, ("--param", str(quality[name]["parameter"])))
                if "did not finish" in row[name].get("error", ""):
                    gave_up[name] = size
        results[str(size)] = row
        print(f"{size}: {json.dumps(row)}", flush=True)
    return results


def density(size: int, rates: Sequence[float]) -> dict[str, Any]:
    """storyweave on `size` articles published at each of `rates` a day."""
    results = {f"{per_day:g}": _ours(_stream(size, per_day), per_day) for per_day in rates}
    print(f"{size} at {', '.join(results)} a day: {json.dumps(results)}", flush=True)
    return {"articles": size, "by_per_day": results}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="stream sizes, comma-separated")
    parser.add_argument("--per-day", type=float, default=PER_DAY, help="articles a day in the streams of --sizes")
    parser.add_argument("--budget", type=float, default=3600, help="seconds allowed per peer and size")
    parser.add_argument("--densities", default="500,2000,10000", help="articles a day to compare ('' for none)")
    parser.add_argument("--density-size", type=int, default=200_000, help="stream size for --densities")
    parser.add_argument("--no-accurate", action="store_true", help="skip the accurate mode's quality run")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    records = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    quality = {"storyweave": our_quality("default")}
    if not args.no_accurate:
        quality["storyweave-accurate"] = our_quality("accurate")
    for name in PEERS:
        quality[name] = peer_quality(name, records)
        print(f"{name}: {quality[name]}", flush=True)
    results = {
        "machine": machine(),
        "command": "python -m benchmarks.run " + " ".join(argv or sys.argv[1:]),
        "quality": quality,
        "per_day": args.per_day,
        "window_days": ClusterParams.load("default").window_days,
        "speed": speed([int(s) for s in args.sizes.split(",")], args.per_day, args.budget, quality),
    }
    if args.densities:
        results["density"] = density(args.density_size, [float(r) for r in args.densities.split(",")])
    RECORD.write_text(json.dumps(results, indent=2) + "\n")
    write_report(results)


if __name__ == "__main__":
    main()
