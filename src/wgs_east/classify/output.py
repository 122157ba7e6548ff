"""The per-sample outputs: ``{sample}.tsv`` (ranked list), ``{sample}.json`` and ``{sample}.vcf.gz``.

- TSV: ``#`` comment lines (provenance, QC verdict, parentage, reporting rule), then one row per
  reported variant, ranked (:func:`rank`). Columns: :data:`TSV_COLUMNS`.
- JSON: the same rows with the criteria as structured records, plus sample, QC, provenance, settings
  and counts.
- VCF: the listed variants in genome order, with ``ACMG_CLASS``, ``ACMG_POINTS``, ``ACMG_CRITERIA``
  (sample criteria included), ``ACMG_CLASS_2015`` ... as INFO and GT:DP of the sample and its parents;
  provenance, QC verdict and parentage as ``##wgs-east_*`` header lines. bgzipped + tabix index.

Every file is written under a temporary name and renamed (no partial file carries a final name).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wgs_east.acmg import quality
from wgs_east.acmg.codes import STRENGTH_NAMES, Code, format_code, sort_key
from wgs_east.acmg.combine import CLASSES, LIKELY_PATHOGENIC, PATHOGENIC
from wgs_east.acmg.engine import SITE_CRITERIA, classify
from wgs_east.acmg.family import CONSISTENT, DENOVO_POINTS, HOMOZYGOUS, IN_TRANS, PHENOTYPE_ROWS, PM3_ROWS
from wgs_east.acmg.inputs import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from wgs_east.acmg.settings import AcmgSettings
from wgs_east.classify.inheritance import PATTERNS
from wgs_east.classify.pedigree import Proband
from wgs_east.classify.phase import ORIGIN_NAMES
from wgs_east.classify.sample import LISTING_RULE

REPORTING_RULE = (
    LISTING_RULE
    + " A gene panel / HPO filter hides only non-P/LP variants outside it. Sorted by class, then candidates "
    "fitting the gene's inheritance, then phenotype similarity of the gene with the sample's HPO terms (Resnik "
    "best-match average, annotation-frequency IC), then points, then position."
)

TSV_COLUMNS: tuple[str, ...] = (
    "rank", "sample", "qc_verdict", "chrom", "pos", "ref", "alt", "filter", "gene", "transcript",
    "consequence", "hgvs_c", "hgvs_p", "zygosity", "genotype", "depth", "father_genotype", "father_depth",
    "mother_genotype", "mother_depth", "inheritance", "gene_moi", "moi_match", "candidate", "partners",
    "classification", "points", "classification_2015", "conflict", "criteria", "evidence",
    "pop_af", "popmax_af", "revel", "spliceai", "clinvar_sig", "filter_note",
    "genotype_quality", "allele_balance", "quality", "section", "unmet", "phenotype_similarity", "listing",
)  # fmt: skip
"""Columns of ``{sample}.tsv``."""

SAMPLE_CRITERIA = ("PS2", "PM6", "PM3", "BP2")
"""Sample-dependent criteria (acmg/family.py; decided in classify/sample.py and classify/phase.py)."""


# --- helpers ------------------------------------------------------------------------------------------
def atomic_write_text(path: Path, text: str) -> None:
    """Atomic write (``wgs_east.annotate.io.write_text_atomic``)."""
    from wgs_east.annotate.io import write_text_atomic

    write_text_atomic(path, text)


_PLAIN = (str, int, bool, type(None))


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars as Python ones, NaN/inf and ``pd.NA`` as None, containers walked."""
    t = type(value)
    if t in _PLAIN:  # the common leaves first (exact types: a numpy scalar is not one of them)
        return value
    if t is float:
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA:
        return None
    return value


def _str(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "").astype(str).replace("nan", "")


def _gt(gt: pd.Series, sequenced: bool) -> pd.Series:
    return gt.astype(str) if sequenced else pd.Series("not sequenced", index=gt.index)


# --- ranking -----------------------------------------------------------------------------------------
def rank(
    reported: pd.DataFrame, contig_order: Sequence[str], similarity: dict[str, float] | None = None
) -> pd.DataFrame:
    """Sort: class (Pathogenic first), then candidates whose pattern fits the gene's modes (``yes``
    before ``unknown``), then phenotype similarity of the gene with the proband (classify/phenotype.py,
    column ``phenotype_similarity``), then points, then contig order and position."""
    order = {c: i for i, c in enumerate(contig_order)}
    sim = reported["gene_key"].map(similarity or {}).fillna(0.0).to_numpy(dtype=np.float64)
    key = pd.DataFrame(
        {
            "cls": -reported["acmg_class"].cat.codes.to_numpy().astype(int),
            "cand": np.select(
                [reported["candidate"].to_numpy() & (reported["moi_match"].to_numpy() == "yes"),
                 reported["candidate"].to_numpy()], [0, 1], 2),  # fmt: skip
            "sim": -sim,
            "pts": -reported["acmg_points"].to_numpy().astype(int),
            "contig": reported["chrom"].map(order).fillna(len(order)).to_numpy(),
            "pos": reported["pos"].to_numpy(),
        },
        index=reported.index,
    )
    idx = key.sort_values(["cls", "cand", "sim", "pts", "contig", "pos"], kind="stable").index
    out = reported.loc[idx].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["phenotype_similarity"] = -key.loc[idx, "sim"].to_numpy()
    return out


# --- evidence trail ----------------------------------------------------------------------------------
def _numpy_values(ev: Any) -> Any:
    """The evidence with its Series values as numpy arrays (positional access without pandas overhead)."""
    values = {k: (v.to_numpy(dtype=object) if isinstance(v, pd.Series) else v) for k, v in ev.values.items()}
    return replace(ev, values=values)


def _sample_unmet(reported: pd.DataFrame, p: Proband) -> list[list[dict[str, str]]]:
    """PS2/PM6/PM3/BP2 where not met, per row: ``{criterion, status, evidence}`` (status ``not met`` or
    ``not evaluable``) with the genotypes, phase or gate that decided it."""
    n = len(reported)
    col = {c: reported[c].to_numpy() for c in (
        "PS2", "PM6", "PM3", "BP2", "gt", "dp", "father_gt", "father_dp", "mother_gt", "mother_dp", "origin",
        "in_recessive", "dominant_only", "level")}  # fmt: skip
    hemi = reported["hemizygous"].to_numpy() if "hemizygous" in reported.columns else np.zeros(n, bool)
    gates = reported["gates"].to_numpy() if "gates" in reported.columns else np.zeros(n, np.uint8)
    moi = reported["gene_moi"].astype(object).where(reported["gene_moi"].notna(), "").to_numpy()
    missing = [role for role, sid in (("father", p.father), ("mother", p.mother)) if sid is None]
    out: list[list[dict[str, str]]] = []
    for i in range(n):
        rows: list[dict[str, str]] = []

        def add(name: str, status: str, text: str, _rows: list[dict[str, str]] = rows) -> None:
            _rows.append({"criterion": name, "status": status, "evidence": text})

        low = bool(gates[i])
        gate_text = "the call failed a genotype quality gate (see quality): no sample-level evidence"
        trio = (f"proband {col['gt'][i]} (DP {col['dp'][i]}), father {col['father_gt'][i] or '-'} "
                f"(DP {col['father_dp'][i]}), mother {col['mother_gt'][i] or '-'} (DP {col['mother_dp'][i]})")  # fmt: skip
        for name, other in (("PS2", "PM6"), ("PM6", "PS2")):
            if col[name][i]:
                continue
            if low:
                add(name, "not evaluable", gate_text)
            elif missing:
                add(name, "not evaluable", f"{' and '.join(missing)} not sequenced")
            elif col[other][i]:
                add(name, "not met", f"{other} applies instead ({p.qc.parentage_note})")
            else:
                add(name, "not met", "not de novo by the rule (both parents hom-ref with depth, no parental alt read, "
                    "parents' GQ >= the gate, a gene whose modes admit a de novo cause (AD, X-linked, unknown), a "
                    f"phenotype consistent with the gene: SVI de novo v1.1): {trio}; gene modes '{moi[i]}'")
        phase_unknown = "phase unknown (a parent not sequenced, both or neither parent carries it, or not heterozygous)"
        if not col["PM3"][i]:
            if low:
                add("PM3", "not evaluable", gate_text)
            elif hemi[i]:
                add("PM3", "not met", "hemizygous (male X): no second allele in trans")
            elif not col["in_recessive"][i]:
                add("PM3", "not met", f"gene modes '{moi[i]}' include no recessive mode (for this proband)")
            else:
                add("PM3", "not met", "SVI PM3 v1.0 Table 1: no P/LP call of the gene in trans or of unknown phase "
                    "worth 0.5 point or more (an LP partner of unknown phase is 0.25), and not a rare homozygous "
                    "occurrence with both sequenced parents carrying it")
        if not col["BP2"][i]:
            if low:
                add("BP2", "not evaluable", gate_text)
            elif col["level"][i]:
                add("BP2", "not met", "the call itself is P/LP before phase evidence")
            elif hemi[i]:
                add("BP2", "not met", "no other P/LP call of the gene on the (single) X")
            elif not col["origin"][i]:
                add("BP2", "not evaluable", phase_unknown)
            else:
                add("BP2", "not met", "no P/LP call in cis, and none in trans in a dominant-only gene")
        out.append(rows)
    return out


def _sample_criteria(reported: pd.DataFrame, p: Proband, settings: AcmgSettings) -> list[list[tuple[Code, str]]]:
    """PS2/PM6/PM3/BP2 with the genotypes, parentage and partners that decided them, per row."""
    n = len(reported)
    out: list[list[tuple[Code, str]]] = [[] for _ in range(n)]
    col = {c: reported[c].to_numpy() for c in (
        "PS2", "PM6", "PM3", "BP2", "gt", "dp", "father_gt", "father_dp", "mother_gt", "mother_dp", "gene_key",
        "trans_level", "trans_partner", "cis_partner", "origin")}  # fmt: skip
    hemi = reported["hemizygous"].to_numpy() if "hemizygous" in reported.columns else np.zeros(n, bool)
    denovo_row = (reported["denovo_row"].to_numpy() if "denovo_row" in reported.columns
                  else np.full(n, -1, dtype=np.int8))  # fmt: skip  # -1: no HPO data, the default row
    moi = reported["gene_moi"].astype(object).to_numpy()
    for name in ("PS2", "PM6"):
        for i in np.flatnonzero(col[name]).tolist():
            crit = settings.for_gene(str(col["gene_key"][i])) if col["gene_key"][i] in settings.genes else settings
            text = (
                f"de novo: proband {col['gt'][i]} (DP {col['dp'][i]}), father {p.father} {col['father_gt'][i]} "
                f"(DP {col['father_dp'][i]}), mother {p.mother} {col['mother_gt'][i]} (DP {col['mother_dp'][i]}); "
                f"parents' depth >= {crit.denovo_min_parent_dp}, proband's >= {crit.denovo_min_proband_dp}, parents' "
                f"alt reads <= {crit.denovo_max_parent_alt_reads}; {p.qc.parentage_note}"
            )
            if crit.denovo_points:
                row = int(denovo_row[i])
                pts = DENOVO_POINTS[int(name == "PS2"), max(row, CONSISTENT) if row < 0 else row]
                why = " (default: no HPO terms for the proband or the gene)" if row < 0 else " (HPO similarity)"
                text += (f"; SVI de novo v1.1 row: {'confirmed' if name == 'PS2' else 'assumed'} de novo, "
                         f"{PHENOTYPE_ROWS[CONSISTENT if row < 0 else row]}{why} = {pts:g} point(s), one "
                         "occurrence")  # fmt: skip
            out[i].append((Code(name, int(col[name][i])), text))
    pm3_row = reported["pm3_row"].to_numpy() if "pm3_row" in reported.columns else np.full(n, IN_TRANS)
    pm3_pts = reported["pm3_points"].to_numpy() if "pm3_points" in reported.columns else np.zeros(n)
    for i in np.flatnonzero(col["PM3"]).tolist():
        row = int(pm3_row[i])
        svi = f"SVI PM3 v1.0 Table 1 row '{PM3_ROWS[row]}' = {pm3_pts[i]:g} point(s), one proband"
        if row == HOMOZYGOUS:
            text = (f"homozygous ({col['gt'][i]}) in a gene with a recessive mode ({moi[i]}), rare (no BA1/BS1/BS2), "
                    f"no sequenced parent hom-ref (father {col['father_gt'][i] or 'not sequenced'}, mother "
                    f"{col['mother_gt'][i] or 'not sequenced'}); {svi}")  # fmt: skip
        else:
            partner_class = "Pathogenic" if int(col["trans_level"][i]) == 2 else "Likely pathogenic"
            if row == IN_TRANS:
                phase = (f"in trans with {col['trans_partner'][i]} ({partner_class} before phase evidence): this allele "
                         f"{ORIGIN_NAMES[int(col['origin'][i])]}, the partner from the other parent (phased by the "
                         "parents' genotypes)")  # fmt: skip
            else:
                phase = (f"with {col['trans_partner'][i]} (P/LP before phase evidence), phase unknown (this allele "
                         f"{ORIGIN_NAMES[int(col['origin'][i])]})")  # fmt: skip
            text = f"{phase}, in a gene with a recessive mode ({moi[i]}); {svi}"
        out[i].append((Code("PM3", int(col["PM3"][i])), text))
    for i in np.flatnonzero(col["BP2"]).tolist():
        if col["cis_partner"][i] and hemi[i]:
            text = f"in cis with {col['cis_partner'][i]} (P/LP; a male's single X: every call of the gene in cis)"
        elif col["cis_partner"][i]:
            text = f"in cis with {col['cis_partner'][i]} (P/LP, same parental haplotype)"
        else:
            text = f"in trans with {col['trans_partner'][i]} (P/LP) in a gene with dominant modes only ({moi[i]})"
        out[i].append((Code("BP2", int(col["BP2"][i])), text))
    return out


def evidence_records(reported: pd.DataFrame, p: Proband, settings: AcmgSettings) -> list[list[dict[str, Any]]]:
    """Per reported row, every criterion: the applied ones (``status`` ``met``) with strength, points and
    the values that decided them, then the others as ``not met`` (with the values) or ``not evaluable``
    (with what was missing), in the engine's criterion order.

    Site evidence is recomputed on the reported rows alone (site criteria depend only on the row and
    the settings) and checked against pass 1.
    """
    if reported.empty:
        return []
    inputs = reported[[c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in reported.columns]].reset_index(drop=True)
    res = classify(inputs, settings, trail="none")
    for c in SITE_CRITERIA:
        if not np.array_equal(res.frame[c].to_numpy(), reported[c].to_numpy()):
            raise RuntimeError(f"site evidence {c} recomputed differently for the reported rows")
    items = _sample_criteria(reported, p, settings)
    unmet: list[list[dict[str, str]]] = [[] for _ in range(len(reported))]
    for name, ev in res.evidence.items():
        fast = _numpy_values(ev)
        for i in range(len(reported)):
            status, text = fast.status(i)
            if status == "met":
                items[i].append((Code(name, int(ev.strength[i])), text))
            else:
                unmet[i].append({"criterion": name, "status": status, "evidence": text})
    order = {c: k for k, c in enumerate((*SITE_CRITERIA, *SAMPLE_CRITERIA))}
    records = []
    for row, rest, sample_rest in zip(items, unmet, _sample_unmet(reported, p), strict=True):
        row.sort(key=lambda pair: sort_key(pair[0]))
        met = [
            {"code": str(code), "criterion": code.criterion, "strength": STRENGTH_NAMES[code.strength],
             "points": code.points, "evidence": text, "status": "met"}
            for code, text in row
        ]  # fmt: skip
        records.append(met + sorted(rest + sample_rest, key=lambda r: order.get(r["criterion"], 99)))
    return records


def met(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The applied criteria of a row's records."""
    return [r for r in records if r.get("status", "met") == "met"]


def unmet_text(records: list[dict[str, Any]]) -> str:
    """The compact TSV column: ``not met: PS1,PM5; not evaluable: PP3 (no SpliceAI score)``."""
    not_met = [r["criterion"] for r in records if r.get("status") == "not met"]
    missing = [f"{r['criterion']} ({r['evidence']})" for r in records if r.get("status") == "not evaluable"]
    parts = ([f"not met: {','.join(not_met)}"] if not_met else []) + ([f"not evaluable: {'; '.join(missing)}"] if missing else [])
    return " | ".join(parts)


def trail_text(records: list[dict[str, Any]]) -> str:
    return "; ".join(f"{r['code']}: {r['evidence']}" for r in met(records))


# --- the table ---------------------------------------------------------------------------------------
def _num(series: pd.Series | None, n: int) -> pd.Series:
    if series is None:
        return pd.Series([np.nan] * n)
    return pd.to_numeric(series, errors="coerce").reset_index(drop=True)


def table(
    ranked: pd.DataFrame, p: Proband, records: list[list[dict[str, Any]]], settings: AcmgSettings | None = None
) -> pd.DataFrame:
    """The TSV rows (columns TSV_COLUMNS) of ranked reported calls."""
    n = len(ranked)
    r = ranked.reset_index(drop=True)

    def opt(col: str) -> pd.Series:
        return _str(r[col]) if col in r.columns else pd.Series([""] * n, dtype=object)

    def dp(col: str, sequenced: bool = True) -> pd.Series:
        values = r[col].astype(np.int64)
        text = values.astype(str).where(values >= 0, ".")
        return text if sequenced else pd.Series("", index=r.index)

    out = pd.DataFrame(
        {
            "rank": r["rank"],
            "sample": p.sample,
            "qc_verdict": p.qc.verdict,
            "chrom": r["chrom"].astype(str),
            "pos": r["pos"].astype(np.int64),
            "ref": r["ref"].astype(str),
            "alt": r["alt"].astype(str),
            "filter": r["filter"].astype(str),
            "gene": _str(r["gene"]),
            "transcript": opt("transcript"),
            "consequence": _str(r["consequence"]),
            "hgvs_c": _str(r["hgvs_c"]),
            "hgvs_p": opt("hgvs_p"),
            "zygosity": r["zygosity"],
            "genotype": r["gt"].astype(str),
            "depth": dp("dp"),
            "father_genotype": _gt(r["father_gt"], p.father is not None),
            "father_depth": dp("father_dp", p.father is not None),
            "mother_genotype": _gt(r["mother_gt"], p.mother is not None),
            "mother_depth": dp("mother_dp", p.mother is not None),
            "inheritance": r["inheritance"],
            "gene_moi": _str(r["gene_moi"]),
            "moi_match": r["moi_match"],
            "candidate": r["candidate"].map({True: "yes", False: "no"}),
            "partners": r["partners"],
            "classification": r["acmg_class"].astype(str),
            "points": r["acmg_points"].astype(np.int64),
            "classification_2015": r["acmg_class_2015"].astype(str),
            "conflict": r["acmg_conflict"].map({True: "yes", False: "no"}),
            "criteria": r["acmg_codes"].astype(str),
            "evidence": [trail_text(rec) for rec in records],
            "unmet": [unmet_text(rec) for rec in records],
            "pop_af": _num(r.get("pop_af"), n),
            "popmax_af": _num(r.get("popmax_af"), n),
            "revel": _num(r.get("revel"), n),
            "spliceai": _num(r.get("spliceai"), n),
            "clinvar_sig": opt("clinvar_sig"),
            "filter_note": r["filter_note"] if "filter_note" in r.columns else "",
            "genotype_quality": _num(r.get("gq"), n),
            "allele_balance": _num(r.get("ab"), n).round(3),
            "quality": _quality_text(r, p, settings),
            "phenotype_similarity": _num(r.get("phenotype_similarity"), n).round(3),
            "listing": r["listing"] if "listing" in r.columns else "",
            "section": np.where(r["gates"].to_numpy() > 0, "low_confidence", "listed") if "gates" in r.columns else "listed",
        }
    )
    return out[list(TSV_COLUMNS)]


def _quality_text(r: pd.DataFrame, p: Proband, settings: AcmgSettings | None) -> list[str]:
    """``PASS`` or the failed gates with their values (acmg/quality.py), per row."""
    if "gates" not in r.columns or settings is None:
        return ["PASS"] * len(r)
    gates = r["gates"].to_numpy()
    out = []
    for i in range(len(r)):
        g = int(gates[i])
        if not g:
            out.append("PASS")
            continue
        out.append(quality.describe(
            g, filt=str(r["filter"].iat[i]), ft=str(r["ft"].iat[i]) if "ft" in r.columns else ".",
            gq=float(r["gq"].iat[i]), dp=int(r["dp"].iat[i]), ab=float(r["ab"].iat[i]), ploidy=int(r["ploidy"].iat[i]),
            copies=int(r["copies"].iat[i]), settings=settings, median_dp=p.qc.median_depth.get(p.sample),
        ))  # fmt: skip
    return out


def low_confidence_rows(
    low: pd.DataFrame, p: Proband, settings: AcmgSettings, contig_order: Sequence[str],
    similarity: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, list[list[dict[str, Any]]]]:  # fmt: skip
    """The low-confidence section: calls that failed a genotype quality gate and would otherwise be
    listed, ranked like the list, with their (site-only) evidence and the failed gates."""
    if low.empty:
        return pd.DataFrame(columns=list(TSV_COLUMNS)), []
    ranked = rank(low, contig_order, similarity)
    records = evidence_records(ranked, p, settings)
    return table(ranked, p, records, settings), records


def with_sections(rows: pd.DataFrame, low_rows: pd.DataFrame, mito_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The TSV table: the listed rows, then the low-confidence section, then the mitochondrial section
    (``section`` column)."""
    parts = [x for x in (rows, low_rows, mito_rows) if x is not None and not x.empty]
    if not parts:
        return rows
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


MITO_CLASS = "not classified (mitochondrial: nuclear ACMG rules do not apply)"
HOMOPLASMY_MIN = 0.95
"""Heteroplasmy at or above this is reported as homoplasmic (a convention of mtDNA callers, e.g. GATK
Mutect2 mitochondria mode / gnomAD mtDNA use >= 0.95)."""


def mito_rows(mito: pd.DataFrame, p: Proband) -> pd.DataFrame:
    """TSV rows of the mitochondrial section: the call, its heteroplasmy (``allele_balance`` = alt / total
    AD reads) and ``homoplasmic`` / ``heteroplasmic`` as zygosity; no ACMG classification."""
    if mito.empty:
        return pd.DataFrame(columns=list(TSV_COLUMNS))
    n = len(mito)
    het = pd.to_numeric(mito["heteroplasmy"], errors="coerce").to_numpy(dtype=np.float64)
    out = pd.DataFrame({c: np.full(n, "", dtype=object) for c in TSV_COLUMNS})
    for c in ("chrom", "pos", "ref", "alt", "filter", "gene", "consequence", "hgvs_c", "hgvs_p", "genotype", "depth",
              "pop_af"):  # fmt: skip
        if c in mito.columns:
            out[c] = [("" if (x is None or (isinstance(x, float) and np.isnan(x))) else str(x)) for x in mito[c]]
    out["sample"], out["qc_verdict"] = p.sample, p.qc.verdict
    out["zygosity"] = np.where(np.isnan(het), "unknown (no AD)",
                               np.where(het >= HOMOPLASMY_MIN, "homoplasmic", "heteroplasmic"))  # fmt: skip
    out["allele_balance"] = [("" if np.isnan(h) else f"{h:.3f}") for h in het]
    out["classification"] = MITO_CLASS
    out["section"] = "mitochondrial"
    out["listing"] = [f"chrM: heteroplasmy {h:.1%} ({a}/{t} reads)" if not np.isnan(h) else "chrM: no AD"
                      for h, a, t in zip(het, mito["alt_reads"], mito["total_reads"], strict=True)]  # fmt: skip
    return out.sort_values("pos", key=lambda s: pd.to_numeric(s, errors="coerce"), kind="stable").reset_index(drop=True)


def mito_records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON records of the mitochondrial section."""
    keep = ("chrom", "pos", "ref", "alt", "filter", "gene", "consequence", "hgvs_c", "hgvs_p", "genotype", "depth",
            "zygosity", "allele_balance", "classification", "listing")  # fmt: skip
    out = []
    for r in rows[list(keep)].to_dict("records"):
        r["heteroplasmy"] = float(r.pop("allele_balance")) if r["allele_balance"] else None
        out.append(r)
    return out


def comment_lines(p: Proband, provenance: dict[str, Any], rule: str = REPORTING_RULE) -> list[str]:
    """The ``#`` header of the TSV (also the ``##wgs-east_*`` lines of the VCF, without the ``#``); ``rule``:
    what the file lists (the SV table, :mod:`wgs_east.cnv.sv`, has its own)."""
    qc = p.qc
    lines = [
        f"sample={p.sample} family={p.family} sex={p.sex} affected=true phenotypes={','.join(p.phenotypes) or 'none'}",
        f"QC_VERDICT={qc.verdict}" + (f" ({'; '.join(qc.reasons)})" if qc.reasons else ""),
        f"parentage={qc.parentage_note}",
        f"parents={p.parent_note()}",
        f"wgs_east_version={provenance.get('wgs_east_version')}",
        f"git_commit={provenance.get('git_commit') or 'n/a'}",
        f"config={provenance.get('config')} config_sha256={provenance.get('config_sha256')}",
        f"resources={provenance.get('resources_summary') or 'none'}",
        f"input_vcf={provenance.get('input_vcf')}",
        f"qc_result={provenance.get('qc_json') or 'none'}",
        f"command={provenance.get('command')}",
        f"acmg_settings_sha256={provenance.get('acmg_settings_sha256')}",
        f"reporting_rule={rule}",
    ]
    return [line.replace("\n", " ").replace("\t", " ") for line in lines]


def _cells(series: pd.Series) -> list[str]:
    """A column's TSV cells: floats as ``%.6g``, missing values empty, everything else as ``str``."""
    if pd.api.types.is_float_dtype(series.dtype):
        return ["" if x != x else f"{x:.6g}" for x in series.tolist()]
    values = series.to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = np.where(missing, "", values)
    return list(map(str, values.tolist()))


def write_tsv(
    path: Path, rows: pd.DataFrame, p: Proband, provenance: dict[str, Any], rule: str = REPORTING_RULE
) -> None:
    """``#`` header lines, then the table (the csv module's quoting, as ``DataFrame.to_csv`` writes it)."""
    head = "".join(f"# {line}\n" for line in comment_lines(p, provenance, rule))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
    writer.writerow([str(c) for c in rows.columns])
    writer.writerows(zip(*(_cells(rows[c]) for c in rows.columns), strict=True))
    atomic_write_text(path, head + buf.getvalue())


def variant_records(rows: pd.DataFrame, records: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The JSON records of TSV rows (criteria as structured records)."""
    if rows.empty:
        return []
    fields = [k for k in TSV_COLUMNS if k not in ("sample", "qc_verdict", "evidence", "criteria", "unmet")
              and k in rows.columns]  # fmt: skip
    frame = rows[fields].astype(object).where(rows[fields].notna(), None)
    for col in ("depth", "father_depth", "mother_depth"):
        frame[col] = [int(x) if x not in ("", ".", None) else None for x in frame[col]]
    columns = [frame[c].tolist() for c in fields]
    variants = [dict(zip(fields, values, strict=True)) for values in zip(*columns, strict=True)]
    for v, rec in zip(variants, records, strict=True):
        v["inheritance"] = [x for x in str(v["inheritance"]).split(",") if x]
        v["candidate"] = v["candidate"] == "yes"
        v["conflict"] = v["conflict"] == "yes"
        v["criteria"] = met(rec)
        v["not_met"] = [r for r in rec if r.get("status") == "not met"]
        v["not_evaluable"] = [r for r in rec if r.get("status") == "not evaluable"]
    return _clean(variants)


def json_document(
    rows: pd.DataFrame, records: list[list[dict[str, Any]]], p: Proband, provenance: dict[str, Any],
    settings: AcmgSettings, counts: dict[str, Any], filters: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """The sample's JSON document (``variants`` in TSV order, criteria as records)."""
    variants = variant_records(rows, records)
    qc = p.qc
    doc = _clean(
        {
            "sample": p.sample,
            "family": p.family,
            "sex": p.sex,
            "affected": True,
            "phenotypes": list(p.phenotypes),
            "qc_verdict": qc.verdict,
            "qc": {
                "verdict": qc.verdict,
                "reasons": list(qc.reasons),
                "parentage_confirmed": qc.parentage_confirmed,
                "parentage_note": qc.parentage_note,
                "kinship_with_parents": qc.kinship,
            },
            "parents": {
                "father": {"id": p.father, "affected": p.father_affected},
                "mother": {"id": p.mother, "affected": p.mother_affected},
                "declared_but_not_in_vcf": list(p.missing_parents),
            },
            "provenance": provenance,
            "reporting_rule": REPORTING_RULE,
            "inheritance_patterns": list(PATTERNS),
            "filters": filters,
            "counts": counts,
            "acmg_settings": settings.model_dump(mode="json"),
        }
    )
    doc["variants"] = variants
    return doc


def write_json(path: Path, doc: dict[str, Any]) -> None:
    """Indented head, then one variant per line (the C encoder: fast for long lists)."""
    head = {k: v for k, v in doc.items() if k != "variants"}
    head["variants"] = "@@VARIANTS@@"
    text = json.dumps(head, indent=2, allow_nan=False, default=str)
    encode = json.JSONEncoder(allow_nan=False, separators=(", ", ": ")).encode  # one encoder for every line
    lines = [encode(v) for v in doc.get("variants", [])]
    body = "[\n    " + ",\n    ".join(lines) + "\n  ]" if lines else "[]"
    atomic_write_text(path, text.replace('"@@VARIANTS@@"', body, 1) + "\n")


# --- VCF ---------------------------------------------------------------------------------------------
INFO_HEADER = (
    '##INFO=<ID=ACMG_CLASS,Number=1,Type=String,Description="ACMG/AMP class by Tavtigian 2020 points '
    '(BA1 forces Benign): Benign, Likely_benign, Uncertain_significance, Likely_pathogenic, Pathogenic">',
    '##INFO=<ID=ACMG_POINTS,Number=1,Type=Integer,Description="Sum of Tavtigian 2020 points of the applied criteria">',
    '##INFO=<ID=ACMG_CRITERIA,Number=.,Type=String,Description="Applied ACMG/AMP criteria with their strength, '
    'sample-dependent ones (PS2, PM6, PM3, BP2) included">',
    '##INFO=<ID=ACMG_CLASS_2015,Number=1,Type=String,Description="Class by the Richards 2015 combining rules">',
    '##INFO=<ID=ACMG_CONFLICT,Number=0,Type=Flag,Description="The two classes differ">',
    '##INFO=<ID=GENE,Number=1,Type=String,Description="Gene symbol the classification used">',
    '##INFO=<ID=INHERITANCE,Number=.,Type=String,Description="Inheritance patterns of the call in this sample '
    '(de_novo, homozygous, compound_heterozygous, compound_heterozygous_unphased, x_linked_hemizygous, '
    'dominant_inherited)">',
    '##INFO=<ID=MOI_MATCH,Number=1,Type=String,Description="Whether a pattern fits the gene\'s modes of '
    'inheritance: yes, unknown, no">',
)
FORMAT_HEADER = (
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
)


def vcf_header(input_header_lines: Sequence[str], p: Proband, provenance: dict[str, Any]) -> str:
    keep = [
        line for line in input_header_lines if line.startswith(("##contig=", "##FILTER=", "##reference="))
    ]
    if not any(line.startswith("##FILTER=<ID=PASS") for line in keep):
        keep.insert(0, '##FILTER=<ID=PASS,Description="All filters passed">')
    ours = [f"##wgs-east_classify_{line.split('=', 1)[0]}={line.split('=', 1)[1]}" for line in comment_lines(p, provenance)]
    cols = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *p.samples]
    return "\n".join(["##fileformat=VCFv4.2", *keep, *INFO_HEADER, *FORMAT_HEADER, *ours, "\t".join(cols)]) + "\n"


def _info(calls: pd.DataFrame) -> pd.Series:
    """INFO strings: the ACMG part built once per distinct combination of values, the gene once per gene."""
    cls = calls["acmg_class"].cat.codes.to_numpy().astype(np.int64)
    c15 = calls["acmg_class_2015"].cat.codes.to_numpy().astype(np.int64)
    pts = calls["acmg_points"].to_numpy().astype(np.int64)
    crit_codes, crit_uniques = pd.factorize(calls["acmg_codes"].astype(object), sort=False)
    inh_codes, inh_uniques = pd.factorize(calls["inheritance"].astype(object) + "|" + calls["moi_match"].astype(object))
    flags = calls["acmg_conflict"].to_numpy().astype(np.int64)
    # one integer key per row: points offset to be non-negative, every part in its own bit range
    key = (((((pts + 1000) * 8 + cls) * 8 + c15) * 4 + flags) * (len(crit_uniques) + 1) + crit_codes) * (
        len(inh_uniques) + 1
    ) + inh_codes
    codes, uniques = pd.factorize(key, sort=False)
    first = np.zeros(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    classes = [c.replace(" ", "_") for c in CLASSES]
    texts = []
    for i in first.tolist():
        parts = [
            f"ACMG_CLASS={classes[cls[i]]}",
            f"ACMG_POINTS={int(pts[i])}",
            f"ACMG_CRITERIA={crit_uniques[crit_codes[i]] or '.'}",
            f"ACMG_CLASS_2015={classes[c15[i]]}",
        ]
        if flags[i] & 1:
            parts.append("ACMG_CONFLICT")
        inh, match = str(inh_uniques[inh_codes[i]]).split("|")
        if inh:
            parts.append(f"INHERITANCE={inh};MOI_MATCH={match}")
        texts.append(";".join(parts))
    acmg = pd.Series(np.asarray(texts, dtype=object)[codes], index=calls.index)
    gene_codes, gene_uniques = pd.factorize(calls["gene_key"].astype(object), sort=False)
    gene_text = np.array([f";GENE={g}" if g else "" for g in gene_uniques] + [""], dtype=object)
    return acmg + pd.Series(gene_text[gene_codes], index=calls.index)


def _sample_field(gt: pd.Series, dp: pd.Series) -> pd.Series:
    dp = dp.astype(np.int64)
    gt = gt.astype(object).where(gt.astype(str) != "", ".")
    return gt.astype(str) + ":" + dp.astype(str).where(dp >= 0, ".")


def vcf_lines(calls: pd.DataFrame, p: Proband) -> str:
    """VCF text of finished calls (the listed ones, in genome order)."""
    if calls.empty:
        return ""
    parts = [
        calls["chrom"].astype(str),
        calls["pos"].astype(np.int64).astype(str),
        calls["vid"].astype(str),
        calls["ref"].astype(str),
        calls["alt"].astype(str),
        calls["qual"].astype(str),
        calls["filter"].astype(str),
        _info(calls),
        pd.Series("GT:DP", index=calls.index),
        _sample_field(calls["gt"], calls["dp"]),
    ]
    if p.father:
        parts.append(_sample_field(calls["father_gt"], calls["father_dp"]))
    if p.mother:
        parts.append(_sample_field(calls["mother_gt"], calls["mother_dp"]))
    columns = [part.astype(str).tolist() for part in parts]
    return "".join("\t".join(fields) + "\n" for fields in zip(*columns, strict=True))


class VcfWriter:
    """bgzipped VCF written under a temporary name; :meth:`close` indexes it and renames both."""

    def __init__(self, path: Path, header: str) -> None:
        from pysam import BGZFile

        self.path = path
        self.tmp = path.with_name(path.name + ".tmp.vcf.gz")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = BGZFile(str(self.tmp), "wb")
        self._fh.write(header.encode())

    def write(self, text: str) -> None:
        if text:
            self._fh.write(text.encode())

    def close(self) -> None:
        import pysam

        self._fh.close()
        pysam.tabix_index(str(self.tmp), preset="vcf", force=True)
        os.replace(str(self.tmp) + ".tbi", str(self.path) + ".tbi")
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self._fh.close()
        finally:
            for f in (self.tmp, Path(str(self.tmp) + ".tbi")):
                f.unlink(missing_ok=True)


def class_counts(classes: pd.Series) -> dict[str, int]:
    counts = classes.value_counts()
    return {c: int(counts.get(c, 0)) for c in CLASSES}


def is_plp(code: np.ndarray) -> np.ndarray:
    return np.isin(code, (LIKELY_PATHOGENIC, PATHOGENIC))


__all__ = ["REPORTING_RULE", "TSV_COLUMNS", "VcfWriter", "format_code", "rank", "table", "vcf_header"]
