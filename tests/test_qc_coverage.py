"""Coverage metrics from mosdepth output, over the sequenced (A/C/G/T) bases of the reference."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from wgs_east.config.models import Batch
from wgs_east.qc import composition, coverage
from wgs_east.qc.contigs import classify_contigs

CLASSES = {"chr1": "autosome", "chr2": "autosome", "chrX": "x", "chrY": "y", "chrM": "excluded"}


def test_acgt_intervals() -> None:
    assert composition.acgt_intervals(b"NNACGTNNacgtN") == [(2, 6), (8, 12)]
    assert composition.acgt_intervals(b"ACGT") == [(0, 4)]
    assert composition.acgt_intervals(b"NNNN") == []
    assert composition.acgt_intervals(b"ACRGT") == [(0, 2), (3, 5)]  # IUPAC codes are not sequenced bases


def test_composition_cli(tmp_path: Path) -> None:
    fa = tmp_path / "g.fa"
    fa.write_text(">c1 desc\nNNAC\nGT\n>c2\nAAAA\n")
    out = tmp_path / "acgt.bed"
    assert composition.main(["--fasta", str(fa), "--out-bed", str(out)]) == 0
    assert out.read_text() == "c1\t2\t6\nc2\t0\t4\n"


def summary_frame(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["chrom", "length", "bases"])


def thresholds_frame(rows: list[tuple[str, int, int, int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "10X", "20X", "30X"]).assign(region="unknown")


def test_contig_depths_use_region_rows_and_keep_contigs_without_reads() -> None:
    summary = summary_frame([
        ("chr1", 1000, 40000), ("chr1_region", 900, 36000), ("chrX", 500, 1), ("chrX_region", 400, 8000),
        ("total", 1500, 0), ("total_region", 1300, 0),
    ])  # fmt: skip
    th = thresholds_frame([("chr1", 0, 500, 0, 0, 0), ("chr1", 600, 1000, 0, 0, 0), ("chrX", 0, 400, 0, 0, 0),
                           ("chrY", 0, 100, 0, 0, 0)])  # fmt: skip
    d = coverage.contig_depths(summary, th)
    assert d.loc["chr1", "length"] == 900 and d.loc["chr1", "mean"] == pytest.approx(40.0)
    assert d.loc["chrX", "mean"] == pytest.approx(20.0)
    assert d.loc["chrY", "bases"] == 0 and d.loc["chrY", "mean"] == 0.0  # no reads: depth 0, not missing


def test_median_from_dist_weights_contigs_by_length() -> None:
    # chr1 (900 bases): half at >= 30; chr2 (100 bases): all at >= 10 only.
    dist = pd.DataFrame(
        [("chr1", d, p) for d, p in ((40, 0.0), (30, 0.5), (20, 1.0), (10, 1.0), (0, 1.0))]
        + [("chr2", d, p) for d, p in ((40, 0.0), (30, 0.0), (20, 0.0), (10, 1.0), (0, 1.0))]
        + [("total", 0, 1.0)],
        columns=["contig", "depth", "proportion"],
    )
    lengths = pd.Series({"chr1": 900, "chr2": 100})
    assert coverage.median_from_dist(dist, lengths) == 20  # 0.45 of bases at >= 30, 0.9 at >= 20
    assert coverage.median_from_dist(dist, pd.Series({"chr2": 100})) == 10
    assert math.isnan(coverage.median_from_dist(dist, pd.Series({"chrZ": 10})))


def test_coverage_metrics_autosomes_and_sex_ratios() -> None:
    depths = pd.DataFrame(
        {"length": [1000, 1000, 500, 200, 100], "bases": [30000, 30000, 7500, 3000, 100000]},
        index=pd.Index(["chr1", "chr2", "chrX", "chrY", "chrM"], name="contig"),
    )
    th = thresholds_frame([("chr1", 0, 1000, 1000, 900, 500), ("chr2", 0, 1000, 1000, 800, 500),
                           ("chrX", 0, 500, 500, 0, 0), ("chrM", 0, 100, 100, 100, 100)])  # fmt: skip
    dist = pd.DataFrame([("chr1", 30, 0.5), ("chr2", 30, 0.5), ("chr1", 29, 1.0), ("chr2", 29, 1.0)],
                        columns=["contig", "depth", "proportion"])  # fmt: skip
    m = coverage.coverage_metrics(depths, dist, th, CLASSES)
    assert m["mean_depth"] == pytest.approx(30.0)  # chrM (excluded) does not count
    assert m["median_depth"] == 30
    assert m["fraction_10x"] == pytest.approx(1.0)
    assert m["fraction_20x"] == pytest.approx(0.85)
    assert m["fraction_30x"] == pytest.approx(0.5)
    assert m["x_ratio"] == pytest.approx(0.5)
    assert m["y_ratio"] == pytest.approx(0.5)


def test_undercovered_regions() -> None:
    th = pd.DataFrame(
        [("chr1", 0, 100, "GENE1_ex1", 100, 100, 100), ("chr1", 200, 300, "GENE1_ex2", 100, 50, 0),
         ("chrY", 0, 10, "YGENE", 0, 0, 0)],
        columns=["chrom", "start", "end", "region", "10X", "20X", "30X"],
    )  # fmt: skip
    regions = pd.DataFrame([("chr1", 0, 100, 35.0), ("chr1", 200, 300, 18.0), ("chrY", 0, 10, 0.0)],
                           columns=["chrom", "start", "end", "mean"])  # fmt: skip
    fraction, bad = coverage.undercovered_regions(regions, th, 20, 0.95)
    assert fraction == pytest.approx(150 / 210)
    assert [r["name"] for r in bad] == ["GENE1_ex2", "YGENE"]
    assert bad[0]["fraction_at_min_depth"] == pytest.approx(0.5) and bad[0]["mean_depth"] == 18.0


def test_classify_contigs(mini) -> None:  # noqa: ANN001
    data = mini.copy()
    data["reference"]["exclude_contigs"] = ["chrM"]
    batch = Batch.model_validate(data, context={"base_dir": mini.root})
    assert classify_contigs(["chr1", "chrX", "chrY", "chrM"], batch) == {
        "chr1": "autosome", "chrX": "x", "chrY": "y", "chrM": "excluded"}  # fmt: skip


def write_mosdepth(tmp: Path, prefix: str, target: bool = False) -> None:
    """Files as mosdepth 0.3.3 writes them (checked against a real run on the test genome)."""
    (tmp / f"{prefix}.mosdepth.summary.txt").write_text(
        "chrom\tlength\tbases\tmean\tmin\tmax\nchr1\t600\t18000\t30.00\t0\t40\nchr1_region\t600\t18000\t30.00\t0\t40\n"
        "chrX\t300\t4500\t15.00\t0\t20\nchrX_region\t300\t4500\t15.00\t0\t20\n"
        "total\t1020\t22500\t22.06\t0\t40\ntotal_region\t1020\t22500\t22.06\t0\t40\n"
    )
    (tmp / f"{prefix}.mosdepth.region.dist.txt").write_text(
        "chr1\t31\t0.00\nchr1\t30\t0.60\nchr1\t20\t1.00\nchr1\t0\t1.00\ntotal\t0\t1.00\n"
    )
    head = "#chrom\tstart\tend\tregion\t10X\t20X\t30X\n"
    with gzip.open(tmp / f"{prefix}.thresholds.bed.gz", "wt") as fh:
        fh.write(head + "chr1\t0\t600\tunknown\t600\t600\t360\nchrX\t0\t300\tunknown\t300\t0\t0\n"
                 "chrY\t0\t120\tunknown\t0\t0\t0\n")  # fmt: skip
    if target:
        with gzip.open(tmp / f"{prefix}.target.thresholds.bed.gz", "wt") as fh:
            fh.write(head + "chr1\t10\t110\tEX1\t100\t100\t60\nchrY\t0\t50\tEXY\t0\t0\t0\n")
        with gzip.open(tmp / f"{prefix}.target.regions.bed.gz", "wt") as fh:
            fh.write("chr1\t10\t110\tEX1\t30.00\nchrY\t0\t50\tEXY\t0.00\n")


def test_coverage_cli(tmp_path: Path, mini) -> None:  # noqa: ANN001
    batch = Batch.model_validate(mini.copy(), context={"base_dir": mini.root})
    bj = tmp_path / "batch.json"
    bj.write_text(batch.model_dump_json())
    fai = tmp_path / "genome.fa.fai"
    fai.write_text("chr1\t600\t6\t60\t61\nchrX\t300\t700\t60\t61\nchrY\t120\t1100\t60\t61\n")
    write_mosdepth(tmp_path, "S", target=True)
    out = tmp_path / "S.coverage.json"
    args = ["--batch-json", bj, "--sample", "S", "--fai", fai, "--summary", tmp_path / "S.mosdepth.summary.txt",
            "--dist", tmp_path / "S.mosdepth.region.dist.txt", "--thresholds", tmp_path / "S.thresholds.bed.gz",
            "--out", out]  # fmt: skip
    assert coverage.main([str(a) for a in args]) == 0
    m = json.loads(out.read_text())
    assert m["sample_metrics"]["median_depth"] == 30
    assert m["sample_metrics"]["x_ratio"] == pytest.approx(0.5)
    assert m["sample_metrics"]["y_ratio"] == 0
    assert m["per_contig"]["chrY"] == {"class": "y", "sequenced_bases": 120, "mean_depth": 0.0}
    assert "target_fraction" not in m["sample_metrics"]
    args += ["--target-regions", tmp_path / "S.target.regions.bed.gz",
             "--target-thresholds", tmp_path / "S.target.thresholds.bed.gz"]  # fmt: skip
    assert coverage.main([str(a) for a in args]) == 0
    m = json.loads(out.read_text())
    assert m["sample_metrics"]["target_fraction"] == pytest.approx(100 / 150)
    assert m["sample_metrics"]["target_undercovered_regions"] == 1
    assert m["undercovered_regions"][0]["name"] == "EXY"
