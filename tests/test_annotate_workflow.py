"""The annotation stage on the test genome: every planted variant gets the consequence, transcript,
frequency, ClinVar and score values of test_data/resources/expected_annotations.tsv and the HGVS of the
hand-written test_data/truth/planted_hgvs.tsv; the header
carries the bundle's versions; a bad bundle stops `wgs-east run` before any job."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pandas as pd
import pysam
import pytest

from tests.conftest import REPO, wgs_east_cmd
from tests.test_annotate_hgvs import hand_hgvs
from tests.test_resources_check import BAD_BUNDLES, config_with_bundle, copy_bundle
from wgs_east.annotate.frame import read_all

pytestmark = pytest.mark.slow
EXPECTED = REPO / "test_data" / "resources" / "expected_annotations.tsv"
HAND = hand_hgvs()


@pytest.fixture(scope="module")
def annotated(pipeline_run: Path) -> Path:
    return pipeline_run / "annotated" / "B001.vcf.gz"


@pytest.fixture(scope="module")
def frame(annotated: Path) -> pd.DataFrame:
    return read_all(annotated)


def _expected() -> list[dict[str, str]]:
    with open(EXPECTED) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _num(text: str) -> float | None:
    return float(text) if text else None


@pytest.mark.parametrize("row", _expected(), ids=lambda r: r["id"])
def test_planted_variant_annotation(row: dict[str, str], frame: pd.DataFrame, annotated: Path) -> None:
    hit = frame[(frame.chrom == row["chrom"]) & (frame.pos == int(row["pos"])) & (frame.ref == row["ref"])
                & (frame.alt == row["alt"])]  # fmt: skip
    assert len(hit) == 1, f"{row['id']} not called once"
    v = hit.iloc[0]
    assert (v.gene, v.transcript) == (row["gene"], row["transcript"])
    assert row["consequence"] in str(v.consequence).split("&")
    # HGVS from the hand-written table (test_data/truth/planted_hgvs.tsv), not from the code under test
    hand = HAND[(row["chrom"], int(row["pos"]), row["ref"], row["alt"])]
    assert (v.hgvs_c, v.hgvs_p if isinstance(v.hgvs_p, str) else "") == (hand["hgvs_c"], hand["hgvs_p"])
    if row["nmd_escape"]:
        assert bool(v.nmd_escape) is (row["nmd_escape"] == "true")
    for col in ("pop_af", "popmax_af", "revel", "spliceai"):
        want = _num(row[col])
        got = getattr(v, col)
        assert (pd.isna(got) if want is None else got == pytest.approx(want)), (col, got, want)
    for col in ("pop_an", "pop_nhom", "pop_nhemi"):
        want = row[col]
        assert (pd.isna(getattr(v, col)) if want == "" else getattr(v, col) == int(want)), col
    assert (v.popmax_pop if isinstance(v.popmax_pop, str) else "") == row["popmax_pop"]
    assert (v.clinvar_sig if isinstance(v.clinvar_sig, str) else "") == row["clinvar_sig"]
    assert (v.clinvar_stars, v.clinvar_same_aa_stars, v.clinvar_same_residue_stars) == (
        int(row["clinvar_stars"]), int(row["clinvar_same_aa_stars"]), int(row["clinvar_same_residue_stars"]))  # fmt: skip
    assert (v.gene_moi, bool(v.lof_mechanism)) == (row["gene_moi"], row["lof_mechanism"] == "true")
    # exon / intron number (VCF only, not a frame column)
    with pysam.VariantFile(str(annotated)) as vcf:
        rec = next(r for r in vcf.fetch(row["chrom"], int(row["pos"]) - 1, int(row["pos"])) if r.alts[0] == row["alt"])
        kind, number = row["location"].split()
        assert rec.info[f"WE_{kind.upper()}"] == number


def test_pm5_evidence_names_the_clinvar_record(frame: pd.DataFrame) -> None:
    v = frame[(frame.chrom == "chrSYN1") & (frame.pos == 21617)].iloc[0]
    assert v.clinvar_same_residue == "p.Arg322Trp|900002|2|chrSYN1:21618:G:A|P"  # P: PM5 at full strength
    assert v.clinvar_same_residue_p_stars == 2


def test_every_record_annotated_once_with_the_bundle_in_the_header(pipeline_run: Path, annotated: Path) -> None:
    def keys(path: Path) -> list[tuple]:
        with pysam.VariantFile(str(path)) as vcf:
            return [(r.chrom, r.pos, r.ref, r.alts) for r in vcf]

    assert keys(annotated) == keys(pipeline_run / "variants" / "B001.vcf.gz")
    header = str(pysam.VariantFile(str(annotated)).header)
    assert "##wgs-east_resources=<Bundle=wgs-east-test,Version=\"test-2026.11\",Build=GRCh38,Synthetic=true" in header
    for name in ("ensembl", "gnomad_genomes", "clinvar", "revel", "spliceai", "genetable"):
        assert f"##wgs-east_resource=<ID={name}," in header
    assert "##wgs-east_version=" in header  # provenance of the batch VCF kept
    assert "##INFO=<ID=BCSQ" in header and "##INFO=<ID=WE_HGVSP" in header


def test_population_annotation_is_allele_exact(frame: pd.DataFrame) -> None:
    """Every pool site that was called gets its pool AF; nothing outside the pool gets one."""
    pool = pd.read_csv(REPO / "test_data" / "truth" / "population_pool.tsv", sep="\t")
    merged = frame.merge(pool, on=["chrom", "pos", "ref", "alt"], how="left")
    in_pool = merged.af.notna()
    assert in_pool.sum() > 600
    assert (merged.pop_af[in_pool] == merged.af[in_pool]).all()
    assert merged.pop_af[~in_pool].isna().all()


def test_repeat_flag_on_background_indels(frame: pd.DataFrame) -> None:
    indels = frame[frame.ref.str.len() != frame.alt.str.len()]
    assert indels.in_repeat.sum() >= 10  # the design places 35 % of indels in homopolymers / STRs
    assert not frame[(frame.chrom == "chrSYN1") & (frame.pos == 42635)].in_repeat.iloc[0]  # INFRAME_DEL


@pytest.mark.parametrize("kind", sorted(BAD_BUNDLES))
def test_run_refuses_a_bad_bundle_before_any_job(kind: str, tmp_path: Path) -> None:
    make, where, phrase = BAD_BUNDLES[kind]
    manifest = make(copy_bundle(tmp_path))
    outdir = tmp_path / "out"
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(config_with_bundle(tmp_path, manifest)), "--outdir", str(outdir), "--cores", "1"],
        capture_output=True, text=True, check=False, env={"XDG_CACHE_HOME": str(tmp_path / "cache"),
                                                          "PATH": subprocess.os.environ["PATH"]},
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert str(manifest) in proc.stderr and where in proc.stderr and phrase in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not outdir.exists()  # nothing started, nothing written


def test_every_genotype_carries_gt_gq_dp_ad_pl(pipeline_run: Path, annotated: Path) -> None:
    """Batch and annotated VCF: every sample's genotype has GT, GQ, DP, AD and PL (classification can gate on
    genotype quality)."""
    for path in (pipeline_run / "variants" / "B001.vcf.gz", annotated):
        with pysam.VariantFile(str(path)) as vcf:
            assert {"GT", "GQ", "DP", "AD", "PL"} <= set(vcf.header.formats), path
            called = 0
            for rec in vcf:
                for s in rec.samples.values():
                    if s["GT"] is not None and None not in s["GT"]:
                        assert s["GQ"] is not None and s["DP"] is not None and s["PL"] is not None, (path, rec)
                        assert s["AD"] is not None and None not in s["AD"], (path, rec)
                        called += 1
            assert called > 1000
