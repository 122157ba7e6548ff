"""Per-sample variant metrics from `bcftools stats -s - -f PASS` on the batch VCF: SNV and indel counts,
Ti/Tv and het / hom-alt ratio (SNVs; haploid calls of males on X/Y are counted apart, not as homozygous).

    python -m wgs_east.qc.variant_stats --stats qc/bcftools/B.stats.txt --out qc/metrics/B.variants.json
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from wgs_east.errors import InputError, Problem
from wgs_east.qc.io import ratio, run_main, write_json

PSC_COLUMNS = (
    "ref_hom", "hom_alt", "het", "transitions", "transversions", "indels", "mean_depth", "singletons",
    "hap_ref", "hap_alt", "missing",
)  # fmt: skip


def parse_bcftools_stats(lines: Iterable[str]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Batch summary numbers (SN) and the per-sample counts (PSC; PSI het/hom indels)."""
    summary: dict[str, float] = {}
    samples: dict[str, dict[str, float]] = {}
    for line in lines:
        f = line.rstrip("\n").split("\t")
        if f[0] == "SN":
            summary[f[2].removeprefix("number of ").rstrip(":").replace(" ", "_")] = float(f[3])
        elif f[0] == "TSTV":
            summary["ti_tv"] = float(f[4])
        elif f[0] == "PSC":
            samples[f[2]] = {k: float(v) for k, v in zip(PSC_COLUMNS, f[3:], strict=False)}
        elif f[0] == "PSI" and f[2] in samples:
            samples[f[2]]["indel_het"] = float(f[7]) + float(f[8])
            samples[f[2]]["indel_hom_alt"] = float(f[9]) + float(f[10])
    return summary, samples


def sample_variant_metrics(psc: dict[str, float]) -> dict[str, float]:
    return {
        "snvs": int(psc["hom_alt"] + psc["het"] + psc["hap_alt"]),
        "indels": int(psc["indels"]),
        "het_snvs": int(psc["het"]),
        "hom_alt_snvs": int(psc["hom_alt"]),
        "hemizygous_snvs": int(psc["hap_alt"]),
        "ti_tv": ratio(psc["transitions"], psc["transversions"]),
        "het_hom_ratio": ratio(psc["het"], psc["hom_alt"]),
        "missing_genotypes": int(psc["missing"]),
    }


def read_bcftools_stats(path: Path) -> dict[str, Any]:
    try:
        with open(path) as fh:
            summary, samples = parse_bcftools_stats(fh)
    except OSError as exc:
        raise InputError(path, [Problem("", f"cannot read: {exc.strerror}")]) from None
    except (ValueError, IndexError) as exc:
        raise InputError(path, [Problem("", f"not a bcftools stats file: {exc}")]) from None
    if "records" not in summary:
        raise InputError(path, [Problem("", "not a bcftools stats file (no SN section)")])
    return {"batch_metrics": summary, "samples": {s: sample_variant_metrics(v) for s, v in samples.items()}}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stats", type=Path, required=True, help="bcftools stats -s - output")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    write_json(args.out, read_bcftools_stats(args.stats))
    return 0


if __name__ == "__main__":
    run_main(main)
