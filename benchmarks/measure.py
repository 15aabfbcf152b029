"""One measurement in a fresh process: `python -m benchmarks.measure SYSTEM FILE [--param P] [--per-day N]`.

Prints one JSON object: articles, seconds, articles_per_s, peak_rss_mb, n_clusters, and for
storyweave store_mb, later_ingest_1000_s and explain_s. Run in its own process so that peak memory is the system's own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _storyweave(path: Path, params: str | None, per_day: float | None) -> dict[str, Any]:
    """Ingest the stream into a new store; then, outside the timing, 1,000 more articles at the
    stream's rate, `per_day` (see `benchmarks.synthetic.follow_up`) in a new `storyweave ingest`
    process, as a later run would, and `storyweave explain` of the last of them in another."""
    import storyweave
    from benchmarks.synthetic import PER_DAY, follow_up
    from storyweave.cluster import ClusterParams

    with tempfile.TemporaryDirectory() as folder:
        store = storyweave.open_store(Path(folder) / "bench.db")
        started = time.perf_counter()
        report = storyweave.ingest([str(path)], store=store, params=ClusterParams.load(params or "default"))
        n_stories = store.count_stories()
        result = _figures(len(report.added), time.perf_counter() - started, n_stories)
        store.close()
        result["store_mb"] = round(sum(f.stat().st_size for f in Path(folder).glob("bench.db*")) / 1e6)
        more = follow_up(path, Path(folder) / "more.jsonl", per_day=per_day or PER_DAY)
        last_id = json.loads(more.read_text(encoding="utf-8").splitlines()[-1])["id"]
        for figure, command in (("later_ingest_1000_s", ["ingest", str(more)]), ("explain_s", ["explain", last_id])):
            options = ["--db", str(Path(folder) / "bench.db"), "--params", params or "default"]
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "storyweave", *command, *options], check=True, capture_output=True)
            result[figure] = round(time.perf_counter() - started, 1)
    return result


def _peer(name: str, path: Path, param: str | None) -> dict[str, Any]:
    from benchmarks.peers import PEERS

    started = time.perf_counter()
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    labels = PEERS[name](records, float(param)) if param else PEERS[name](records)
    return _figures(len(records), time.perf_counter() - started, len(set(labels)))


def _figures(articles: int, seconds: float, clusters: int) -> dict[str, Any]:
    return {
        "articles": articles,
        "seconds": round(seconds, 2),
        "articles_per_s": round(articles / seconds, 1),
        "peak_rss_mb": round(_peak_rss_kb() / 1024),  # before storyweave's later ingest, in another process
        "n_clusters": clusters,
    }


def _peak_rss_kb() -> int:
    """Peak resident memory of this process plus its largest worker (storyweave's ingest forks
    one; their shared pages count twice, so this errs high).

    This process's own peak is VmHWM, not getrusage's ru_maxrss: Linux carries that across exec,
    so a child would report its parent's peak; VmHWM starts afresh with the new program. The
    workers' is ru_maxrss over the reaped children, which forked without exec."""
    status = Path("/proc/self/status").read_text()
    own = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("system", help="storyweave, or a peer of benchmarks.peers")
    parser.add_argument("file", type=Path, help="a JSONL stream of benchmarks.synthetic")
    parser.add_argument("--param", help="storyweave's parameters (default: default), or the peer's parameter")
    parser.add_argument("--per-day", type=float, help="the stream's articles a day, for storyweave's later ingest")
    args = parser.parse_args(argv)
    if args.system == "storyweave":
        print(json.dumps(_storyweave(args.file, args.param, args.per_day)))
    else:
        print(json.dumps(_peer(args.system, args.file, args.param)))


if __name__ == "__main__":
    main()
