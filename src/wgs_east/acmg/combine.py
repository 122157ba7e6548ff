"""Combine evidence codes into a classification, by points and by the 2015 rules.

Primary: the points of Tavtigian et al. 2020 (Hum Mutat 41:1734): Supporting 1, Moderate 2, Strong 4,
Very Strong 8, benign evidence negative. Pathogenic >= 10, Likely pathogenic 6..9, Uncertain 0..5,
Likely benign -1..-6, Benign <= -7. BA1 classifies Benign whatever else applies (ClinGen SVI,
Ghosh et al. 2018); it adds -8 to the sum so the sum stays informative, and when pathogenic evidence
exists too the result carries a note (and the 2015 rules call it conflicting, hence ``conflict``).

Secondary: Richards et al. 2015 Table 5, counting each code at its applied strength
(``PM2_Supporting`` counts as supporting, ``PP3_Strong`` as strong). Counts are "at least": a rule
met with fewer codes stays met when more are added. Table 5 has no benign Moderate or Very Strong
and no second Very Strong: a benign Moderate counts as Supporting, a benign Very Strong as Strong,
and every pathogenic Very Strong beyond the first as Strong (so PVS1 + PS2_VeryStrong is Pathogenic).
When a pathogenic rule (P or LP) and a benign rule (B or LB) are both met the evidence is
contradictory and the 2015 class is Uncertain significance.

:func:`combine` handles one variant; :func:`combine_counts` / :func:`combine_frame` apply the same
rules to integer count arrays of any length (millions of variants, no Python loop).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

import numpy as np
import pandas as pd

from wgs_east.acmg.codes import (
    MODERATE,
    STAND_ALONE,
    STRONG,
    SUPPORTING,
    VERY_STRONG,
    Code,
    parse_codes,
)

CLASSES: tuple[str, ...] = (
    "Benign",
    "Likely benign",
    "Uncertain significance",
    "Likely pathogenic",
    "Pathogenic",
)
"""The five classes, in order (index = class code)."""

BENIGN, LIKELY_BENIGN, UNCERTAIN, LIKELY_PATHOGENIC, PATHOGENIC = range(5)

CLASS_DTYPE = pd.CategoricalDtype(list(CLASSES), ordered=True)
"""Ordered categorical dtype of class columns (Benign < ... < Pathogenic)."""

COUNT_COLUMNS: tuple[str, ...] = ("pvs", "ps", "pm", "pp", "ba", "bvs", "bs", "bm", "bp")
"""Count columns of :func:`combine_frame`: pathogenic Very Strong/Strong/Moderate/Supporting, benign
Stand-alone/Very Strong/Strong/Moderate/Supporting."""

_WEIGHTS = np.array([8, 4, 2, 1, -8, -8, -4, -2, -1], dtype=np.int32)

POINT_BANDS: tuple[tuple[int, int], ...] = ((-7, BENIGN), (-1, LIKELY_BENIGN), (5, UNCERTAIN), (9, LIKELY_PATHOGENIC))
"""(upper bound, class) of the point bands below Pathogenic (>= 10)."""


@dataclass(frozen=True)
class CombinedArrays:
    """Vectorised result: one entry per variant."""

    points: np.ndarray
    """int32 Tavtigian points."""
    classification: np.ndarray
    """int8 class codes (index into CLASSES) by points, BA1 forcing Benign."""
    acmg2015: np.ndarray
    """int8 class codes by the Richards 2015 rules."""
    conflict: np.ndarray
    """bool: the two classes differ."""


def points_to_class(points: np.ndarray | int) -> np.ndarray:
    """Tavtigian 2020 point bands -> int8 class codes (no BA1 override)."""
    pts = np.asarray(points)
    cls = np.full(pts.shape, PATHOGENIC, dtype=np.int8)
    for upper, code in reversed(POINT_BANDS):
        cls[pts <= upper] = code
    return cls


def richards2015(
    pvs: np.ndarray, ps: np.ndarray, pm: np.ndarray, pp: np.ndarray,
    ba: np.ndarray, bs: np.ndarray, bp: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Richards et al. 2015 Table 5 on count arrays (benign strengths already mapped to BA/BS/BP).

    Returns int8 class codes. Every pathogenic Very Strong beyond the first counts as Strong.
    """
    pvs, ps, pm, pp, ba, bs, bp = (np.asarray(a) for a in (pvs, ps, pm, pp, ba, bs, bp))
    vs = pvs >= 1
    s = ps + np.maximum(pvs - 1, 0)
    pathogenic = (
        (vs & ((s >= 1) | (pm >= 2) | ((pm >= 1) & (pp >= 1)) | (pp >= 2)))
        | (s >= 2)
        | ((s >= 1) & ((pm >= 3) | ((pm >= 2) & (pp >= 2)) | ((pm >= 1) & (pp >= 4))))
    )
    likely_pathogenic = (
        (vs & (pm >= 1))
        | ((s >= 1) & (pm >= 1))
        | ((s >= 1) & (pp >= 2))
        | (pm >= 3)
        | ((pm >= 2) & (pp >= 2))
        | ((pm >= 1) & (pp >= 4))
    )
    benign = (ba >= 1) | (bs >= 2)
    likely_benign = ((bs >= 1) & (bp >= 1)) | (bp >= 2)
    shape = np.broadcast(pvs, ps, pm, pp, ba, bs, bp).shape
    out = np.full(shape, UNCERTAIN, dtype=np.int8)
    out[likely_benign] = LIKELY_BENIGN
    out[benign] = BENIGN
    out[likely_pathogenic] = LIKELY_PATHOGENIC
    out[pathogenic] = PATHOGENIC
    out[(pathogenic | likely_pathogenic) & (benign | likely_benign)] = UNCERTAIN
    return out


def combine_counts(
    *,
    pvs: np.ndarray | int = 0, ps: np.ndarray | int = 0, pm: np.ndarray | int = 0, pp: np.ndarray | int = 0,
    ba: np.ndarray | int = 0, bvs: np.ndarray | int = 0, bs: np.ndarray | int = 0,
    bm: np.ndarray | int = 0, bp: np.ndarray | int = 0,
) -> CombinedArrays:  # fmt: skip
    """Combine per-variant counts of codes at each applied strength (arrays broadcast together)."""
    arrays = [np.asarray(a, dtype=np.int32) for a in (pvs, ps, pm, pp, ba, bvs, bs, bm, bp)]
    if any((a < 0).any() for a in arrays):
        from wgs_east.acmg.codes import EvidenceCodeError

        raise EvidenceCodeError("evidence counts cannot be negative")
    pvs_, ps_, pm_, pp_, ba_, bvs_, bs_, bm_, bp_ = np.broadcast_arrays(*arrays)
    points = sum(w * a for w, a in zip(_WEIGHTS.tolist(), (pvs_, ps_, pm_, pp_, ba_, bvs_, bs_, bm_, bp_), strict=True))
    points = np.asarray(points, dtype=np.int32)
    cls = points_to_class(points)
    cls[ba_ >= 1] = BENIGN
    c2015 = richards2015(pvs_, ps_, pm_, pp_, ba_, bs_ + bvs_, bp_ + bm_)
    return CombinedArrays(points=points, classification=cls, acmg2015=c2015, conflict=cls != c2015)


def combine_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Combine a frame of count columns (any of COUNT_COLUMNS; absent ones are 0).

    Returns a frame on the same index with ``points`` (int32), ``classification`` and ``acmg2015``
    (ordered categoricals of CLASSES) and ``conflict`` (bool).
    """
    unknown = [c for c in counts.columns if c not in COUNT_COLUMNS]
    if unknown:
        from wgs_east.acmg.codes import EvidenceCodeError

        raise EvidenceCodeError(f"unknown count columns {unknown}: expected some of {list(COUNT_COLUMNS)}")
    kwargs = {c: counts[c].to_numpy(dtype=np.int32) for c in COUNT_COLUMNS if c in counts.columns}
    res = combine_counts(**kwargs)
    n = len(counts)
    return pd.DataFrame(
        {
            "points": np.broadcast_to(res.points, (n,)).copy(),
            "classification": pd.Categorical.from_codes(np.broadcast_to(res.classification, (n,)), dtype=CLASS_DTYPE),
            "acmg2015": pd.Categorical.from_codes(np.broadcast_to(res.acmg2015, (n,)), dtype=CLASS_DTYPE),
            "conflict": np.broadcast_to(res.conflict, (n,)).copy(),
        },
        index=counts.index,
    )


_BUCKET = {
    (True, VERY_STRONG): "pvs", (True, STRONG): "ps", (True, MODERATE): "pm", (True, SUPPORTING): "pp",
    (False, STAND_ALONE): "ba", (False, VERY_STRONG): "bvs", (False, STRONG): "bs",
    (False, MODERATE): "bm", (False, SUPPORTING): "bp",
}  # fmt: skip


def count_codes(codes: Iterable[Code]) -> dict[str, int]:
    """Counts per COUNT_COLUMNS bucket of parsed codes."""
    counts = dict.fromkeys(COUNT_COLUMNS, 0)
    for code in codes:
        counts[_BUCKET[(code.pathogenic, code.strength)]] += 1
    return counts


@dataclass(frozen=True)
class Combined:
    """The classification of one set of codes."""

    codes: tuple[str, ...]
    """Normalised codes (``PM2_Supporting``, ``PVS1``), pathogenic first, strongest first."""
    points: int
    """Tavtigian 2020 points (benign negative; BA1 counts -8)."""
    classification: str
    """Class by points; BA1 forces Benign."""
    acmg2015: str
    """Class by the Richards 2015 Table 5 rules."""
    conflict: bool
    """True when ``classification`` and ``acmg2015`` disagree."""
    notes: tuple[str, ...] = ()
    """Human-readable remarks (BA1 overriding pathogenic evidence, strength mapping for 2015)."""

    def __str__(self) -> str:
        lines = [
            f"codes:          {' '.join(self.codes) if self.codes else '(none)'}",
            f"points:         {self.points}",
            f"classification: {self.classification}  (Tavtigian et al. 2020 points)",
            f"ACMG 2015:      {self.acmg2015}  (Richards et al. 2015 combining rules)",
            f"conflict:       {'yes' if self.conflict else 'no'}",
        ]
        lines += [f"note:           {n}" for n in self.notes]
        return "\n".join(lines)


def combine(codes: Iterable[str]) -> Combined:
    """Classify one variant from its evidence codes, e.g. ``combine(["PVS1", "PM2_Supporting"])``.

    Raises :class:`~wgs_east.acmg.codes.EvidenceCodeError` (a WgsEastError) for unknown, retired or
    duplicated codes.
    """
    parsed = parse_codes(codes)
    counts = count_codes(parsed)
    res = combine_counts(**counts)
    cls = CLASSES[int(res.classification)]
    c2015 = CLASSES[int(res.acmg2015)]
    notes = []
    pathogenic = [str(c) for c in parsed if c.pathogenic]
    if counts["ba"] and pathogenic:
        notes.append(
            f"BA1 classifies Benign despite pathogenic evidence ({', '.join(pathogenic)}): "
            "check the frequency data (founder or low-penetrance allele?)"
        )
    if counts["bm"] or counts["bvs"]:
        notes.append("2015 rules: benign Moderate counted as Supporting, benign Very Strong as Strong")
    if counts["pvs"] > 1:
        notes.append("2015 rules: pathogenic Very Strong beyond the first counted as Strong")
    return Combined(
        codes=tuple(str(c) for c in parsed),
        points=int(res.points),
        classification=cls,
        acmg2015=c2015,
        conflict=bool(res.conflict),
        notes=tuple(notes),
    )


def cli_combine(codes: list[str], out: TextIO | None = None) -> int:
    """`wgs-east acmg combine CODE...`: print points, class, 2015 class and conflict; exit code 0.

    Bad codes raise EvidenceCodeError, which the CLI turns into a one-line message and exit 2.
    """
    result = combine(codes)
    print(result, file=out or sys.stdout)
    return 0
