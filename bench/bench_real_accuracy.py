"""Accuracy on real reads: the product (`wgs-east run`) against the plain joint baseline, same FASTQs.

    .venv/bin/python bench/bench_real_accuracy.py [--datasets HG002 HG001_trio all_four] [--coverages full 15x 7x]

Data: ../shared/data/real/ (GIAB HG002 ~30x over 110 kb of chr20 with the v4.2.1 benchmark; the HG001 trio
~27x over 10 kb with HG001's v3.3.2 calls), see bench/realdata.py. Batches: HG002 alone; the HG001 trio as
one family; all four in one batch (the trio + HG002 as another family). Each at full coverage and with the
read pairs thinned (deterministic, by read name) to ~15x and ~7x.

For every batch and coverage: `wgs-east run` (reference without sex chromosomes: every contig diploid) and
the plain joint baseline (bwa mem | samtools sort/markdup; ONE `bcftools mpileup -a AD,DP` over all the
batch's BAMs | `bcftools call -mv` | `bcftools norm`). Both are scored with `wgs_east.evaluate` (PASS records
inside the confident regions; SNV / indel precision, recall, F1, GT concordance), per sample with a truth
set; plus the trio's Mendelian error rate (records where all three have reads and a genotype). The goal of
issue 23: product SNV F1 >= baseline - 0.005 and indel F1 >= baseline - 0.02 on every row.

Writes bench/results/real_accuracy.json. Nothing is asserted here (tests/test_real_data.py asserts floors).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realdata as R  # noqa: E402
from common import WGS_EAST, WORK, fresh_dir, row, run_timed, tool_env, write_result  # noqa: E402

SNV_MARGIN, INDEL_MARGIN = 0.005, 0.02


def run_product(batch_id: str, samples: tuple[R.RealSample, ...], coverage: str, work: Path) -> tuple[Path, float]:
    config = R.batch_yaml(batch_id, samples, coverage, work)
    outdir = fresh_dir(work / "product" / batch_id)
    (work / "logs").mkdir(parents=True, exist_ok=True)
    run = run_timed([WGS_EAST, "run", str(config), "--outdir", str(outdir), "--cores", "2"],
                    env=tool_env(), log=work / "logs" / f"{batch_id}.log")  # fmt: skip
    return outdir / "variants" / f"{batch_id}.vcf.gz", run.wall_s


def one_row(dataset: str, coverage: str, work: Path) -> dict[str, Any]:
    samples = R.DATASETS[dataset]
    batch_id = f"{dataset}_{coverage}"
    product, seconds = run_product(batch_id, samples, coverage, work)
    t0 = time.perf_counter()
    baseline = R.baseline_vcf(samples, coverage, fresh_dir(work / "baseline" / batch_id), work)
    base_seconds = time.perf_counter() - t0
    result: dict[str, Any] = {
        "dataset": dataset, "coverage": coverage,
        "keep_fraction": {s.id: round(R.keep_fraction(s, R.COVERAGES[coverage]), 4) for s in samples},
        "seconds": {"product": round(seconds, 1), "baseline": round(base_seconds, 1)},
        "product": R.score(product, samples), "baseline": R.score(baseline, samples),
    }  # fmt: skip
    if any(s.id == "HG001" for s in samples):
        result["mendelian"] = {"product": R.mendelian_errors(product), "baseline": R.mendelian_errors(baseline)}
    goal = True
    for sid, per_type in result["product"].items():
        base = result["baseline"][sid]
        for vtype, margin in (("SNV", SNV_MARGIN), ("INDEL", INDEL_MARGIN)):
            goal &= (per_type[vtype]["F1"] or 0) >= (base[vtype]["F1"] or 0) - margin
    result["meets_goal"] = goal
    return result


def _f(x: Any) -> str:
    return "-" if x is None else f"{x:.3f}"


def table(rows: list[dict[str, Any]]) -> str:
    """The README table: one line per batch, coverage and sample with a truth set."""
    out = ["| batch | coverage | sample | SNV F1 product / plain | indel F1 product / plain | "
           "SNV P / R product | GT concordance (SNV) product / plain | trio Mendelian errors product / plain |",
           "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        for sid, p in r["product"].items():
            b = r["baseline"][sid]
            men = r.get("mendelian")
            mtext = "" if not men else (f"{men['product']['errors']}/{men['product']['records']} / "
                                        f"{men['baseline']['errors']}/{men['baseline']['records']}")  # fmt: skip
            out.append(
                f"| {r['dataset']} | {r['coverage']} | {sid} | {_f(p['SNV']['F1'])} / {_f(b['SNV']['F1'])} | "
                f"{_f(p['INDEL']['F1'])} / {_f(b['INDEL']['F1'])} | {_f(p['SNV']['precision'])} / "
                f"{_f(p['SNV']['recall'])} | {_f(p['SNV']['gt_concordance'])} / {_f(b['SNV']['gt_concordance'])} | "
                f"{mtext} |"
            )
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="+", default=list(R.DATASETS), choices=list(R.DATASETS))
    ap.add_argument("--coverages", nargs="+", default=list(R.COVERAGES), choices=list(R.COVERAGES))
    args = ap.parse_args()
    if not R.available():
        print(f"real data not found under {R.REAL}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    work = WORK / "real_accuracy"
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for dataset in args.datasets:
        for coverage in args.coverages:
            r = one_row(dataset, coverage, work)
            rows.append(r)
            print(table([r]).splitlines()[-1], flush=True)
    text = table(rows)
    print(text)
    summary = []
    for r in rows:
        for sid, p in r["product"].items():
            b = r["baseline"][sid]
            summary.append(row(f"{r['dataset']} {r['coverage']} {sid} SNV F1 product / plain",
                               f"{_f(p['SNV']['F1'])} / {_f(b['SNV']['F1'])}"))  # fmt: skip
            summary.append(row(f"{r['dataset']} {r['coverage']} {sid} indel F1 product / plain",
                               f"{_f(p['INDEL']['F1'])} / {_f(b['INDEL']['F1'])}"))  # fmt: skip
    summary.append(row("rows meeting the goal (SNV F1 >= plain - 0.005, indel F1 >= plain - 0.02)",
                       f"{sum(r['meets_goal'] for r in rows)} of {len(rows)}"))  # fmt: skip
    write_result("real_accuracy", {"rows": rows, "table": text}, repetitions=1, summary=summary,
                 tools=["bwa", "samtools", "bcftools"], title="Accuracy on real reads (GIAB, chr20 window)",
                 started=started)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
