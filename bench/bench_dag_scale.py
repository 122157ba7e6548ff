"""DAG scale: dry runs of synthetic batches of 100 and 1,000 samples, locally and with the SLURM profile.

    .venv/bin/python bench/bench_dag_scale.py [--samples 100 1000] [--chunk-size 2000] [--keep]
        [--large-variants local slurm slurm_greedy]

For each size, make_synthetic_batch.py writes a batch (two thirds of the samples in trios, 166 region
chunks as for GRCh38); then `wgs-east run BATCH --outdir D --dry-run` runs (validation + Snakemake's
DAG + the dry-run listing), timed like /usr/bin/time (wall, CPU, peak RSS of the largest process):
- `local`: local execution (`--cores 2`);
- `slurm`: `--profile slurm` (groups and job arrays as submitted to SLURM; Snakemake's default
  scheduler);
- `slurm_greedy` (only when asked for with `--variants`): the same with `--scheduler greedy`, one of
  Snakemake's documented remedies for large DAGs; measured no faster (the time is DAG building).
Batches of 1,000 samples or more run only the `--large-variants` (default `local`). The batches keep the
default `calling.joint_max_samples` (50: whole families packed into joint-calling groups of <= 50 samples)
and `calling.max_chunk_jobs` (20,000: when groups x chunks exceed it, calling uses fewer, larger chunks;
the number is in the result).
From the dry-run listing it counts Snakemake jobs (`Job stats` total) and SLURM jobs (one per group
job, one per other job; a job-array task counts as one job), overall and per sample, and the SLURM
jobs of each kind (group name without wildcards, or rule).

Writes bench/results/dag_scale.json. Times and memory are measured, not asserted.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import WGS_EAST, WORK, fresh_dir, row, run_timed, tool_env, write_result  # noqa: E402
from make_synthetic_batch import make_batch  # noqa: E402

GROUP_RE = re.compile(r"Group job (\S+) \(jobs in lexicogr\. order\):")
TOP_RULE_RE = re.compile(r"^(?:local)?rule (\w+):$", re.M)  # unindented: a job outside any group
TOTAL_RE = re.compile(r"^total\s+(\d+)$", re.M)
# rules without a shell command run inside Snakemake itself, not as a job
NORUN_RULES = {"all"}


def group_kind(groupid: str) -> str:
    """`align_S00001_L001` -> `align`, `annotate_12-of-166` -> `annotate`, `prep` -> `prep`."""
    return groupid.split("_")[0] if re.search(r"_[A-Z0-9]", groupid) or "-of-" in groupid else groupid


def count_jobs(dry_run_output: str) -> dict[str, Any]:
    """Snakemake jobs and SLURM jobs (groups + jobs outside groups) in a dry-run listing."""
    totals = TOTAL_RE.findall(dry_run_output)
    if not totals:
        raise ValueError("no `Job stats` total in the dry-run output")
    kinds: Counter[str] = Counter()
    for groupid in GROUP_RE.findall(dry_run_output):
        kinds[f"group {group_kind(groupid)}"] += 1
    for rule in TOP_RULE_RE.findall(dry_run_output):
        if rule not in NORUN_RULES:
            kinds[f"rule {rule}"] += 1
    return {"snakemake_jobs": int(totals[0]), "slurm_jobs": sum(kinds.values()), "slurm_jobs_by_kind": dict(kinds)}


VARIANTS = {
    "local": ["--cores", "2"],
    "slurm": ["--profile", "slurm"],
    "slurm_greedy": ["--profile", "slurm", "--", "--scheduler", "greedy"],
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--chunk-size", type=int, default=2000, help="calling.chunk_size of the batches")
    ap.add_argument("--variants", nargs="+", default=["local", "slurm"], choices=list(VARIANTS),
                    help="variants of batches under 1,000 samples (default: local slurm; slurm_greedy measured no "
                         "faster, on request)")  # fmt: skip
    ap.add_argument(
        "--large-variants", nargs="+", default=["local"], choices=list(VARIANTS),
        help="variants of batches of 1,000 samples or more (default: local only)",
    )  # fmt: skip
    ap.add_argument("--keep", action="store_true", help="keep bench/work/dag_scale/")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    env = tool_env()
    for var in [v for v in env if v.startswith(("SLURM_", "WGS_EAST_SLURM_"))]:
        del env[var]  # a dry run needs no cluster: measure the same thing everywhere
    work = WORK / "dag_scale"
    results: list[dict[str, Any]] = []
    summary = []
    for n in args.samples:
        batch_dir = work / f"batch_{n}"
        t0 = time.perf_counter()
        config = make_batch(n, batch_dir, chunk_size=args.chunk_size)
        make_s = time.perf_counter() - t0
        from wgs_east.config import load_batch

        batch = load_batch(config, check_inputs=False)
        n_units = sum(len(s.units) for s in batch.samples)
        for variant in args.variants if n < 1000 else [v for v in args.variants if v in args.large_variants]:
            out = fresh_dir(work / f"out_{n}_{variant}")
            log = work / f"dry_run_{n}_{variant}.log"
            extra = VARIANTS[variant]
            cut = extra.index("--") if "--" in extra else len(extra)
            cmd = [WGS_EAST, "run", str(config), "--outdir", str(out), "--dry-run", *extra[:cut], *extra[cut:]]
            print(f"dag_scale: {n} samples, {variant} ...", flush=True)
            run = run_timed(cmd, env=env, log=log)
            counts = count_jobs(log.read_text())
            per_sample = {
                "snakemake_jobs": round(counts["snakemake_jobs"] / n, 2),
                "slurm_jobs": round(counts["slurm_jobs"] / n, 2),
            }
            record = {
                "samples": n,
                "units": n_units,
                "families": len(batch.families),
                "call_groups": len(batch.call_groups()),
                "chunks": None,
                "variant": variant,
                "command": " ".join(cmd[1:]),
                "make_batch_s": round(make_s, 1),
                **run.as_dict(),
                **counts,
                "per_sample": per_sample,
                "dry_run_log_bytes": log.stat().st_size,
            }
            match = re.search(r"chunk_\d+-of-(\d+)", log.read_text())
            record["chunks"] = int(match.group(1)) if match else None
            results.append(record)
            print(
                f"dag_scale: {n} samples, {variant}: {run.wall_s:.1f} s wall, {run.peak_rss_mb:.0f} MB peak RSS,"
                f" {counts['snakemake_jobs']} Snakemake jobs, {counts['slurm_jobs'] if variant != 'local' else '-'}"
                " SLURM jobs",
                flush=True,
            )
            note = (f"{n} samples, {n_units} units, {len(batch.families)} families, "
                    f"{len(batch.call_groups())} joint-calling groups, {record['chunks']} chunks")  # fmt: skip
            summary.append(row(f"dry run {variant}, {n} samples: wall", round(run.wall_s, 1), "s", note))
            summary.append(row(f"dry run {variant}, {n} samples: peak RSS", round(run.peak_rss_mb), "MB", ""))
            if variant == "local":
                summary.append(row(f"{n} samples: Snakemake jobs per sample", per_sample["snakemake_jobs"], "jobs",
                                   f"{counts['snakemake_jobs']} in all"))  # fmt: skip
            elif variant == "slurm":
                summary.append(row(f"{n} samples: SLURM jobs per sample", per_sample["slurm_jobs"], "jobs",
                                   f"{counts['slurm_jobs']} in all (groups + job-array tasks)"))  # fmt: skip
            if not args.keep:
                shutil.rmtree(out)
    write_result(
        "dag_scale",
        {"chunk_size": args.chunk_size, "runs": results},
        repetitions=1,
        summary=summary,
        title="DAG scale: dry runs of 100 and 1,000 samples, local and SLURM profile",
        started=started,
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
