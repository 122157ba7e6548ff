"""FASTQ checks of issue 19 on the check function itself: Phred+64 told from Phred+33 on real reads,
compression read from the content whatever the name, empty names, no reads. (The refusals through the CLI
are cases of tests/test_bad_inputs.py.)"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.conftest import REPO
from wgs_east.fastq import check_pair

REAL = REPO.parent / "shared" / "data" / "real"  # the GIAB read excerpts (CI: shared/ beside the clone)


def _real_pairs() -> list[tuple[Path, Path]]:
    pairs = [(r1, Path(str(r1).replace("_R1.", "_R2."))) for r1 in sorted(REAL.glob("*/*_R1.fastq.gz"))]
    assert pairs, f"no GIAB reads under {REAL}"
    return pairs


def _shift_qualities(src: Path, dst: Path, by: int, records: int = 4000) -> None:
    """The first reads of src with every quality character moved by `by` (Phred+33 -> +64: by=31)."""
    out = []
    with gzip.open(src, "rb") as fh:
        for i, line in zip(range(4 * records), fh, strict=False):
            out.append(bytes(c + by for c in line.rstrip(b"\n")) + b"\n" if i % 4 == 3 else line)
    dst.write_bytes(gzip.compress(b"".join(out), mtime=0))


def test_real_phred33_reads_pass_and_their_phred64_copies_are_refused(tmp_path: Path) -> None:
    for r1, r2 in _real_pairs():  # Illumina HiSeq / NovaSeq qualities, binned or not
        assert check_pair(r1, r2, full_check_bytes=0).issues == [], r1
    r1, r2 = _real_pairs()[0]
    _shift_qualities(r1, tmp_path / "p64_R1.fastq.gz", 31)
    _shift_qualities(r2, tmp_path / "p64_R2.fastq.gz", 31)
    issues = check_pair(tmp_path / "p64_R1.fastq.gz", tmp_path / "p64_R2.fastq.gz").issues
    assert [i.which for i in issues] == ["fastq1", "fastq2"]
    assert all("Phred+64" in i.msg and "seqtk seq -Q64 -V" in i.msg for i in issues)


def test_high_quality_only_phred33_is_not_taken_for_phred64(tmp_path: Path) -> None:
    # 'I' (Q40 in Phred+33) is within both ranges: without a character above 'J' the file stays Phred+33
    text = b"@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\nJJ@I\n"
    (tmp_path / "a.fq").write_bytes(text)
    (tmp_path / "b.fq").write_bytes(text)
    assert check_pair(tmp_path / "a.fq", tmp_path / "b.fq").issues == []


@pytest.mark.parametrize("gz_name", [False, True], ids=["gzip-named-fastq", "plain-named-fastq-gz"])
def test_compression_is_read_from_the_content_not_the_name(tmp_path: Path, gz_name: bool) -> None:
    """Defects 1 and 8: a misnamed file is read completely (the workflow then feeds fastp a link named
    after the content: tests/test_read_accounting.py)."""
    src = REPO / "test_data" / "reads" / "PROBAND1_L002_R1.fastq.gz"
    src2 = REPO / "test_data" / "reads" / "PROBAND1_L002_R2.fastq.gz"
    a, b = tmp_path / ("a.fastq.gz" if gz_name else "a.fastq"), tmp_path / "b.fastq.gz"
    a.write_bytes(gzip.decompress(src.read_bytes()) if gz_name else src.read_bytes())
    b.write_bytes(src2.read_bytes())
    result = check_pair(a, b)
    assert result.issues == [] and result.complete
    with gzip.open(src2, "rb") as fh:
        assert result.pairs_checked == sum(1 for _ in fh) // 4 > 0


@pytest.mark.parametrize(
    ("r1", "which", "words"),
    [
        (b"", "fastq1", "contains no reads"),
        (b"@\nACGT\n+\nIIII\n", "fastq1", "line 1: empty read name"),
        (b"@r0\nACGT\n+\nIIII\n@\t1:N:0\nACGT\n+\nIIII\n", "fastq1", "line 5: empty read name"),
        (b"@r0\nACGT\n+r0\nIIII\n", None, None),  # the '+' line may repeat the header
        (b"@r0 x\nACGT\n+r0 x\nIIII\n", None, None),
        (b"@r0\nACGT\n+r9\nIIII\n", "fastq1", "line 3: the '+' line names another read"),
    ],
    ids=["no-reads", "empty-name", "tab-comment-only", "plus-repeats", "plus-repeats-comment", "plus-other"],
)
def test_names_and_empty_files(tmp_path: Path, r1: bytes, which: str | None, words: str | None) -> None:
    (tmp_path / "a.fq.gz").write_bytes(gzip.compress(r1))
    names = [line for line in r1.split(b"\n")[::4] if line]
    (tmp_path / "b.fq.gz").write_bytes(gzip.compress(b"".join(n + b"\nACGT\n+\nIIII\n" for n in names)))
    issues = check_pair(tmp_path / "a.fq.gz", tmp_path / "b.fq.gz").issues
    if which is None:
        assert issues == []
    else:
        assert any(i.which == which and words in i.msg for i in issues), issues
