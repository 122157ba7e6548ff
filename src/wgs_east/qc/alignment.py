"""Alignment metrics from `samtools stats`: mapping, proper-pair and duplicate rates, insert size.

    python -m wgs_east.qc.alignment --sample S --stats qc/samtools/S.stats.txt --out S.alignment.json
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from wgs_east.errors import InputError, Problem
from wgs_east.qc.io import ratio, run_main, write_json

SN_KEYS = {
    "raw total sequences": "reads",
    "reads mapped": "reads_mapped",
    "reads properly paired": "reads_properly_paired",
    "reads duplicated": "reads_duplicated",
    "reads MQ0": "reads_mq0",
    "error rate": "error_rate",
    "insert size average": "insert_size_mean",
    "insert size standard deviation": "insert_size_sd",
}


def parse_stats(lines: Iterable[str]) -> tuple[dict[str, float], np.ndarray]:
    """The SN values we use and the insert-size histogram (IS section: size, pairs) of `samtools stats`."""
    sn: dict[str, float] = {}
    sizes: list[tuple[int, int]] = []
    for line in lines:
        if line.startswith("SN\t"):
            fields = line.rstrip("\n").split("\t")
            key = fields[1].rstrip(":")
            if key in SN_KEYS:
                sn[SN_KEYS[key]] = float(fields[2])
        elif line.startswith("IS\t"):
            fields = line.split("\t")
            sizes.append((int(fields[1]), int(fields[2])))
    return sn, np.array(sizes, dtype=np.int64).reshape(-1, 2)


def histogram_quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """The q-quantile of a histogram (smallest value whose cumulative count reaches q of the total)."""
    total = counts.sum()
    if total == 0:
        return math.nan
    order = np.argsort(values)
    cum = np.cumsum(counts[order])
    return float(values[order][np.searchsorted(cum, q * total)])


def alignment_metrics(sn: dict[str, float], insert_sizes: np.ndarray) -> dict[str, float]:
    values, counts = insert_sizes[:, 0], insert_sizes[:, 1]
    q1, median, q3 = (histogram_quantile(values, counts, q) for q in (0.25, 0.5, 0.75))
    return {
        "reads": sn.get("reads", math.nan),
        "reads_mapped": sn.get("reads_mapped", math.nan),
        "mapping_rate": ratio(sn.get("reads_mapped", 0), sn.get("reads", 0)),
        "properly_paired_rate": ratio(sn.get("reads_properly_paired", 0), sn.get("reads", 0)),
        "duplicate_rate": ratio(sn.get("reads_duplicated", 0), sn.get("reads_mapped", 0)),
        "mismatch_rate": sn.get("error_rate", math.nan),
        "insert_size_median": median,
        "insert_size_iqr": q3 - q1,
        "insert_size_mean": sn.get("insert_size_mean", math.nan),
        "insert_size_sd": sn.get("insert_size_sd", math.nan),
    }


def read_samtools_stats(path: Path) -> dict[str, float]:
    try:
        with open(path) as fh:
            sn, sizes = parse_stats(fh)
    except OSError as exc:
        raise InputError(path, [Problem("", f"cannot read: {exc.strerror}")]) from None
    except (ValueError, IndexError) as exc:
        raise InputError(path, [Problem("", f"not a samtools stats file: {exc}")]) from None
    if "reads" not in sn:
        raise InputError(path, [Problem("", "not a samtools stats file (no 'raw total sequences')")])
    return alignment_metrics(sn, sizes)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--stats", type=Path, required=True, help="samtools stats output")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    write_json(args.out, {"sample": args.sample, "sample_metrics": read_samtools_stats(args.stats)})
    return 0


if __name__ == "__main__":
    run_main(main)
