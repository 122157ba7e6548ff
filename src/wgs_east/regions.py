"""Region chunks for scatter-gather variant calling.

The number of chunks is planned from contig lengths alone (known when the DAG is built); the cut
points are then placed in the middle of the longest run of N near each planned cut, so that no chunk
boundary falls inside assembled sequence when a gap is near. Small contigs are packed together so that
a reference with thousands of decoys does not produce thousands of jobs. Chunks are in genome order.

    python -m wgs_east.regions --fasta genome.fa --chunk-size 20000000 [--exclude chrM] OUT1.bed OUT2.bed ...
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wgs_east.reference import open_maybe_gzip

if TYPE_CHECKING:
    from wgs_east.config.models import Batch

Piece = tuple[str, int, int]  # contig, 0-based start, end (exclusive)
N_RUN = re.compile(rb"[Nn]{10,}")


def plan_pieces(contigs: dict[str, int], chunk_size: int, exclude: Sequence[str] = ()) -> list[list[Piece]]:
    """Cut contigs longer than ``chunk_size`` into equal pieces and pack short ones into chunks.

    Returns the chunks, each a list of pieces, in genome order.
    """
    chunks: list[list[Piece]] = []
    current: list[Piece] = []
    filled = 0
    for name, length in contigs.items():
        if name in exclude or length <= 0:
            continue
        n = max(1, math.ceil(length / chunk_size))
        if n == 1:
            if current and filled + length > chunk_size:
                chunks.append(current)
                current, filled = [], 0
            current.append((name, 0, length))
            filled += length
            continue
        if current:
            chunks.append(current)
            current, filled = [], 0
        step = length / n
        bounds = [round(i * step) for i in range(n + 1)]
        chunks.extend([(name, bounds[i], bounds[i + 1])] for i in range(n))
    if current:
        chunks.append(current)
    return chunks


def count_chunks(contigs: dict[str, int], chunk_size: int, exclude: Sequence[str] = ()) -> int:
    return len(plan_pieces(contigs, chunk_size, exclude))


def calling_chunk_size(
    contigs: dict[str, int], chunk_size: int, exclude: Sequence[str], groups: int, max_jobs: int
) -> int:
    """The chunk size calling uses: ``chunk_size`` (``calling.chunk_size``), unless ``groups`` x chunks
    would exceed ``max_jobs`` (``calling.max_chunk_jobs``); then the smallest larger size whose chunks keep
    groups x chunks within ``max_jobs`` (or, where even one chunk per contig group is too many, the
    size that gives the fewest chunks)."""
    if groups * count_chunks(contigs, chunk_size, exclude) <= max_jobs:
        return chunk_size
    low, high = chunk_size, max(chunk_size, sum(n for c, n in contigs.items() if c not in exclude))
    if groups * count_chunks(contigs, high, exclude) > max_jobs:
        return high
    while high - low > 1:  # the chunk count falls as the size grows
        mid = (low + high) // 2
        if groups * count_chunks(contigs, mid, exclude) <= max_jobs:
            high = mid
        else:
            low = mid
    return high


def batch_chunk_size(batch: Batch, contigs: dict[str, int]) -> int:
    """The chunk size of ``batch`` (the workflow's ``CHUNK_SIZE``): :func:`calling_chunk_size` with its settings."""
    return calling_chunk_size(
        contigs, batch.calling.chunk_size, batch.reference.exclude_contigs, len(batch.call_groups()),
        batch.calling.max_chunk_jobs,
    )  # fmt: skip


def _n_runs(sequence: bytes) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in N_RUN.finditer(sequence)]


def snap_to_gaps(pieces: list[list[Piece]], gaps: dict[str, list[tuple[int, int]]], window: int) -> list[list[Piece]]:
    """Move each inner cut of a split contig to the middle of the longest N run within ``window``."""
    out = [list(c) for c in pieces]
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if len(a) != 1 or len(b) != 1 or a[-1][0] != b[0][0]:
            continue  # a packed chunk or a contig boundary: nothing to snap
        contig, a_start, cut = a[-1]
        _, _, b_end = b[0]
        near = [(e - s, s, e) for s, e in gaps.get(contig, []) if abs((s + e) // 2 - cut) <= window]
        if not near:
            continue
        _, s, e = max(near)
        new_cut = (s + e) // 2
        if a_start < new_cut < b_end:
            out[i] = [(contig, a_start, new_cut)]
            out[i + 1] = [(contig, new_cut, b_end)]
    return out


def read_sequences_gaps(fasta: Path, names: set[str]) -> dict[str, list[tuple[int, int]]]:
    gaps: dict[str, list[tuple[int, int]]] = {}
    name, parts = None, []
    with open_maybe_gzip(fasta) as fh:
        for line in fh:
            if line.startswith(b">"):
                if name in names:
                    gaps[name] = _n_runs(b"".join(parts))
                name, parts = line[1:].split()[0].decode(), []
            elif name in names:
                parts.append(line.rstrip(b"\r\n"))
    if name in names:
        gaps[name] = _n_runs(b"".join(parts))
    return gaps


def write_chunks(chunks: list[list[Piece]], outputs: Sequence[Path]) -> None:
    if len(chunks) != len(outputs):
        raise ValueError(f"planned {len(chunks)} chunks but {len(outputs)} output files were given")
    for chunk, out in zip(chunks, outputs, strict=True):
        tmp = Path(f"{out}.tmp")
        tmp.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in chunk))
        tmp.replace(out)


def main(argv: Sequence[str] | None = None) -> int:
    from wgs_east.reference import read_contigs

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fasta", type=Path, required=True)
    ap.add_argument("--chunk-size", type=int, required=True)
    ap.add_argument("--exclude", nargs="*", default=[])
    ap.add_argument("outputs", nargs="+", type=Path)
    args = ap.parse_args(argv)
    contigs = read_contigs(args.fasta)
    chunks = plan_pieces(contigs, args.chunk_size, args.exclude)
    split = {c for chunk in chunks if len(chunk) == 1 for c, s, e in chunk if e - s < contigs[c]}
    gaps = read_sequences_gaps(args.fasta, split) if split else {}
    write_chunks(snap_to_gaps(chunks, gaps, window=args.chunk_size // 10), args.outputs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
