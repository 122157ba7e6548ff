"""Up-front FASTQ checks, run by `wgs-east validate` / `run` before any job starts.

Small pairs (up to ``full_check_bytes`` compressed, both files together) are read completely: format of
every record, read names of R1 and R2 pairwise, equal read counts, gzip integrity. Larger pairs are
checked on their first ``sample_reads`` records plus the BGZF end-of-file marker where the file is
BGZF; the complete check of those runs as the `check_fastq` job of the workflow.

Also refused: empty read names, names longer than SAM allows, a '+' line naming another read, a file
with no reads, and Phred+64 qualities (Illumina 1.3-1.7). Phred+64 is taken when every quality
character of the records read is at least ``@`` (64) and some are above ``J`` (74, Q41 in Phred+33):
a Phred+33 file of real reads has low-quality bases below ``@`` (Q31) among its first 10,000 reads.
A Phred+33 file whose every base is within Q31-Q41 cannot be told from Phred+64 and passes.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

from wgs_east.reference import open_maybe_gzip

BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_BASES = b"ACGTNacgtnRYKMSWBDHVrykmswbdhv."
_PHRED33 = bytes(range(33, 127))
MAX_NAME = 254  # SAM specification, QNAME: [!-?A-~]{1,254}; htslib refuses longer names
_BELOW_64 = bytes(range(33, 64))  # quality characters that only Phred+33 uses
PHRED64_HINT = (
    "convert to Phred+33 first, e.g. `seqtk seq -Q64 -V IN.fastq.gz | gzip > OUT.fastq.gz` "
    "or `reformat.sh in=IN.fastq.gz out=OUT.fastq.gz qin=64 qout=33` (BBTools)"
)


@dataclass
class FastqIssue:
    which: str  # "fastq1", "fastq2" or "pair"
    msg: str


@dataclass
class PairCheck:
    issues: list[FastqIssue]
    pairs_checked: int
    complete: bool  # True: both files were read to the end


@dataclass
class _Qualities:
    """The range of quality characters seen in one file, for telling Phred+64 from Phred+33."""

    below_64: bool = False  # a character < '@' was seen: the file is Phred+33
    highest: int = 0

    def add(self, qual: bytes) -> None:
        if not self.below_64:
            self.highest = max(self.highest, max(qual))
            self.below_64 = len(qual.translate(None, _BELOW_64)) < len(qual)

    def looks_phred64(self) -> bool:
        return not self.below_64 and self.highest > ord("J")


class _BadRecord(Exception):
    def __init__(self, lineno: int, msg: str) -> None:
        super().__init__(msg)
        self.lineno = lineno


def _records(path: Path, limit: int | None, quals: _Qualities | None = None):  # noqa: ANN202 - private generator
    """Yield (record number, read name) after checking the record's four lines."""
    with open_maybe_gzip(path) as raw:
        # gzip's own readline is Python code; a BufferedReader on top reads lines in C (~3x faster)
        fh = io.BufferedReader(raw, buffer_size=1 << 20) if isinstance(raw, gzip.GzipFile) else raw
        n = 0
        while limit is None or n < limit:
            header = fh.readline()
            if not header:
                return
            seq, plus, qual = fh.readline(), fh.readline(), fh.readline()
            line = 4 * n + 1
            if not header.startswith(b"@"):
                raise _BadRecord(line, "not a FASTQ record: header line must start with '@'")
            if not qual:
                raise _BadRecord(line, "record is incomplete (file ends inside a record)")
            if not plus.startswith(b"+"):
                raise _BadRecord(line + 2, "not a FASTQ record: third line must start with '+'")
            title = plus[1:].rstrip(b"\r\n")
            if title and title != header[1:].rstrip(b"\r\n"):  # it may only repeat the header
                raise _BadRecord(line + 2, f"the '+' line names another read than line {line} (records out of step?)")
            seq, qual = seq.rstrip(b"\r\n"), qual.rstrip(b"\r\n")
            if not seq:
                raise _BadRecord(line + 1, "empty sequence")
            if seq.translate(None, _BASES):  # what is left after deleting the valid characters
                raise _BadRecord(line + 1, "invalid characters in sequence")
            if len(qual) != len(seq):
                raise _BadRecord(line + 3, f"quality length {len(qual)} != sequence length {len(seq)}")
            if qual.translate(None, _PHRED33):
                raise _BadRecord(line + 3, "quality characters outside Phred+33 range")
            if quals is not None:
                quals.add(qual)
            rest = header[1:]
            name = rest.split(maxsplit=1)[0] if rest[:1].strip() else b""  # "@ text": no name, a comment
            if name[-2:] in (b"/1", b"/2"):
                name = name[:-2]
            if not name:
                raise _BadRecord(line, "empty read name (the header line needs a name after '@')")
            if len(name) > MAX_NAME:
                raise _BadRecord(line, f"read name of {len(name)} characters, longer than SAM/BAM allow ({MAX_NAME})")
            yield n + 1, name
            n += 1


def check_pair(
    fastq1: Path, fastq2: Path, *, sample_reads: int = 10_000, full_check_bytes: float = 256 * 1024**2
) -> PairCheck:
    """Check one R1/R2 pair: completely when both files together are at most ``full_check_bytes``,
    else the first ``sample_reads`` records (and the BGZF end-of-file marker)."""
    full = fastq1.stat().st_size + fastq2.stat().st_size <= full_check_bytes
    limit = None if full else sample_reads
    issues: list[FastqIssue] = []
    for which, path in (("fastq1", fastq1), ("fastq2", fastq2)):
        if not full and _is_bgzf(path) and not _has_bgzf_eof(path):
            issues.append(FastqIssue(which, "truncated BGZF file: end-of-file marker missing"))
    quals = {"fastq1": _Qualities(), "fastq2": _Qualities()}
    it1, it2 = _records(fastq1, limit, quals["fastq1"]), _records(fastq2, limit, quals["fastq2"])
    pairs = 0
    try:
        for r1, r2 in zip_longest(_guard(it1, "fastq1"), _guard(it2, "fastq2")):
            if r1 is None or r2 is None:
                n = (r1 or r2)[0]
                short = "fastq1" if r1 is None else "fastq2"
                issues.append(FastqIssue("pair", f"different read counts: {short} ends before read {n}"))
                break
            if r1[1] != r2[1]:
                issues.append(
                    FastqIssue(
                        "pair",
                        f"read names differ at read {r1[0]}: {r1[1].decode(errors='replace')!r} "
                        f"vs {r2[1].decode(errors='replace')!r}",
                    )
                )
                break
            pairs += 1
    except _FileIssue as exc:
        issues.append(exc.issue)
    if not issues and pairs == 0:
        issues.append(FastqIssue("fastq1", "contains no reads"))
    readable = not issues
    for which, q in quals.items():
        if readable and q.looks_phred64():
            issues.append(
                FastqIssue(
                    which,
                    f"quality scores are Phred+64 (no quality character below '@', highest {chr(q.highest)!r}); "
                    + PHRED64_HINT,
                )
            )
    return PairCheck(issues, pairs, full)


class _FileIssue(Exception):
    def __init__(self, issue: FastqIssue) -> None:
        self.issue = issue


def _guard(records, which: str):  # noqa: ANN001, ANN202 - private generator wrapper
    try:
        yield from records
    except _BadRecord as exc:
        raise _FileIssue(FastqIssue(which, f"line {exc.lineno}: {exc}")) from None
    except (EOFError, zlib.error, OSError) as exc:
        msg = str(exc) or type(exc).__name__
        if isinstance(exc, EOFError):
            msg = f"truncated gzip file ({msg})"
        raise _FileIssue(FastqIssue(which, f"cannot be read: {msg}")) from None


def _is_bgzf(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(16)
    return head[:4] == b"\x1f\x8b\x08\x04" and head[12:14] == b"BC"


def _has_bgzf_eof(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-len(BGZF_EOF), 2)
        return fh.read() == BGZF_EOF


def main(argv: list[str] | None = None) -> int:
    """Complete check of one pair, run as the workflow's `check_fastq_pair` job."""
    import argparse
    import json

    ap = argparse.ArgumentParser(description="Check a FASTQ pair completely (format, names, counts, gzip).")
    ap.add_argument("fastq1", type=Path)
    ap.add_argument("fastq2", type=Path)
    ap.add_argument("--out", type=Path, required=True, help="JSON summary, written only when the pair is fine")
    args = ap.parse_args(argv)
    result = check_pair(args.fastq1, args.fastq2, full_check_bytes=float("inf"))
    if result.issues:
        for issue in result.issues:
            path = args.fastq2 if issue.which == "fastq2" else args.fastq1
            print(f"FASTQ check failed: {path}: {issue.msg}", file=sys.stderr)
        return 1
    summary = {"fastq1": str(args.fastq1), "fastq2": str(args.fastq2), "read_pairs": result.pairs_checked}
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(summary, indent=2) + "\n")
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
