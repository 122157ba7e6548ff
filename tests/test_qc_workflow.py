"""QC on the test genome: the workflow's metrics against the truth, the verdicts, the MultiQC report, and
the failure cases of the issue (declared sex flipped, an unrelated sample named as parent, a sample
down-sampled 5x), the last three re-using the session's run (verdict CLI, or a targeted Snakemake run)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pysam
import pytest
import yaml

from tests.conftest import REPO, TEST_CONFIG, absolute_test_config, wgs_east_cmd
from wgs_east.config import load_batch
from wgs_east.config.models import Batch

pytestmark = pytest.mark.slow

TRUTH = REPO / "test_data" / "truth"
DESIGN = json.loads((TRUTH / "haplotype_design.json").read_text())
REFERENCE = REPO / "test_data" / "reference" / "genome.fa"


@pytest.fixture(scope="module")
def batch() -> Batch:
    return load_batch(TEST_CONFIG)


@pytest.fixture(scope="module")
def qc_table(pipeline_run: Path, batch: Batch) -> pd.DataFrame:
    return pd.read_csv(pipeline_run / "qc" / f"{batch.batch}.qc.tsv", sep="\t").set_index("sample")


@pytest.fixture(scope="module")
def truth_counts() -> dict[str, dict[str, float]]:
    """Per sample, from the truth VCF: SNV genotypes carried (het, hom-alt, hemizygous), Ti/Tv."""
    transitions = {("A", "G"), ("G", "A"), ("C", "T"), ("T", "C")}
    counts: dict[str, dict[str, float]] = {}
    with pysam.VariantFile(str(TRUTH / "truth.vcf.gz")) as vcf:
        for s in vcf.header.samples:
            counts[s] = {"het": 0, "hom": 0, "hemi": 0, "ts": 0, "tv": 0}
        for rec in vcf:
            if len(rec.ref) != 1 or len(rec.alts[0]) != 1:
                continue
            for s, call in rec.samples.items():
                gt = [a for a in call["GT"] if a is not None]
                if not any(gt):
                    continue
                c = counts[s]
                key = "hemi" if len(gt) == 1 else "het" if len(set(gt)) > 1 else "hom"
                c[key] += 1
                if len(gt) == 2:
                    c["ts" if (rec.ref, rec.alts[0]) in transitions else "tv"] += 1
    return counts


def test_all_samples_pass(qc_table: pd.DataFrame, batch: Batch) -> None:
    assert list(qc_table.index) == batch.sample_ids
    assert set(qc_table["verdict"]) == {"PASS"}, qc_table["reasons"].to_dict()
    assert qc_table["reasons"].isna().all()


def test_reads_and_alignment_match_the_simulation(qc_table: pd.DataFrame) -> None:
    # make_test_data.py: 150 bp reads, fragments N(350, 70), 2.5 % duplicates, no adapters
    assert (qc_table["q30_fraction"] > 0.85).all()
    assert (qc_table["pass_filter_fraction"] > 0.99).all()
    assert (qc_table["mapping_rate"] > 0.99).all()
    assert (qc_table["properly_paired_rate"] > 0.98).all()
    assert qc_table["duplicate_rate"].between(0.015, 0.035).all()
    assert qc_table["insert_size_median"].between(335, 365).all()


def test_coverage_and_sex_match_the_design(qc_table: pd.DataFrame) -> None:
    # 15x per haplotype: 30x autosomes before duplicates and MAPQ filtering
    assert qc_table["median_depth"].between(25, 32).all()
    assert qc_table["mean_depth"].between(25, 32).all()
    assert (qc_table["fraction_10x"] > 0.99).all() and (qc_table["fraction_20x"] > 0.9).all()
    for sample, row in qc_table.iterrows():
        sex = DESIGN["samples"][sample]["sex"]
        assert row["inferred_sex"] == sex
        if sex == "male":
            assert row["x_ratio"] == pytest.approx(0.5, abs=0.05)
            assert row["y_ratio"] == pytest.approx(0.5, abs=0.05)
            assert row["x_het_fraction"] < 0.05
        else:
            assert row["x_ratio"] == pytest.approx(1.0, abs=0.05)
            assert row["y_ratio"] < 0.01
            assert row["x_het_fraction"] > 0.4


def test_variant_metrics_match_the_truth(qc_table: pd.DataFrame, truth_counts: dict) -> None:
    for sample, row in qc_table.iterrows():
        t = truth_counts[sample]
        assert row["het_snvs"] == pytest.approx(t["het"], rel=0.03)
        assert row["hom_alt_snvs"] == pytest.approx(t["hom"], rel=0.03)
        assert row["snvs"] == pytest.approx(t["het"] + t["hom"] + t["hemi"], rel=0.03)
        assert row["ti_tv"] == pytest.approx(t["ts"] / t["tv"], abs=0.1)


def test_relatedness_matches_the_pedigree(pipeline_run: Path, batch: Batch) -> None:
    pairs = pd.read_csv(pipeline_run / "qc" / f"{batch.batch}.relatedness.tsv", sep="\t")
    assert len(pairs) == 6 and set(pairs["status"]) == {"PASS"}
    parents = {(c, p) for c, ps in DESIGN["pedigree"].items() for p in ps.values()}
    for _, p in pairs.iterrows():
        if (p["sample_a"], p["sample_b"]) in parents or (p["sample_b"], p["sample_a"]) in parents:
            assert p["kinship"] == pytest.approx(0.25, abs=0.05) and p["ibs0"] == 0
            assert p["expected_relationship"] == "parent-child"
        else:
            assert abs(p["kinship"]) < 0.0884 and p["ibs0"] > 0.03
            assert p["observed_degree"] in ("unrelated", "third-degree")


def test_contamination_estimate_is_near_zero(qc_table: pd.DataFrame) -> None:
    assert (qc_table["contamination"] < 0.01).all()
    assert (qc_table["contamination_sites"] >= 100).all()


def test_qc_json_carries_every_sample(pipeline_run: Path, batch: Batch) -> None:
    data = json.loads((pipeline_run / "qc" / f"{batch.batch}.qc.json").read_text())
    assert data["verdicts"] == {s: "PASS" for s in batch.sample_ids}
    proband = next(s for s in data["samples"] if s["sample"] == "PROBAND1")
    assert set(proband["units"]) == {"L001", "L002"}
    assert set(proband["per_contig_depth"]) == {"chr22_16600000_16800000", "chrSYN1", "chrSYN2", "chrX", "chrY"}
    assert proband["checks"]["relatedness"] == "PASS"


def test_multiqc_report(pipeline_run: Path) -> None:
    html = (pipeline_run / "qc" / "multiqc.html").read_text()
    for text in ("wgs-east QC verdicts", "wgs-east relatedness", "fastp", "Samtools", "mosdepth", "Bcftools"):
        assert text in html, text
    table = pd.read_csv(pipeline_run / "qc" / "multiqc_data" / "multiqc_wgs_east_verdicts_table.txt", sep="\t")
    assert sorted(table["Sample"]) == sorted(DESIGN["samples"]) and set(table["verdict"]) == {"PASS"}


# --- failure cases ------------------------------------------------------------------------------------
def config_variant(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Batch:
    """A copy of config/test.yaml (absolute paths) with `edit` applied, validated like a user's config."""
    data = absolute_test_config()
    edit(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_batch(path)


def sample(data: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in data["samples"] if s["id"] == sid)


def rerun_verdicts(run_dir: Path, batch: Batch, tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The verdict step alone, on the run's metric files, with another config."""
    bj = tmp_path / "batch.json"
    bj.write_text(batch.model_dump_json())
    out = tmp_path / "verdicts"
    proc = subprocess.run(
        [sys.executable, "-m", "wgs_east.qc.verdicts", "--batch-json", str(bj), "--metrics-dir",
         str(run_dir / "qc" / "metrics"), "--out-tsv", str(out / "qc.tsv"), "--out-json", str(out / "qc.json"),
         "--out-pairs", str(out / "pairs.tsv")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return (pd.read_csv(out / "qc.tsv", sep="\t").set_index("sample"), pd.read_csv(out / "pairs.tsv", sep="\t"))


@pytest.mark.parametrize(("sid", "declared", "actual"), [("SINGLETON1", "female", "male"), ("PROBAND1", "male", "female")])
def test_flipped_sex_fails_the_sex_check(
    pipeline_run: Path, tmp_path: Path, sid: str, declared: str, actual: str
) -> None:
    flipped = config_variant(tmp_path, lambda d: sample(d, sid).update(sex=declared))
    table, _ = rerun_verdicts(pipeline_run, flipped, tmp_path)
    row = table.loc[sid]
    assert row["verdict"] == "FAIL" and row["verdict_sex"] == "FAIL"
    assert row["reasons"].startswith(f"FAIL sex: declared {declared} but inferred {actual} (X/autosome depth")
    others = table.drop(index=sid)
    assert set(others["verdict"]) == {"PASS"}


def test_unrelated_sample_named_as_parent_is_a_relatedness_mismatch(pipeline_run: Path, tmp_path: Path) -> None:
    def wrong_father(d: dict[str, Any]) -> None:
        sample(d, "SINGLETON1")["family"] = "FAM1"
        sample(d, "PROBAND1")["father"] = "SINGLETON1"

    table, pairs = rerun_verdicts(pipeline_run, config_variant(tmp_path, wrong_father), tmp_path)
    assert table.loc["PROBAND1", "verdict_relatedness"] == "FAIL"
    assert table.loc["SINGLETON1", "verdict_relatedness"] == "FAIL"
    assert "with SINGLETON1: declared parent-child (expected kinship 0.250) but observed kinship" in (
        table.loc["PROBAND1", "reasons"]
    )
    assert "sample swap or pedigree error" in table.loc["PROBAND1", "reasons"]
    # the true father is now an undeclared first-degree relative
    assert table.loc["FATHER1", "verdict"] == "WARN"
    assert "undeclared relatives" in table.loc["FATHER1", "reasons"]
    status = {(r.sample_a, r.sample_b): r.status for r in pairs.itertuples()}
    assert status[("PROBAND1", "SINGLETON1")] == "FAIL" and status[("FATHER1", "PROBAND1")] == "WARN"
    assert table.loc["MOTHER1", "verdict"] == "PASS"


def copy_run(pipeline_run: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "run"
    shutil.copytree(pipeline_run, dst, symlinks=True)
    return dst


def run_targets(config: Path, outdir: Path, *targets: str) -> None:
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(config), "--outdir", str(outdir), "--cores", "2", "--", *targets],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_downsampled_sample_fails_coverage(pipeline_run: Path, tmp_path: Path, batch: Batch) -> None:
    run = copy_run(pipeline_run, tmp_path)
    cram = run / "alignments" / "PROBAND1.cram"
    down = tmp_path / "down.cram"
    subprocess.run(["samtools", "view", "--subsample", "0.2", "--subsample-seed", "7", "-C", "-T", str(REFERENCE),
                    "-o", str(down), str(cram)], check=True)  # fmt: skip
    shutil.move(down, cram)  # newer than its index and metrics: the workflow redoes index, mosdepth, summary
    run_targets(TEST_CONFIG, run, "qc/metrics/PROBAND1.coverage.json")
    table, _ = rerun_verdicts(run, batch, tmp_path)
    row = table.loc["PROBAND1"]
    assert row["median_depth"] == pytest.approx(28 / 5, abs=1.5)
    assert row["verdict"] == "FAIL" and row["verdict_coverage"] == "FAIL"
    assert "FAIL coverage: median autosomal depth" in row["reasons"]
    assert set(table.drop(index="PROBAND1")["verdict"]) == {"PASS"}
    assert row["x_ratio"] == pytest.approx(1.0, abs=0.1)  # ratios survive down-sampling: still female


def test_target_panel_lists_undercovered_regions(pipeline_run: Path, tmp_path: Path) -> None:
    bed = tmp_path / "panel.bed"
    exons = [line.split("\t") for line in (REPO / "test_data" / "genes" / "genes.gff3").read_text().splitlines()
             if not line.startswith("#") and line.count("\t") == 8 and line.split("\t")[2] == "exon"]  # fmt: skip
    rows = sorted({(f[0], int(f[3]) - 1, int(f[4]), f[8].split("Name=")[1].split(";")[0]) for f in exons})
    rows.append(("chrY", 5000, 5200, "Y_REGION"))
    bed.write_text("".join(f"{c}\t{a}\t{b}\t{n}\n" for c, a, b, n in rows))
    config = tmp_path / "panel.yaml"

    def add_panel(d: dict[str, Any]) -> None:
        d["qc"] = {"target_bed": str(bed)}

    config_variant(tmp_path, add_panel)
    config.write_text((tmp_path / "variant.yaml").read_text())
    run = copy_run(pipeline_run, tmp_path)
    run_targets(config, run, "qc/metrics/PROBAND1.coverage.json")
    m = json.loads((run / "qc" / "metrics" / "PROBAND1.coverage.json").read_text())
    names = [r["name"] for r in m["undercovered_regions"]]
    assert "Y_REGION" in names  # a female has no Y
    # exons PROBAND1 lost one or both copies of (the planted deletions of test_data/truth/sv_truth.vcf.gz:
    # SYNHI1 exons 2-3, SYNREC1 exon 2) are under-covered, the homozygous one at depth 0
    with pysam.VariantFile(str(REPO / "test_data" / "truth" / "sv_truth.vcf.gz")) as sv:
        lost = [(r.chrom, r.pos, r.stop) for r in sv if r.info["SVTYPE"] == "DEL" and 1 in r.samples["PROBAND1"]["GT"]]
    deleted = {n for c, a, b, n in rows if any(c == lc and a < le and ls < b for lc, ls, le in lost)}
    assert len(deleted) == 3 and deleted <= set(names)
    assert min(r["mean_depth"] for r in m["undercovered_regions"] if r["name"] in deleted) == 0
    # the other exons, at ~28x, are covered: at most 3 of 42 under the 95 % bar (before the SV contig: 2 of 28)
    assert len(set(names) - deleted - {"Y_REGION"}) <= 3
    y = next(r for r in m["undercovered_regions"] if r["name"] == "Y_REGION")
    assert y["mean_depth"] == 0 and y["fraction_at_min_depth"] == 0
    assert m["sample_metrics"]["target_fraction"] > 0.9
