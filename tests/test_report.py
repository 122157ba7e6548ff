"""Unit tests of the clinical reports: the data given to the templates (wgs_east.report.context), the
rendered HTML of synthetic cases (a FAILED sample, a sample without candidates, hostile strings), the
coverage plot, the input readers and the two `python -m` entry points on files written here."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import REPO
from wgs_east.config.models import Batch
from wgs_east.report import context, inputs, plots, render

MANIFEST = REPO / "test_data" / "resources" / "manifest.yaml"


# --- synthetic inputs ----------------------------------------------------------------------------------
def make_batch(**extra: Any) -> Batch:
    def unit(s: str) -> list[dict[str, str]]:
        return [
            {"id": "L001", "fastq1": f"/x/{s}_1.fq.gz", "fastq2": f"/x/{s}_2.fq.gz", "library": f"LIB_{s}"}
        ]

    data = {
        "batch": "B9",
        "reference": {"fasta": "/x/genome.fa"},
        "samples": [
            {"id": "DAD", "sex": "male", "family": "F1", "units": unit("DAD")},
            {"id": "MUM", "sex": "female", "family": "F1", "units": unit("MUM")},
            {"id": "KID", "sex": "female", "family": "F1", "father": "DAD", "mother": "MUM", "affected": True,
             "phenotypes": ["HP:0001250", "HP:0001263"], "units": unit("KID")},
            {"id": "SOLO", "sex": "male", "family": "F2", "affected": True, "phenotypes": [], "units": unit("SOLO")},
        ],
        **extra,
    }  # fmt: skip
    return Batch.model_validate(data)


GOOD_METRICS = {
    "reads_after": 62004, "q30_fraction": 0.92, "mapping_rate": 1.0, "properly_paired_rate": 0.99,
    "duplicate_rate": 0.024, "insert_size_median": 349.0, "mean_depth": 28.3, "median_depth": 28.0,
    "fraction_20x": 0.956, "fraction_30x": 0.41, "x_ratio": 1.0, "y_ratio": 0.0, "ti_tv": 2.3,
    "het_hom_ratio": 1.42, "contamination": 0.0, "inferred_sex": "female",
}  # fmt: skip


def qc_sample(
    sample: str, verdict: str = "PASS", reasons: list[dict[str, str]] | None = None, **metrics: Any
) -> dict:
    checks = dict.fromkeys(
        ("reads", "alignment", "coverage", "sex", "variants", "contamination", "relatedness"), "PASS"
    )
    for r in reasons or []:
        checks[r["check"]] = r["level"]
    return {
        "sample": sample, "verdict": verdict, "checks": checks, "reasons": reasons or [],
        "notes": ["inferred female (X/autosome depth 1.00)"], "metrics": {**GOOD_METRICS, **metrics},
        "per_contig_depth": {"chr1": 28.0}, "undercovered_regions": [],
    }  # fmt: skip


def qc_doc(*samples: dict[str, Any]) -> dict[str, Any]:
    return {
        "batch": "B9",
        "verdicts": {s["sample"]: s["verdict"] for s in samples},
        "samples": list(samples),
        "pairs": [{"sample_a": "DAD", "sample_b": "KID", "expected_relationship": "parent-child", "kinship": 0.226,
                   "observed_degree": "first-degree", "status": "PASS", "message": "declared parent-child"}],
    }  # fmt: skip


DENOVO = {
    "rank": 1, "chrom": "chrSYN1", "pos": 8472, "ref": "C", "alt": "T", "filter": "PASS", "gene": "SYNAD1",
    "transcript": "ENST90000000001", "consequence": "stop_gained", "hgvs_c": "ENST90000000001:c.550C>T",
    "hgvs_p": "p.Arg184Ter", "zygosity": "het", "genotype": "0/1", "depth": "27", "father_genotype": "0/0",
    "father_depth": "32", "mother_genotype": "0/0", "mother_depth": "23", "inheritance": ["de_novo"],
    "gene_moi": "AD", "moi_match": "yes", "candidate": True, "partners": "", "classification": "Pathogenic",
    "points": 13, "classification_2015": "Pathogenic", "conflict": False, "pop_af": None, "popmax_af": None,
    "revel": None, "spliceai": None, "clinvar_sig": "", "filter_note": "",
    "criteria": [
        {"code": "PVS1", "criterion": "PVS1", "strength": "VeryStrong", "points": 8,
         "evidence": "stop_gained in a gene where loss of function is a disease mechanism"},
        {"code": "PS2", "criterion": "PS2", "strength": "Strong", "points": 4,
         "evidence": "de novo: proband 0/1 (DP 27), father DAD 0/0 (DP 32), mother MUM 0/0 (DP 23)"},
        {"code": "PM2_Supporting", "criterion": "PM2", "strength": "Supporting", "points": 1,
         "evidence": "absent from the population resource"},
    ],
}  # fmt: skip
VUS = {
    **DENOVO, "rank": 2, "pos": 23655, "gene": "SYNAR1", "transcript": "ENST90000000003", "hgvs_c": "c.764G>A",
    "hgvs_p": "p.Cys255Tyr", "consequence": "missense", "inheritance": [], "candidate": False,
    "classification": "Uncertain significance", "points": 2, "classification_2015": "Uncertain significance",
    "criteria": [{"code": "BP4", "criterion": "BP4", "strength": "Supporting", "points": -1, "evidence": "REVEL=0.1 <= 0.29"},
                 {"code": "PM2_Supporting", "criterion": "PM2", "strength": "Supporting", "points": 1,
                  "evidence": "absent from the population resource"}],
}  # fmt: skip


def classified_doc(sample: str, variants: list[dict[str, Any]], verdict: str = "PASS") -> dict[str, Any]:
    return {
        "sample": sample, "family": "F1", "qc_verdict": verdict,
        "qc": {"verdict": verdict, "parentage_note": "parentage confirmed by QC relatedness"},
        "parents": {"father": {"id": "DAD"}, "mother": {"id": "MUM"}, "declared_but_not_in_vcf": []},
        "reporting_rule": "listed: every P/LP variant ...", "filters": {"panel": None, "hpo_filter": False},
        "counts": {"calls": 503, "listed": len(variants), "hidden_by_filters": 0},
        "variants": copy.deepcopy(variants),
    }  # fmt: skip


RUN = {"batch": "B9", "config_path": "/cfg/b9.yaml", "config_sha256": "ab" * 32, "wgs_east_version": "0.1.0",
       "git_commit": "0123456789abcdef", "command": "wgs-east run b9.yaml --outdir out"}  # fmt: skip
TOOLS = {"bcftools": "1.16", "samtools": "1.16.1", "freebayes": None, "wgs-east": "0.1.0"}


def prov(manifest: dict[str, Any] | None = None) -> dict[str, Any]:
    return context.provenance(RUN, TOOLS, manifest, "cd" * 32 if manifest else None, "2026-01-02 03:04 UTC")


def sample_page(
    batch: Batch, sample: str, qc: dict | None, classified: dict | None, **kw: Any
) -> tuple[dict, str]:
    ctx = context.sample_context(batch, sample, qc, classified, prov(), **kw)
    return ctx, render.render("sample.html.j2", ctx)


def banner_titles(html: str) -> list[str]:
    return re.findall(r'data-banner="([^"]+)"', html)


# --- formatting ----------------------------------------------------------------------------------------
def test_values_and_limits_are_formatted_for_reading() -> None:
    assert context.fmt_value(0.9563, "percent") == "95.6 %"
    assert context.fmt_value(28.04, "depth") == "28.0x"
    assert context.fmt_value(62004, "count") == "62,004"
    assert context.fmt_value(None, "ratio") == "n/a"
    assert context.fmt_value(float("nan"), "ratio") == "n/a"
    assert context.fmt_value(8e-05, "af") == "8e-05"
    settings = make_batch().qc
    assert context.limits_text(settings.median_depth, "depth") == "warn < 25.0x, fail < 20.0x"
    assert context.limits_text(settings.het_hom_ratio, "ratio") == "warn < 1.00, warn > 3.00"
    assert context.metric_level(19.0, settings.median_depth) == "FAIL"
    assert context.metric_level(22.0, settings.median_depth) == "WARN"
    assert context.metric_level(30.0, settings.median_depth) == "PASS"
    assert context.metric_level(None, settings.median_depth) == "WARN"  # missing value: the QC stage's rule
    assert context.metric_level(30.0, None) == ""


# --- header and provenance -----------------------------------------------------------------------------
def test_header_has_family_sexes_affected_status_and_hpo_names() -> None:
    batch = make_batch()
    q = qc_sample("KID")
    h = context.sample_header(batch, "KID", q, {"HP:0001250": "Seizure"}, "hpo 2025-01-01")
    assert (h["id"], h["family"], h["batch"], h["affected"]) == ("KID", "F1", "B9", True)
    assert (h["sex_declared"], h["sex_inferred"], h["sex_check"]) == ("female", "female", "PASS")
    assert h["phenotypes"] == [{"id": "HP:0001250", "name": "Seizure"}, {"id": "HP:0001263", "name": None}]
    assert [(m["role"], m["id"]) for m in h["family_members"]] == [("father", "DAD"), ("mother", "MUM")]
    no_qc = context.sample_header(batch, "SOLO", None, {}, None)
    assert (no_qc["sex_inferred"], no_qc["family_members"], no_qc["phenotypes"]) == ("n/a", [], [])


def test_provenance_comes_from_run_facts_tools_and_the_bundle_manifest() -> None:
    manifest = inputs.read_manifest(MANIFEST)
    p = prov(manifest)
    assert p["wgs_east_version"] == "0.1.0" and p["git_commit"] == "0123456789abcdef"
    assert p["config_sha256"] == "ab" * 32 and p["created"] == "2026-01-02 03:04 UTC"
    assert {"name": "bcftools", "version": "1.16"} in p["tools"]
    assert "freebayes" not in {t["name"] for t in p["tools"]}  # not run: no version
    assert p["bundle"]["name"] == str(manifest.get("bundle") or manifest.get("name"))
    assert p["bundle"]["version"] == str(manifest["version"])
    sources = inputs.manifest_sources(manifest)
    assert {r["name"]: r["version"] for r in p["resources"]} == {
        k: str(v["version"]) for k, v in sources.items()
    }
    assert prov(None)["bundle"] is None and prov(None)["resources"] == []


# --- QC ------------------------------------------------------------------------------------------------
def test_qc_section_shows_verdict_reasons_metrics_with_limits_and_levels() -> None:
    settings = make_batch().qc
    reasons = [{"check": "coverage", "level": "FAIL", "message": "median autosomal depth 12 < 20"}]
    q = qc_sample("KID", "FAIL", reasons, median_depth=12.0, fraction_20x=0.2)
    s = context.qc_section(
        q, settings, target_configured=False, coverage_plot="data:image/svg+xml;base64,AA=="
    )
    assert s["available"] and s["verdict"] == "FAIL" and s["reasons"] == reasons
    rows = {r["key"]: r for r in s["metrics"]}
    assert "target_fraction" not in rows  # no panel given
    assert rows["median_depth"]["display"] == "12.0x" and rows["median_depth"]["level"] == "FAIL"
    assert rows["fraction_20x"]["level"] == "FAIL" and rows["duplicate_rate"]["level"] == "PASS"
    assert rows["mean_depth"]["level"] == "" and rows["mean_depth"]["limits"] == ""
    assert s["target"] is None and s["coverage_plot"].startswith("data:image/svg+xml")
    missing = context.qc_section(None, settings, False)
    assert not missing["available"] and missing["verdict"] == "NOT AVAILABLE"


def test_undercovered_panel_regions_when_a_target_bed_is_given() -> None:
    settings = make_batch().qc
    q = qc_sample("KID", target_fraction=0.93)
    q["undercovered_regions"] = [{"contig": "chrSYN1", "start": 8399, "end": 8600, "name": "SYNAD1_ex3",
                                  "mean_depth": 11.5, "fraction_at_min_depth": 0.41}]  # fmt: skip
    s = context.qc_section(q, settings, target_configured=True)
    assert {r["key"] for r in s["metrics"]} >= {"target_fraction"}
    assert s["target"]["fraction"] == "93.0 %" and s["target"]["min_depth"] == 20
    assert s["target"]["regions"] == [
        {"name": "SYNAD1_ex3", "locus": "chrSYN1:8,400-8,600", "mean_depth": "11.5x", "fraction": "41.0 %"}
    ]
    html = sample_page(
        make_batch(qc={"target_bed": "/x/panel.bed"}), "KID", qc_doc(q), classified_doc("KID", [DENOVO])
    )[1]
    assert "SYNAD1_ex3" in html and "chrSYN1:8,400-8,600" in html


# --- candidates ----------------------------------------------------------------------------------------
def test_candidate_row_carries_the_table_columns_and_the_evidence_trail() -> None:
    r = context.candidate_row(DENOVO)
    assert (r["gene"], r["transcript"], r["hgvs_c"], r["hgvs_p"]) == (
        "SYNAD1",
        "ENST90000000001",
        "c.550C>T",
        "p.Arg184Ter",
    )
    assert (r["zygosity"], r["genotype"], r["father"], r["mother"]) == (
        "het",
        "0/1 (DP 27)",
        "0/0 (DP 32)",
        "0/0 (DP 23)",
    )
    assert r["inheritance"] == ["de novo"] and (r["gene_moi"], r["moi_match"]) == ("AD", "yes")
    assert (r["classification"], r["class_code"], r["points"]) == ("Pathogenic", "P", 13)
    assert [c["code"] for c in r["criteria"]] == ["PVS1", "PS2", "PM2_Supporting"]
    assert r["criteria"][1]["evidence"].startswith("de novo: proband 0/1 (DP 27)")
    assert r["locus"] == "chrSYN1:8472 C>T"
    for word in ("synad1", "c.550c>t", "p.arg184ter", "de novo", "ps2", "stop_gained"):
        assert word in r["search"]
    benign = context.candidate_row(VUS)
    assert [c["direction"] for c in benign["criteria"]] == ["benign", "pathogenic"]
    no_parents = context.candidate_row({**DENOVO, "father_genotype": "not sequenced", "father_depth": ""})
    assert no_parents["father"] == "not sequenced"


def test_candidates_keep_the_classification_rank_and_count_classes() -> None:
    s = context.candidates_section(classified_doc("KID", [VUS, DENOVO]))  # given out of order
    assert [r["rank"] for r in s["rows"]] == [1, 2]
    assert s["counts"]["Pathogenic"] == 1 and s["counts"]["Uncertain significance"] == 1 and s["total"] == 2
    assert [c["code"] for c in s["class_filters"]] == ["P", "LP", "VUS", "LB", "B"]
    assert s["calls"] == 503 and s["parentage_note"].startswith("parentage confirmed")


def test_report_reads_what_the_classification_writes() -> None:
    """The classified JSON built by the classification stage's own writer gives the same row."""
    from wgs_east.acmg.settings import AcmgSettings
    from wgs_east.classify import output
    from wgs_east.classify.pedigree import Proband, QcStatus

    p = Proband(
        "KID",
        "F1",
        "female",
        "DAD",
        "MUM",
        False,
        False,
        ("HP:0001250",),
        QcStatus("PASS", (), True, "confirmed"),
    )
    row = {k: DENOVO.get(k, "") for k in output.TSV_COLUMNS}
    row.update(sample="KID", qc_verdict="PASS", inheritance="de_novo", candidate="yes", conflict="no",
               criteria="PVS1,PS2,PM2_Supporting", evidence="")  # fmt: skip
    rows = pd.DataFrame([row], columns=list(output.TSV_COLUMNS))
    doc = output.json_document(rows, [DENOVO["criteria"]], p, {}, AcmgSettings(), {"calls": 1}, {})
    doc = json.loads(json.dumps(doc))
    r = context.candidates_section(doc)["rows"][0]
    assert (r["gene"], r["hgvs_c"], r["classification"], r["points"]) == (
        "SYNAD1",
        "c.550C>T",
        "Pathogenic",
        13,
    )
    assert r["inheritance"] == ["de novo"] and len(r["criteria"]) == 3


# --- the page: banners for FAILED QC and for no candidates ---------------------------------------------
def test_passing_sample_with_candidates_renders_table_and_trails() -> None:
    batch = make_batch()
    ctx, html = sample_page(batch, "KID", qc_doc(qc_sample("KID")), classified_doc("KID", [DENOVO, VUS]))
    assert ctx["banners"] == []
    assert banner_titles(html) == []
    assert html.count('class="variant ') == 2 and html.count('class="trail"') == 2
    assert 'data-gene="SYNAD1"' in html and "c.550C&gt;T" in html and "p.Arg184Ter" in html
    assert "de novo: proband 0/1 (DP 27)" in html
    assert 'id="candidate-filter"' in html and html.count('class="class-filter"') == 5
    assert "HP:0001250" in html and "term names: no HPO file" in html
    assert 'href="B9.html"' in html and 'href="../qc/multiqc.html"' in html


def test_failed_sample_is_unmistakable() -> None:
    batch = make_batch()
    reasons = [{"check": "sex", "level": "FAIL", "message": "declared female, inferred male"},
               {"check": "coverage", "level": "WARN", "message": "median autosomal depth 22 < 25"}]  # fmt: skip
    q = qc_sample("KID", "FAIL", reasons, inferred_sex="male", median_depth=22.0)
    ctx, html = sample_page(batch, "KID", qc_doc(q), classified_doc("KID", [DENOVO], verdict="FAIL"))
    assert [b["title"] for b in ctx["banners"]] == ["QC FAILED"]
    assert ctx["banners"][0]["level"] == "fail"
    assert ctx["sample"]["sex_inferred"] == "male" and ctx["sample"]["sex_check"] == "FAIL"
    assert banner_titles(html) == ["QC FAILED"]
    banner = html[
        html.index('data-banner="QC FAILED"') : html.index("</div>", html.index('data-banner="QC FAILED"'))
    ]
    assert 'role="alert"' in html and "not reliable" in banner and "may be reported" in banner
    # the banner comes before the first section, the verdict is in the title line, the reasons are listed
    assert html.index('data-banner="QC FAILED"') < html.index('id="qc"')
    assert re.search(r"<h1>KID <span class=\"verdict verdict-fail\">FAIL</span>", html)
    assert "declared female, inferred male" in html and "median autosomal depth 22 &lt; 25" in html
    assert "check the sex QC reason below" in html
    assert 'data-gene="SYNAD1"' in html  # candidates of a failed sample are still shown, under the banner


def test_sample_without_candidates_says_so() -> None:
    batch = make_batch()
    ctx, html = sample_page(
        batch, "SOLO", qc_doc(qc_sample("SOLO", inferred_sex="male")), classified_doc("SOLO", [])
    )
    assert [b["title"] for b in ctx["banners"]] == ["NO CANDIDATE VARIANTS FOUND"]
    assert ctx["candidates"]["rows"] == [] and ctx["candidates"]["available"]
    assert banner_titles(html) == ["NO CANDIDATE VARIANTS FOUND"]
    assert 'id="no-candidates"' in html and 'id="candidate-table"' not in html
    assert "503 variant calls of this sample were classified; none met the reporting rule" in html
    assert "does not exclude a genetic cause" in html
    assert "not a negative result" not in html


def test_failed_sample_without_candidates_is_not_a_negative_result() -> None:
    batch = make_batch()
    q = qc_sample(
        "SOLO",
        "FAIL",
        [{"check": "contamination", "level": "FAIL", "message": "estimated contamination 0.08 > 0.05"}],
    )
    ctx, html = sample_page(batch, "SOLO", qc_doc(q), classified_doc("SOLO", [], verdict="FAIL"))
    assert [b["title"] for b in ctx["banners"]] == ["QC FAILED", "NO CANDIDATE VARIANTS FOUND"]
    assert banner_titles(html) == ["QC FAILED", "NO CANDIDATE VARIANTS FOUND"]
    assert "With a FAILED QC this is not a negative result" in html
    assert "The sample FAILED QC: this is not a negative result." in html


def test_missing_qc_and_missing_classification_are_stated() -> None:
    batch = make_batch()
    ctx, html = sample_page(
        batch, "SOLO", None, None, missing_reason="no annotation resource bundle is configured"
    )
    assert [b["title"] for b in ctx["banners"]] == ["QC NOT AVAILABLE", "VARIANTS NOT CLASSIFIED"]
    assert 'id="not-classified"' in html and "no annotation resource bundle is configured" in html
    assert "No QC result is available for this sample" in html


def test_everything_from_the_data_is_escaped() -> None:
    batch = make_batch()
    evil = "<script>alert(1)</script>"
    v = {
        **DENOVO,
        "gene": "G<i>1",
        "hgvs_p": 'p."x"&<b>',
        "criteria": [{**DENOVO["criteria"][0], "evidence": evil}],
    }
    q = qc_sample("KID", "WARN", [{"check": "reads", "level": "WARN", "message": evil}])
    _, html = sample_page(batch, "KID", qc_doc(q), classified_doc("KID", [v]), hpo_names={"HP:0001250": evil},
                          hpo_source="hpo")  # fmt: skip
    assert evil not in html and "<i>1" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "G&lt;i&gt;1" in html
    assert html.count("<script>") == 1  # ours only


def test_page_is_self_contained() -> None:
    batch = make_batch()
    plot = plots.svg_data_uri("<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    _, html = sample_page(
        batch, "KID", qc_doc(qc_sample("KID")), classified_doc("KID", [DENOVO]), coverage_plot=plot
    )
    assert re.search(r"<style>\s*/\* wgs-east", html) and "function apply()" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert f'<img src="{plot}"' in html
    assert "@page { size: A4" in html and "@media print" in html


# --- batch overview ------------------------------------------------------------------------------------
def test_batch_overview_lists_every_sample_with_verdicts_counts_and_links() -> None:
    batch = make_batch()
    reasons = [{"check": "coverage", "level": "FAIL", "message": "median autosomal depth 12 < 20"}]
    q = qc_doc(qc_sample("DAD", inferred_sex="male"), qc_sample("MUM"), qc_sample("KID", "FAIL", reasons),
               qc_sample("SOLO", "WARN", [{"check": "reads", "level": "WARN", "message": "Q30 0.75 < 0.8"}]))  # fmt: skip
    classified = {"KID": classified_doc("KID", [DENOVO, VUS]), "SOLO": classified_doc("SOLO", [])}
    ctx = context.batch_context(batch, q, classified, prov())
    rows = {r["id"]: r for r in ctx["samples"]}
    assert [r["id"] for r in ctx["samples"]] == ["DAD", "MUM", "KID", "SOLO"]  # families together
    assert {k: r["role"] for k, r in rows.items()} == {
        "DAD": "father",
        "MUM": "mother",
        "KID": "child",
        "SOLO": "singleton",
    }
    assert rows["KID"]["counts"] == {"P": 1, "LP": 0, "VUS": 1, "listed": 2}
    assert rows["SOLO"]["counts"] == {"P": 0, "LP": 0, "VUS": 0, "listed": 0}
    assert rows["DAD"]["counts"] is None and rows["DAD"]["report"] is None
    assert rows["KID"]["report"] == "KID.html" and rows["KID"]["verdict"] == "FAIL"
    assert ctx["verdict_counts"] == {"PASS": 2, "WARN": 1, "FAIL": 1}
    assert ctx["pairs"][0]["kinship"] == "0.226"
    html = render.render("batch.html.j2", ctx)
    assert banner_titles(html) == ["QC FAILED"]
    assert 'href="KID.html"' in html and 'href="SOLO.html"' in html and 'href="../qc/multiqc.html"' in html
    assert 'data-sample="KID" data-verdict="FAIL"' in html and "median autosomal depth 12 &lt; 20" in html
    unclassified = context.batch_context(batch, q, {}, prov())
    assert "not classified" in render.render("batch.html.j2", unclassified)


# --- plot ----------------------------------------------------------------------------------------------
def _dist(rows: dict[str, dict[int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(c, d, p) for c, depths in rows.items() for d, p in sorted(depths.items(), reverse=True)],
        columns=["contig", "depth", "proportion"],
    )


def test_cumulative_depth_is_weighted_by_sequenced_bases() -> None:
    per_contig = {
        "chr1": {"class": "autosome", "sequenced_bases": 300, "mean_depth": 30.0},
        "chr2": {"class": "autosome", "sequenced_bases": 100, "mean_depth": 10.0},
        "chrX": {"class": "x", "sequenced_bases": 100, "mean_depth": 15.0},
        "chrM": {"class": "excluded", "sequenced_bases": 10, "mean_depth": 900.0},
    }
    contigs = plots.contig_table(per_contig)
    assert list(contigs["contig"]) == ["chr1", "chr2", "chrX"]
    dist = _dist({"chr1": {0: 1.0, 10: 1.0, 20: 0.5}, "chr2": {0: 1.0, 10: 0.5}, "chrX": {0: 1.0, 10: 0.2},
                  "total": {0: 1.0}})  # fmt: skip
    curves = plots.cumulative_by_class(dist, contigs)
    assert set(curves) == {"autosome", "x"}
    assert curves["autosome"][10] == pytest.approx((300 * 1.0 + 100 * 0.5) / 400)
    assert curves["autosome"][20] == pytest.approx(300 * 0.5 / 400)  # chr2 has no row at 20: 0
    assert curves["x"][10] == pytest.approx(0.2)
    svg = plots.coverage_figure_svg(per_contig, dist, 28.0, sample="KID")
    assert svg is not None and svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Mean depth per chromosome" in svg and "Depth distribution" in svg
    assert svg == plots.coverage_figure_svg(per_contig, dist, 28.0, sample="KID")  # deterministic
    assert plots.svg_data_uri(svg).startswith("data:image/svg+xml;base64,")
    assert plots.coverage_figure_svg({}, dist, 28.0) is None


# --- readers -------------------------------------------------------------------------------------------
def test_hpo_names_from_obo_or_table_and_only_when_the_bundle_has_them(tmp_path: Path) -> None:
    obo = "format-version: 1.2\n\n[Term]\nid: HP:0001250\nname: Seizure\n\n[Term]\nid: HP:0001263\nname: Global developmental delay\n"
    assert inputs.parse_hpo_terms(obo) == {
        "HP:0001250": "Seizure",
        "HP:0001263": "Global developmental delay",
    }
    table = "#hpo terms\nid\tname\nHP:0001250\tSeizure\nbad\tline\n"
    assert inputs.parse_hpo_terms(table) == {"HP:0001250": "Seizure"}
    (tmp_path / "hpo.tsv").write_text(table)
    manifest = {"bundle": "b", "sources": {"genetable": {"kind": "gene_table", "path": "genes.tsv"},
                                           "hpo": {"kind": "hpo_terms", "path": "hpo.tsv", "version": "2025-05"}}}  # fmt: skip
    names, source = inputs.read_hpo_names(tmp_path / "manifest.yaml", manifest)
    assert names == {"HP:0001250": "Seizure"} and source == "hpo 2025-05"
    bundle = inputs.read_manifest(MANIFEST)  # the test bundle may or may not ship an HPO file
    names, source = inputs.read_hpo_names(MANIFEST, bundle)
    assert (source is None and names == {}) == (inputs.hpo_source(bundle) is None)
    assert inputs.read_hpo_names(None, None) == ({}, None)
    without = {"sources": {"genetable": {"kind": "gene_table", "path": "genes.tsv"}}}
    assert inputs.read_hpo_names(tmp_path / "manifest.yaml", without) == ({}, None)


# --- the entry points ----------------------------------------------------------------------------------
def test_entry_points_write_the_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wgs_east.report import batch as batch_cli
    from wgs_east.report import sample as sample_cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    batch = make_batch()

    def write(name: str, data: Any) -> Path:
        (tmp_path / name).write_text(json.dumps(data))
        return tmp_path / name

    files = {
        "batch": tmp_path / "batch.json", "run": write("run.json", RUN), "tools": write("tools.json", TOOLS),
        "qc": write("qc.json", qc_doc(qc_sample("KID"), qc_sample("SOLO"))),
        "cov": write("cov.json", {"per_contig": {"chr1": {"class": "autosome", "sequenced_bases": 100, "mean_depth": 28.0}}}),
        "kid": write("KID.json", classified_doc("KID", [DENOVO])), "solo": write("SOLO.json", classified_doc("SOLO", [])),
    }  # fmt: skip
    files["batch"].write_text(batch.model_dump_json())
    dist = tmp_path / "KID.mosdepth.region.dist.txt"
    dist.write_text("chr1\t30\t0.40\nchr1\t20\t0.95\nchr1\t0\t1.00\ntotal\t0\t1.00\n")
    out = tmp_path / "reports"
    common = ["--batch-json", files["batch"], "--run-json", files["run"], "--tools", files["tools"], "--qc", files["qc"],
              "--resources", MANIFEST]  # fmt: skip
    assert sample_cli.main([str(a) for a in [*common, "--sample", "KID", "--coverage", files["cov"], "--depth-dist",
                                             dist, "--classified", files["kid"], "--out", out / "KID.html"]]) == 0  # fmt: skip
    assert (
        batch_cli.main(
            [str(a) for a in [*common, "--classified", files["kid"], files["solo"], "--out", out / "B9.html"]]
        )
        == 0
    )
    page = (out / "KID.html").read_text()
    assert 'data-gene="SYNAD1"' in page and "data:image/svg+xml;base64," in page
    assert "2026-01-01 00:00 UTC" in page and "ab" * 32 in page and "bcftools 1.16" in page
    manifest = inputs.read_manifest(MANIFEST)
    assert str(manifest["version"]) in page
    overview = (out / "B9.html").read_text()
    assert 'href="KID.html"' in overview and 'data-sample="DAD"' in overview
    assert sorted(p.name for p in out.iterdir()) == ["B9.html", "KID.html"]  # no temporary file left
    from wgs_east.errors import InputError

    with pytest.raises(InputError, match="not 'SOLO'"):
        sample_cli.main(
            [
                str(a)
                for a in [*common, "--sample", "SOLO", "--classified", files["kid"], "--out", out / "x.html"]
            ]
        )


def test_synthetic_bundle_is_flagged_and_resource_versions_are_in_the_header() -> None:
    manifest = {"bundle": "demo", "version": "1", "build": "GRCh38", "synthetic": True,
                "sources": {"gnomad": {"kind": "population", "version": "4.1"},
                            "clinvar": {"kind": "clinvar", "version": "2025-01"},
                            "revel": {"kind": "insilico", "version": "4.1"}}}  # fmt: skip
    p = context.provenance(RUN, TOOLS, manifest, "ef" * 32, "2026-01-02 03:04 UTC")
    assert p["resource_versions"] == [{"version": "4.1", "sources": ["gnomad", "revel"]},
                                      {"version": "2025-01", "sources": ["clinvar"]}]  # fmt: skip
    batch = make_batch()
    ctx = context.sample_context(batch, "KID", qc_doc(qc_sample("KID")), classified_doc("KID", [DENOVO]), p)
    assert [b["title"] for b in ctx["banners"]] == ["SYNTHETIC RESOURCES: NOT FOR CLINICAL USE"]
    html = render.render("sample.html.j2", ctx)
    assert "gnomad, revel <strong>4.1</strong>; clinvar <strong>2025-01</strong>" in html
    assert banner_titles(html) == ["SYNTHETIC RESOURCES: NOT FOR CLINICAL USE"]
    overview = render.render("batch.html.j2", context.batch_context(batch, qc_doc(qc_sample("KID")), {}, p))
    assert banner_titles(overview) == ["SYNTHETIC RESOURCES: NOT FOR CLINICAL USE"]
    real = dict(manifest, synthetic=False)
    p2 = context.provenance(RUN, TOOLS, real, None, "x")
    assert context.sample_context(batch, "KID", None, None, p2)["banners"][0]["title"] == "QC NOT AVAILABLE"
