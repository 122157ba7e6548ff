"""Per-sample QC verdicts: PASS / WARN / FAIL with the reasons, from the metric files and the batch config.

Re-runnable on existing metric files with another config (thresholds, declared sex, pedigree):

    python -m wgs_east.qc.verdicts --batch-json .wgs-east/batch.json --metrics-dir qc/metrics \
        --out-tsv qc/B.qc.tsv --out-json qc/B.qc.json [--out-pairs qc/B.relatedness.tsv] [--mqc-dir DIR]

The metrics dir holds `{sample}.reads.json`, `{sample}.alignment.json`, `{sample}.coverage.json` for every
sample and `{batch}.variants.json`, `{batch}.genotypes.json`. A FAIL never drops a sample: every sample of
the batch has a row, with its verdict and reasons.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wgs_east import __version__
from wgs_east.config.models import Batch, Limits, QcSettings, Sample
from wgs_east.errors import InputError, Problem
from wgs_east.qc import multiqc
from wgs_east.qc.io import read_json, run_main, write_json
from wgs_east.qc.relatedness import assess_pairs
from wgs_east.qc.sex import infer_sex, sex_check

LEVELS = ("PASS", "WARN", "FAIL")
NOT_ASSESSABLE = "NA"
"""The verdict of a check that cannot be made (the sex check on a reference without sex chromosomes): neither
PASS nor FAIL, and left out of the sample's verdict."""
CATEGORIES = ("reads", "alignment", "coverage", "sex", "variants", "contamination", "relatedness", "sv")


def worst(levels: Sequence[str]) -> str:
    return max(levels, key=LEVELS.index, default="PASS")


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


def _fmt(value: float) -> str:
    if abs(value) >= 100 or value == int(value):
        return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return f"{value:.3g}"


def check_limits(label: str, value: Any, limits: Limits) -> tuple[str, str] | None:
    """(level, message) when the value breaks a bound, else None. A missing value is a WARN."""
    v = _num(value)
    if math.isnan(v):
        if any(b is not None for b in (limits.warn_below, limits.fail_below, limits.warn_above, limits.fail_above)):
            return "WARN", f"{label} not available"
        return None
    for level, bound, below in (
        ("FAIL", limits.fail_below, True), ("FAIL", limits.fail_above, False),
        ("WARN", limits.warn_below, True), ("WARN", limits.warn_above, False),
    ):  # fmt: skip
        if bound is None:
            continue
        if (below and v < bound) or (not below and v > bound):
            return level, f"{label} {_fmt(v)} {'<' if below else '>'} {_fmt(bound)}"
    return None


@dataclass
class SampleVerdict:
    sample: Sample
    findings: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    not_assessable: set[str] = field(default_factory=set)

    def add(self, category: str, finding: tuple[str, str] | None) -> None:
        if finding is not None:
            self.findings[category].append(finding)

    def category_verdict(self, category: str) -> str:
        if category in self.not_assessable:
            return NOT_ASSESSABLE
        return worst([lvl for lvl, _ in self.findings[category]])

    @property
    def verdict(self) -> str:
        return worst([self.category_verdict(c) for c in CATEGORIES if c not in self.not_assessable])

    def reasons(self) -> list[dict[str, str]]:
        return [
            {"check": c, "level": lvl, "message": msg}
            for c in CATEGORIES
            for lvl, msg in sorted(self.findings[c], key=lambda f: -LEVELS.index(f[0]))
            if lvl != "PASS"
        ]


# --- the checks, one function per category -------------------------------------------------------------
def check_reads(v: SampleVerdict, reads: dict[str, Any], qc: QcSettings) -> None:
    units = reads["units"]
    for unit, m in units.items():
        where = f"unit {unit}: " if len(units) > 1 else ""
        v.add("reads", check_limits(f"{where}Q30 fraction after filtering", m["q30_fraction"], qc.q30_fraction))
        v.add("reads", check_limits(f"{where}fraction of reads passing fastp filters", m["pass_filter_fraction"],
                                    qc.pass_filter_fraction))  # fmt: skip
        v.add("reads", check_limits(f"{where}fraction of reads with adapter", m["adapter_fraction"],
                                    qc.adapter_fraction))  # fmt: skip


def check_alignment(v: SampleVerdict, m: dict[str, Any], qc: QcSettings) -> None:
    v.add("alignment", check_limits("mapping rate", m["mapping_rate"], qc.mapping_rate))
    v.add("alignment", check_limits("properly paired rate", m["properly_paired_rate"], qc.properly_paired_rate))
    v.add("alignment", check_limits("duplicate rate", m["duplicate_rate"], qc.duplicate_rate))
    v.add("alignment", check_limits("median insert size", m["insert_size_median"], qc.insert_size_median))


def check_coverage(v: SampleVerdict, m: dict[str, Any], qc: QcSettings) -> None:
    v.add("coverage", check_limits("median autosomal depth", m["median_depth"], qc.median_depth))
    v.add("coverage", check_limits("fraction of autosomal bases >= 20x", m["fraction_20x"], qc.fraction_20x))
    if "target_fraction" in m:
        v.add("coverage", check_limits(f"fraction of target bases >= {qc.region_min_depth}x", m["target_fraction"],
                                       qc.target_fraction))  # fmt: skip
        if m.get("target_undercovered_regions"):
            v.notes.append(
                f"{m['target_undercovered_regions']} target regions under-covered (< {qc.region_min_fraction:.0%} "
                f"of bases at >= {qc.region_min_depth}x): see undercovered_regions"
            )


def check_sex(
    v: SampleVerdict, cov: dict[str, Any], geno: dict[str, Any] | None, qc: QcSettings, has_sex_chromosomes: bool
) -> None:
    if not has_sex_chromosomes:
        v.not_assessable.add("sex")
        v.metrics["inferred_sex"] = "not assessable"
        v.notes.append(
            "sex check not assessable: the reference has no sex chromosomes (reference.sex_chromosomes: null);"
            f" declared {v.sample.sex.value}, every contig called diploid, no X-linked analysis"
        )
        return
    x_het = _num(geno.get("x_het_fraction")) if geno else math.nan
    sites = int(geno.get("x_het_sites", 0)) if geno else 0
    call = infer_sex(_num(cov["x_ratio"]), _num(cov["y_ratio"]), x_het, sites, qc.sex)
    level, message = sex_check(v.sample.sex.value, call)
    v.metrics.update({"x_het_fraction": x_het, "x_het_sites": sites, "inferred_sex": call.inferred})
    v.add("sex", (level, message))
    if level == "PASS":
        v.notes.append(message)


def check_variants(v: SampleVerdict, m: dict[str, Any] | None, qc: QcSettings) -> None:
    if m is None:
        v.add("variants", ("WARN", "sample not in the batch VCF statistics"))
        return
    v.add("variants", check_limits("Ti/Tv", m["ti_tv"], qc.ti_tv))
    v.add("variants", check_limits("het/hom-alt ratio", m["het_hom_ratio"], qc.het_hom_ratio))


def check_contamination(v: SampleVerdict, geno: dict[str, Any] | None, qc: QcSettings) -> None:
    if geno is None:
        v.add("contamination", ("WARN", "sample not in the batch VCF: contamination not estimated"))
        return
    sites = int(geno.get("contamination_sites") or 0)
    if sites < qc.contamination_min_sites:
        v.add("contamination", ("WARN", f"contamination not estimated: {sites} hom-alt SNVs < "
                                        f"{qc.contamination_min_sites}"))  # fmt: skip
        return
    v.add("contamination", check_limits("estimated contamination", geno["contamination"], qc.contamination))


def check_sv(v: SampleVerdict, m: dict[str, Any] | None, batch: Batch) -> None:
    """SV records carried and non-neutral copy-number segments (`sv/`): WARN above the plausible maxima of
    `sv.max_sv_per_sample` / `sv.max_cnv_per_sample`. Not assessable without the SV stage."""
    if m is None:
        v.not_assessable.add("sv")
        return
    v.metrics.update({k: m.get(k) for k in ("sv_calls", "cnv_segments")})
    sv = batch.sv
    v.add("sv", check_limits("SV records", m.get("sv_calls"), Limits(warn_above=sv.max_sv_per_sample)))
    v.add("sv", check_limits("non-neutral copy-number segments", m.get("cnv_segments"),
                             Limits(warn_above=sv.max_cnv_per_sample)))  # fmt: skip


def check_relatedness(verdicts: dict[str, SampleVerdict], pairs: list[dict[str, Any]], batch: Batch) -> None:
    in_vcf = {p["sample_a"] for p in pairs} | {p["sample_b"] for p in pairs}
    for p in pairs:
        for me, other in ((p["sample_a"], p["sample_b"]), (p["sample_b"], p["sample_a"])):
            if p["status"] != "PASS":
                verdicts[me].add("relatedness", (p["status"], f"with {other}: {p['message']}"))
            elif p["expected_kinship"] > 0:
                verdicts[me].notes.append(f"with {other}: {p['message']}")
    if len(batch.samples) > 1:
        for sid, v in verdicts.items():
            if sid not in in_vcf:
                v.add("relatedness", ("WARN", "sample not in the batch VCF: relatedness not assessed"))


# --- assembling ---------------------------------------------------------------------------------------
METRIC_COLUMNS = (
    ("reads", ("reads_checked", "reads_before", "reads_after", "reads_aligned", "q30_fraction",
               "pass_filter_fraction", "adapter_fraction")),
    ("alignment", ("mapping_rate", "properly_paired_rate", "duplicate_rate", "insert_size_median",
                   "insert_size_iqr", "mismatch_rate")),
    ("coverage", ("mean_depth", "median_depth", "fraction_10x", "fraction_20x", "fraction_30x", "x_depth",
                  "y_depth", "x_ratio", "y_ratio", "target_fraction", "target_undercovered_regions")),
    ("sex", ("x_het_fraction", "x_het_sites", "inferred_sex")),
    ("variants", ("snvs", "indels", "het_snvs", "hom_alt_snvs", "hemizygous_snvs", "ti_tv", "het_hom_ratio")),
    ("contamination", ("contamination", "contamination_se", "contamination_sites")),
    ("sv", ("sv_calls", "cnv_segments")),
)  # fmt: skip


# only with qc.target_bed; read accounting: not in the metrics of runs older than it
OPTIONAL_COLUMNS = ("target_fraction", "target_undercovered_regions", "reads_checked", "reads_aligned")


def load_metrics(batch: Batch, metrics_dir: Path) -> dict[str, Any]:
    """Read every metric file the verdicts need; all missing files are reported at once."""
    wanted = {("batch", "variants"): metrics_dir / f"{batch.batch}.variants.json",
              ("batch", "genotypes"): metrics_dir / f"{batch.batch}.genotypes.json"}  # fmt: skip
    if batch.sv.enabled:
        wanted[("batch", "sv")] = metrics_dir / f"{batch.batch}.sv.json"
    for s in batch.sample_ids:
        for kind in ("reads", "alignment", "coverage"):
            wanted[(s, kind)] = metrics_dir / f"{s}.{kind}.json"
    missing = [p for p in wanted.values() if not p.exists()]
    if missing:
        raise InputError(metrics_dir, [Problem(p.name, "metric file not found") for p in missing])
    return {key: read_json(path) for key, path in wanted.items()}


def assess(batch: Batch, metrics: dict[str, Any]) -> tuple[list[SampleVerdict], list[dict[str, Any]]]:
    qc = batch.qc
    variants = metrics[("batch", "variants")]["samples"]
    genotypes = metrics[("batch", "genotypes")]
    sv = metrics.get(("batch", "sv"))  # absent without the SV stage
    verdicts: dict[str, SampleVerdict] = {}
    for s in batch.samples:
        v = verdicts[s.id] = SampleVerdict(s)
        reads = metrics[(s.id, "reads")]
        aln = metrics[(s.id, "alignment")]["sample_metrics"]
        cov = metrics[(s.id, "coverage")]["sample_metrics"]
        geno = genotypes["samples"].get(s.id)
        v.metrics.update(reads["sample_metrics"])
        v.metrics.update(aln)
        v.metrics.update(cov)
        v.metrics.update(variants.get(s.id, {}))
        if geno:
            v.metrics.update({k: geno[k] for k in ("contamination", "contamination_se", "contamination_sites")})
        check_reads(v, reads, qc)
        check_alignment(v, aln, qc)
        check_coverage(v, cov, qc)
        check_sex(v, cov, geno, qc, batch.reference.sex_chromosomes is not None)
        check_variants(v, variants.get(s.id), qc)
        check_contamination(v, geno, qc)
        check_sv(v, sv["samples"].get(s.id) if sv else None, batch)
    pairs = assess_pairs(batch, genotypes["pairs"])
    check_relatedness(verdicts, pairs, batch)
    return list(verdicts.values()), pairs


def verdict_table(verdicts: list[SampleVerdict]) -> pd.DataFrame:
    rows = []
    for v in verdicts:
        row: dict[str, Any] = {
            "sample": v.sample.id, "family": v.sample.family, "declared_sex": v.sample.sex.value,
            "affected": v.sample.affected, "verdict": v.verdict,
            "reasons": "; ".join(f"{r['level']} {r['check']}: {r['message']}" for r in v.reasons()),
        }  # fmt: skip
        row.update({f"verdict_{c}": v.category_verdict(c) for c in CATEGORIES})
        for _, cols in METRIC_COLUMNS:
            row.update({c: v.metrics.get(c) for c in cols})
        rows.append(row)
    df = pd.DataFrame(rows)
    optional = [c for c in OPTIONAL_COLUMNS if c in df and df[c].isna().all()]
    return df.drop(columns=optional)


def verdict_json(
    batch: Batch, verdicts: list[SampleVerdict], pairs: list[dict[str, Any]], metrics: dict[str, Any]
) -> dict[str, Any]:
    samples = []
    for v in verdicts:
        reads = metrics[(v.sample.id, "reads")]
        cov = metrics[(v.sample.id, "coverage")]
        samples.append(
            {
                "sample": v.sample.id,
                "family": v.sample.family,
                "declared_sex": v.sample.sex.value,
                "affected": v.sample.affected,
                "verdict": v.verdict,
                "checks": {c: v.category_verdict(c) for c in CATEGORIES},
                "reasons": v.reasons(),
                "notes": v.notes,
                "metrics": {c: v.metrics.get(c) for _, cols in METRIC_COLUMNS for c in cols if c in v.metrics},
                "units": reads["units"],
                "per_contig_depth": {c: d["mean_depth"] for c, d in cov.get("per_contig", {}).items()},
                "undercovered_regions": cov.get("undercovered_regions", []),
            }
        )
    return {
        "batch": batch.batch,
        "wgs_east_version": __version__,
        "verdicts": {v.sample.id: v.verdict for v in verdicts},
        "samples": samples,
        "pairs": pairs,
        "batch_metrics": {**metrics[("batch", "variants")]["batch_metrics"],
                          **metrics[("batch", "genotypes")].get("sites", {})},  # fmt: skip
        "settings": batch.qc.model_dump(mode="json"),
    }


PAIR_COLUMNS = (
    "sample_a", "sample_b", "expected_relationship", "expected_kinship", "kinship", "observed_degree", "status",
    "ibs0", "het_het", "opposite_hom", "het_a", "het_b", "sites_both_genotyped", "message",
)  # fmt: skip


def write_tsv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    df.to_csv(tmp, sep="\t", index=False, na_rep="NA", float_format="%.6g")
    tmp.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch-json", type=Path, required=True, help="the validated batch (Batch model JSON)")
    ap.add_argument("--metrics-dir", type=Path, required=True)
    ap.add_argument("--out-tsv", type=Path, required=True)
    ap.add_argument("--out-json", type=Path, required=True)
    ap.add_argument("--out-pairs", type=Path, help="relatedness table (one row per pair of samples)")
    ap.add_argument("--mqc-dir", type=Path, help="write MultiQC custom-content files here")
    args = ap.parse_args(argv)
    try:
        batch = Batch.model_validate_json(args.batch_json.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(args.batch_json, [Problem("", f"not a valid batch JSON: {exc}")]) from None
    metrics = load_metrics(batch, args.metrics_dir)
    verdicts, pairs = assess(batch, metrics)
    table = verdict_table(verdicts)
    result = verdict_json(batch, verdicts, pairs, metrics)
    write_tsv(table, args.out_tsv)
    write_json(args.out_json, result)
    if args.out_pairs:
        write_tsv(pd.DataFrame(pairs, columns=list(PAIR_COLUMNS)), args.out_pairs)
    if args.mqc_dir:
        units = {s: metrics[(s, "reads")]["units"] for s in batch.sample_ids}
        multiqc.write_custom_content(
            args.mqc_dir, batch.batch, table, pd.DataFrame(pairs, columns=list(PAIR_COLUMNS)), units
        )
    return 0


if __name__ == "__main__":
    run_main(main)
