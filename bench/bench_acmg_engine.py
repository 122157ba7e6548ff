"""Benchmark of the ACMG engine: classify_frame on a deterministic synthetic 1,000,000-row frame.

    PYTHONPATH=src python bench/bench_acmg_engine.py [--n 1000000] [--repeats 3]

Pins itself to one CPU core (and one thread for numeric libraries), builds the frame with
``wgs_east.acmg.synthetic.synthetic_variants`` (not timed), times ``engine.classify_frame`` (default
trail: strings for reported rows only) ``--repeats`` times, prints the median rate and writes
``bench/results/acmg_engine.json``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pydantic  # noqa: E402

from wgs_east import __version__  # noqa: E402
from wgs_east.acmg.engine import classify_frame  # noqa: E402
from wgs_east.acmg.synthetic import synthetic_variants  # noqa: E402


def _memory_total_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _pin_one_core() -> list[int] | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return sorted(os.sched_getaffinity(0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="rows of the synthetic frame")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (the median is reported)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "acmg_engine.json")
    args = parser.parse_args(argv)

    cores_available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    pinned = _pin_one_core()

    t0 = time.perf_counter()
    frame = synthetic_variants(args.n, seed=args.seed)
    build_s = time.perf_counter() - t0
    classify_frame(frame.head(10_000))  # warm-up: imports, exception list, caches

    times = []
    out = None
    for _ in range(args.repeats):
        t = time.perf_counter()
        out = classify_frame(frame)
        times.append(time.perf_counter() - t)
    median = statistics.median(times)
    assert out is not None and len(out) == args.n

    result = {
        "benchmark": "acmg_engine.classify_frame",
        "n_variants": args.n,
        "seed": args.seed,
        "repeats": args.repeats,
        "seconds": [round(t, 4) for t in times],
        "median_seconds": round(median, 4),
        "variants_per_second": round(args.n / median),
        "input_build_seconds": round(build_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "classes": {str(k): int(v) for k, v in out["acmg_class"].value_counts(sort=False).items()},
        "distinct_code_sets": int(out["acmg_codes"].nunique()),
        "reported_rows_with_trail": int((out["acmg_trail"] != "").sum()),
        "machine": {
            "cores_available": cores_available,
            "pinned_to_cpus": pinned,
            "memory_total_gb": round((_memory_total_bytes() or 0) / 2**30, 1),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
        },
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "pydantic": pydantic.__version__,
            "wgs_east": __version__,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"classify_frame: {args.n:,} variants, median {median:.3f} s of {args.repeats} "
        f"-> {result['variants_per_second']:,} variants/s on one core; peak RSS {result['peak_rss_mb']} MB"
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
