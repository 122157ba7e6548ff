"""The ``sv_population`` resource kind: gnomAD-SV preparation on the real v4.0 excerpt (records checked
field by field against the input parsed here independently) and the CNV population-frequency overlap."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from wgs_east.cnv.population import (
    PopulationSv,
    matches,
    population_frequency,
    read_region,
    reciprocal_overlap,
)
from wgs_east.cnv.scoring import CnvType
from wgs_east.errors import InputError
from wgs_east.resources import prepare
from wgs_east.resources.check import check_bundle
from wgs_east.resources.manifest import load_manifest, parse_manifest

EXCERPT = REPO.parent / "shared" / "data" / "real-resources" / "gnomad_sv_v4.0_chr1_excerpt.vcf.gz"
KEEP = {"SVTYPE", "END", "SVLEN", "CHR2", "POS2", "END2", "CPX_TYPE", "MULTIALLELIC", "PAR", "AC", "AN", "AF", "N_HET",
        "N_HOMALT", "POPMAX_AF", "CN_NUMBER", "CN_COUNT", "CN_FREQ", "CN_NONREF_FREQ"}  # fmt: skip
"""Written out here from the documented list, not imported."""


def _records(path: Path) -> dict[tuple[str, str, str], dict[str, object]]:
    """Independent parse: (CHROM, POS, ID) -> the columns and the INFO as a dict (flags -> True)."""
    out: dict[tuple[str, str, str], dict[str, object]] = {}
    with gzip.open(path, "rt") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            info = {k: (v[0] if v else True) for k, *v in (item.split("=", 1) for item in f[7].split(";") if item)}
            out[(f[0], f[1], f[2])] = {"ref": f[3], "alt": f[4], "qual": f[5], "filter": f[6], "info": info}
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not EXCERPT.exists():
        pytest.fail(f"real excerpt missing: {EXCERPT} (shared data beside the repository)")
    b = tmp_path_factory.mktemp("svbundle")
    (b / "genes.gff3").write_text("##gff-version 3\n")
    prepare.update_manifest(b, "genes", {"kind": "gene_models", "path": "genes.gff3", "version": "x"})
    code = prepare.main(["gnomad-sv", "--bundle", str(b), "--vcf", str(EXCERPT), "--version", "v4.0",
                         "--release-date", "2023-11-01", "--url", "https://gnomad.broadinstitute.org/downloads#v4-structural-variants"])  # fmt: skip
    assert code == 0
    return b


def test_prepared_records_match_the_input_field_by_field(bundle: Path) -> None:
    src = _records(EXCERPT)
    expected = {k: v for k, v in src.items() if v["filter"] == "PASS"}
    got = _records(bundle / "gnomad_sv.sites.vcf.gz")
    assert 0 < len(expected) < len(src)  # the excerpt has non-PASS sites, which are dropped
    assert list(got) == list(expected)  # same records, same order
    for key, want in expected.items():
        have = got[key]
        assert (have["ref"], have["alt"], have["qual"], have["filter"]) == (want["ref"], want["alt"], want["qual"], "PASS"), key
        want_info = {k: v for k, v in want["info"].items() if k in KEEP}  # type: ignore[union-attr]
        assert have["info"] == want_info, key
    types = {v["info"]["SVTYPE"] for v in got.values()}  # type: ignore[index]
    assert {"DEL", "DUP", "CNV", "INS"} <= types


def test_prepared_source_in_the_manifest(bundle: Path) -> None:
    m = load_manifest(bundle / "manifest.yaml")
    name, src = m.one("sv_population")  # type: ignore[misc]
    assert (name, src.kind, src.version, str(src.release_date)) == ("gnomad_sv", "sv_population", "v4.0", "2023-11-01")
    assert src.sha256 == prepare.sha256_of(bundle / "gnomad_sv.sites.vcf.gz")
    assert (bundle / "gnomad_sv.sites.vcf.gz.tbi").exists()
    assert [p for p in check_bundle(m, None, None, use_cache=False) if p.loc.startswith("sources.gnomad_sv")] == []


def test_check_names_a_missing_info_tag(bundle: Path) -> None:
    data = yaml.safe_load((bundle / "manifest.yaml").read_text())
    data["sources"]["gnomad_sv"]["fields"] = {"af": "AF_nonexistent"}
    m = parse_manifest(data, bundle / "manifest.yaml")
    problems = [str(p) for p in check_bundle(m, None, None, use_cache=False) if p.loc == "sources.gnomad_sv"]
    assert len(problems) == 1 and "af=AF_nonexistent" in problems[0]


def test_one_sv_population_source_per_bundle(tmp_path: Path) -> None:
    entry = {"kind": "sv_population", "path": "a.vcf.gz", "version": "v4", "build": "GRCh38", "sha256": "0" * 64}
    data = {"bundle": "b", "version": "1", "build": "GRCh38",
            "sources": {"genes": {**entry, "kind": "gene_models"}, "sv1": entry, "sv2": entry}}  # fmt: skip
    with pytest.raises(InputError, match="more than one sv_population source: sv1, sv2"):
        parse_manifest(data, tmp_path / "manifest.yaml")


def test_frequency_of_real_records(bundle: Path) -> None:
    src = {k: v for k, v in _records(EXCERPT).items() if v["filter"] == "PASS"}
    info = {k: v["info"] for k, v in src.items()}
    dele = next(k for k, i in info.items() if i["SVTYPE"] == "DEL" and float(i["AF"]) > 0)  # type: ignore[index, arg-type]
    start, end = int(dele[1]) + 1, int(info[dele]["END"])  # type: ignore[call-overload]
    records = read_region(bundle / "gnomad_sv.sites.vcf.gz", "chr1", start, end)
    found = {m.record.id: m for m in matches("chr1", start, end, CnvType.loss, records)}
    assert found[dele[2]].overlap == 1.0
    assert found[dele[2]].frequency == pytest.approx(float(info[dele]["AF"]))  # type: ignore[arg-type]
    assert dele[2] not in {m.record.id for m in matches("chr1", start, end, CnvType.gain, records)}
    cnv = next(k for k, i in info.items() if i["SVTYPE"] == "CNV")
    freqs = [float(x) for x in str(info[cnv]["CN_FREQ"]).split(",")]
    start, end = int(cnv[1]) + 1, int(info[cnv]["END"])  # type: ignore[call-overload]
    records = read_region(bundle / "gnomad_sv.sites.vcf.gz", "chr1", start, end)
    loss = {m.record.id: m.frequency for m in matches("chr1", start, end, CnvType.loss, records)}
    gain = {m.record.id: m.frequency for m in matches("chr1", start, end, CnvType.gain, records)}
    assert loss[cnv[2]] == pytest.approx(freqs[0] + freqs[1])
    assert gain[cnv[2]] == pytest.approx(sum(freqs[3:]))
    assert read_region(bundle / "gnomad_sv.sites.vcf.gz", "chr22", 1, 10_000) == []


@pytest.mark.parametrize(
    ("a", "b", "ro"),
    [((1, 100), (1, 100), 1.0), ((1, 100), (1, 50), 0.5), ((1, 100), (51, 150), 0.5), ((1, 100), (101, 200), 0.0),
     ((1, 100), (50, 50), 0.01), ((10, 20), (1, 100), 0.11)],
)  # fmt: skip
def test_reciprocal_overlap(a: tuple[int, int], b: tuple[int, int], ro: float) -> None:
    assert reciprocal_overlap(*a, *b) == pytest.approx(ro)
    assert reciprocal_overlap(*b, *a) == pytest.approx(ro)


def test_overlap_rule_type_and_best_match() -> None:
    recs = [
        PopulationSv("half", "chr1", 1, 50, "DEL", af=0.2),  # RO 0.50: matches
        PopulationSv("short", "chr1", 1, 49, "DEL", af=0.9),  # RO 0.49: no
        PopulationSv("dup", "chr1", 1, 100, "DUP", af=0.5),  # other type
        PopulationSv("same", "chr1", 1, 100, "DEL", af=0.01),
        PopulationSv("other-contig", "chr2", 1, 100, "DEL", af=0.7),
        PopulationSv("mcnv-x", "chrX", 1, 100, "CNV", cn_freq=(0.5, 0.2, 0.3)),  # sex chromosome: not used
    ]
    best = population_frequency("chr1", 1, 100, CnvType.loss, recs)
    assert best is not None and (best.record.id, best.frequency, best.overlap) == ("half", 0.2, 0.5)
    assert [m.record.id for m in matches("chr1", 1, 100, CnvType.loss, recs)] == ["half", "same"]
    assert population_frequency("chr1", 1, 100, CnvType.gain, recs).record.id == "dup"  # type: ignore[union-attr]
    assert population_frequency("chrX", 1, 100, CnvType.loss, recs) is None
    assert population_frequency("chr1", 1, 100, CnvType.loss, recs, min_overlap=0.99).record.id == "same"  # type: ignore[union-attr]
