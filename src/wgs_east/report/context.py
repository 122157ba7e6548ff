"""The data the report templates get: pure functions over the already-read inputs (dicts, frames).

Nothing here reads files or formats HTML: the templates (Jinja2, autoescape on) do the markup, these
functions decide what is shown. Unit tests build the inputs by hand (a FAILED sample, a sample without
candidates) and assert on the returned dicts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from wgs_east.config.models import Batch, Limits, QcSettings, Sample

CLASSES = ("Pathogenic", "Likely pathogenic", "Uncertain significance", "Likely benign", "Benign")
"""ACMG/AMP classes, most pathogenic first (the order of the table and of the class filters)."""
CLASS_CODES = {
    "Pathogenic": "P", "Likely pathogenic": "LP", "Uncertain significance": "VUS", "Likely benign": "LB",
    "Benign": "B",
}  # fmt: skip
PATTERN_LABELS = {
    "de_novo": "de novo",
    "homozygous": "homozygous",
    "compound_heterozygous": "compound heterozygous",
    "compound_heterozygous_unphased": "compound heterozygous (unphased)",
    "x_linked_hemizygous": "X-linked hemizygous",
    "dominant_inherited": "dominant, inherited",
}
VERDICTS = ("PASS", "WARN", "FAIL")

# (metric key in qc.json, label, kind, name of the QcSettings limits or None)
KEY_METRICS: tuple[tuple[str, str, str, str | None], ...] = (
    ("reads_after", "Reads after filtering", "count", None),
    ("q30_fraction", "Bases >= Q30", "percent", "q30_fraction"),
    ("mapping_rate", "Reads mapped", "percent", "mapping_rate"),
    ("properly_paired_rate", "Properly paired", "percent", "properly_paired_rate"),
    ("duplicate_rate", "Duplicates", "percent", "duplicate_rate"),
    ("insert_size_median", "Median insert size", "bp", "insert_size_median"),
    ("mean_depth", "Mean autosomal depth", "depth", None),
    ("median_depth", "Median autosomal depth", "depth", "median_depth"),
    ("fraction_20x", "Autosomal bases >= 20x", "percent", "fraction_20x"),
    ("fraction_30x", "Autosomal bases >= 30x", "percent", None),
    ("target_fraction", "Target bases >= {min_depth}x", "percent", "target_fraction"),
    ("x_ratio", "X / autosome depth", "ratio", None),
    ("y_ratio", "Y / autosome depth", "ratio", None),
    ("ti_tv", "Ti/Tv (PASS SNVs)", "ratio", "ti_tv"),
    ("het_hom_ratio", "Het / hom-alt ratio", "ratio", "het_hom_ratio"),
    ("contamination", "Estimated contamination", "percent", "contamination"),
)


# --- formatting of numbers (shared with the templates as filters) ------------------------------------
def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def fmt_value(value: Any, kind: str) -> str:
    """A metric value for display; ``n/a`` when missing."""
    if _missing(value):
        return "n/a"
    if isinstance(value, str):
        return value
    v = float(value)
    if kind == "percent":
        return f"{v * 100:.1f} %" if abs(v) >= 0.001 or v == 0 else f"{v * 100:.2g} %"
    if kind == "depth":
        return f"{v:.1f}x"
    if kind == "count":
        return f"{int(round(v)):,}"
    if kind == "bp":
        return f"{v:.0f} bp"
    if kind == "af":
        return f"{v:.2g}" if v else "0"
    if kind == "kinship":
        return f"{v:.3f}"
    return f"{v:.2f}"


def limits_text(limits: Limits | None, kind: str) -> str:
    """``warn < 25.0x, fail < 20.0x`` (empty when the metric has no bound)."""
    if limits is None:
        return ""
    parts = []
    for label, bound, op in (
        ("warn", limits.warn_below, "<"), ("fail", limits.fail_below, "<"),
        ("warn", limits.warn_above, ">"), ("fail", limits.fail_above, ">"),
    ):  # fmt: skip
        if bound is not None:
            parts.append(f"{label} {op} {fmt_value(bound, kind)}")
    return ", ".join(parts)


def metric_level(value: Any, limits: Limits | None) -> str:
    """PASS / WARN / FAIL of one value against its limits (the QC stage's rule); ``""`` without limits."""
    if limits is None:
        return ""
    from wgs_east.qc.verdicts import check_limits

    found = check_limits("", value, limits)
    return found[0] if found else "PASS"


# --- header ------------------------------------------------------------------------------------------
def phenotype_terms(ids: Iterable[str], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """HPO ids with their names when the bundle's HPO file knows them (``name`` None otherwise)."""
    return [{"id": i, "name": names.get(i)} for i in ids]


def sample_header(
    batch: Batch, sample_id: str, qc_sample: Mapping[str, Any] | None, hpo_names: Mapping[str, str],
    hpo_source: str | None,
) -> dict[str, Any]:  # fmt: skip
    """Who the report is about: ids, family and parents, declared and inferred sex, affected status, HPO."""
    s = batch.sample(sample_id)
    metrics = (qc_sample or {}).get("metrics") or {}
    inferred = metrics.get("inferred_sex")
    sex_check = ((qc_sample or {}).get("checks") or {}).get("sex")
    members = batch.families[s.family]
    return {
        "id": s.id,
        "family": s.family,
        "family_members": [_member(m, s) for m in members if m.id != s.id],
        "father": s.father,
        "mother": s.mother,
        "sex_declared": s.sex.value,
        "sex_inferred": inferred or "n/a",
        "sex_check": sex_check or "n/a",
        "affected": s.affected,
        "phenotypes": phenotype_terms(s.phenotypes, hpo_names),
        "hpo_source": hpo_source,
        "batch": batch.batch,
    }


def _member(m: Sample, proband: Sample) -> dict[str, Any]:
    role = "father" if m.id == proband.father else "mother" if m.id == proband.mother else "relative"
    return {"id": m.id, "role": role, "sex": m.sex.value, "affected": m.affected}


# --- provenance --------------------------------------------------------------------------------------
def provenance(
    run: Mapping[str, Any], tools: Mapping[str, Any] | None, manifest: Mapping[str, Any] | None,
    manifest_sha256: str | None, created: str,
) -> dict[str, Any]:  # fmt: skip
    """Pipeline version and commit, config and its sha256, tool versions and resource versions, from the
    run facts (``.wgs-east/run.json``), ``provenance/tools.json`` and the bundle manifest."""
    from wgs_east.report.inputs import manifest_sources

    tool_rows = [{"name": k, "version": str(v)} for k, v in sorted((tools or {}).items()) if v]
    bundle = None
    resources = []
    if manifest is not None:
        bundle = {
            "name": str(manifest.get("name") or manifest.get("bundle") or "resource bundle"),
            "version": str(manifest.get("version") or ""),
            "build": str(manifest.get("build") or ""),
            "manifest_sha256": manifest_sha256 or "",
            "synthetic": bool(manifest.get("synthetic")),
        }
        for name, src in manifest_sources(dict(manifest)).items():
            resources.append(
                {
                    "name": name,
                    "kind": str(src.get("kind") or ""),
                    "version": str(src.get("version") or "unversioned"),
                    "sha256": str(src.get("sha256") or ""),
                }
            )
    return {
        "created": created,
        "wgs_east_version": str(run.get("wgs_east_version") or ""),
        "git_commit": run.get("git_commit") or "n/a",
        "config": str(run.get("config_path") or ""),
        "config_sha256": str(run.get("config_sha256") or ""),
        "command": str(run.get("command") or ""),
        "tools": tool_rows,
        "bundle": bundle,
        "resources": resources,
        "resource_versions": _by_version(resources),
    }


def _by_version(resources: Sequence[Mapping[str, str]]) -> list[dict[str, Any]]:
    """Sources grouped by version (``test-2026.11: genes, gnomad, ...``), for the page header."""
    groups: dict[str, list[str]] = {}
    for r in resources:
        groups.setdefault(r["version"], []).append(r["name"])
    return [{"version": v, "sources": names} for v, names in groups.items()]


# --- QC ----------------------------------------------------------------------------------------------
def qc_section(
    qc_sample: Mapping[str, Any] | None, settings: QcSettings, target_configured: bool,
    coverage_plot: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Verdict and reasons, key metrics with their limits and level, under-covered target regions."""
    if qc_sample is None:
        return {
            "available": False, "verdict": "NOT AVAILABLE", "reasons": [], "notes": [], "metrics": [],
            "checks": {}, "coverage_plot": coverage_plot, "target": None,
        }  # fmt: skip
    metrics = qc_sample.get("metrics") or {}
    rows = []
    for key, label, kind, limits_name in KEY_METRICS:
        if key == "target_fraction" and not target_configured:
            continue
        limits = getattr(settings, limits_name) if limits_name else None
        value = metrics.get(key)
        rows.append(
            {
                "key": key,
                "label": label.format(min_depth=settings.region_min_depth),
                "value": value,
                "display": fmt_value(value, kind),
                "limits": limits_text(limits, kind),
                "level": metric_level(value, limits),
            }
        )
    target = None
    if target_configured:
        regions = [
            {
                "name": r.get("name") or "",
                "locus": f"{r.get('contig')}:{int(r.get('start', 0)) + 1:,}-{int(r.get('end', 0)):,}",
                "mean_depth": fmt_value(r.get("mean_depth"), "depth"),
                "fraction": fmt_value(r.get("fraction_at_min_depth"), "percent"),
            }
            for r in qc_sample.get("undercovered_regions") or []
        ]
        target = {
            "fraction": fmt_value(metrics.get("target_fraction"), "percent"),
            "min_depth": settings.region_min_depth,
            "min_fraction": fmt_value(settings.region_min_fraction, "percent"),
            "regions": regions,
        }
    return {
        "available": True,
        "verdict": str(qc_sample.get("verdict") or "NOT AVAILABLE"),
        "reasons": [dict(r) for r in qc_sample.get("reasons") or []],
        "notes": [str(n) for n in qc_sample.get("notes") or []],
        "checks": dict(qc_sample.get("checks") or {}),
        "metrics": rows,
        "coverage_plot": coverage_plot,
        "target": target,
    }


# --- candidates --------------------------------------------------------------------------------------
def _genotype(gt: Any, dp: Any) -> str:
    gt = "" if _missing(gt) else str(gt)
    if gt in ("", "not sequenced"):
        return gt or "n/a"
    dp = "" if _missing(dp) else str(dp)
    return f"{gt} (DP {dp})" if dp not in ("", ".") else gt


def _hgvs(value: Any) -> str:
    """``c.550C>T`` from ``ENST...:c.550C>T`` (the transcript is its own column)."""
    text = "" if _missing(value) else str(value)
    return text.split(":", 1)[1] if ":" in text else text


def candidate_row(v: Mapping[str, Any]) -> dict[str, Any]:
    """One variant of ``classified/{sample}.json`` as the table shows it; ``criteria`` keeps the evidence
    trail (code, strength, points and the values that decided each criterion)."""
    cls = str(v.get("classification") or "")
    patterns = v.get("inheritance") or []
    if isinstance(patterns, str):
        patterns = [p for p in patterns.split(",") if p]
    criteria = [
        {
            "code": str(c.get("code") or ""),
            "criterion": str(c.get("criterion") or ""),
            "strength": str(c.get("strength") or ""),
            "points": c.get("points"),
            "evidence": str(c.get("evidence") or ""),
            "direction": "benign" if str(c.get("criterion") or "").startswith("B") else "pathogenic",
        }
        for c in v.get("criteria") or []
    ]
    row = {
        "rank": v.get("rank"),
        "locus": f"{v.get('chrom')}:{v.get('pos')} {v.get('ref')}>{v.get('alt')}",
        "filter": str(v.get("filter") or ""),
        "gene": str(v.get("gene") or ""),
        "transcript": str(v.get("transcript") or ""),
        "consequence": str(v.get("consequence") or "").replace("&", ", "),
        "hgvs_c": _hgvs(v.get("hgvs_c")),
        "hgvs_p": _hgvs(v.get("hgvs_p")),
        "zygosity": str(v.get("zygosity") or ""),
        "genotype": _genotype(v.get("genotype"), v.get("depth")),
        "father": _genotype(v.get("father_genotype"), v.get("father_depth")),
        "mother": _genotype(v.get("mother_genotype"), v.get("mother_depth")),
        "inheritance": [PATTERN_LABELS.get(p, p.replace("_", " ")) for p in patterns],
        "gene_moi": str(v.get("gene_moi") or ""),
        "moi_match": str(v.get("moi_match") or ""),
        "candidate": bool(v.get("candidate")),
        "partners": str(v.get("partners") or ""),
        "classification": cls,
        "class_code": CLASS_CODES.get(cls, "other"),
        "points": v.get("points"),
        "classification_2015": str(v.get("classification_2015") or ""),
        "conflict": bool(v.get("conflict")),
        "criteria": criteria,
        "unmet": [
            {"criterion": str(c.get("criterion") or ""), "status": str(c.get("status") or ""),
             "evidence": str(c.get("evidence") or "")}
            for c in [*(v.get("not_met") or []), *(v.get("not_evaluable") or [])]
        ],  # fmt: skip
        "quality": str(v.get("quality") or ""),
        "filter_note": str(v.get("filter_note") or ""),
        "annotation": [
            ("population AF", fmt_value(v.get("pop_af"), "af")),
            ("popmax AF", fmt_value(v.get("popmax_af"), "af")),
            ("REVEL", fmt_value(v.get("revel"), "ratio")),
            ("SpliceAI", fmt_value(v.get("spliceai"), "ratio")),
            ("ClinVar", str(v.get("clinvar_sig") or "none")),
        ],
    }
    words = [row["gene"], row["transcript"], row["hgvs_c"], row["hgvs_p"], row["consequence"], row["locus"],
             row["zygosity"], cls, row["class_code"], *row["inheritance"], *(c["code"] for c in criteria)]  # fmt: skip
    row["search"] = " ".join(w for w in words if w).lower()
    return row


def class_counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(CLASSES, 0)
    for r in rows:
        if r["classification"] in counts:
            counts[r["classification"]] += 1
    return counts


NOT_CLASSIFIED = "the classified variant list of this sample is missing"


def candidates_section(
    classified: Mapping[str, Any] | None, missing_reason: str = NOT_CLASSIFIED
) -> dict[str, Any]:
    """The candidate table (in the classification's rank order: class, fitting candidates, points), the
    counts per class, and what was searched (for the "no candidates" statement)."""
    if classified is None:
        return {"available": False, "reason": missing_reason, "rows": [], "counts": dict.fromkeys(CLASSES, 0),
                "total": 0}  # fmt: skip
    rows = [candidate_row(v) for v in classified.get("variants") or []]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] if r["rank"] is not None else 0))
    counts = classified.get("counts") or {}
    filters = classified.get("filters") or {}
    qc = classified.get("qc") or {}
    parents = classified.get("parents") or {}
    return {
        "available": True,
        "rows": rows,
        "total": len(rows),
        "counts": class_counts(rows),
        "class_filters": [
            {"name": c, "code": CLASS_CODES[c], "count": n} for c, n in class_counts(rows).items()
        ],
        "calls": counts.get("calls"),
        "hidden_by_filters": counts.get("hidden_by_filters") or 0,
        "panel": filters.get("panel"),
        "hpo_filter": bool(filters.get("hpo_filter")),
        "reporting_rule": str(classified.get("reporting_rule") or ""),
        "parentage_note": str(qc.get("parentage_note") or ""),
        "parents_missing": list(parents.get("declared_but_not_in_vcf") or []),
        "classified_verdict": str(classified.get("qc_verdict") or ""),
        "low_confidence": [candidate_row(v) for v in classified.get("low_confidence") or []],
        "low_confidence_calls": counts.get("low_confidence_calls") or 0,
        "mitochondrial": list(classified.get("mitochondrial") or []),
        "gates_not_evaluable": list(counts.get("quality_gates_not_evaluable") or []),
    }


SV_NOT_RUN = (
    "Structural-variant and copy-number calling was not run for this sample (no SV classification was given to "
    "the report): deletions, duplications, inversions and other rearrangements have not been assessed"
)
SV_REPORTED = ("Pathogenic", "Likely pathogenic", "Uncertain significance", "Candidate (gene broken)")


def _sv_row(e: Mapping[str, Any]) -> dict[str, Any]:
    cls = str(e.get("classification") or "")
    return {
        "rank": e.get("rank"), "id": e.get("id"), "locus": f"{e.get('chrom')}:{e.get('start')}-{e.get('end')}",
        "svtype": e.get("svtype"), "size": e.get("size"), "filter": e.get("filter"), "genes": ", ".join(e.get("genes") or []) or "intergenic",
        "exons": e.get("exons"), "breakpoints": e.get("breakpoints"), "dosage": e.get("dosage"),
        "genotype": e.get("genotype"), "zygosity": e.get("zygosity"), "copy_number": e.get("copy_number"),
        "father": e.get("father_genotype"), "mother": e.get("mother_genotype"), "inheritance": e.get("inheritance"),
        "classification": cls, "class_code": CLASS_CODES.get(cls, "SV"),
        "total": "-" if e.get("total") is None else f"{float(e['total']):.2f}",
        "sections": e.get("sections") or {}, "callers": ", ".join(e.get("callers") or []),
        "population": e.get("population_af") if e.get("population_af") not in (None, ".") else "not found",
        "population_match": e.get("population_match"),
        "clinvar": e.get("clinvar"), "notes": list(e.get("notes") or []),
        "evidence": [{**x, "points_text": f"{float(x.get('points') or 0):+.2f}"} for x in e.get("evidence") or []],
        "trail": e.get("trail"),
    }  # fmt: skip


def sv_section(sv: Mapping[str, Any] | None) -> dict[str, Any]:
    """The "Structural variants and copy-number changes" section: the P/LP/VUS copy-number changes with
    their ClinGen CNV points and the gene-breaking candidates (the SV classification's rank order); without
    an SV classification the section says that SV calling was not run."""
    if sv is None:
        return {"available": False, "reason": SV_NOT_RUN, "rows": []}
    events = list(sv.get("events") or [])
    rows = [_sv_row(e) for e in events if e.get("classification") in SV_REPORTED]
    counts = sv.get("counts") or {}
    return {
        "available": True, "rows": rows, "carried": counts.get("events_carried", len(events)),
        "not_listed": len(events) - len(rows), "classes": counts.get("classes") or {},
        "rule": str(sv.get("reporting_rule") or ""), "method": dict(sv.get("method") or {}),
        "qc_verdict": str(sv.get("qc_verdict") or ""),
    }  # fmt: skip


# --- the whole page ----------------------------------------------------------------------------------
SYNTHETIC_BANNER = {
    "level": "fail",
    "title": "SYNTHETIC RESOURCES: NOT FOR CLINICAL USE",
    "text": "The annotation resource bundle of this run is marked synthetic (test data): population "
    "frequencies, ClinVar records, scores and gene facts are invented, and so are the classifications.",
}


def banners(verdict: str, candidates: Mapping[str, Any], synthetic: bool = False) -> list[dict[str, str]]:
    """The statements at the top of the page that must not be missed (QC FAIL/WARN, no candidates,
    a synthetic resource bundle)."""
    out = [dict(SYNTHETIC_BANNER)] if synthetic else []
    if verdict == "FAIL":
        out.append(
            {
                "level": "fail",
                "title": "QC FAILED",
                "text": "This sample failed quality control. Its variant calls and classifications are not "
                "reliable: nothing on this page may be reported before the failure is resolved (see the "
                "QC reasons below). Absence of a variant is not evidence of absence here.",
            }
        )
    elif verdict == "WARN":
        out.append(
            {
                "level": "warn",
                "title": "QC WARNING",
                "text": "Quality control raised warnings for this sample: review the reasons below before "
                "relying on the results.",
            }
        )
    elif verdict not in VERDICTS:
        out.append(
            {
                "level": "warn",
                "title": "QC NOT AVAILABLE",
                "text": "No QC verdict is available for this sample: the results have not been checked.",
            }
        )
    if candidates.get("available") and not candidates.get("rows"):
        out.append(
            {
                "level": "none",
                "title": "NO CANDIDATE VARIANTS FOUND",
                "text": "No variant of this sample met the reporting rule (see the Candidates section)."
                + (" With a FAILED QC this is not a negative result." if verdict == "FAIL" else ""),
            }
        )
    if not candidates.get("available"):
        out.append(
            {
                "level": "fail",
                "title": "VARIANTS NOT CLASSIFIED",
                "text": f"No candidate variants are shown: {candidates.get('reason') or NOT_CLASSIFIED}.",
            }
        )
    return out


def sample_context(
    batch: Batch, sample_id: str, qc_doc: Mapping[str, Any] | None, classified: Mapping[str, Any] | None,
    prov: Mapping[str, Any], hpo_names: Mapping[str, str] | None = None, hpo_source: str | None = None,
    coverage_plot: str | None = None, multiqc_link: str | None = "../qc/multiqc.html",
    missing_reason: str = NOT_CLASSIFIED, sv: Mapping[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Everything ``sample.html.j2`` shows for one affected sample (``sv``: the SV classification,
    ``classified/{sample}.sv.json``, or None when SV calling did not run)."""
    qc_sample = qc_for(qc_doc, sample_id)
    qc = qc_section(qc_sample, batch.qc, batch.qc.target_bed is not None, coverage_plot)
    cands = candidates_section(classified, missing_reason)
    return {
        "title": f"{sample_id}: wgs-east clinical report",
        "kind": "sample",
        "sample": sample_header(batch, sample_id, qc_sample, hpo_names or {}, hpo_source),
        "qc": qc,
        "candidates": cands,
        "sv": sv_section(sv),
        "banners": banners(qc["verdict"], cands, bool((prov.get("bundle") or {}).get("synthetic"))),
        "provenance": dict(prov),
        "links": {"batch": f"{batch.batch}.html", "multiqc": multiqc_link},
    }


def qc_for(qc_doc: Mapping[str, Any] | None, sample_id: str) -> dict[str, Any] | None:
    for s in (qc_doc or {}).get("samples") or []:
        if s.get("sample") == sample_id:
            return dict(s)
    return None


def batch_context(
    batch: Batch,
    qc_doc: Mapping[str, Any] | None,
    classified: Mapping[str, Mapping[str, Any] | None],
    prov: Mapping[str, Any],
    multiqc_link: str | None = "../qc/multiqc.html",
) -> dict[str, Any]:
    """Everything ``batch.html.j2`` shows: every sample (families together) with its QC verdict and
    reasons, P/LP/VUS counts and report link for the affected ones, and the relatedness checks."""
    rows = []
    for family, members in sorted(batch.families.items()):
        for s in members:
            q = qc_for(qc_doc, s.id) or {}
            verdict = str(q.get("verdict") or "NOT AVAILABLE")
            row: dict[str, Any] = {
                "id": s.id,
                "family": family,
                "role": _role(s, members),
                "sex_declared": s.sex.value,
                "sex_inferred": (q.get("metrics") or {}).get("inferred_sex") or "n/a",
                "affected": s.affected,
                "verdict": verdict,
                "reasons": [dict(r) for r in q.get("reasons") or []],
                "report": None,
                "counts": None,
            }
            if s.affected:
                doc = classified.get(s.id)
                row["report"] = f"{s.id}.html"
                if doc is not None:
                    counts = class_counts([candidate_row(v) for v in doc.get("variants") or []])
                    row["counts"] = {
                        "P": counts["Pathogenic"], "LP": counts["Likely pathogenic"],
                        "VUS": counts["Uncertain significance"], "listed": sum(counts.values()),
                    }  # fmt: skip
            rows.append(row)
    verdicts = [r["verdict"] for r in rows]
    pairs = [
        {
            "a": p.get("sample_a"), "b": p.get("sample_b"),
            "expected": str(p.get("expected_relationship") or ""),
            "kinship": fmt_value(p.get("kinship"), "kinship"),
            "observed": str(p.get("observed_degree") or ""),
            "status": str(p.get("status") or ""),
            "message": str(p.get("message") or ""),
        }
        for p in (qc_doc or {}).get("pairs") or []
    ]  # fmt: skip
    return {
        "title": f"Batch {batch.batch}: wgs-east overview",
        "kind": "batch",
        "batch": batch.batch,
        "samples": rows,
        "n_families": len(batch.families),
        "verdict_counts": {v: verdicts.count(v) for v in VERDICTS},
        "n_not_available": sum(v not in VERDICTS for v in verdicts),
        "pairs": pairs,
        "provenance": dict(prov),
        "synthetic_banner": SYNTHETIC_BANNER,
        "links": {"multiqc": multiqc_link},
    }


def _role(s: Sample, members: Sequence[Sample]) -> str:
    if any(m.father == s.id for m in members):
        return "father"
    if any(m.mother == s.id for m in members):
        return "mother"
    if s.father or s.mother:
        return "child"
    return "singleton" if len(members) == 1 else "relative"
