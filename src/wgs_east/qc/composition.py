"""The sequenced part of the reference: intervals of A/C/G/T bases (N and other IUPAC codes left out).

Coverage is measured over these intervals (mosdepth `--by`), so that mean depth, median depth and the
fractions of bases at >= 10/20/30x are per sequenced base, N runs excluded (as Picard's WGS metrics).

    python -m wgs_east.qc.composition --fasta reference/genome.fa --out-bed work/qc/acgt.bed
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from wgs_east.qc.io import run_main
from wgs_east.reference import open_maybe_gzip

_ACGT = np.zeros(256, dtype=bool)
_ACGT[np.frombuffer(b"ACGTacgt", dtype=np.uint8)] = True


def acgt_intervals(seq: bytes) -> list[tuple[int, int]]:
    """0-based half-open intervals of runs of A/C/G/T (either case) in a sequence."""
    mask = _ACGT[np.frombuffer(seq, dtype=np.uint8)]
    edges = np.flatnonzero(np.diff(np.concatenate(([False], mask, [False])).astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[0::2], edges[1::2], strict=True)]


def read_fasta(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, sequence) of each contig, one contig in memory at a time."""
    name: str | None = None
    chunks: list[bytes] = []
    with open_maybe_gzip(path) as fh:
        for raw in fh:
            if raw.startswith(b">"):
                if name is not None:
                    yield name, b"".join(chunks)
                name, chunks = raw[1:].split()[0].decode(), []
            else:
                chunks.append(raw.strip())
    if name is not None:
        yield name, b"".join(chunks)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fasta", type=Path, required=True)
    ap.add_argument("--out-bed", type=Path, required=True)
    args = ap.parse_args(argv)
    tmp = args.out_bed.with_name(args.out_bed.name + ".tmp")
    with open(tmp, "w") as out:
        for name, seq in read_fasta(args.fasta):
            out.writelines(f"{name}\t{a}\t{b}\n" for a, b in acgt_intervals(seq))
    tmp.replace(args.out_bed)
    return 0


if __name__ == "__main__":
    run_main(main)
