"""Interrupted and concurrent runs, inputs never modified, shell safety of everything from a config."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pysam
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from tests.conftest import REPO, TEST_CONFIG, wgs_east_cmd
from wgs_east.config import load_batch
from wgs_east.config.models import Identifier, InputPath
from wgs_east.runner import lock_is_held


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inputs() -> list[Path]:
    batch = load_batch(TEST_CONFIG)
    files = [TEST_CONFIG, batch.reference.fasta, Path(f"{batch.reference.fasta}.fai")]
    files += [f for s in batch.samples for u in s.units for f in (u.fastq1, u.fastq2)]
    return files


def _variant_set(vcf_path: Path) -> list[tuple]:
    with pysam.VariantFile(str(vcf_path)) as vcf:
        samples = list(vcf.header.samples)
        return [
            (r.chrom, r.pos, r.ref, r.alts, tuple(r.filter.keys()), tuple(r.samples[s]["GT"] for s in samples))
            for r in vcf
        ]


def _lock_is_free(outdir: Path) -> bool:
    return not lock_is_held(outdir / ".wgs-east")


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _wait(predicate, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _assert_no_partial_deliverables(outdir: Path) -> None:
    """Every file with a final deliverable name is complete (written under a temporary name, then renamed)."""
    for cram in (outdir / "alignments").glob("*.cram"):
        subprocess.run(["samtools", "quickcheck", str(cram)], check=True)
    for gz in [*(outdir / "variants").glob("*.vcf.gz"), *(outdir / "gvcf").glob("*.vcf.gz")]:
        subprocess.run(["bgzip", "--test", str(gz)], check=True)


@pytest.mark.slow
def test_killed_run_resumes_to_identical_results_and_inputs_untouched(
    pipeline_run: Path, tmp_path: Path
) -> None:
    before = {p: _sha256(p) for p in _inputs()}
    ref_dir_listing = sorted(p.name for p in (REPO / "test_data" / "reference").iterdir())
    outdir = tmp_path / "killed"
    cmd = [*wgs_east_cmd(), "run", str(TEST_CONFIG), "--outdir", str(outdir), "--cores", "2"]
    first = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # in the middle of the workflow: some alignments finished, calling not done
        _wait(lambda: any((outdir / "alignments").glob("*.cram")), 300, "the first CRAM")
        # a concurrent run on the same directory is refused while the first one is active
        second = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert second.returncode == 2, second.stderr
        assert "another wgs-east run is active in this output directory" in second.stderr
        assert "Traceback" not in second.stderr
        assert not (outdir / "variants" / "B001.vcf.gz").exists()
        (snakemake,) = _children(first.pid)
        run_group = os.getpgid(snakemake)
        assert run_group == snakemake != os.getpgid(first.pid)  # the run has a process group of its own
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    # The kernel tells Snakemake when wgs-east dies; Snakemake and every job process stop; the lock follows.
    _wait(lambda: _group_is_gone(run_group), 120, "every process of the killed run to stop")
    assert _lock_is_free(outdir)
    _assert_no_partial_deliverables(outdir)
    resumed = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr[-4000:]
    _assert_no_partial_deliverables(outdir)
    assert _variant_set(outdir / "variants" / "B001.vcf.gz") == _variant_set(pipeline_run / "variants" / "B001.vcf.gz")
    for classified in sorted((pipeline_run / "classified").glob("*.tsv")):
        ours = outdir / "classified" / classified.name
        strip = [line for line in classified.read_text().splitlines() if not line.startswith("#")]
        assert [line for line in ours.read_text().splitlines() if not line.startswith("#")] == strip
    # inputs never modified, nothing written next to them
    assert {p: _sha256(p) for p in _inputs()} == before
    assert sorted(p.name for p in (REPO / "test_data" / "reference").iterdir()) == ref_dir_listing


@pytest.mark.slow
def test_interrupted_run_stops_every_job_and_records_it(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) or SIGTERM to wgs-east stops Snakemake and all its job processes, and says so."""
    outdir = tmp_path / "interrupted"
    cmd = [*wgs_east_cmd(), "run", str(TEST_CONFIG), "--outdir", str(outdir), "--cores", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait(lambda: any((outdir / "logs").rglob("*.log")), 120, "the first job to start")
        (snakemake,) = _children(proc.pid)
        os.kill(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr[-2000:]  # 128 + SIGINT, as a shell reports Ctrl-C
    assert "the workflow was interrupted (Snakemake stopped by SIGTERM)" in stderr
    assert "Traceback" not in stderr
    _wait(lambda: _group_is_gone(snakemake), 60, "every process of the interrupted run to stop")
    assert _lock_is_free(outdir)
    provenance = json.loads((outdir / "provenance.json").read_text())
    assert provenance["status"].startswith("interrupted"), provenance["status"]


def _shell_blocks(text: str) -> list[str]:
    """The string literals of every `shell:` directive of a .smk file."""
    blocks = []
    for match in re.finditer(r"^(\s*)shell:\n((?:\1\s+.*\n|\s*\n)+)", text, flags=re.M):
        body = match.group(2)
        blocks.append("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body)))
    return blocks


# placeholders that are numbers or fixed words from the validated model, never paths or free text
UNQUOTED_OK = {"threads", "params.min_mapq", "params.min_baseq", "params.min_qual", "params.depth_fraction",
               "params.chunk_size", "params.merge", "resources.mem_mb"}


def test_every_shell_placeholder_is_quoted() -> None:
    seen = 0
    for smk in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for block in _shell_blocks(smk.read_text()):
            for placeholder in re.findall(r"(?<!\{)\{([^{}]+)\}(?!\})", block):
                seen += 1
                name, _, spec = placeholder.partition(":")
                assert spec == "q" or name in UNQUOTED_OK, f"{smk.name}: {{{placeholder}}} is not quoted"
    assert seen > 50


ID_CHARS = "ABCXYZabcxyz0189_-"
HOSTILE = " \t\n./;$`'\"*?~&|<>()\\é\u00a0\x00"
# ids as a user might type them, mostly valid; a valid id with one hostile character put in; anything
ID_LIKE = st.one_of(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,70}", fullmatch=True),
    st.tuples(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}", fullmatch=True), st.sampled_from(HOSTILE),
              st.integers(0, 64)).map(lambda t: t[0][: t[2]] + t[1] + t[0][t[2]:]),  # fmt: skip
    st.text(alphabet=ID_CHARS + HOSTILE, max_size=80),
    st.text(max_size=80),
)
# the rule as documented (config/README.md), written out here independently of the model's regex
DOCUMENTED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def test_whatever_passes_id_validation_is_a_plain_shell_word() -> None:
    accepted: list[str] = []
    rejected: list[str] = []

    @settings(max_examples=400, deadline=None, database=None)
    @given(ID_LIKE)
    def check(text: str) -> None:
        try:
            value = TypeAdapter(Identifier).validate_python(text)
        except ValidationError:
            assert DOCUMENTED_ID.fullmatch(text) is None, f"{text!r} is a documented id but was refused"
            rejected.append(text)
            return
        assert DOCUMENTED_ID.fullmatch(text) is not None, f"{text!r} is not a documented id but was accepted"
        assert shlex.quote(value) == value  # needs no quoting at all
        assert shlex.split(value) == [value]
        assert not value.startswith("-") and "/" not in value and ".." not in value
        assert value == value.strip() and len(value) <= 64
        accepted.append(text)

    check()
    # both sides of the rule were exercised: the property ran on many accepted ids (not a handful)
    assert len(accepted) >= 100 and len(rejected) >= 100, (len(accepted), len(rejected))


PATH_LIKE = st.one_of(
    st.text(max_size=120),
    st.lists(st.text(alphabet=ID_CHARS + HOSTILE, min_size=1, max_size=12), min_size=1, max_size=6).map("/".join),
)


def test_whatever_passes_path_validation_survives_shell_quoting() -> None:
    accepted: list[str] = []
    rejected: list[str] = []

    @settings(max_examples=400, deadline=None, database=None)
    @given(PATH_LIKE)
    def check(text: str) -> None:
        try:
            value = TypeAdapter(InputPath).validate_python(text, context={"base_dir": "/data/batch"})
        except ValidationError:
            assert not text.strip() or re.search(r"[\x00-\x1f\x7f]", text) or text.startswith("~"), repr(text)
            rejected.append(text)
            return
        as_text = str(value)
        assert value.is_absolute()
        assert not re.search(r"[\x00-\x1f\x7f]", as_text)
        assert shlex.split(shlex.quote(as_text)) == [as_text]  # what Snakemake's {x:q} produces
        accepted.append(text)

    check()
    assert len(accepted) >= 100 and len(rejected) >= 20, (len(accepted), len(rejected))


@pytest.mark.parametrize("blank", ["", "  ", "\t"])
def test_a_blank_path_is_refused_not_read_as_the_config_directory(blank: str) -> None:
    with pytest.raises(ValidationError, match="path is empty"):
        TypeAdapter(InputPath).validate_python(blank, context={"base_dir": "/data/batch"})


def test_snakemake_quoting_of_a_hostile_but_valid_path(tmp_path: Path) -> None:
    """A path full of shell syntax reaches a rule's shell command as one argument, unexpanded."""
    from snakemake.shell import shell  # the real formatter/quoting used by rules

    hostile = tmp_path / "$(touch PWNED) `id` ; rm -rf x & 'q' \"d\" *.fq"
    hostile.mkdir()
    marker = tmp_path / "PWNED"
    out = tmp_path / "out.txt"
    shell.executable("bash")
    shell("printf '%s\\n' {hostile:q} > {out:q}", hostile=str(hostile), out=str(out))
    assert out.read_text().splitlines() == [str(hostile)]
    assert not marker.exists() and not Path("PWNED").exists()
