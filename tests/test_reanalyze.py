"""Single-sample reanalysis (`wgs-east reanalyze`), changes.tsv and the run's checksums."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pysam
import pytest
import yaml

from tests.conftest import REPO, wgs_east_cmd
from wgs_east import checksums
from wgs_east.classify.changes import NOT_REPORTED, compare, read_classified
from wgs_east.config import file_sha256
from wgs_east.reanalyze import REANALYSIS_STAGES, stage_rules

BUNDLE = REPO / "test_data" / "resources"
# the two facts the modified bundle changes, and the PROBAND1 variants they bear on
CLINVAR_ID = "900003"  # chrSYN1:23656 A>G, conflicting -> Pathogenic (2 stars): PM5 for 23655 C>T (SYNAR1 p.Cys255Tyr)
POPULATION_SITE = ("chrSYN1", 27613, "GT", "G")  # SYNAR1 frameshift: AF 8e-05 -> 0.01 (PM2 lost)
CHANGED = {("chrSYN1", "23655", "C", "T"), ("chrSYN1", "27613", "GT", "G")}


# --- changes.tsv -------------------------------------------------------------------------------------


def _classified(rows: list[tuple]) -> pd.DataFrame:
    cols = ["chrom", "pos", "ref", "alt", "gene", "classification", "points", "criteria"]
    return pd.DataFrame([[str(v) for v in r] for r in rows], columns=cols)


def test_compare_lists_exactly_the_changed_variants() -> None:
    old = _classified([
        ("chr1", 10, "A", "G", "G1", "Uncertain significance", 4, "PP3_Moderate,PM2_Supporting"),
        ("chr1", 20, "C", "T", "G1", "Likely pathogenic", 9, "PVS1,PM2_Supporting"),
        ("chr1", 30, "G", "A", "G2", "Pathogenic", 13, "PVS1,PS2,PM2_Supporting"),
        ("chr2", 5, "T", "C", "G3", "Uncertain significance", 2, "PP3_Moderate"),
    ])  # fmt: skip
    new = _classified([
        ("chr1", 10, "A", "G", "G1", "Likely pathogenic", 6, "PP3_Moderate,PM5,PM2_Supporting"),
        ("chr1", 20, "C", "T", "G1", "Likely pathogenic", 8, "PVS1"),
        ("chr1", 30, "G", "A", "G2", "Pathogenic", 13, "PVS1,PS2,PM2_Supporting"),
        ("chr3", 7, "A", "T", "G4", "Uncertain significance", 3, "PM4,PM2_Supporting"),
    ])  # fmt: skip
    changes = compare(old, new).set_index("pos")
    assert sorted(changes.index) == ["10", "20", "5", "7"]  # chr1:30 unchanged, not listed
    assert changes.loc["10", "changed"] == "classification,points,criteria"
    assert (changes.loc["10", "old_classification"], changes.loc["10", "new_classification"]) == (
        "Uncertain significance", "Likely pathogenic",
    )  # fmt: skip
    assert changes.loc["20", "changed"] == "points,criteria"
    assert changes.loc["5", "changed"] == "no longer reported"
    assert changes.loc["5", "new_classification"] == NOT_REPORTED
    assert changes.loc["7", "changed"] == "newly reported"
    assert changes.loc["7", "old_points"] == NOT_REPORTED
    assert list(changes.reset_index()["chrom"]) == ["chr1", "chr1", "chr2", "chr3"]


def test_compare_of_identical_lists_is_empty() -> None:
    same = _classified([("chr1", 10, "A", "G", "G1", "Pathogenic", 10, "PVS1,PS2")])
    assert compare(same, same.copy()).empty


# --- checksums ---------------------------------------------------------------------------------------


def test_checksums_list_deliverables_and_catch_changes(tmp_path: Path) -> None:
    (tmp_path / ".wgs-east").mkdir()
    for rel in ["variants/B.vcf.gz", "qc/B.qc.json", "work/x.bcf", "logs/a.log", ".snakemake/m", "provenance.json"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    out = checksums.write_checksums(tmp_path)
    listed = checksums.read_checksums(tmp_path)
    assert sorted(listed) == ["provenance.json", "qc/B.qc.json", "variants/B.vcf.gz"]
    # the file is what `sha256sum -c` reads
    check = subprocess.run(["sha256sum", "-c", out.name], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert checksums.verify(tmp_path, ["qc/B.qc.json", "variants/B.vcf.gz"]) == []
    (tmp_path / "qc" / "B.qc.json").write_text("changed")
    problems = checksums.verify(tmp_path, ["qc/B.qc.json", "work/x.bcf"])
    assert [p.loc for p in problems] == ["qc/B.qc.json", "work/x.bcf"]
    assert "sha256 differs" in problems[0].msg and "not listed" in problems[1].msg


# --- the reanalysis on the test genome ---------------------------------------------------------------


def _rewrite_vcf(src: Path, dst: Path, edit) -> None:  # noqa: ANN001 - edit(fields) -> fields
    lines = []
    with gzip.open(src, "rt") as fh:
        for line in fh:
            if not line.startswith("#"):
                line = "\t".join(edit(line.rstrip("\n").split("\t"))) + "\n"
            lines.append(line)
    plain = dst.with_suffix("")
    plain.write_text("".join(lines))
    pysam.tabix_compress(str(plain), str(dst), force=True)
    plain.unlink()
    pysam.tabix_index(str(dst), preset="vcf", force=True)


def _clinvar_pathogenic(fields: list[str]) -> list[str]:
    if fields[2] == CLINVAR_ID:
        info = re.sub(r"CLNSIG=[^;]*", "CLNSIG=Pathogenic", fields[7])
        fields[7] = re.sub(r"CLNREVSTAT=[^;]*", "CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts", info)
    return fields


def _population_common(fields: list[str]) -> list[str]:
    if (fields[0], int(fields[1]), fields[3], fields[4]) == POPULATION_SITE:
        fields[7] = re.sub(r"\b(AF|AF_grpmax|fafmax_faf95_max)=[^;]*", r"\1=0.01", fields[7])
        fields[7] = re.sub(r"\bAC=[^;]*", "AC=1500", fields[7])
    return fields


@pytest.fixture(scope="module")
def updated_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test bundle with one ClinVar record's status and one population frequency changed (a new release)."""
    bundle = tmp_path_factory.mktemp("bundle") / "resources"
    shutil.copytree(BUNDLE, bundle)
    _rewrite_vcf(BUNDLE / "clinvar.vcf.gz", bundle / "clinvar.vcf.gz", _clinvar_pathogenic)
    _rewrite_vcf(BUNDLE / "gnomad.genomes.sites.vcf.gz", bundle / "gnomad.genomes.sites.vcf.gz", _population_common)
    manifest = yaml.safe_load((bundle / "manifest.yaml").read_text())
    manifest["version"] = "test-2026.12"
    for name in ("clinvar", "gnomad_genomes"):
        source = manifest["sources"][name]
        source["sha256"] = file_sha256(bundle / source["path"])
        source["version"] = "test-2026.12"
    (bundle / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return bundle / "manifest.yaml"


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): file_sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _ran_rules(outdir: Path) -> set[str]:
    text = "".join(p.read_text() for p in (outdir / ".snakemake" / "log").glob("*.snakemake.log"))
    return set(re.findall(r"^(?:local)?rule (\w+):", text, flags=re.M))


UPSTREAM_STAGES = ("reference", "align", "call", "qc")


@pytest.mark.slow
def test_reanalysis_with_an_updated_bundle_changes_exactly_those_classifications(
    pipeline_run: Path, updated_bundle: Path, tmp_path: Path
) -> None:
    before = _tree(pipeline_run)
    assert checksums.verify(pipeline_run, list(checksums.read_checksums(pipeline_run))) == []
    new = tmp_path / "reanalysis"
    cmd = [*wgs_east_cmd(), "reanalyze", "--from", str(pipeline_run), "--sample", "PROBAND1",
           "--resources", str(updated_bundle), "--outdir", str(new), "--cores", "2"]  # fmt: skip

    dry = subprocess.run([*cmd, "--dry-run"], capture_output=True, text=True, check=False)
    assert dry.returncode == 0, dry.stderr[-3000:]
    listed = set(re.findall(r"^rule (\w+):", dry.stdout + dry.stderr, flags=re.M))
    assert {"predict_consequences", "annotate_from_source", "classify_variants", "render_sample_report",
            "compare_classifications"} <= listed  # fmt: skip
    assert not listed & set(stage_rules(UPSTREAM_STAGES)), listed
    assert not new.exists()  # a dry run leaves nothing behind

    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    ran = _ran_rules(new)
    assert "predict_consequences" in ran and "classify_variants" in ran
    assert ran <= set(stage_rules(REANALYSIS_STAGES)), ran - set(stage_rules(REANALYSIS_STAGES))

    # changes.tsv: exactly the two variants whose evidence changed, with their old and new criteria
    changes = pd.read_csv(new / "changes.tsv", sep="\t", comment="#", dtype=str, keep_default_na=False)
    assert set(zip(changes.chrom, changes.pos, changes.ref, changes.alt, strict=True)) == CHANGED
    by_pos = changes.set_index("pos")
    assert by_pos.loc["23655", "old_classification"] == "Uncertain significance"
    assert by_pos.loc["23655", "new_classification"] == "Likely pathogenic"
    assert "PM5" in by_pos.loc["23655", "new_criteria"] and "PM5" not in by_pos.loc["23655", "old_criteria"]
    assert "PM2_Supporting" in by_pos.loc["27613", "old_criteria"]
    assert "PM2_Supporting" not in by_pos.loc["27613", "new_criteria"]
    assert int(by_pos.loc["27613", "new_points"]) < int(by_pos.loc["27613", "old_points"])
    # every other variant is classified as before
    old = read_classified(pipeline_run / "classified" / "PROBAND1.tsv")
    now = read_classified(new / "classified" / "PROBAND1.tsv")
    key = ["chrom", "pos", "ref", "alt"]
    cols = [*key, "classification", "points", "criteria"]
    rest_old = old[~old[key].apply(tuple, axis=1).isin(CHANGED)][cols].reset_index(drop=True)
    rest_new = now[~now[key].apply(tuple, axis=1).isin(CHANGED)][cols].reset_index(drop=True)
    assert len(rest_old) >= 2  # the de novo stop and the in-frame VUS (the 5' UTR VUS is not listed: issue 24)
    pd.testing.assert_frame_equal(rest_old, rest_new)

    # the earlier run is untouched; the new one is complete, records what it derives from, lists its files
    assert _tree(pipeline_run) == before
    prov = json.loads((new / "provenance.json").read_text())
    assert prov["status"] == "complete"
    assert prov["derived_from"]["dir"] == str(pipeline_run)
    assert prov["derived_from"]["sample"] == "PROBAND1"
    assert prov["resources"]["content"]["version"] == "test-2026.12"
    listed_new = checksums.read_checksums(new)
    assert {"changes.tsv", "classified/PROBAND1.tsv", "reports/PROBAND1.html", "provenance.json"} <= set(listed_new)
    assert checksums.verify(new, list(listed_new)) == []
    summary = subprocess.run([*wgs_east_cmd(), "provenance", str(new)], capture_output=True, text=True)
    assert str(pipeline_run) in summary.stdout
    assert not (new / "alignments").exists()  # nothing re-aligned, nothing copied that is not an input

    # the same command again resumes the reanalysis in place and finds nothing to do
    again = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Nothing to be done" in again.stdout + again.stderr


def _copy_run(run: Path, dst: Path) -> Path:
    shutil.copytree(run, dst, symlinks=True, ignore=shutil.ignore_patterns(".snakemake"))
    return dst


def _refusal(args: list[str]) -> subprocess.CompletedProcess:
    proc = subprocess.run([*wgs_east_cmd(), "reanalyze", *args], capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


@pytest.mark.slow
def test_reanalysis_refuses_a_run_failing_its_checksums(pipeline_run: Path, tmp_path: Path) -> None:
    run = _copy_run(pipeline_run, tmp_path / "run")
    (run / "qc" / "B001.qc.json").write_text((run / "qc" / "B001.qc.json").read_text().replace("PASS", "FAIL", 1))
    proc = _refusal(["--from", str(run), "--sample", "PROBAND1", "--outdir", str(tmp_path / "new")])
    assert "qc/B001.qc.json" in proc.stderr and "sha256 differs" in proc.stderr
    assert not (tmp_path / "new").exists() or not any(p.name != ".wgs-east" for p in (tmp_path / "new").iterdir())


@pytest.mark.slow
def test_reanalysis_refuses_an_incomplete_run(pipeline_run: Path, tmp_path: Path) -> None:
    run = _copy_run(pipeline_run, tmp_path / "run")
    prov = json.loads((run / "provenance.json").read_text())
    prov["status"] = "interrupted (Snakemake stopped by SIGTERM)"
    (run / "provenance.json").write_text(json.dumps(prov))
    proc = _refusal(["--from", str(run), "--sample", "PROBAND1", "--outdir", str(tmp_path / "new")])
    assert "provenance.json" in proc.stderr and "not 'complete'" in proc.stderr
    (run / "provenance.json").unlink()
    proc = _refusal(["--from", str(run), "--sample", "PROBAND1", "--outdir", str(tmp_path / "new")])
    assert "never finished" in proc.stderr
    (run / "classified" / "PROBAND1.tsv").unlink()  # and a run without its checksums or with files missing
    shutil.copy(pipeline_run / "provenance.json", run / "provenance.json")
    proc = _refusal(["--from", str(run), "--sample", "PROBAND1", "--outdir", str(tmp_path / "new")])
    assert "classified/PROBAND1.tsv" in proc.stderr and "missing" in proc.stderr


@pytest.mark.slow
def test_reanalysis_refuses_bad_requests(pipeline_run: Path, tmp_path: Path) -> None:
    base = ["--from", str(pipeline_run), "--outdir", str(tmp_path / "new")]
    assert "not a sample of batch B001" in _refusal([*base, "--sample", "NOBODY1"]).stderr
    assert "is not affected" in _refusal([*base, "--sample", "FATHER1"]).stderr
    assert "HP:" in _refusal([*base, "--sample", "PROBAND1", "--phenotypes", "HP:12"]).stderr
    assert "--panel" in _refusal([*base, "--sample", "PROBAND1", "--panel", str(tmp_path / "none.txt")]).stderr
    inside = ["--from", str(pipeline_run), "--sample", "PROBAND1", "--outdir", str(pipeline_run / "re")]
    assert "outside" in _refusal(inside).stderr
    assert "not a wgs-east run directory" in _refusal(["--from", str(tmp_path), "--sample", "PROBAND1"]).stderr


@pytest.mark.slow
def test_reanalysis_with_new_phenotypes_and_panel_reclassifies_only(pipeline_run: Path, tmp_path: Path) -> None:
    """Same bundle: the annotated VCF is reused, only classification, report and changes.tsv run."""
    panel = tmp_path / "panel.txt"
    panel.write_text("# epilepsy panel\nSYNAD1\n")
    new = tmp_path / "new"
    proc = subprocess.run(
        [*wgs_east_cmd(), "reanalyze", "--from", str(pipeline_run), "--sample", "PROBAND1", "--outdir", str(new),
         "--phenotypes", "HP:0001249", "--panel", str(panel)],  # fmt: skip
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the SV classification runs again too (its inputs: the earlier run's SV calls, hard-linked, not re-called)
    assert _ran_rules(new) == {"classify_variants", "classify_svs", "render_sample_report", "compare_classifications"}
    assert (new / "sv" / "B001.sv.vcf.gz").stat().st_ino == (pipeline_run / "sv" / "B001.sv.vcf.gz").stat().st_ino
    assert (new / "classified" / "PROBAND1.sv.tsv").is_file()
    header = (new / "classified" / "PROBAND1.tsv").read_text().splitlines()[0]
    assert "phenotypes=HP:0001249" in header
    now = read_classified(new / "classified" / "PROBAND1.tsv")
    old = read_classified(pipeline_run / "classified" / "PROBAND1.tsv")
    # the panel hides what is neither in SYNAD1 nor P/LP; changes.tsv says which are no longer reported
    hidden = old[(old.gene != "SYNAD1") & ~old.classification.isin(["Pathogenic", "Likely pathogenic"])]
    assert len(hidden) >= 1 and len(now) == len(old) - len(hidden)
    changes = pd.read_csv(new / "changes.tsv", sep="\t", comment="#", dtype=str, keep_default_na=False)
    hidden_changes = changes[changes.changed == "no longer reported"]
    assert sorted(hidden_changes.pos) == sorted(hidden.pos)
    # the new phenotype (HP:0001249) shares no HPO term with SYNAD1's: the de novo stop's phenotype row becomes
    # "not consistent" (ClinGen SVI de novo v1.1: 0 points), PS2 goes, Pathogenic 11 -> Likely pathogenic 9
    reclassified = changes[changes.changed != "no longer reported"]
    assert reclassified.pos.tolist() == ["8472"]
    row = reclassified.iloc[0]
    assert (row.old_criteria, row.new_criteria) == ("PVS1,PS2_Moderate,PM2_Supporting", "PVS1,PM2_Supporting")


@pytest.mark.slow
def test_a_reanalysis_directory_is_resumed_only_with_the_same_options(pipeline_run: Path, tmp_path: Path) -> None:
    new = tmp_path / "new"
    base = [*wgs_east_cmd(), "reanalyze", "--from", str(pipeline_run), "--sample", "PROBAND1", "--outdir", str(new)]
    first = subprocess.run([*base, "--phenotypes", "HP:0001249"], capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr[-3000:]
    before = _tree(new)
    other = _refusal(["--from", str(pipeline_run), "--sample", "PROBAND1", "--outdir", str(new),
                      "--phenotypes", "HP:0001250"])  # fmt: skip
    assert "holds a reanalysis with other phenotypes" in other.stderr
    assert "holds another run" in _refusal(["--from", str(pipeline_run), "--sample", "SINGLETON1",
                                            "--outdir", str(new)]).stderr  # fmt: skip
    assert _tree(new) == before


@pytest.mark.slow
def test_reanalysis_of_a_run_without_sv_calls_turns_the_sv_stage_off(pipeline_run: Path, tmp_path: Path) -> None:
    """An earlier run without sv/{batch}.sv.vcf.gz (SV stage off, or made before it existed): the derived batch
    has `sv.enabled: false` (a reanalysis cannot call SVs), nothing under sv/ is reused; with the SV calls
    present they are reused and the stage stays on."""
    from wgs_east.reanalyze import derived_batch_data, load_previous_run, reused_files

    batch, _ = load_previous_run(pipeline_run)
    assert derived_batch_data(pipeline_run, batch, "PROBAND1", None, None, None)["sv"]["enabled"] is True
    assert "sv/B001.sv.vcf.gz" in reused_files(pipeline_run, batch, True)
    old = tmp_path / "old"
    shutil.copytree(pipeline_run / ".wgs-east", old / ".wgs-east")
    shutil.copy2(pipeline_run / "provenance.json", old / "provenance.json")
    assert derived_batch_data(old, batch, "PROBAND1", None, None, None)["sv"]["enabled"] is False
    assert not [r for r in reused_files(old, batch, True) if r.startswith("sv/")]
