"""Reference FASTA: contig names and lengths, read without modifying anything next to the FASTA."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from wgs_east.errors import InputError, Problem

_GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | Path) -> bool:
    """True when the file starts with the gzip magic bytes (gzip or bgzip), whatever its name."""
    with open(path, "rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def open_maybe_gzip(path: Path) -> IO[bytes]:
    """Open a plain or gzip/bgzip file for binary reading."""
    if is_gzip(path):
        return gzip.open(path, "rb")
    return open(path, "rb")


def _gzipped(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def _verified_fai(fasta: Path) -> dict[str, int] | None:
    """The contigs of ``<fasta>.fai`` when the index provably describes this FASTA, else None.

    Trusted only when the index is not older than the FASTA, names every contig once with a length > 0,
    and its offsets fit the FASTA byte for byte: every contig's header line (read at the position the
    previous contig's sequence ends) names that contig and ends where the index says the sequence starts,
    and the last sequence ends at the FASTA's size. That is one seek per contig, not a read of the
    sequence; a stale, edited or foreign index fails it and the FASTA is read instead."""
    fai = Path(str(fasta) + ".fai")
    try:
        if not fai.is_file() or fai.stat().st_mtime_ns < fasta.stat().st_mtime_ns or _gzipped(fasta):
            return None
        rows = []
        for line in fai.read_text().splitlines():
            name, length, offset, linebases, linewidth = line.split("\t")[:5]
            rows.append((name, int(length), int(offset), int(linebases), int(linewidth)))
        if not rows or len({r[0] for r in rows}) != len(rows):
            return None
        size = fasta.stat().st_size
        header_start = 0
        with open(fasta, "rb") as fh:
            for name, length, offset, lb, lw in rows:
                if length <= 0 or lb <= 0 or lw < lb:
                    return None
                fh.seek(header_start)
                header = fh.readline()
                if not header.startswith(b">") or header[1:].split()[:1] != [name.encode()]:
                    return None
                if header_start + len(header) != offset:
                    return None
                full, rest = divmod(length, lb)
                header_start = offset + full * lw + (rest + lw - lb if rest else 0)
        return {r[0]: r[1] for r in rows} if header_start == size else None
    except (ValueError, OSError, UnicodeDecodeError):
        return None


_BLOCK = 8 << 20
_NOT_SEQUENCE = re.compile(rb"[^A-Za-z*\-\r\n]")
_SEQUENCE_BYTES = bytes(c for c in range(256) if chr(c).isascii() and (chr(c).isalpha() or chr(c) in "*-\r\n"))


def _scan_fasta(path: Path) -> Iterator[tuple[str, int, int]]:
    """Yield (name, length, header line number); raise InputError on malformed content.

    Streams the file in 8 MiB blocks: sequence between headers is checked and counted with bytes
    methods (translate/count, C speed), so a 3 GB reference is read at disk speed, not line by line."""
    name: str | None = None
    header_line = 0
    length = 0
    lineno = 1  # line number at the current position
    at_line_start = True
    header: bytearray | None = None  # the header line being read (it may span blocks)

    def finish_header() -> None:
        nonlocal name, header_line, length, lineno, header
        assert header is not None
        fields = bytes(header).rstrip(b"\r")[1:].split()
        if not fields:
            raise InputError(path, [Problem(f"line {lineno}", "FASTA header without a contig name")])
        name, header_line, length = fields[0].decode(errors="replace"), lineno, 0
        lineno += 1
        header = None

    try:
        with open_maybe_gzip(path) as fh:
            while block := fh.read(_BLOCK):
                pos, n = 0, len(block)
                while pos < n:
                    if header is not None:
                        nl = block.find(b"\n", pos)
                        header += block[pos : n if nl < 0 else nl]
                        if nl < 0:
                            break
                        previous = (name, length, header_line)
                        finish_header()
                        if previous[0] is not None:
                            yield previous  # type: ignore[misc]
                        pos, at_line_start = nl + 1, True
                        continue
                    gt = block.find(b">", pos)
                    end = n if gt < 0 else gt
                    seg = block[pos:end]
                    if name is None and seg.strip():
                        first = lineno + seg[: len(seg) - len(seg.lstrip())].count(b"\n")
                        raise InputError(
                            path, [Problem(f"line {first}", "not a FASTA file: the first line must start with '>'")]
                        )
                    if seg.translate(None, _SEQUENCE_BYTES):
                        bad = _NOT_SEQUENCE.search(seg)
                        assert bad is not None
                        line = lineno + seg.count(b"\n", 0, bad.start())
                        raise InputError(path, [Problem(f"line {line}", "invalid characters in sequence line")])
                    newlines = seg.count(b"\n")
                    length += len(seg) - newlines - seg.count(b"\r")
                    lineno += newlines
                    if seg:
                        at_line_start = seg.endswith(b"\n")
                    if gt < 0:
                        break
                    if not at_line_start:
                        raise InputError(path, [Problem(f"line {lineno}", "invalid characters in sequence line")])
                    header, pos = bytearray(), gt
        if header is not None:  # a last header line without a newline
            previous = (name, length, header_line)
            finish_header()
            if previous[0] is not None:
                yield previous  # type: ignore[misc]
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(path, [Problem("", f"cannot read: {exc}")]) from None
    if name is None:
        raise InputError(path, [Problem("", "not a FASTA file: no '>' header line")])
    yield name, length, header_line


def read_contigs(fasta: Path, *, trust_index: bool = True) -> dict[str, int]:
    """Contig name -> length, in file order. Duplicate names, empty contigs and non-FASTA content raise
    InputError (with the line). With ``trust_index`` a ``<fasta>.fai`` is used instead of reading the
    FASTA only when it provably matches it (see :func:`_verified_fai`); without, the FASTA is always read
    (the checks of ``wgs-east validate``: a stale index never hides a problem of the FASTA)."""
    if trust_index:
        indexed = _verified_fai(fasta)
        if indexed is not None:
            return indexed
    contigs: dict[str, int] = {}
    problems: list[Problem] = []
    for name, length, line in _scan_fasta(fasta):
        if name in contigs:
            problems.append(Problem(f"line {line}", f"duplicate contig name {name!r}"))
        elif length == 0:
            problems.append(Problem(f"line {line}", f"contig {name!r} has no sequence"))
        contigs[name] = length
    if problems:
        raise InputError(fasta, problems)
    return contigs


def run_contigs(fasta: Path, copy: Path) -> dict[str, int]:
    """The contigs a run works with: from the run's own plain copy of the reference (``copy``) when that
    copy is not older than ``fasta`` and its index fits it (so that every Snakemake parse, e.g. one per
    cluster job, reads an index, even of a bgzipped reference); else :func:`read_contigs` of ``fasta``."""
    try:
        if copy.is_file() and copy.stat().st_mtime_ns >= fasta.stat().st_mtime_ns:
            indexed = _verified_fai(copy)
            if indexed is not None:
                return indexed
    except OSError:
        pass
    return read_contigs(fasta)
