"""Reference FASTA: contig names and lengths, read without modifying anything next to the FASTA."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from wgs_east.errors import InputError, Problem

_SEQ_OK = re.compile(rb"^[A-Za-z*-]*$")
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


def _fai_contigs(fai: Path) -> dict[str, int] | None:
    contigs: dict[str, int] = {}
    try:
        for line in fai.read_text().splitlines():
            name, length = line.split("\t")[:2]
            if name in contigs:
                return None
            contigs[name] = int(length)
    except (ValueError, OSError, UnicodeDecodeError):
        return None
    return contigs or None


def _scan_fasta(path: Path) -> Iterator[tuple[str, int, int]]:
    """Yield (name, length, header line number); raise InputError on malformed content."""
    name: str | None = None
    header_line = 0
    length = 0
    try:
        with open_maybe_gzip(path) as fh:
            for lineno, raw in enumerate(fh, start=1):
                line = raw.rstrip(b"\r\n")
                if line.startswith(b">"):
                    if name is not None:
                        yield name, length, header_line
                    fields = line[1:].split()
                    if not fields:
                        raise InputError(path, [Problem(f"line {lineno}", "FASTA header without a contig name")])
                    name, header_line, length = fields[0].decode(errors="replace"), lineno, 0
                elif name is None:
                    if line.strip():
                        raise InputError(
                            path, [Problem(f"line {lineno}", "not a FASTA file: the first line must start with '>'")]
                        )
                else:
                    if not _SEQ_OK.match(line):
                        raise InputError(path, [Problem(f"line {lineno}", "invalid characters in sequence line")])
                    length += len(line)
    except (OSError, EOFError) as exc:
        raise InputError(path, [Problem("", f"cannot read: {exc}")]) from None
    if name is None:
        raise InputError(path, [Problem("", "not a FASTA file: no '>' header line")])
    yield name, length, header_line


def read_contigs(fasta: Path) -> dict[str, int]:
    """Contig name -> length, in file order. Uses `<fasta>.fai` when present and newer than the FASTA,
    else scans the FASTA. Duplicate names, empty contigs and non-FASTA content raise InputError."""
    fai = Path(str(fasta) + ".fai")
    if fai.exists() and fai.stat().st_mtime >= fasta.stat().st_mtime:
        contigs = _fai_contigs(fai)
        if contigs is not None:
            with open_maybe_gzip(fasta) as fh:
                first = fh.readline()
            if first.startswith(b">") and first[1:].split()[:1] == [next(iter(contigs)).encode()]:
                return contigs
    contigs = {}
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
