"""Issue 19, run / reference / resource half: what used to pass and then lose or corrupt data.

Refusals of bad inputs are in the catalogue (tests/test_bad_inputs.py); here the behaviours that are not
a refused config: deliverables recreated and verified, dry runs that leave a run alone, a changed config
reported, the FASTA read instead of a stale index, the checksum cache, full disks, signals, CLI numbers,
YAML merge keys, GRCh37 PARs and CRAMs readable offline."""

from __future__ import annotations

import errno
import gzip
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import MiniBatch, wgs_east_cmd, write_fasta
from wgs_east.config import load_batch
from wgs_east.config.models import Batch
from wgs_east.reference import read_contigs
from wgs_east.resources.check import cached_sha256, sha256_of


# --- defect 2: every deliverable is a target; provenance verifies before it says complete -----------
def _copy_run(run: Path, dst: Path) -> Path:
    shutil.copytree(run, dst, symlinks=True)
    return dst


def test_deleted_cram_and_gvcf_are_redone_and_provenance_says_incomplete(pipeline_run: Path, tmp_path: Path) -> None:
    from wgs_east.checksums import required

    run = _copy_run(pipeline_run, tmp_path / "copy")
    batch = Batch.model_validate_json((run / ".wgs-east" / "batch.json").read_text())
    assert set(required(batch)) <= {p.relative_to(run).as_posix() for p in run.rglob("*") if p.is_file()}
    ok = subprocess.run([*wgs_east_cmd(), "provenance", str(run)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "status: complete" in ok.stdout and "all present" in ok.stdout

    sample = batch.sample_ids[0]
    (run / "alignments" / f"{sample}.cram").unlink()
    (run / "gvcf" / f"{sample}.g.vcf.gz").unlink()
    bad = subprocess.run([*wgs_east_cmd(), "provenance", str(run)], capture_output=True, text=True, check=False)
    assert bad.returncode == 1, bad.stdout
    assert "status: INCOMPLETE" in bad.stdout
    assert f"alignments/{sample}.cram: listed in checksums.sha256 but missing" in bad.stdout
    assert f"gvcf/{sample}.g.vcf.gz: listed in checksums.sha256 but missing" in bad.stdout

    # a re-run makes them again (before: "Nothing to be done", only the .crai/.tbi were targets)
    dry = subprocess.run([*wgs_east_cmd(), "run", str(run / ".wgs-east" / "batch.json"), "--outdir", str(run),
                          "--dry-run"], capture_output=True, text=True, check=False)  # fmt: skip
    assert "Nothing to be done" not in dry.stdout + dry.stderr
    for rule in ("mark_duplicates", "extract_sample_gvcf"):
        assert rule in dry.stdout, dry.stdout[-3000:]


def test_an_edited_deliverable_fails_provenance(pipeline_run: Path, tmp_path: Path) -> None:
    run = _copy_run(pipeline_run, tmp_path / "copy")
    qc = next((run / "qc").glob("*.qc.tsv"))
    stat = qc.stat()
    qc.write_text(qc.read_text().replace("PASS", "FAIL", 1) + " ")
    os.utime(qc, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime restored: the ctime still tells
    bad = subprocess.run([*wgs_east_cmd(), "provenance", str(run)], capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and f"qc/{qc.name}: sha256 differs" in bad.stdout


# --- defect 3: a dry run never writes into a run's state; a changed config is reported ---------------
def test_dry_run_with_an_edited_config_leaves_the_run_state_alone(mini: MiniBatch) -> None:
    from wgs_east.runner import prepare_outdir, write_state

    outdir = mini.root / "out"
    config = mini.write()
    state = prepare_outdir(outdir, load_batch(config))  # the state a run of the original config left
    write_state(state, load_batch(config), config, "wgs-east run batch.yaml --outdir out")
    cmd = [*wgs_east_cmd(), "run", str(config), "--outdir", str(outdir), "--dry-run"]
    before = {name: (state / name).read_bytes() for name in ("batch.json", "run.json")}
    mtimes = {name: (state / name).stat().st_mtime_ns for name in before}

    data = mini.copy()
    data["samples"][0]["father"] = None  # an edited pedigree
    data["samples"][0]["affected"] = False
    data["calling"] = {"min_qual": 30}
    mini.write(data)
    second = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr[-2000:]
    assert {name: (state / name).read_bytes() for name in before} == before
    assert {name: (state / name).stat().st_mtime_ns for name in before} == mtimes
    for words in ("dry run: the config changed", "samples[0].father", "samples[0].affected", "calling.min_qual",
                  "calling: calling, then QC", "Nothing is written into"):
        assert words in second.stderr, second.stderr
    assert not list(state.glob("*.tmp"))


def test_changed_fields_and_what_is_redone(mini: MiniBatch, tmp_path: Path) -> None:
    from wgs_east.runner import changed_fields, describe_changes

    old = load_batch(mini.write())
    state = tmp_path / ".wgs-east"
    state.mkdir()
    (state / "batch.json").write_text(old.model_dump_json())
    assert describe_changes(state, old) is None
    data = mini.copy()
    data["samples"][2]["phenotypes"] = ["HP:0000001"]
    data["acmg"] = {"ba1_af": 0.1}
    text = describe_changes(state, load_batch(mini.write(data)))
    assert text is not None
    assert "samples[2].phenotypes" in text and "acmg.ba1_af" in text
    assert "acmg: classification and reports" in text
    assert changed_fields({"a": [1, 2]}, {"a": [1, 2, 3]}) == ["a"]


# --- defect 6: the FASTA is read; an index only when it provably fits it ------------------------------
def test_fai_is_trusted_only_when_it_fits_the_fasta(tmp_path: Path) -> None:
    fasta = tmp_path / "ref.fa"
    write_fasta(fasta, {"chr1": 130, "chrX": 61, "chrY": 60})
    subprocess.run(["samtools", "faidx", str(fasta)], check=True)
    fai = Path(f"{fasta}.fai")
    assert read_contigs(fasta) == {"chr1": 130, "chrX": 61, "chrY": 60}
    # an index of the same contig count and first name, but the FASTA lost chrY: the index is not used
    write_fasta(fasta, {"chr1": 130, "chrX": 121})
    os.utime(fai, ns=(fasta.stat().st_mtime_ns + 10**9,) * 2)
    assert read_contigs(fasta) == {"chr1": 130, "chrX": 121}
    # a lying index (right names, wrong lengths) newer than the FASTA
    fai.write_text("chr1\t100\t6\t60\t61\nchrX\t121\t150\t60\t61\n")
    os.utime(fai, ns=(fasta.stat().st_mtime_ns + 10**9,) * 2)
    assert read_contigs(fasta) == {"chr1": 130, "chrX": 121}


def test_the_run_reads_contigs_from_its_own_indexed_copy_only_while_it_is_current(tmp_path: Path) -> None:
    from wgs_east.reference import run_contigs

    copy = tmp_path / "run" / "reference" / "genome.fa"
    copy.parent.mkdir(parents=True)
    write_fasta(copy, {"chr1": 130, "chrX": 61})
    subprocess.run(["samtools", "faidx", str(copy)], check=True)
    user = tmp_path / "user.fa.gz"  # gzip: no index of the user's own file can be used
    plain = tmp_path / "plain.fa"
    write_fasta(plain, {"chr1": 130, "chrX": 61, "chrY": 60})
    user.write_bytes(gzip.compress(plain.read_bytes()))
    os.utime(user, ns=(copy.stat().st_mtime_ns - 10**9,) * 2)  # copied (and indexed) after the last change
    assert run_contigs(user, copy) == {"chr1": 130, "chrX": 61}  # the copy's index, not the user's file
    os.utime(user, ns=(copy.stat().st_mtime_ns + 10**9,) * 2)  # the user's FASTA changed after the copy
    assert run_contigs(user, copy) == {"chr1": 130, "chrX": 61, "chrY": 60}


def test_validate_reads_the_fasta_not_a_newer_index(mini: MiniBatch) -> None:
    ref = mini.root / "ref" / "genome.fa"
    fai = Path(f"{ref}.fai")
    fai.write_text("chr1\t600\t6\t60\t61\nchrX\t300\t623\t60\t61\nchrY\t120\t933\t60\t61\n")
    write_fasta(ref, {"chr1": 600, "chrX": 300})
    os.utime(fai, ns=(ref.stat().st_mtime_ns + 10**9,) * 2)
    with pytest.raises(Exception, match="contig 'chrY' is not in the reference FASTA"):
        load_batch(mini.write())


# --- defect 9: the sha256 cache is not fooled by a restored mtime -----------------------------------
def test_checksum_cache_sees_an_edit_with_the_mtime_restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    f = tmp_path / "clinvar.vcf.gz"
    f.write_bytes(b"original content")
    first = cached_sha256(f)
    st = f.stat()
    f.write_bytes(b"tampered content")  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    assert cached_sha256(f) == sha256_of(f) != first


# --- defect 10: no tracebacks for a non-UTF-8 directory or a full file system ------------------------
def test_config_in_a_directory_whose_name_is_not_utf8(tmp_path: Path) -> None:
    root = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9"))
    root.mkdir()
    mini = MiniBatch(root)
    config = mini.write()
    outdir = tmp_path / "out"
    for args in (["validate", os.fsencode(config)], ["run", os.fsencode(config), "--outdir", str(outdir), "--dry-run"]):
        proc = subprocess.run([*wgs_east_cmd(), *args], capture_output=True, check=False)
        err = proc.stderr.decode(errors="replace")
        assert proc.returncode == 2, err
        assert "Traceback" not in err and "not valid UTF-8" in err and "caf\\xe9" in err
    assert not outdir.exists()


def test_full_output_file_system_is_a_message_not_a_traceback(
    mini: MiniBatch, monkeypatch: pytest.MonkeyPatch, run_cli  # noqa: ANN001
) -> None:
    # in-process, at the OS boundary: every write of a temporary state file fails as on a full disk
    real_write = Path.write_text

    def full(self: Path, data: str, *args, **kwargs) -> int:  # noqa: ANN002, ANN003
        if self.name.endswith(".tmp"):
            real_write(self, data[: len(data) // 2], *args, **kwargs)  # a partial file, as ENOSPC leaves it
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    outdir = mini.root / "out"
    code, _, err = run_cli("run", mini.write(), "--outdir", outdir)
    assert code == 2, err
    assert "batch.json: cannot write: No space left on device" in err and "Traceback" not in err
    assert [p for p in outdir.rglob("*") if p.name.endswith(".tmp")] == []


# --- defect 11 (run half) -----------------------------------------------------------------------------
@pytest.mark.parametrize("cores", ["0", "-3", "two"])
def test_cores_must_be_a_positive_number(mini: MiniBatch, cores: str, run_cli) -> None:  # noqa: ANN001
    code, _, err = run_cli("run", mini.write(), "--outdir", mini.root / "out", "--cores", cores, "--dry-run")
    assert code == 2 and "--cores" in err and "Traceback" not in err
    assert not (mini.root / "out").exists()


def test_yaml_merge_keys_are_supported(mini: MiniBatch) -> None:
    # before: "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'"
    config = mini.root / "batch.yaml"
    base = yaml.safe_dump(mini.data, sort_keys=False)
    config.write_text(base + "calling:\n  <<: {min_qual: 25, min_mapq: 3}\n  min_mapq: 5\n")
    batch = load_batch(config)
    assert (batch.calling.min_qual, batch.calling.min_mapq) == (25, 5)  # own keys override merged ones


def test_grch37_without_par_regions_gets_the_published_pars(mini: MiniBatch) -> None:
    data = mini.copy()
    data["reference"]["build"] = "GRCh37"
    batch = load_batch(mini.write(data))
    pars = batch.par_regions(155_270_560)  # GRCh37 X
    assert [(r.contig, r.start, r.end) for r in pars] == [("chrX", 60_001, 2_699_520), ("chrX", 154_931_044, 155_260_560)]


def test_jobs_never_look_up_a_cram_reference_on_the_network() -> None:
    from wgs_east.runner import job_environment

    ref_path = job_environment()["REF_PATH"]
    assert ref_path and "http" not in ref_path and "ftp" not in ref_path


def test_produced_cram_reads_offline_with_its_own_reference(pipeline_run: Path) -> None:
    cram = next((pipeline_run / "alignments").glob("*.cram"))
    header = subprocess.run(["samtools", "view", "-H", str(cram)], capture_output=True, text=True, check=True).stdout
    urs = {f.removeprefix("UR:") for line in header.splitlines() if line.startswith("@SQ")
           for f in line.split("\t") if f.startswith("UR:")}  # fmt: skip
    assert urs == {str(pipeline_run / "reference" / "genome.fa")}
    env = {**os.environ, "REF_PATH": "/nonexistent/%s", "REF_CACHE": "/nonexistent/%s"}
    cmd = ["samtools", "view", "-c", str(cram)]
    if subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False).returncode == 0:
        cmd = ["unshare", "-n", *cmd]  # no network at all where the kernel lets us
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) > 1000 and "Failed to open reference" not in proc.stderr
    assert json.loads((pipeline_run / "provenance.json").read_text())["status"] == "complete"
