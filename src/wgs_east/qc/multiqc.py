"""MultiQC custom content: the wgs-east verdicts (a table and General Statistics columns) and the
relatedness table, written as `*_mqc.json` files that MultiQC picks up with the tools' outputs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from wgs_east.qc.io import write_json

VERDICT_COLOURS = [{"pass": "#5cb85c"}, {"warn": "#f0ad4e"}, {"fail": "#d9534f"}]
VERDICT_RULES = {"pass": [{"s_eq": "PASS"}], "warn": [{"s_eq": "WARN"}], "fail": [{"s_eq": "FAIL"}]}

TABLE_COLUMNS = {
    "verdict": ("Verdict", "PASS / WARN / FAIL (worst of the checks)", None),
    "reasons": ("Reasons", "Why the sample is WARN or FAIL", None),
    "median_depth": ("Median depth", "Median autosomal depth (MAPQ-filtered, duplicates and N excluded)", "{:,.1f}"),
    "fraction_20x": ("≥20x", "Fraction of autosomal bases at depth >= 20", "{:,.3f}"),
    "inferred_sex": ("Inferred sex", "From X/Y depth and X heterozygosity", None),
    "declared_sex": ("Declared sex", "Sex in the batch config", None),
    "x_ratio": ("X/A", "X depth / autosomal depth", "{:,.2f}"),
    "y_ratio": ("Y/A", "Y depth / autosomal depth", "{:,.3f}"),
    "x_het_fraction": ("X het", "Fraction of carried X SNVs with balanced allele fraction", "{:,.2f}"),
    "contamination": ("Contamination (est.)", "Estimate from ref reads at hom-alt SNVs (see docs)", "{:,.4f}"),
    "ti_tv": ("Ti/Tv", "Transition/transversion ratio of PASS SNVs", "{:,.2f}"),
    "het_hom_ratio": ("Het/Hom", "Het / hom-alt SNV genotypes", "{:,.2f}"),
    "sv_calls": ("SVs", "Structural-variant records carried (sv/<batch>.sv.vcf.gz)", "{:,.0f}"),
    "cnv_segments": ("CNV segments", "Non-neutral copy-number segments (sv/<sample>.cnv.tsv)", "{:,.0f}"),
}


def _value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def verdict_section(table: pd.DataFrame) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    for col, (title, desc, fmt) in TABLE_COLUMNS.items():
        if col not in table:
            continue
        h: dict[str, Any] = {"title": title, "description": desc, "scale": False}
        if fmt:
            h["format"] = fmt
        if col == "verdict" or col.startswith("verdict_"):
            h.update({"cond_formatting_rules": VERDICT_RULES, "cond_formatting_colours": VERDICT_COLOURS})
        headers[col] = h
    for col in [c for c in table.columns if c.startswith("verdict_")]:
        headers[col] = {
            "title": col.removeprefix("verdict_").capitalize(), "description": f"{col} check", "scale": False,
            "cond_formatting_rules": VERDICT_RULES, "cond_formatting_colours": VERDICT_COLOURS,
        }  # fmt: skip
    data = {
        row["sample"]: {c: _value(row[c]) for c in headers if c in row} for row in table.to_dict("records")
    }
    return {
        "id": "wgs_east_verdicts",
        "section_name": "wgs-east QC verdicts",
        "description": "Per-sample PASS / WARN / FAIL of the wgs-east checks with the reasons (thresholds: "
        "`qc:` in the batch config). A FAIL is flagged, never dropped. Full table: `qc/<batch>.qc.tsv`.",
        "plot_type": "table",
        "pconfig": {"id": "wgs_east_verdicts_table", "title": "wgs-east: QC verdicts", "col1_header": "Sample"},
        "headers": headers,
        "data": data,
    }


def general_stats(table: pd.DataFrame) -> dict[str, Any]:
    return {
        "id": "wgs_east_general",
        "plot_type": "generalstats",
        "pconfig": [
            {"verdict": {"title": "QC verdict", "namespace": "wgs-east", "scale": False,
                         "cond_formatting_rules": VERDICT_RULES, "cond_formatting_colours": VERDICT_COLOURS}},
            {"inferred_sex": {"title": "Inferred sex", "namespace": "wgs-east", "scale": False}},
        ],  # fmt: skip
        "data": {r["sample"]: {"verdict": r["verdict"], "inferred_sex": _value(r.get("inferred_sex"))}
                 for r in table.to_dict("records")},  # fmt: skip
    }


def relatedness_section(pairs: pd.DataFrame) -> dict[str, Any]:
    cols = {
        "expected_relationship": ("Declared", None),
        "expected_kinship": ("Expected kinship", "{:,.3f}"),
        "kinship": ("KING kinship", "{:,.3f}"),
        "observed_degree": ("Observed", None),
        "ibs0": ("IBS0", "{:,.3f}"),
        "status": ("Status", None),
        "message": ("Finding", None),
    }
    headers: dict[str, Any] = {}
    for c, (title, fmt) in cols.items():
        h: dict[str, Any] = {"title": title, "scale": False}
        if fmt:
            h["format"] = fmt
        if c == "status":
            h.update({"cond_formatting_rules": VERDICT_RULES, "cond_formatting_colours": VERDICT_COLOURS})
        headers[c] = h
    data = {
        f"{r['sample_a']} – {r['sample_b']}": {c: _value(r[c]) for c in cols} for r in pairs.to_dict("records")
    }
    return {
        "id": "wgs_east_relatedness",
        "section_name": "wgs-east relatedness",
        "description": "KING-robust kinship of every pair of samples (autosomal PASS SNVs of the batch VCF) "
        "against the pedigree: ~0.25 first degree, ~0.125 second, ~0 unrelated.",
        "plot_type": "table",
        "pconfig": {"id": "wgs_east_relatedness_table", "title": "wgs-east: relatedness", "col1_header": "Pair"},
        "headers": headers,
        "data": data,
    }


ACCOUNTING_COLUMNS = {
    "reads_checked": ("FASTQ check", "Reads in the unit's FASTQ files (two per pair), counted by the FASTQ check"),
    "reads_fastp_in": ("fastp in", "Reads fastp read"),
    "reads_filtered": ("Filtered", "Reads removed by fastp's filters (low quality, too many N, too short)"),
    "reads_fastp_out": ("fastp out", "Reads fastp wrote"),
    "reads_aligned": ("Aligned", "Primary records of the unit's alignment (mapped or not): = fastp out"),
    "reads_mapped": ("Mapped", "Primary records mapped"),
}


def accounting_section(units: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """One row per unit ("SAMPLE UNIT") with its read counts from FASTQ check to alignment."""
    headers = {c: {"title": t, "description": d, "format": "{:,.0f}", "scale": False}
               for c, (t, d) in ACCOUNTING_COLUMNS.items()}  # fmt: skip
    data = {
        f"{sample} {unit}": {c: _value(m.get(c)) for c in ACCOUNTING_COLUMNS}
        for sample, by_unit in units.items()
        for unit, m in by_unit.items()
    }
    return {
        "id": "wgs_east_read_accounting",
        "section_name": "wgs-east read accounting",
        "description": "Reads of every unit at each step: counted by the FASTQ check, read and written by "
        "fastp, primary records of the alignment. A unit losing reads other than to fastp's filters "
        "(or more than `qc.max_unit_read_loss` to them) stops the run.",
        "plot_type": "table",
        "pconfig": {"id": "wgs_east_read_accounting_table", "title": "wgs-east: read accounting",
                    "col1_header": "Unit"},  # fmt: skip
        "headers": headers,
        "data": data,
    }


CUSTOM_CONTENT = ("verdicts", "general_stats", "relatedness", "read_accounting")


def custom_content_paths(out_dir: Path, batch: str) -> dict[str, Path]:
    """`{batch}.wgs_east_<name>_mqc.json` (MultiQC finds custom content by the `_mqc` suffix)."""
    return {name: out_dir / f"{batch}.wgs_east_{name}_mqc.json" for name in CUSTOM_CONTENT}


def write_custom_content(
    out_dir: Path, batch: str, table: pd.DataFrame, pairs: pd.DataFrame,
    units: dict[str, dict[str, dict[str, Any]]] | None = None,
) -> None:  # fmt: skip
    """The custom-content files; `units` (sample -> unit -> read metrics) gives the read accounting."""
    paths = custom_content_paths(out_dir, batch)
    write_json(paths["verdicts"], verdict_section(table))
    write_json(paths["general_stats"], general_stats(table))
    write_json(paths["relatedness"], relatedness_section(pairs))
    write_json(paths["read_accounting"], accounting_section(units or {}))
