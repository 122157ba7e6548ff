"""Per-sample verdicts from metric files and the batch config; the verdict CLI and its outputs."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from wgs_east.config.models import Batch, Limits, QcSettings
from wgs_east.errors import InputError
from wgs_east.qc import verdicts as V

SEX = {"KID1": "female", "DAD1": "male", "MUM1": "female", "SOLO1": "male"}


def good_metrics(sample: str) -> dict[str, dict[str, Any]]:
    unit = {"reads_before": 1000, "reads_after": 990, "q30_fraction": 0.92, "pass_filter_fraction": 0.99,
            "adapter_fraction": 0.02}  # fmt: skip
    male = SEX[sample] == "male"
    return {
        "reads": {"sample": sample, "sample_metrics": dict(unit), "units": {"L001": dict(unit)}},
        "alignment": {"sample": sample, "sample_metrics": {
            "mapping_rate": 0.99, "properly_paired_rate": 0.97, "duplicate_rate": 0.05, "insert_size_median": 350,
            "insert_size_iqr": 90, "mismatch_rate": 0.006}},  # fmt: skip
        "coverage": {"sample": sample, "sample_metrics": {
            "mean_depth": 31.0, "median_depth": 30, "fraction_10x": 0.99, "fraction_20x": 0.95, "fraction_30x": 0.5,
            "x_depth": 15.5 if male else 31.0, "y_depth": 15.0 if male else 0.0, "x_ratio": 0.5 if male else 1.0,
            "y_ratio": 0.48 if male else 0.001}, "per_contig": {"chr1": {"mean_depth": 31.0}}},  # fmt: skip
    }


def good_batch_metrics() -> dict[str, Any]:
    variants = {s: {"snvs": 4000, "indels": 500, "het_snvs": 2400, "hom_alt_snvs": 1500, "hemizygous_snvs": 0,
                    "ti_tv": 2.05, "het_hom_ratio": 1.6} for s in SEX}  # fmt: skip
    geno_samples = {s: {"x_het_fraction": 0.0 if SEX[s] == "male" else 0.55, "x_het_sites": 200,
                        "autosomal_het_fraction": 0.6, "contamination": 0.002, "contamination_se": 0.001,
                        "contamination_sites": 1500} for s in SEX}  # fmt: skip
    kin = {("DAD1", "KID1"): 0.25, ("KID1", "MUM1"): 0.24}
    pairs = []
    ids = sorted(SEX)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            pairs.append({"sample_a": a, "sample_b": b, "kinship": kin.get((a, b), 0.01), "het_het": 1,
                          "opposite_hom": 0, "het_a": 2400, "het_b": 2400, "sites_both_genotyped": 5000,
                          "ibs0": 0.0})  # fmt: skip
    return {
        "variants": {"batch_metrics": {"records": 6000, "ti_tv": 2.05}, "samples": variants},
        "genotypes": {"sites": {"autosomal_snvs": 5000}, "samples": geno_samples, "pairs": pairs},
        "sv": {"samples": {s: {"sv_calls": 12, "cnv_segments": 3} for s in SEX}},
    }


@pytest.fixture
def batch(mini) -> Batch:  # noqa: ANN001
    data = mini.copy()
    for s in data["samples"]:
        if s["id"] == "KID1":
            s["father"], s["mother"] = "DAD1", "MUM1"
    return Batch.model_validate(data, context={"base_dir": mini.root})


def metrics_of(batch: Batch, edit: Any = None) -> dict[Any, Any]:
    m: dict[Any, Any] = {}
    for s in batch.sample_ids:
        for kind, data in good_metrics(s).items():
            m[(s, kind)] = data
    for kind, data in good_batch_metrics().items():
        m[("batch", kind)] = data
    if edit:
        edit(m)
    return m


def verdict_of(batch: Batch, metrics: dict) -> dict[str, V.SampleVerdict]:
    vs, _ = V.assess(batch, metrics)
    return {v.sample.id: v for v in vs}


def test_check_limits() -> None:
    lim = Limits(warn_below=25, fail_below=20, warn_above=100)
    assert V.check_limits("depth", 30, lim) is None
    assert V.check_limits("depth", 22, lim) == ("WARN", "depth 22 < 25")
    assert V.check_limits("depth", 6.13, lim) == ("FAIL", "depth 6.13 < 20")
    assert V.check_limits("depth", 120, lim) == ("WARN", "depth 120 > 100")
    assert V.check_limits("depth", None, lim) == ("WARN", "depth not available")
    assert V.check_limits("depth", math.nan, Limits()) is None


def test_limits_validation() -> None:
    with pytest.raises(ValueError, match="fail_below must be at most warn_below"):
        Limits(warn_below=20, fail_below=25)
    with pytest.raises(ValueError, match="fail_above must be at least warn_above"):
        Limits(warn_above=0.05, fail_above=0.03)
    with pytest.raises(ValueError, match="lower bounds must be below"):
        Limits(warn_below=3, warn_above=2)


def test_good_batch_passes(batch: Batch) -> None:
    vs = verdict_of(batch, metrics_of(batch))
    assert {s: v.verdict for s, v in vs.items()} == {s: "PASS" for s in SEX}
    assert vs["KID1"].metrics["inferred_sex"] == "female"
    assert any("with DAD1: declared parent-child" in n for n in vs["KID1"].notes)


def test_low_coverage_fails_and_keeps_the_sample(batch: Batch) -> None:
    def low(m: dict) -> None:
        m[("KID1", "coverage")]["sample_metrics"].update(median_depth=6, fraction_20x=0.01, mean_depth=6.2)

    vs = verdict_of(batch, metrics_of(batch, low))
    kid = vs["KID1"]
    assert kid.verdict == "FAIL" and kid.category_verdict("coverage") == "FAIL"
    assert [r["message"] for r in kid.reasons()] == [
        "median autosomal depth 6 < 20", "fraction of autosomal bases >= 20x 0.01 < 0.7"]  # fmt: skip
    assert vs["DAD1"].verdict == "PASS"


def test_flipped_sex_fails_with_a_clear_reason(batch: Batch, mini) -> None:  # noqa: ANN001
    data = batch.model_dump(mode="json")
    for s in data["samples"]:
        if s["id"] == "SOLO1":
            s["sex"] = "female"
    flipped = Batch.model_validate(data)
    kid = verdict_of(flipped, metrics_of(flipped))["SOLO1"]
    assert kid.verdict == "FAIL"
    (reason,) = kid.reasons()
    assert reason["check"] == "sex" and reason["level"] == "FAIL"
    assert reason["message"].startswith("declared female but inferred male (X/autosome depth 0.50")


def test_per_unit_read_checks_name_the_unit(batch: Batch) -> None:
    def bad_lane(m: dict) -> None:
        r = m[("DAD1", "reads")]
        r["units"]["L002"] = {**r["units"]["L001"], "q30_fraction": 0.6}

    dad = verdict_of(batch, metrics_of(batch, bad_lane))["DAD1"]
    assert dad.category_verdict("reads") == "FAIL"
    assert dad.reasons()[0]["message"] == "unit L002: Q30 fraction after filtering 0.6 < 0.7"


def test_contamination_and_variant_checks(batch: Batch) -> None:
    def edit(m: dict) -> None:
        m[("batch", "genotypes")]["samples"]["MUM1"]["contamination"] = 0.08
        m[("batch", "genotypes")]["samples"]["SOLO1"]["contamination_sites"] = 10
        m[("batch", "variants")]["samples"]["MUM1"]["het_hom_ratio"] = 3.4

    vs = verdict_of(batch, metrics_of(batch, edit))
    assert vs["MUM1"].category_verdict("contamination") == "FAIL"
    assert vs["MUM1"].category_verdict("variants") == "WARN"
    assert vs["SOLO1"].category_verdict("contamination") == "WARN"
    assert "10 hom-alt SNVs < 50" in vs["SOLO1"].reasons()[0]["message"]


def test_wrong_parent_is_a_relatedness_fail(batch: Batch) -> None:
    data = batch.model_dump(mode="json")
    for s in data["samples"]:
        if s["id"] == "SOLO1":
            s["family"] = "FAM1"
        if s["id"] == "KID1":
            s["father"] = "SOLO1"
    wrong = Batch.model_validate(data)
    vs, pairs = V.assess(wrong, metrics_of(wrong))
    by = {v.sample.id: v for v in vs}
    assert by["KID1"].verdict == "FAIL" and by["SOLO1"].verdict == "FAIL"
    assert by["DAD1"].verdict == "WARN"  # an undeclared first-degree relative of KID1
    msg = by["KID1"].reasons()[0]["message"]
    assert msg.startswith("with SOLO1: declared parent-child (expected kinship 0.250) but observed kinship 0.010")
    assert "sample swap or pedigree error" in msg


def test_sample_missing_from_the_vcf_is_flagged_not_dropped(batch: Batch) -> None:
    def drop(m: dict) -> None:
        g = m[("batch", "genotypes")]
        del g["samples"]["SOLO1"]
        g["pairs"] = [p for p in g["pairs"] if "SOLO1" not in (p["sample_a"], p["sample_b"])]
        del m[("batch", "variants")]["samples"]["SOLO1"]

    vs = verdict_of(batch, metrics_of(batch, drop))
    assert vs["SOLO1"].verdict == "WARN"
    assert {r["check"] for r in vs["SOLO1"].reasons()} == {"variants", "contamination", "relatedness"}


def write_metrics_dir(root: Path, batch: Batch, metrics: dict) -> Path:
    d = root / "metrics"
    d.mkdir()
    for (who, kind), data in metrics.items():
        name = batch.batch if who == "batch" else who
        (d / f"{name}.{kind}.json").write_text(json.dumps(data))
    return d


def test_cli_outputs(tmp_path: Path, batch: Batch) -> None:
    def low(m: dict) -> None:
        m[("KID1", "coverage")]["sample_metrics"]["median_depth"] = 6

    mdir = write_metrics_dir(tmp_path, batch, metrics_of(batch, low))
    bj = tmp_path / "batch.json"
    bj.write_text(batch.model_dump_json())
    out = tmp_path / "out"
    args = ["--batch-json", bj, "--metrics-dir", mdir, "--out-tsv", out / "B.qc.tsv", "--out-json", out / "B.qc.json",
            "--out-pairs", out / "B.relatedness.tsv", "--mqc-dir", out / "mqc"]  # fmt: skip
    assert V.main([str(a) for a in args]) == 0
    table = pd.read_csv(out / "B.qc.tsv", sep="\t")
    assert list(table["sample"]) == batch.sample_ids  # every sample, FAIL included
    assert dict(zip(table["sample"], table["verdict"], strict=True))["KID1"] == "FAIL"
    assert "FAIL coverage: median autosomal depth 6 < 20" in table.set_index("sample").loc["KID1", "reasons"]
    for col in ("verdict_coverage", "median_depth", "x_ratio", "inferred_sex", "contamination", "ti_tv", "sv_calls",
                "cnv_segments", "verdict_sv"):
        assert col in table
    assert "target_fraction" not in table  # no target BED configured
    data = json.loads((out / "B.qc.json").read_text())
    assert data["verdicts"]["KID1"] == "FAIL"
    assert data["settings"]["median_depth"] == {"warn_below": 25.0, "fail_below": 20.0, "warn_above": None,
                                               "fail_above": None}  # fmt: skip
    pairs = pd.read_csv(out / "B.relatedness.tsv", sep="\t")
    assert len(pairs) == 6 and set(pairs["status"]) == {"PASS"}
    mqc = json.loads((out / "mqc" / f"{batch.batch}.wgs_east_verdicts_mqc.json").read_text())
    assert mqc["plot_type"] == "table" and mqc["data"]["KID1"]["verdict"] == "FAIL"
    assert (out / "mqc" / f"{batch.batch}.wgs_east_relatedness_mqc.json").exists()


def test_cli_reports_missing_metric_files(tmp_path: Path, batch: Batch) -> None:
    metrics = metrics_of(batch)
    del metrics[("SOLO1", "coverage")]
    mdir = write_metrics_dir(tmp_path, batch, metrics)
    bj = tmp_path / "batch.json"
    bj.write_text(batch.model_dump_json())
    with pytest.raises(InputError, match=r"SOLO1\.coverage\.json: metric file not found"):
        V.main(["--batch-json", str(bj), "--metrics-dir", str(mdir), "--out-tsv", str(tmp_path / "t"),
                "--out-json", str(tmp_path / "j")])  # fmt: skip


def test_thresholds_come_from_the_config(batch: Batch) -> None:
    data = batch.model_dump(mode="json")
    data["qc"] = {**QcSettings().model_dump(mode="json"), "median_depth": {"warn_below": 35}}
    strict = Batch.model_validate(data)
    vs = verdict_of(strict, metrics_of(strict))
    assert {v.verdict for v in vs.values()} == {"WARN"}
    assert copy.deepcopy(vs["KID1"].reasons()) == [
        {"check": "coverage", "level": "WARN", "message": "median autosomal depth 30 < 35"}]  # fmt: skip


def test_sex_check_not_assessable_without_sex_chromosomes(batch: Batch) -> None:
    data = batch.model_dump(mode="json")
    data["reference"]["sex_chromosomes"] = None
    flipped = data["samples"]  # a declared sex that the depth would contradict is not judged either
    for s in flipped:
        if s["id"] == "SOLO1":
            s["sex"] = "female"
    no_sex = Batch.model_validate(data)
    vs = verdict_of(no_sex, metrics_of(no_sex))
    solo = vs["SOLO1"]
    assert solo.category_verdict("sex") == V.NOT_ASSESSABLE
    assert solo.verdict == "PASS" and solo.reasons() == []
    assert solo.metrics["inferred_sex"] == "not assessable"
    assert any(n.startswith("sex check not assessable: the reference has no sex chromosomes") for n in solo.notes)
    table = V.verdict_table(list(vs.values()))
    assert set(table["verdict_sex"]) == {"NA"}


def test_sv_counts_warn_above_the_plausible_maximum(batch: Batch) -> None:
    def edit(m: dict) -> None:
        m[("batch", "sv")]["samples"]["SOLO1"] = {"sv_calls": 25_000, "cnv_segments": 600}

    vs = verdict_of(batch, metrics_of(batch, edit))
    assert vs["KID1"].category_verdict("sv") == "PASS" and vs["KID1"].metrics["sv_calls"] == 12
    solo = vs["SOLO1"]
    assert solo.category_verdict("sv") == "WARN"
    messages = [r["message"] for r in solo.reasons() if r["check"] == "sv"]
    assert messages == ["SV records 25000 > 20000", "non-neutral copy-number segments 600 > 500"]
    # without the SV stage's metrics the check is not assessable, not a WARN
    no_sv = verdict_of(batch, metrics_of(batch, lambda m: m.pop(("batch", "sv"))))
    assert no_sv["SOLO1"].category_verdict("sv") == V.NOT_ASSESSABLE and no_sv["SOLO1"].verdict == "PASS"
