"""Cost of the SV / CNV stage relative to alignment, on the test genome (config/test.yaml, 4 samples).

    .venv/bin/python bench/bench_sv_cost.py [--cores 2]

Two timed `wgs-east run` calls in one fresh output directory (bench/work/sv_cost/): first up to the CRAMs
(`-- --until index_alignments`: reference preparation, FASTQ checks, trimming, mapping, duplicate marking),
then up to the SV outputs (`-- --until sv_merge_callers`: delly per sample, site merge, family genotyping,
cnvkit reference and per-sample depth profiles, the caller merge; plus the tool-version and header steps it
needs). Wall and CPU seconds (user + system of the whole process tree) of each, and their ratio. Both
include the start-up of `wgs-east run` (validation, Snakemake, DAG), measured alone with a dry run.

Writes bench/results/sv_cost.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, WORK, compile_package, fresh_dir, row, run_timed, tool_env, write_result  # noqa: E402

CONFIG = ROOT / "config" / "test.yaml"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cores", type=int, default=2)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    compile_package()
    work = fresh_dir(WORK / "sv_cost")
    work.mkdir()
    out = work / "run"
    env = tool_env()
    base = ["wgs-east", "run", str(CONFIG), "--outdir", str(out), "--cores", str(args.cores)]
    runs = {}
    for stage, until in (("alignment", "index_alignments"), ("sv", "sv_merge_callers")):
        runs[stage] = run_timed([*base, "--", "--until", until], env=env, log=work / f"{stage}.log").as_dict()
    runs["startup"] = run_timed([*base, "--dry-run"], env=env, log=work / "dry_run.log").as_dict()
    assert (out / "sv" / "B001.sv.vcf.gz").is_file(), "no SV VCF"
    ratio_wall = runs["sv"]["wall_s"] / runs["alignment"]["wall_s"]
    ratio_cpu = runs["sv"]["cpu_s"] / runs["alignment"]["cpu_s"]
    summary = [
        row("alignment (to the CRAMs)", f"{runs['alignment']['wall_s']:.1f} / {runs['alignment']['cpu_s']:.1f}",
            "wall s / CPU s"),
        row("SV / CNV stage", f"{runs['sv']['wall_s']:.1f} / {runs['sv']['cpu_s']:.1f}", "wall s / CPU s"),
        row("SV stage / alignment", f"{ratio_wall:.2f} / {ratio_cpu:.2f}", "wall / CPU"),
        row("start-up of wgs-east run (dry run)", f"{runs['startup']['wall_s']:.1f} / {runs['startup']['cpu_s']:.1f}",
            "wall s / CPU s", "included in both"),
    ]  # fmt: skip
    path = write_result("sv_cost", {"cores": args.cores, "runs": runs, "ratio_wall": round(ratio_wall, 3),
                                    "ratio_cpu": round(ratio_cpu, 3)}, repetitions=1, summary=summary,
                        tools=["delly", "cnvkit", "bwa", "samtools"],
                        title="SV / CNV stage cost vs alignment (test genome, 4 samples)", started=started)  # fmt: skip
    for r in summary:
        print(f"{r['metric']}: {r['value']} {r['unit']}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
