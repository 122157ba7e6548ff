"""Resource bundles: the manifest model and the checks (files, sha256, indexes, columns, build, contig
names), through `wgs-east resources check` and `wgs-east validate`. Helpers here make broken copies of
the test bundle (also used by tests/test_annotate_workflow.py)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pysam
import pytest
import yaml

from tests.conftest import REPO, absolute_test_config
from wgs_east.errors import InputError
from wgs_east.resources.check import (
    cached_sha256,
    check_bundle,
    contig_problems,
    infer_build,
    sha256_of,
)
from wgs_east.resources.manifest import load_manifest, parse_manifest

BUNDLE = REPO / "test_data" / "resources"
REFERENCE = REPO / "test_data" / "reference" / "genome.fa"
CONTIGS = {"chr22_16600000_16800000": 200_001, "chrSYN1": 50_000, "chrX": 60_000, "chrY": 20_000}


# --- helpers: broken copies of the test bundle ------------------------------------------------------
def copy_bundle(tmp_path: Path) -> Path:
    dest = tmp_path / "bundle"
    shutil.copytree(BUNDLE, dest, ignore=shutil.ignore_patterns("upstream"))
    return dest


def edit_manifest(bundle: Path, change: Any) -> Path:
    path = bundle / "manifest.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def refresh_checksums(bundle: Path) -> Path:
    def update(data: dict) -> None:
        for src in data["sources"].values():
            src["sha256"] = sha256_of(bundle / src["path"])

    return edit_manifest(bundle, update)


def _strip_chr(name: str) -> str:
    return name.removeprefix("chr")


def rename_contigs_22_style(bundle: Path) -> Path:
    """The chr22-vs-22 mistake: every source with contigs named without `chr`, checksums updated."""
    renames = bundle / "renames.txt"
    renames.write_text("".join(f"{c}\t{_strip_chr(c)}\n" for c in CONTIGS))
    for vcf in ("gnomad.genomes.sites.vcf.gz", "clinvar.vcf.gz"):
        out = bundle / f"renamed.{vcf}"
        subprocess.run(["bcftools", "annotate", "--no-version", "--rename-chrs", str(renames), "-Oz", "-o", str(out),
                        str(bundle / vcf)], check=True)  # fmt: skip
        out.replace(bundle / vcf)
        subprocess.run(["tabix", "-f", "-p", "vcf", str(bundle / vcf)], check=True)
    for table in ("revel.tsv.gz", "spliceai.tsv.gz"):
        plain = bundle / table.removesuffix(".gz")
        with pysam.BGZFile(str(bundle / table), "r") as fh:
            lines = fh.read().decode().splitlines(keepends=True)
        plain.write_text("".join(line if line.startswith("#") else _strip_chr(line) for line in lines))
        (bundle / table).unlink()
        (bundle / f"{table}.tbi").unlink()
        pysam.tabix_index(str(plain), seq_col=0, start_col=1, end_col=1, meta_char="#", force=True)
    gff = bundle / "gene_models.gff3.gz"
    with pysam.BGZFile(str(gff), "r") as fh:
        lines = fh.read().decode().splitlines(keepends=True)
    plain = bundle / "gene_models.gff3"
    plain.write_text("".join(
        line if line.startswith("##gff") else _strip_chr(line).replace("##sequence-region chr", "##sequence-region ")
        for line in lines
    ))  # fmt: skip
    pysam.tabix_compress(str(plain), str(gff), force=True)
    plain.unlink()
    renames.unlink()
    return refresh_checksums(bundle)


def remove_index(bundle: Path) -> Path:
    (bundle / "gnomad.genomes.sites.vcf.gz.tbi").unlink()
    return bundle / "manifest.yaml"


def wrong_checksum(bundle: Path) -> Path:
    return edit_manifest(bundle, lambda d: d["sources"]["revel"].__setitem__("sha256", "a" * 64))


BAD_BUNDLES = {
    # kind: (make it, source named in the message, phrase in the message)
    "contigs_22_style": (rename_contigs_22_style, "sources.gnomad_genomes", "contig names do not match the reference"),
    "missing_index": (remove_index, "sources.gnomad_genomes", "index missing"),
    "wrong_sha256": (wrong_checksum, "sources.revel.sha256", "checksum mismatch"),
}


def config_with_bundle(tmp_path: Path, manifest: Path) -> Path:
    """A copy of config/test.yaml (absolute paths) whose `resources:` is ``manifest``."""
    data = absolute_test_config()
    data["resources"] = str(manifest)
    path = tmp_path / "batch.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(autouse=True)
def _private_checksum_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


# --- the test bundle -------------------------------------------------------------------------------
def test_the_test_bundle_passes(run_cli) -> None:
    assert check_bundle(load_manifest(BUNDLE / "manifest.yaml"), CONTIGS, "GRCh38") == []
    code, out, err = run_cli("resources", "check", BUNDLE, "--reference", REFERENCE, "--build", "GRCh38")
    assert code == 0, err
    assert "OK" in out and "wgs-east-test test-2026.11" in out and "SYNTHETIC" in out


def test_the_test_bundle_is_labelled_synthetic() -> None:
    m = load_manifest(BUNDLE / "manifest.yaml")
    assert m.synthetic and all(s.version.startswith("test-") for s in m.sources.values())
    assert "SYNTHETIC" in (BUNDLE / "README.md").read_text()


# --- rejected bundles ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(BAD_BUNDLES))
def test_resources_check_rejects(kind: str, tmp_path: Path, run_cli) -> None:
    make, where, phrase = BAD_BUNDLES[kind]
    manifest = make(copy_bundle(tmp_path))
    code, _out, err = run_cli("resources", "check", manifest, "--reference", REFERENCE)
    assert code == 2, err
    assert str(manifest) in err and where in err and phrase in err
    assert "Traceback" not in err


def test_22_style_contigs_are_listed_by_name(tmp_path: Path) -> None:
    manifest = rename_contigs_22_style(copy_bundle(tmp_path))
    problems = check_bundle(load_manifest(manifest), CONTIGS, "GRCh38")
    text = "\n".join(str(p) for p in problems)
    assert {p.loc for p in problems} == {f"sources.{n}" for n in ("ensembl", "gnomad_genomes", "clinvar", "revel", "spliceai")}
    assert "SYN1 (reference: chrSYN1)" in text and "X (reference: chrX)" in text


@pytest.mark.parametrize("kind", sorted(BAD_BUNDLES))
def test_validate_rejects_a_config_with_a_bad_bundle(kind: str, tmp_path: Path, run_cli) -> None:
    make, where, phrase = BAD_BUNDLES[kind]
    manifest = make(copy_bundle(tmp_path))
    code, _out, err = run_cli("validate", config_with_bundle(tmp_path, manifest))
    assert code == 2
    assert f"resources: {manifest}: {where}" in err and phrase in err


def test_missing_manifest_and_other_build(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("validate", config_with_bundle(tmp_path, tmp_path / "nowhere" / "manifest.yaml"))
    assert code == 2 and "resources:" in err and "file not found" in err
    problems = check_bundle(load_manifest(BUNDLE / "manifest.yaml"), CONTIGS, "GRCh37")
    assert [p.loc for p in problems] == ["build"]


def test_columns_tags_gene_table_and_compression(tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path)

    def breaks(d: dict) -> None:
        d["sources"]["revel"]["columns"]["score"] = "REVEL_SCORE"
        d["sources"]["gnomad_genomes"]["fields"]["nhemi"] = "hemizygotes"

    edit_manifest(bundle, breaks)
    table = bundle / "gene_table.tsv"
    table.write_text(table.read_text().replace("\tXLR\t", "\tX-linked\t"))
    refresh_checksums(bundle)
    problems = {p.loc: p.msg for p in check_bundle(load_manifest(bundle / "manifest.yaml"), CONTIGS, None)}
    assert "REVEL_SCORE" in problems["sources.revel"]
    assert "nhemi=hemizygotes" in problems["sources.gnomad_genomes"]
    assert "unknown inheritance X-LINKED" in problems["sources.genetable"]


# --- the manifest model ----------------------------------------------------------------------------
def _manifest(**changes: Any) -> dict:
    data = yaml.safe_load((BUNDLE / "manifest.yaml").read_text())
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("change", "loc", "phrase"),
    [
        (lambda d: d["sources"]["gnomad_genomes"].update(colour="red"), "sources.gnomad_genomes.colour", "unknown field"),
        (lambda d: d["sources"]["revel"].update(score="polyphen"), "sources.revel.score", "invalid value"),
        (lambda d: d["sources"]["revel"].update(sha256="xyz"), "sources.revel.sha256", "must match"),
        (lambda d: d["sources"].pop("ensembl"), "sources", "needs one gene_models"),
        (lambda d: d["sources"].update(more=dict(d["sources"]["gnomad_genomes"])), "sources", "more than one population"),
        (lambda d: d["sources"].update(more={**d["sources"]["gnomad_genomes"], "dataset": "joint"}), "sources",
         "a joint population source already holds genomes and exomes"),
        (lambda d: d["sources"]["gnomad_genomes"].update(dataset="trio"), "sources.gnomad_genomes.dataset", "invalid value"),
        (lambda d: d["sources"]["clinvar"].update(build="GRCh37"), "sources", "another build"),
        (lambda d: d["sources"]["ensembl"].update(kind="genes"), "sources.ensembl", "kind"),
    ],
)
def test_manifest_validation(change: Any, loc: str, phrase: str) -> None:
    data = _manifest()
    change(data)
    with pytest.raises(InputError) as exc:
        parse_manifest(data, BUNDLE / "manifest.yaml")
    assert any(p.loc == loc and phrase in p.msg for p in exc.value.problems), exc.value.problems


def test_manifest_takes_genomes_and_exomes_population_sources() -> None:
    data = _manifest()
    data["sources"]["gnomad_exomes"] = {**data["sources"]["gnomad_genomes"], "dataset": "exomes"}
    m = parse_manifest(data, BUNDLE / "manifest.yaml")
    assert [s.dataset for _, s in m.of_kind("population")] == ["genomes", "exomes"]


def test_manifest_paths_are_relative_to_the_manifest() -> None:
    m = load_manifest(BUNDLE)  # the directory works too
    assert m.sources["gnomad_genomes"].path == BUNDLE / "gnomad.genomes.sites.vcf.gz"
    assert m.one("gene_table")[0] == "genetable" and m.insilico("spliceai")[0] == "spliceai"


# --- contig names, build, checksum cache -------------------------------------------------------------
def test_contig_problems() -> None:
    ref = {"chr1": 10, "chr22": 10, "chrM": 5}
    assert contig_problems(["chr1", "chr22"], ref) is None
    assert contig_problems(["chr1", "chrUn_KI270302v1"], ref) is None  # extra contigs are fine
    assert "22 (reference: chr22)" in contig_problems(["22", "1"], ref)
    assert "MT (reference: chrM)" in contig_problems(["chr1", "MT"], ref)
    assert "no contig of this source is in the reference" in contig_problems(["scaffold_9"], ref)
    assert contig_problems([], ref) is None


def test_infer_build() -> None:
    assert infer_build({"chr1": 248_956_422}) == "GRCh38"
    assert infer_build({"1": 249_250_621}) == "GRCh37"
    assert infer_build(CONTIGS) is None


def test_checksum_cache_notices_a_changed_file(tmp_path: Path) -> None:
    f = tmp_path / "data.txt"
    f.write_text("one")
    first = cached_sha256(f)
    assert cached_sha256(f) == first and (tmp_path / "cache" / "wgs-east" / "sha256.json").exists()
    assert first == hashlib.sha256(b"one").hexdigest()
    # the cache is really consulted: an entry with the file's stamp is returned without hashing the file
    cache_file = tmp_path / "cache" / "wgs-east" / "sha256.json"
    cache = json.loads(cache_file.read_text())
    cache[str(f.resolve())]["sha256"] = "planted"
    cache_file.write_text(json.dumps(cache))
    assert cached_sha256(f) == "planted"
    assert cached_sha256(f, use_cache=False) == first
    # a changed file (other size, other mtime) is hashed again
    f.write_text("two, longer")
    assert cached_sha256(f) == hashlib.sha256(b"two, longer").hexdigest() == sha256_of(f) != first
    # same size, other mtime: hashed again too
    f.write_text("six, longer")
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000_000))
    assert cached_sha256(f) == hashlib.sha256(b"six, longer").hexdigest()
