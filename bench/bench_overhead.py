"""Orchestration overhead: `wgs-east run` on the test genome vs bench/baseline.sh (the same tool
commands with the same parallelism, no Snakemake).

    .venv/bin/python bench/bench_overhead.py [--repeats 3] [--cores 2] [--keep]

1. Checks that the two run the same work: the commands Snakemake would run for the baseline's
   deliverables (`wgs-east run --dry-run -- -p TARGETS`) and the commands of `baseline.sh --print` are
   the same multiset (compared token by token, so quoting style does not matter). Fails otherwise.
2. Runs `wgs-east run CONFIG --outdir D --cores N -- TARGETS` (TARGETS: CRAM + CRAI, gVCF + TBI per
   sample, batch VCF + TBI, provenance/tools.json: what the baseline makes; QC, annotation and
   classification are left out) and `bench/baseline.sh CONFIG D N`, interleaved (w, b, w, b, ...),
   each in a fresh output directory under bench/work/overhead/.
3. Checks that every run produced the same batch VCF and per-sample gVCFs (records + genotypes).
   Fails otherwise.
4. Reports the ratio median(wgs-east run) / median(baseline) of wall time (goal <= 1.15) and, next to it,
   of CPU seconds (user + system of the whole process tree: what the orchestration costs in work,
   whatever the scheduling), and where the time goes:
   the start-up of `wgs-east run` (validation + Snakemake start + DAG: a dry run), the up-front
   validation alone (`wgs-east validate`), and the baseline's time per rule.

Writes bench/results/overhead.json.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shlex
import shutil
import subprocess
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

BASELINE = ROOT / "bench" / "baseline.sh"
GOAL = 1.15
TOOLS = ("bwa", "samtools", "bcftools", "fastp")


def deliverables(config: Path) -> tuple[str, list[str], list[str]]:
    """Batch id, sample ids and the baseline's deliverables (the `wgs-east run` targets)."""
    from wgs_east.config import load_batch

    batch = load_batch(config, check_inputs=False)
    targets = [
        f"variants/{batch.batch}.vcf.gz",
        f"variants/{batch.batch}.vcf.gz.tbi",
        "provenance/tools.json",
    ]
    for sample in batch.sample_ids:
        targets += [f"alignments/{sample}.cram.crai", f"gvcf/{sample}.g.vcf.gz.tbi"]
    return batch.batch, list(batch.sample_ids), targets


def _command_key(rule: str, command: str) -> tuple[str, ...]:
    return (rule, *shlex.split(command))


def workflow_commands(config: Path, cores: int, targets: list[str], workdir: Path) -> collections.Counter:
    """(rule, command tokens) of every job Snakemake would run for the targets (a dry run)."""
    out = fresh_dir(workdir)
    proc = subprocess.run(
        [WGS_EAST, "run", str(config), "--outdir", str(out), "--cores", str(cores), "--dry-run", "--", "-p", *targets],
        capture_output=True, text=True, env=tool_env(), check=True,
    )  # fmt: skip
    commands: collections.Counter = collections.Counter()
    rule = None
    for line in proc.stdout.splitlines():
        if m := re.match(r"(?:local)?rule (\w+):", line):
            rule = m.group(1)
        elif line.startswith("Shell command: ") and rule:
            commands[_command_key(rule, line.removeprefix("Shell command: "))] += 1
            rule = None
    shutil.rmtree(out)
    if not commands:
        raise RuntimeError(
            "no shell commands found in the dry run of `wgs-east run` (output format changed?)"
        )
    return commands


def baseline_commands(config: Path, cores: int, workdir: Path) -> collections.Counter:
    out = fresh_dir(workdir)
    proc = subprocess.run(
        ["bash", str(BASELINE), "--print", str(config), str(out), str(cores)],
        capture_output=True, text=True, env=tool_env(), check=True,
    )  # fmt: skip
    shutil.rmtree(out)
    return collections.Counter(_command_key(*line.split("\t", 1)) for line in proc.stdout.splitlines())


def check_same_commands(config: Path, cores: int, targets: list[str]) -> int:
    wf = workflow_commands(config, cores, targets, WORK / "overhead" / "dry-run")
    bl = baseline_commands(config, cores, WORK / "overhead" / "print")
    if wf != bl:
        lines = ["bench/baseline.sh does not run the workflow's commands:"]
        lines += [f"  only in the workflow: {shlex.join(k)}" for k in (wf - bl)]
        lines += [f"  only in baseline.sh:  {shlex.join(k)}" for k in (bl - wf)]
        raise SystemExit("\n".join(lines))
    return sum(wf.values())


def fingerprints(outdir: Path, batch: str, samples: list[str]) -> dict[str, dict]:
    files = {"batch_vcf": outdir / "variants" / f"{batch}.vcf.gz"}
    files |= {f"gvcf_{s}": outdir / "gvcf" / f"{s}.g.vcf.gz" for s in samples}
    return {name: variant_fingerprint(path) for name, path in files.items()}


def baseline_step_seconds(outdir: Path) -> dict[str, float]:
    per_rule: dict[str, float] = collections.defaultdict(float)
    for line in (outdir / "baseline_steps.tsv").read_text().splitlines()[1:]:
        rule, seconds = line.split("\t")[:2]
        per_rule[rule] += float(seconds)
    return dict(sorted(per_rule.items(), key=lambda kv: -kv[1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=TEST_CONFIG)
    ap.add_argument("--repeats", type=int, default=3, help="runs of each (median reported)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument(
        "--keep", action="store_true", help="keep the output directories under bench/work/overhead/"
    )
    args = ap.parse_args(argv)
    started = time.perf_counter()
    config = args.config.resolve()
    batch, samples, targets = deliverables(config)

    n_commands = check_same_commands(config, args.cores, targets)
    print(f"overhead: baseline.sh and the workflow run the same {n_commands} commands")

    env = tool_env()
    runs: dict[str, list] = {"wgs_east": [], "baseline": []}
    prints: dict[str, dict] = {}
    steps: list[dict[str, float]] = []
    for i in range(1, args.repeats + 1):
        for kind in ("wgs_east", "baseline"):
            out = fresh_dir(WORK / "overhead" / f"{kind}-{i}")
            log = WORK / "overhead" / f"{kind}-{i}.log"
            if kind == "wgs_east":
                cmd = [
                    WGS_EAST,
                    "run",
                    str(config),
                    "--outdir",
                    str(out),
                    "--cores",
                    str(args.cores),
                    "--",
                    *targets,
                ]
            else:
                cmd = ["bash", str(BASELINE), str(config), str(out), str(args.cores)]
            run = run_timed(cmd, env=env, log=log)
            runs[kind].append(run)
            prints[f"{kind}-{i}"] = fingerprints(out, batch, samples)
            if kind == "baseline":
                steps.append(baseline_step_seconds(out))
            print(f"overhead: {kind} run {i}: {run.wall_s:.1f} s", flush=True)
            if not args.keep:
                shutil.rmtree(out)
                log.unlink()

    reference = prints["wgs_east-1"]
    differing = [name for name, fp in prints.items() if fp != reference]
    if differing:
        raise SystemExit(
            "overhead: the runs did not produce the same variants (records + genotypes): "
            f"{', '.join(differing)} differ from wgs_east-1:\n{json.dumps(prints, indent=1)}"
        )

    # start-up: everything `wgs-east run` does before the first job (a dry run of the same targets),
    # and the up-front validation alone
    dry, validate = [], []
    for i in range(args.repeats):
        out = fresh_dir(WORK / "overhead" / f"dry-{i}")
        cmd = [
            WGS_EAST,
            "run",
            str(config),
            "--outdir",
            str(out),
            "--cores",
            str(args.cores),
            "--dry-run",
            "--",
            *targets,
        ]
        dry.append(run_timed(cmd, env=env).wall_s)
        shutil.rmtree(out)
        validate.append(run_timed([WGS_EAST, "validate", str(config)], env=env).wall_s)

    wf = stats([r.wall_s for r in runs["wgs_east"]])
    bl = stats([r.wall_s for r in runs["baseline"]])
    ratio = round(wf["median"] / bl["median"], 3)
    cpu = {k: stats([r.cpu_s for r in v]) for k, v in runs.items()}
    cpu_ratio = round(cpu["wgs_east"]["median"] / cpu["baseline"]["median"], 3)
    noise = other_cpu([r for v in runs.values() for r in v])
    median_steps = {rule: round(sorted(s[rule] for s in steps)[len(steps) // 2], 3) for rule in steps[0]}
    data = {
        "config": str(config.relative_to(ROOT)) if config.is_relative_to(ROOT) else str(config),
        "cores": args.cores,
        "targets": targets,
        "commands_compared": n_commands,
        "order": "interleaved: wgs_east-1, baseline-1, wgs_east-2, baseline-2, ...",
        "baseline_parallel": f"independent steps side by side, {args.cores} cores (bench/baseline.sh phases)",
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "goal": GOAL,
        "meets_goal": ratio <= GOAL,
        "wall_s": {"wgs_east": wf, "baseline": bl},
        "cpu_s": cpu,
        "peak_rss_mb": {k: stats([r.peak_rss_mb for r in v], 1) for k, v in runs.items()},
        "runs": {k: [r.as_dict() for r in v] for k, v in runs.items()},
        "startup_s": {"dry_run": stats(dry), "validate": stats(validate)},
        "baseline_rule_seconds_median": median_steps,
        "outputs": reference,
    }
    summary = [
        row("overhead ratio wgs-east run / baseline.sh (wall, medians)", ratio, "", f"goal <= {GOAL}: "
            + ("met" if ratio <= GOAL else "NOT met")),
        row("overhead ratio wgs-east run / baseline.sh (CPU seconds, medians)", cpu_ratio, "",
            f"{cpu['wgs_east']['median']} s vs {cpu['baseline']['median']} s (user + system, whole process tree)"),
        row("wgs-east run, baseline targets", wf["median"], "s", f"min {wf['min']}, max {wf['max']}"),
        row(f"baseline.sh (same commands, same parallelism at {args.cores} cores)", bl["median"], "s",
            f"min {bl['min']}, max {bl['max']}"),
        row("start-up of wgs-east run (dry run: validation + Snakemake + DAG)", data["startup_s"]["dry_run"]["median"], "s"),
        row("of which up-front validation (wgs-east validate)", data["startup_s"]["validate"]["median"], "s"),
        row("peak RSS wgs-east run / baseline.sh (largest process)",
            f"{data['peak_rss_mb']['wgs_east']['median']} / {data['peak_rss_mb']['baseline']['median']}", "MB"),
        row("CPU used by other processes during a run (median; noise, ideally ~0)", noise, "s"),
        row("commands compared (dry run vs baseline.sh --print)", n_commands, "", "identical"),
        row("batch VCF records, identical in all runs", reference["batch_vcf"]["records"], "",
            "records + genotypes, and every gVCF"),
    ]  # fmt: skip
    path = write_result(
        "overhead", data, repetitions=args.repeats, summary=summary, tools=TOOLS, started=started,
        title="Orchestration overhead: wgs-east run vs the same commands in a shell script",
    )  # fmt: skip
    print(f"overhead: wall ratio {ratio} (wgs-east run {wf['median']} s, baseline {bl['median']} s), CPU ratio "
          f"{cpu_ratio} ({cpu['wgs_east']['median']} s vs {cpu['baseline']['median']} s); wrote {path}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
