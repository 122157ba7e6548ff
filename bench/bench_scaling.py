"""Parallel scaling: the whole pipeline on the test genome with `--cores 1` vs `--cores 2`.

    .venv/bin/python bench/bench_scaling.py [--repeats 3] [--keep]

Runs `wgs-east run CONFIG --outdir D --cores C` (all deliverables: alignments, gVCFs, batch VCF and
whatever stages the workflow has: QC, annotation, classification), interleaved (1, 2, 1, 2, ...), each
in a fresh output directory under bench/work/scaling/, checks that every run produced the same batch
VCF (records + genotypes), and reports speed-up = median(1 core) / median(2 cores) and the parallel
efficiency (speed-up / 2). The `--cores 2` runs are also the full-pipeline wall time README quotes.

Writes bench/results/scaling.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ROOT,
    TEST_CONFIG,
    WGS_EAST,
    WORK,
    fresh_dir,
    other_cpu,
    row,
    run_timed,
    stats,
    tool_env,
    variant_fingerprint,
    write_result,
)

TOOLS = ("bwa", "samtools", "bcftools", "fastp", "mosdepth")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=TEST_CONFIG)
    ap.add_argument("--repeats", type=int, default=3, help="runs per core count (median reported)")
    ap.add_argument("--cores", type=int, nargs=2, default=[1, 2], metavar=("FEW", "MANY"))
    ap.add_argument(
        "--keep", action="store_true", help="keep the output directories under bench/work/scaling/"
    )
    args = ap.parse_args(argv)
    started = time.perf_counter()
    config = args.config.resolve()
    from wgs_east.config import load_batch

    batch = load_batch(config, check_inputs=False).batch
    few, many = args.cores

    env = tool_env()
    runs: dict[int, list] = {few: [], many: []}
    prints = {}
    for i in range(1, args.repeats + 1):
        for cores in (few, many):
            out = fresh_dir(WORK / "scaling" / f"cores{cores}-{i}")
            log = WORK / "scaling" / f"cores{cores}-{i}.log"
            cmd = [WGS_EAST, "run", str(config), "--outdir", str(out), "--cores", str(cores)]
            run = run_timed(cmd, env=env, log=log)
            runs[cores].append(run)
            prints[f"cores{cores}-{i}"] = variant_fingerprint(out / "variants" / f"{batch}.vcf.gz")
            print(f"scaling: --cores {cores} run {i}: {run.wall_s:.1f} s", flush=True)
            if not args.keep:
                shutil.rmtree(out)
                log.unlink()
    first = next(iter(prints.values()))
    if any(fp != first for fp in prints.values()):
        raise SystemExit(
            f"scaling: the runs did not produce the same batch VCF (records + genotypes): {prints}"
        )

    wall = {c: stats([r.wall_s for r in runs[c]]) for c in (few, many)}
    cpu = {c: stats([r.cpu_s for r in runs[c]]) for c in (few, many)}
    speedup = round(wall[few]["median"] / wall[many]["median"], 3)
    efficiency = round(speedup / (many / few), 3)
    data = {
        "config": str(config.relative_to(ROOT)) if config.is_relative_to(ROOT) else str(config),
        "command": f"wgs-east run {args.config} --outdir DIR --cores C",
        "order": f"interleaved: cores {few} run 1, cores {many} run 1, cores {few} run 2, ...",
        "speedup": speedup,
        "parallel_efficiency": efficiency,
        "wall_s": {f"cores_{c}": wall[c] for c in (few, many)},
        "cpu_s": {f"cores_{c}": cpu[c] for c in (few, many)},
        "peak_rss_mb": {f"cores_{c}": stats([r.peak_rss_mb for r in runs[c]], 1) for c in (few, many)},
        "runs": {f"cores_{c}": [r.as_dict() for r in runs[c]] for c in (few, many)},
        "full_pipeline_wall_s": wall[many],
        "batch_vcf": first,
    }
    summary = [
        row(f"speed-up --cores {many} vs --cores {few} (median wall)", speedup, "x",
            f"parallel efficiency {efficiency}"),
        row(f"full pipeline, --cores {few}", wall[few]["median"], "s", f"min {wall[few]['min']}, max {wall[few]['max']}"),
        row(f"full pipeline, --cores {many}", wall[many]["median"], "s",
            f"min {wall[many]['min']}, max {wall[many]['max']}"),
        row(f"CPU time (user + system), --cores {few} / {many}", f"{cpu[few]['median']} / {cpu[many]['median']}", "s"),
        row("CPU used by other processes during a run (median; noise, ideally ~0)",
            other_cpu(runs[few] + runs[many]), "s"),
        row("batch VCF records, identical in all runs", first["records"], "", "records + genotypes"),
    ]  # fmt: skip
    path = write_result(
        "scaling", data, repetitions=args.repeats, summary=summary, tools=TOOLS, started=started,
        title=f"Parallel scaling: full pipeline on the test genome, --cores {few} vs --cores {many}",
    )  # fmt: skip
    print(f"scaling: speed-up {speedup} ({wall[few]['median']} s -> {wall[many]['median']} s); wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
