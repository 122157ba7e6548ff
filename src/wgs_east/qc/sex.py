"""Sex inference from X and Y depth (normalised to the autosomal depth) and X heterozygosity.

- Depth ratios come from :mod:`wgs_east.qc.coverage` (MAPQ-filtered, duplicates and N bases excluded):
  X/A is ~1.0 for two X copies and ~0.5 for one; Y/A is ~0 without a Y.
- X heterozygosity is measured from the reads (FORMAT/AD), not from the genotypes, because the caller
  genotypes declared males as haploid on X: among the X SNVs (PARs excluded) that a sample carries
  (alt allele fraction >= 0.2 at depth >= 10), the fraction with a balanced allele fraction (0.2-0.8).
  Two X copies give about the autosomal value (~0.4-0.6), one copy ~0 (errors and mis-mapping only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from wgs_east.config.models import SexCheck

MIN_DEPTH = 10
CARRIED_MIN_FRACTION = 0.2
BALANCED_MAX_FRACTION = 0.8


class AlleleBalanceCounts:
    """Per sample: SNVs carried (alt fraction >= 0.2 at depth >= 10) and, of those, the balanced ones
    (alt fraction <= 0.8), accumulated over chunks of allele depths (sites x samples, -1 missing)."""

    def __init__(self, n_samples: int) -> None:
        self.carried = np.zeros(n_samples, dtype=np.int64)
        self.balanced = np.zeros(n_samples, dtype=np.int64)

    def add(self, ref_ad: np.ndarray, alt_ad: np.ndarray) -> None:
        depth = ref_ad + alt_ad
        valid = (ref_ad >= 0) & (alt_ad >= 0) & (depth >= MIN_DEPTH)
        frac = np.divide(alt_ad, depth, out=np.zeros(depth.shape), where=valid)
        carried = valid & (frac >= CARRIED_MIN_FRACTION)
        self.carried += carried.sum(axis=0)
        self.balanced += (carried & (frac <= BALANCED_MAX_FRACTION)).sum(axis=0)

    def fraction(self) -> np.ndarray:
        return np.divide(
            self.balanced, self.carried, out=np.full(len(self.carried), np.nan), where=self.carried > 0
        )


@dataclass(frozen=True)
class SexCall:
    inferred: str  # male, female, ambiguous
    x_copies: str  # "1", "2" or "?"
    y_present: str  # "yes", "no" or "?"
    evidence: str


def _fmt(value: float | None, digits: int = 2) -> str:
    return "NA" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def infer_sex(
    x_ratio: float, y_ratio: float, x_het: float | None, x_het_sites: int, settings: SexCheck
) -> SexCall:
    """Male: one X copy and a Y; female: two X copies and no Y; anything else (conflicting X depth and X
    heterozygosity, intermediate values, XXY- or X0-like patterns) is ambiguous."""
    s = settings
    by_depth = (
        "1" if x_ratio <= s.x_ratio_one_copy_max else "2" if x_ratio >= s.x_ratio_two_copies_min else "?"
    ) if not math.isnan(x_ratio) else "?"  # fmt: skip
    by_het = "n/a"
    if x_het is not None and not math.isnan(x_het) and x_het_sites >= s.x_het_min_sites:
        by_het = "1" if x_het <= s.x_het_one_copy_max else "2" if x_het >= s.x_het_two_copies_min else "?"
    x_copies = by_depth if by_het in ("n/a", by_depth) else "?"
    if math.isnan(y_ratio):
        y = "?"
    else:
        y = "yes" if y_ratio >= s.y_ratio_present_min else "no" if y_ratio <= s.y_ratio_absent_max else "?"
    evidence = (
        f"X/autosome depth {_fmt(x_ratio)}, Y/autosome depth {_fmt(y_ratio, 3)}, "
        f"X heterozygosity {_fmt(x_het)} over {x_het_sites} SNVs"
    )
    if x_copies == "1" and y == "yes":
        inferred = "male"
    elif x_copies == "2" and y == "no":
        inferred = "female"
    else:
        inferred = "ambiguous"
    return SexCall(inferred, x_copies, y, evidence)


def describe_ambiguous(call: SexCall) -> str:
    if call.x_copies == "2" and call.y_present == "yes":
        return "two X copies and a Y (XXY-like, or a mixture of samples)"
    if call.x_copies == "1" and call.y_present == "no":
        return "one X copy and no Y (X0-like, or Y loss)"
    if call.x_copies == "?":
        return "X depth and X heterozygosity do not agree or are intermediate"
    return "intermediate Y depth"


def sex_check(declared: str, call: SexCall) -> tuple[str, str]:
    """(level, message): declared sex opposite to the inferred one is a FAIL, an ambiguous inference a
    WARN; a declared `unknown` sex is not checked (the inferred sex is reported)."""
    if call.inferred == "ambiguous":
        return "WARN", f"sex ambiguous: {describe_ambiguous(call)} ({call.evidence}); declared {declared}"
    if declared == "unknown":
        return "PASS", f"declared unknown, inferred {call.inferred} ({call.evidence})"
    if declared != call.inferred:
        return "FAIL", f"declared {declared} but inferred {call.inferred} ({call.evidence})"
    return "PASS", f"inferred {call.inferred} ({call.evidence})"
