"""Benchmark of the ACMG engine: classify_frame on a deterministic synthetic 1,000,000-row frame.

    .venv/bin/python bench/bench_acmg_engine.py [--n 1000000] [--repeats 3]

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
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import row, stats, write_result  # noqa: E402  (puts src/ on the path)

from wgs_east.acmg.engine import classify_frame  # noqa: E402
from wgs_east.acmg.synthetic import synthetic_variants  # noqa: E402


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
    args = parser.parse_args(argv)
    started = time.perf_counter()
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
    assert out is not None and len(out) == args.n
    wall = stats(times, 4)
    rate = round(args.n / wall["median"])
    rss = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    data = {
        "n_variants": args.n,
        "seed": args.seed,
        "pinned_to_cpus": pinned,
        "wall_s": wall,
        "variants_per_second": rate,
        "input_build_seconds": round(build_s, 3),
        "peak_rss_mb": rss,
        "classes": {str(k): int(v) for k, v in out["acmg_class"].value_counts(sort=False).items()},
        "distinct_code_sets": int(out["acmg_codes"].nunique()),
        "reported_rows_with_trail": int((out["acmg_trail"] != "").sum()),
    }
    summary = [
        row("classify_frame, 1,000,000 synthetic rows, one core: rows per second", rate, "rows/s",
            f"median of {args.repeats}: {wall['median']} s (min {wall['min']}, max {wall['max']})"),
        row("peak RSS of the benchmark process (frame + result)", rss, "MB", ""),
        row("rows with an evidence trail (P/LP)", data["reported_rows_with_trail"], "", ""),
    ]  # fmt: skip
    path = write_result("acmg_engine", data, repetitions=args.repeats, summary=summary, started=started,
                        title="ACMG engine alone (classify_frame), one core")  # fmt: skip
    print(
        f"classify_frame: {args.n:,} variants, median {wall['median']:.3f} s of {args.repeats} "
        f"-> {rate:,} variants/s on one core; peak RSS {rss} MB"
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
