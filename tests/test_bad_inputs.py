"""The bad-input catalogue: every case is refused by `wgs-east run` with exit code 2, a one-screen message
naming the file and the field or line, no traceback, and nothing started or written in the output dir."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import test_config as tc
from tests.conftest import REPO, MiniBatch, wgs_east_cmd

Case = Callable[[dict[str, Any], MiniBatch], None]


def _yaml_text(text: str) -> Case:
    def edit(d: dict[str, Any], m: MiniBatch) -> None:
        d.clear()
        d["__raw__"] = text

    return edit


def _reads(r1: bytes, r2: bytes | None = None) -> Case:
    def edit(_d: dict[str, Any], m: MiniBatch) -> None:
        (m.root / "reads" / "MUM1_R1.fastq.gz").write_bytes(r1)
        if r2 is not None:
            (m.root / "reads" / "MUM1_R2.fastq.gz").write_bytes(r2)

    return edit


def _reference(text: str) -> Case:
    def edit(_d: dict[str, Any], m: MiniBatch) -> None:
        (m.root / "ref" / "genome.fa").write_text(text)

    return edit


def _gz(text: str) -> bytes:
    return gzip.compress(text.encode(), mtime=0)


GOOD = "@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\nIIII\n"
PHRED64 = "@r1\nACGT\n+\nhhhB\n@r2\nACGT\n+\nfcZT\n"  # Illumina 1.3-1.7: Q40 is 'h', Q2 'B'
BGZF_EMPTY = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")  # `bgzip < /dev/null`


def _hardlink(src: tuple[int, str], dst: tuple[int, str]) -> Case:
    """Make (sample index, field) of dst a hard link of src's file (a different path, the same file)."""

    def edit(d: dict[str, Any], m: MiniBatch) -> None:
        target = m.root / d["samples"][src[0]]["units"][0][src[1]]
        link = m.root / "reads" / f"hardlink_{dst[0]}_{dst[1]}.fastq.gz"
        link.hardlink_to(target)
        d["samples"][dst[0]]["units"][0][dst[1]] = str(link.relative_to(m.root))

    return edit


def _symlink_r2_to_r1(d: dict[str, Any], m: MiniBatch) -> None:
    link = m.root / "reads" / "MUM1_R2_link.fastq.gz"
    link.symlink_to(m.root / d["samples"][2]["units"][0]["fastq1"])
    d["samples"][2]["units"][0]["fastq2"] = str(link.relative_to(m.root))


def _second_unit_hardlinked(d: dict[str, Any], m: MiniBatch) -> None:
    """MUM1 gets a second lane whose files are hard links of its first lane's."""
    unit = dict(d["samples"][2]["units"][0], id="L002")
    for field in ("fastq1", "fastq2"):
        link = m.root / "reads" / f"L002_{field}.fastq.gz"
        link.hardlink_to(m.root / unit[field])
        unit[field] = str(link.relative_to(m.root))
    d["samples"][2]["units"].append(unit)


def _stale_fai(fasta: str) -> Case:
    """The FASTA replaced by ``fasta``, with a `.fai` of the original one that is newer than it (the usual
    state of a real reference after an edit): the checks must read the FASTA, not the index."""

    def edit(_d: dict[str, Any], m: MiniBatch) -> None:
        ref = m.root / "ref" / "genome.fa"
        ref.write_text(fasta)
        fai = m.root / "ref" / "genome.fa.fai"
        fai.write_text("chr1\t600\t6\t60\t61\nchrX\t300\t623\t60\t61\nchrY\t120\t933\t60\t61\n")
        os.utime(fai, ns=(ref.stat().st_mtime_ns + 10**9,) * 2)

    return edit


def _put(field: str, value: Any) -> Case:
    """Set a dotted field of the batch, creating the sections on the way (``qc.target_bed``)."""

    def edit(d: dict[str, Any], _m: MiniBatch) -> None:
        *sections, last = field.split(".")
        for key in sections:
            d = d.setdefault(key, {})
        d[last] = value

    return edit


def _side_file(field: str, name: str, content: bytes) -> Case:
    """A file next to the config, set as ``field`` (a dotted path of the batch)."""

    def edit(d: dict[str, Any], m: MiniBatch) -> None:
        (m.root / name).write_bytes(content)
        _put(field, name)(d, m)

    return edit


def _stale_tabix(d: dict[str, Any], m: MiniBatch) -> None:
    """The test bundle (copied, contigs of the mini reference aside) whose ClinVar VCF is newer than its index."""
    bundle = m.root / "bundle"
    shutil.copytree(REPO / "test_data" / "resources", bundle)
    vcf = bundle / "clinvar.vcf.gz"
    tbi = bundle / "clinvar.vcf.gz.tbi"
    os.utime(tbi, (vcf.stat().st_mtime - 3600,) * 2)
    d["resources"] = "bundle/manifest.yaml"

# (case id, edit, words that must appear in the message (file / field / line and what is wrong))
CATALOGUE: list[tuple[str, Case, list[str]]] = [
    ("yaml-syntax", _yaml_text("batch: B1\nsamples: [\n"), ["YAML syntax error", "line"]),
    ("yaml-duplicate-key", _yaml_text("batch: B1\nbatch: B2\n"), ["duplicate key 'batch'", "line 2"]),
    ("yaml-not-mapping", _yaml_text("- just\n- a list\n"), ["must be a YAML mapping"]),
    ("unknown-field", tc._set("colour", "blue"), ["colour: unknown field"]),
    ("unknown-nested-field", tc._set("samples.0.units.0.lane", 3), ["samples[0].units[0].lane: unknown field"]),
    ("missing-field", tc._set("batch", tc._DELETE), ["batch: required field is missing"]),
    ("wrong-type-bool", tc._set("samples.0.affected", "perhaps"), ["samples[0].affected:"]),
    ("wrong-type-list", tc._set("samples", {"id": "X"}), ["samples:"]),
    ("wrong-type-number", tc._set("calling", {"chunk_size": "big"}), ["calling.chunk_size:"]),
    ("duplicate-sample-id", tc._dup_sample, ["samples[3].id: duplicate sample id 'DAD1'"]),
    ("id-metacharacters", tc._set("samples.3.id", "S1;rm -rf ~"), ["samples[3].id: invalid value"]),
    ("id-backtick", tc._set("samples.3.id", "S`id`"), ["samples[3].id: invalid value"]),
    ("id-space", tc._set("samples.3.id", "S 1"), ["samples[3].id: invalid value"]),
    ("id-dotdot", tc._set("samples.3.id", ".."), ["samples[3].id: invalid value"]),
    ("id-slash", tc._set("samples.3.id", "a/b"), ["samples[3].id: invalid value"]),
    ("id-leading-dash", tc._set("samples.3.id", "-rf"), ["samples[3].id: invalid value"]),
    ("batch-id-dollar", tc._set("batch", "$(reboot)"), ["batch: invalid value"]),
    ("missing-fastq", tc._missing_fastq, ["samples[2].units[0].fastq1: FASTQ not found", "absent.fastq.gz"]),
    ("empty-fastq", tc._empty_fastq, ["samples[2].units[0].fastq1: FASTQ is empty"]),
    ("fastq-is-directory", tc._fastq_dir, ["samples[2].units[0].fastq1: FASTQ is not a regular file"]),
    ("truncated-gzip", _reads(_gz(GOOD * 50)[:-40]), ["samples[2].units[0].fastq1", "truncated gzip"]),
    ("read-counts-differ", _reads(_gz(GOOD), _gz(GOOD.split("@r2")[0])), ["samples[2].units[0].fastq2", "different read counts"]),
    ("read-names-differ", _reads(_gz(GOOD), _gz(GOOD.replace("@r2", "@zz"))), ["samples[2].units[0].fastq2", "read names differ at read 2"]),
    ("not-fastq", _reads(_gz("<html>not reads</html>\n")), ["samples[2].units[0].fastq1", "line 1", "not a FASTQ record"]),
    ("quality-length", _reads(_gz("@r1\nACGT\n+\nII\n"), _gz("@r1\nACGT\n+\nIIII\n")), ["samples[2].units[0].fastq1", "line 4", "quality length 2 != sequence length 4"]),
    ("same-fastq-r1-r2", tc._same_r1_r2, ["samples[2].units[0].fastq2: fastq2 is the same file as fastq1"]),
    ("same-fastq-two-samples", tc._fastq_shared, ["samples[3].units[0].fastq1: the same FASTQ is already used at samples[2].units[0].fastq1"]),
    ("reference-missing", tc._missing_reference, ["reference.fasta: reference FASTA not found"]),
    ("reference-not-fasta", _reference("hello\n"), ["reference.fasta", "line 1", "not a FASTA file"]),
    ("reference-duplicate-contig", _reference(">chr1\nACGT\n>chrX\nAC\n>chr1\nAC\n>chrY\nA\n"), ["reference.fasta", "line 5", "duplicate contig name 'chr1'"]),
    ("reference-no-y", tc._no_y_contig, ["reference.sex_chromosomes.y: contig 'Y' is not in the reference"]),
    ("pedigree-cycle", tc._cycle, ["pedigree cycle"]),
    ("father-female", tc._father_female, ["samples[0].father: DAD1 is declared female"]),
    ("mother-male", tc._mother_male, ["samples[0].mother: MUM1 is declared male"]),
    ("parent-other-family", tc._parent_other_family, ["samples[0].father: SOLO1 is in family FAM2"]),
    ("parent-unknown", tc._no_such_parent, ["samples[0].father: 'NOPE1' is not a sample of this batch"]),
    ("father-is-mother", tc._father_is_mother, ["samples[0].mother: father and mother are the same sample"]),
    ("hpo-malformed", tc._set("samples.0.phenotypes", ["HP:12345"]), ["samples[0].phenotypes[0]: invalid value 'HP:12345'"]),
    ("path-control-character", tc._set("samples.0.units.0.fastq1", "reads/a\nb.fq.gz"), ["samples[0].units[0].fastq1", "control character"]),
    # issue 19: FASTQ cases
    ("phred64-fastq1", _reads(_gz(PHRED64), _gz(GOOD)), ["samples[2].units[0].fastq1", "Phred+64", "highest 'h'", "seqtk seq -Q64 -V", "qin=64 qout=33"]),
    ("phred64-fastq2", _reads(_gz(GOOD), _gz(PHRED64)), ["samples[2].units[0].fastq2", "Phred+64", "seqtk seq -Q64 -V"]),
    ("phred64-both", _reads(_gz(PHRED64), _gz(PHRED64)), ["samples[2].units[0].fastq1", "samples[2].units[0].fastq2", "Phred+64"]),
    ("phred64-plain-text", _reads(PHRED64.encode(), PHRED64.encode()), ["samples[2].units[0].fastq1", "Phred+64"]),
    ("empty-read-name", _reads(_gz("@\nACGT\n+\nIIII\n"), _gz("@\nACGT\n+\nIIII\n")), ["samples[2].units[0].fastq1", "line 1", "empty read name"]),
    ("read-name-only-comment", _reads(_gz("@ 1:N:0:ACGT\nACGT\n+\nIIII\n"), _gz(GOOD)), ["samples[2].units[0].fastq1", "line 1", "empty read name"]),
    ("read-name-only-mate-suffix", _reads(_gz(GOOD), _gz("@r1/2\nACGT\n+\nIIII\n@/2\nACGT\n+\nIIII\n")), ["samples[2].units[0].fastq2", "line 5", "empty read name"]),
    ("read-name-empty-crlf", _reads(_gz("@\r\nACGT\r\n+\r\nIIII\r\n"), _gz(GOOD)), ["samples[2].units[0].fastq1", "line 1", "empty read name"]),
    ("read-name-too-long", _reads(_gz(f"@{'n' * 255}\nACGT\n+\nIIII\n"), _gz(f"@{'n' * 255}\nACGT\n+\nIIII\n")), ["samples[2].units[0].fastq1", "line 1", "read name of 255 characters", "(254)"]),
    ("plus-line-names-another-read", _reads(_gz(GOOD), _gz("@r1\nACGT\n+r1\nIIII\n@r2\nACGT\n+r1\nIIII\n")), ["samples[2].units[0].fastq2", "line 7", "'+' line names another read than line 5"]),
    ("zero-reads-gzip", _reads(_gz(""), _gz("")), ["samples[2].units[0].fastq1", "contains no reads"]),
    ("zero-reads-bgzf", _reads(BGZF_EMPTY, BGZF_EMPTY), ["samples[2].units[0].fastq1", "contains no reads"]),
    ("symlink-r1-r2", _symlink_r2_to_r1, ["samples[2].units[0].fastq2: fastq2 is the same file as fastq1"]),
    ("hardlink-r1-r2", _hardlink((2, "fastq1"), (2, "fastq2")), ["samples[2].units[0].fastq2: fastq2 is the same file as fastq1", "hardlink_2_fastq2"]),
    ("hardlink-two-samples", _hardlink((2, "fastq1"), (3, "fastq1")), ["samples[3].units[0].fastq1: the same FASTQ is already used at samples[2].units[0].fastq1"]),
    ("hardlink-fastq2-as-other-fastq1", _hardlink((2, "fastq2"), (3, "fastq1")), ["samples[3].units[0].fastq1: the same FASTQ is already used at samples[2].units[0].fastq2"]),
    ("hardlink-two-units-one-sample", _second_unit_hardlinked, ["samples[2].units[1].fastq1: the same FASTQ is already used at samples[2].units[0].fastq1", "samples[2].units[1].fastq2"]),
    # issue 19: run/reference/resource cases
    ("stale-fai-hides-duplicate-contig", _stale_fai(">chr1\nACGT\n>chrX\nAC\n>chr1\nAC\n>chrY\nA\n"), ["reference.fasta", "line 5", "duplicate contig name 'chr1'"]),
    ("stale-fai-hides-empty-contig", _stale_fai(">chr1\nACGT\n>chrX\n>chrY\nA\n"), ["reference.fasta", "line 3", "contig 'chrX' has no sequence"]),
    ("stale-fai-hides-missing-y", _stale_fai(">chr1\nACGT\n>chrX\nAC\n"), ["reference.sex_chromosomes.y: contig 'chrY' is not in the reference FASTA"]),
    ("acmg-file-unknown-key", _side_file("acmg", "acmg.yaml", b"colour: blue\n"), ["acmg:", "acmg.yaml", "colour"]),
    ("acmg-file-missing", _put("acmg", "no_such_acmg.yaml"), ["acmg: ACMG settings file not found", "no_such_acmg.yaml"]),
    ("acmg-file-binary", _side_file("acmg", "acmg.yaml", b"\x89PNG\r\n\x1a\n\x00\xff\xfe"), ["acmg:", "acmg.yaml", "not a text file"]),
    ("acmg-file-bad-value", _side_file("acmg", "acmg.yaml", b"ba1_af: lots\n"), ["acmg:", "acmg.yaml", "ba1_af"]),
    ("acmg-file-yaml-syntax", _side_file("acmg", "acmg.yaml", b"ba1_af: [\n"), ["acmg:", "acmg.yaml", "not valid YAML"]),
    ("panel-file-missing", _put("classification.panel_file", "genes.txt"), ["classification.panel_file: panel file not found", "genes.txt"]),
    ("panel-file-binary", _side_file("classification.panel_file", "genes.txt", b"BRCA1\n\x00\x01\x02\n"), ["classification.panel_file", "binary file"]),
    ("panel-file-garbage", _side_file("classification.panel_file", "genes.txt", b"BRCA1\n<html>\n"), ["classification.panel_file", "genes.txt: line 2", "not a gene symbol"]),
    ("target-bed-garbage", _side_file("qc.target_bed", "targets.bed", b"chr1\t10\t50\tA\nthis is not a bed\n"), ["qc.target_bed", "targets.bed: line 2", "a BED line needs chrom, start, end"]),
    ("target-bed-start-after-end", _side_file("qc.target_bed", "targets.bed", b"chr1\t50\t10\n"), ["qc.target_bed", "line 1", "start 50 is not below end 10"]),
    ("target-bed-unknown-contig", _side_file("qc.target_bed", "targets.bed", b"chr2\t10\t50\n"), ["qc.target_bed", "line 1", "contig 'chr2' is not in the reference"]),
    ("target-bed-beyond-contig", _side_file("qc.target_bed", "targets.bed", b"chrX\t10\t5000\n"), ["qc.target_bed", "line 1", "beyond the end of chrX (300)"]),
    ("target-bed-not-numbers", _side_file("qc.target_bed", "targets.bed", b"chr1\tten\t50\n"), ["qc.target_bed", "line 1", "whole numbers"]),
    ("target-bed-binary", _side_file("qc.target_bed", "targets.bed", b"\x00\x01\x02garbage"), ["qc.target_bed", "binary file"]),
    ("resources-manifest-missing", _put("resources", "no_bundle/manifest.yaml"), ["resources", "no_bundle/manifest.yaml"]),
    ("resources-index-older-than-vcf", _stale_tabix, ["resources", "sources.clinvar", "index clinvar.vcf.gz.tbi is older than the file"]),
    ("yaml-merge-key-not-a-mapping", _yaml_text("batch: B1\nreference:\n  <<: 5\n"), ["line 3", "merge key '<<' needs a mapping"]),
    ("path-not-utf8", tc._set("samples.0.units.0.fastq1", "reads/caf\udce9.fastq.gz"), ["samples[0].units[0].fastq1", "not valid UTF-8", "caf\\xe9"]),
]


def _run(mini: MiniBatch, edit: Case, outdir: Path) -> subprocess.CompletedProcess[str]:
    data = mini.copy()
    edit(data, mini)
    if "__raw__" in data:
        config = mini.root / "batch.yaml"
        config.write_text(data["__raw__"])
    else:
        config = mini.write(data)
    return subprocess.run(
        [*wgs_east_cmd(), "run", str(config), "--outdir", str(outdir), "--cores", "1"],
        capture_output=True, text=True, check=False,
    )


def _assert_refused(proc: subprocess.CompletedProcess[str], words: list[str], named_file: Path) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr
    assert "Traceback" not in err and "Traceback" not in proc.stdout
    assert len(err.splitlines()) <= 30, "more than one screen"
    assert str(named_file) in err, err
    for w in words:
        assert w in err, (w, err)
    assert "Snakemake" not in proc.stdout + err  # nothing was started


def _assert_outdir_untouched(outdir: Path) -> None:
    assert not outdir.exists() or [p.name for p in outdir.iterdir()] == []


def test_catalogue_has_at_least_80_cases() -> None:
    """Issue 19 asked the catalogue to grow from 47 to at least 80 cases."""
    assert len(CATALOGUE) + 6 >= 80  # + the output-directory and resource cases below


@pytest.mark.parametrize(("case", "edit", "words"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_bad_input_refused_before_anything_starts(
    mini: MiniBatch, tmp_path_factory: pytest.TempPathFactory, case: str, edit: Case, words: list[str]
) -> None:
    outdir = tmp_path_factory.mktemp("out") / "run"
    proc = _run(mini, edit, outdir)
    _assert_refused(proc, words, mini.root / "batch.yaml")
    _assert_outdir_untouched(outdir)


def test_missing_config_file(tmp_path: Path) -> None:
    proc = subprocess.run([*wgs_east_cmd(), "run", str(tmp_path / "nope.yaml"), "--outdir", str(tmp_path / "o")],
                          capture_output=True, text=True, check=False)
    _assert_refused(proc, ["file not found"], tmp_path / "nope.yaml")
    _assert_outdir_untouched(tmp_path / "o")


def test_unreadable_fastq(mini: MiniBatch, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:  # noqa: ANN001
    # As root every file is readable, so the permission answer is simulated for this one file.
    import os

    target = str(mini.root / "reads" / "MUM1_R1.fastq.gz")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p) == target else real_access(p, mode, **kw))
    code, _, err = run_cli("run", mini.write(), "--outdir", mini.root / "out")
    assert code == 2 and "samples[2].units[0].fastq1: FASTQ is not readable" in err
    _assert_outdir_untouched(mini.root / "out")


def test_outdir_not_writable(mini: MiniBatch) -> None:
    # /proc accepts no new files, even from root: a real read-only location
    proc = _run(mini, lambda d, m: None, Path("/proc/wgs-east-out"))
    _assert_refused(proc, ["--outdir", "cannot create the output directory"], Path("/proc/wgs-east-out"))
    proc = _run(mini, lambda d, m: None, Path("/proc"))
    _assert_refused(proc, ["--outdir"], Path("/proc"))


def test_outdir_is_a_file(mini: MiniBatch) -> None:
    target = mini.root / "afile"
    target.write_text("x")
    proc = _run(mini, lambda d, m: None, target)
    _assert_refused(proc, ["--outdir: exists and is not a directory"], target)
    assert target.read_text() == "x"


def test_outdir_of_another_batch(mini: MiniBatch) -> None:
    outdir = mini.root / "out"
    (outdir / ".wgs-east").mkdir(parents=True)
    (outdir / ".wgs-east" / "batch.json").write_text('{"batch": "OTHER9"}')
    proc = _run(mini, lambda d, m: None, outdir)
    _assert_refused(proc, ["holds a run of batch 'OTHER9', not 'MINI1'"], outdir)
    assert sorted(p.name for p in outdir.iterdir()) == [".wgs-east"]
    assert sorted(p.name for p in (outdir / ".wgs-east").iterdir()) == ["batch.json"]


def test_outdir_not_empty_and_not_a_run(mini: MiniBatch) -> None:
    outdir = mini.root / "out"
    outdir.mkdir()
    (outdir / "precious.txt").write_text("do not touch")
    proc = _run(mini, lambda d, m: None, outdir)
    _assert_refused(proc, ["is not empty and holds no wgs-east run"], outdir)
    assert [p.name for p in outdir.iterdir()] == ["precious.txt"]


def test_fastq_errors_never_print_read_content(mini: MiniBatch, tmp_path: Path) -> None:
    secret = "GATTACAGATTACAGATTACA"
    proc = _run(mini, _reads(_gz(f"@r1\n{secret}\n+\nII\n"), _gz(f"@r1\n{secret}\n+\nII\n")), tmp_path / "o")
    assert proc.returncode == 2
    assert secret not in proc.stderr + proc.stdout
