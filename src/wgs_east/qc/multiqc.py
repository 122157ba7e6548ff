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


CUSTOM_CONTENT = ("verdicts", "general_stats", "relatedness")


def custom_content_paths(out_dir: Path, batch: str) -> dict[str, Path]:
    """`{batch}.wgs_east_<name>_mqc.json` (MultiQC finds custom content by the `_mqc` suffix)."""
    return {name: out_dir / f"{batch}.wgs_east_{name}_mqc.json" for name in CUSTOM_CONTENT}


def write_custom_content(out_dir: Path, batch: str, table: pd.DataFrame, pairs: pd.DataFrame) -> None:
    paths = custom_content_paths(out_dir, batch)
    write_json(paths["verdicts"], verdict_section(table))
    write_json(paths["general_stats"], general_stats(table))
    write_json(paths["relatedness"], relatedness_section(pairs))
