"""Scale benchmark of the bundle build (resources/Snakefile steps) on synthetic inputs in the real formats.

    .venv/bin/python bench/bench_bundle_build.py [--scale 0.001]

``--scale 1`` generates one chromosome at its real size (chr1: gnomAD genomes ~ 60 M records, SpliceAI
~ 250 M rows, REVEL ~ 8 M rows: the figures of issue 20, see ``CHR1``) - hundreds of GB of input: not for a
shared machine. Each per-chromosome step runs alone, as one job of the workflow does, and is measured: wall
and CPU seconds, peak RSS of its largest process (GNU time), the most file descriptors its process tree had
open at once (sampled every 20 ms through /proc), throughput. The full GRCh38 build on a 16-core node is
then extrapolated from the measured CPU throughputs only (rows per CPU second: on this shared machine a job's
wall time includes waiting for other users' processes): every step's rows of the whole genome (``GENOME``)
divided by its throughput is its CPU time; the build takes at least the CPU time over 16 cores and at least
its longest single job (chr1 of the largest step, or REVEL), so the estimate is the larger of the two.
Writes bench/results/bundle_build.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import GNU_TIME, WORK, busy_cpu_seconds, compile_package, fresh_dir, row, tool_env, write_result  # noqa: E402
from make_bundle_inputs import gnomad_vcf, revel_csv, spliceai_vcf  # noqa: E402

CHR1 = {"gnomad": 60_000_000, "spliceai": 250_000_000, "revel": 8_000_000}
"""Rows of chr1 at full size (issue 20: gnomAD chr1 ~ 60 M records, SpliceAI chr1 ~ 250 M rows; REVEL's
82 M rows over the genome, chr1 ~ a tenth)."""
GENOME = {"gnomad": 760_000_000 * 2, "spliceai": 250_000_000 * 13, "revel": 82_000_000}
"""Rows of the whole genome: gnomAD v4.1 ~ 760 M records (issue 20) for the genomes, the exomes counted as as
many again (an upper bound: they are fewer); SpliceAI: chr1 is ~ 8 % of the genome (248.9 of 3,100 Mb), so
~ 13 x chr1; REVEL v1.3 ~ 82 M rows in one job."""
CORES = 16


def measure(cmd: list[str], log: Path) -> dict[str, Any]:
    """Wall, CPU (whole tree), peak RSS (GNU time) and the most open file descriptors of the tree."""
    import psutil

    rss = Path(tempfile.mkstemp(prefix="wgs-east-rss-")[1])
    most_fds = 0
    busy0 = busy_cpu_seconds()
    with open(log, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", str(rss), *cmd], stdout=out, stderr=subprocess.STDOUT,
                                env=tool_env())  # fmt: skip
        done = threading.Event()

        def sample() -> None:
            nonlocal most_fds
            while not done.is_set():
                try:
                    tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
                    most_fds = max(most_fds, sum(_fds(p) for p in tree))
                except psutil.Error:
                    pass
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"failed (exit {code}): {' '.join(cmd)}; see {log}")
    peak = int(rss.read_text().split()[-1]) / 1024
    rss.unlink()
    cpu = usage.ru_utime + usage.ru_stime
    busy1 = busy_cpu_seconds()
    other = None if busy0 is None or busy1 is None else round(max(0.0, busy1 - busy0 - cpu), 1)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(peak, 1), "max_open_fds": most_fds,
            "other_cpu_s": other}  # fmt: skip


def _fds(p: Any) -> int:
    try:
        return int(p.num_fds())
    except Exception:  # noqa: BLE001 - a process that ended between listing and counting
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.001,
                        help="fraction of chr1's real row counts to generate (default 0.001; 1 = full chr1)")  # fmt: skip
    args = parser.parse_args(argv)
    started = time.perf_counter()
    compile_package()
    work = fresh_dir(WORK / "bundle_build")
    inputs = work / "inputs"
    inputs.mkdir(parents=True)
    n = {k: max(1000, int(v * args.scale)) for k, v in CHR1.items()}
    print(f"generating chr1 inputs at scale {args.scale}: {n}", flush=True)
    gnomad = gnomad_vcf(inputs / "gnomad.genomes.v4.1.sites.chr1.vcf.bgz", "chr1", n["gnomad"])
    snv = spliceai_vcf(inputs / "spliceai_scores.masked.snv.hg38.vcf.gz", "chr1", n["spliceai"] // 3)
    indel = spliceai_vcf(inputs / "spliceai_scores.masked.indel.hg38.vcf.gz", "chr1", n["spliceai"] // 30, indel=True)
    revel = revel_csv(inputs / "revel_with_transcript_ids", "chr1", n["revel"])
    rows = {"gnomad": n["gnomad"], "spliceai": n["spliceai"] // 3 * 3 + n["spliceai"] // 30, "revel": n["revel"]}
    py = sys.executable
    steps = {
        "gnomad": [py, "-m", "wgs_east.resources.prepare", "gnomad-part", "--vcf", str(gnomad), "--out",
                   str(work / "gnomad.chr1.bcf")],
        "spliceai": [py, "-m", "wgs_east.resources.prepare", "spliceai-part", "--vcf", str(snv), str(indel),
                     "--chrom", "chr1", "--out", str(work / "spliceai.chr1.tsv.gz")],
        "revel": [py, "-m", "wgs_east.resources.prepare", "revel", "--bundle", str(work / "bundle"), "--csv", str(revel),
                  "--version", "bench"],
    }  # fmt: skip
    results: dict[str, Any] = {}
    for name, cmd in steps.items():
        print(f"{name}: {rows[name]:,} rows ...", flush=True)
        m = measure(cmd, work / f"{name}.log")
        m["rows"] = rows[name]
        m["input_bytes"] = sum(p.stat().st_size for p in {"gnomad": [gnomad], "spliceai": [snv, indel], "revel": [revel]}[name])
        m["rows_per_s"] = round(rows[name] / m["wall_s"])
        m["rows_per_cpu_s"] = round(rows[name] / max(m["cpu_s"], 1e-3))
        results[name] = m
        print(f"  {m}", flush=True)
    # extrapolation from the measured throughputs
    # CPU seconds, not wall: the wall time of a job on this shared machine includes waiting for other users'
    # processes (other_cpu_s); on a dedicated node a job gets its core(s), and the processes of a pipe overlap,
    # so its wall time is at most its CPU time
    cpu_h = {k: GENOME[k] / results[k]["rows_per_cpu_s"] / 3600 for k in results}
    chr1_job_h = {k: CHR1[k] / results[k]["rows_per_cpu_s"] / 3600 for k in ("gnomad", "spliceai")}
    revel_job_h = GENOME["revel"] / results["revel"]["rows_per_cpu_s"] / 3600
    longest = max(*chr1_job_h.values(), revel_job_h)
    total_h = max(sum(cpu_h.values()) / CORES, longest)
    extrapolation = {"cores": CORES, "cpu_hours": {k: round(v, 2) for k, v in cpu_h.items()},
                     "chr1_job_hours": {k: round(v, 2) for k, v in chr1_job_h.items()},
                     "revel_job_hours": round(revel_job_h, 2), "wall_hours": round(total_h, 2),
                     "assumed_rows": {"chr1": CHR1, "genome": GENOME}}  # fmt: skip
    summary = [row(f"{k}: throughput", results[k]["rows_per_cpu_s"], "rows/CPU-s",
                   f"{results[k]['rows']:,} rows, scale {args.scale}, one job; wall {results[k]['wall_s']} s, "
                   f"other processes {results[k]['other_cpu_s']} CPU-s meanwhile") for k in results]  # fmt: skip
    summary += [row(f"{k}: peak RSS", results[k]["peak_rss_mb"], "MB") for k in results]
    summary += [row(f"{k}: most open files", results[k]["max_open_fds"], "fds", "whole process tree") for k in results]
    summary.append(row("full GRCh38 build on 16 cores (extrapolated)", round(total_h, 1), "h",
                       "max(CPU hours / 16, longest job) from the CPU throughputs above and the assumed row counts"))  # fmt: skip
    path = write_result("bundle_build", {"scale": args.scale, "steps": results, "extrapolation": extrapolation},
                        repetitions=1, summary=summary, tools=["bcftools", "bgzip", "sort"],
                        title="Bundle build: per-step throughput, memory, open files; full build extrapolated",
                        started=started)  # fmt: skip
    print(f"wrote {path}; extrapolated full build on {CORES} cores: {total_h:.1f} h", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
