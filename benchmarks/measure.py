"""One measurement in a fresh process: `python -m benchmarks.measure SYSTEM FILE [PARAM]`.

Prints one JSON object: articles, seconds, articles_per_s, peak_rss_mb, n_clusters. Run in its
own process so that peak memory is the system's own.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def _storyweave(path: Path, params: str | None) -> tuple[int, int]:
    import storyweave
    from storyweave.cluster import ClusterParams

    with tempfile.TemporaryDirectory() as folder:
        store = storyweave.open_store(Path(folder) / "bench.db")
        report = storyweave.ingest([str(path)], store=store, params=ClusterParams.load(params or "default"))
        n_stories = len(store.stories())
        store.close()
    return len(report.added), n_stories


def _peer(name: str, path: Path, param: str | None) -> tuple[int, int]:
    from benchmarks.peers import PEERS

    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    labels = PEERS[name](records, float(param)) if param else PEERS[name](records)
    return len(records), len(set(labels))


def _peak_rss_kb() -> int:
    """Peak resident memory of this process plus its largest worker (storyweave's ingest forks
    one; their shared pages count twice, so this errs high).

    This process's own peak is VmHWM, not getrusage's ru_maxrss: Linux carries that across exec,
    so a child would report its parent's peak; VmHWM starts afresh with the new program. The
    workers' is ru_maxrss over the reaped children, which forked without exec."""
    status = Path("/proc/self/status").read_text()
    own = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main(system: str, path: Path, param: str | None = None) -> None:
    started = time.perf_counter()
    articles, clusters = _storyweave(path, param) if system == "storyweave" else _peer(system, path, param)
    seconds = time.perf_counter() - started
    peak_mb = _peak_rss_kb() / 1024
    print(
        json.dumps(
            {
                "articles": articles,
                "seconds": round(seconds, 2),
                "articles_per_s": round(articles / seconds, 1),
                "peak_rss_mb": round(peak_mb),
                "n_clusters": clusters,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
