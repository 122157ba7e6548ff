"""Apply every site-level criterion to a frame of variants and combine, vectorised.

    from wgs_east.acmg.engine import classify_frame
    out = classify_frame(variants)            # variants: the input contract of acmg/inputs.py

``out`` has the index of ``variants`` and the columns

- one ``int8`` column per site criterion (``PVS1``, ``PS1``, ``PM2``, ``PM4``, ``PM5``, ``PP3``,
  ``BA1``, ``BS1``, ``BS2``, ``BP3``, ``BP4``, ``BP7``): strength code, 0 = not applied
  (1 Supporting, 2 Moderate, 3 Strong, 4 VeryStrong, 5 StandAlone);
- ``acmg_codes`` (categorical string, ``PVS1,PM2_Supporting``), ``acmg_points`` (int32),
  ``acmg_class`` and ``acmg_class_2015`` (ordered categoricals Benign < ... < Pathogenic),
  ``acmg_conflict`` (bool), ``acmg_ba1_exception`` (bool);
- ``acmg_trail`` (string; empty unless the row is reported, see ``trail``).

Combining: each row's strengths are packed into one int64 signature (3 bits per criterion); the
codes string and both classes are computed once per distinct signature (a few hundred in a genome)
and spread back by index. Nothing loops over rows except the trail of reported rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from wgs_east.acmg import criteria
from wgs_east.acmg.ba1_exceptions import load_exceptions, match_exceptions
from wgs_east.acmg.codes import (
    MODERATE,
    STAND_ALONE,
    STRONG,
    SUPPORTING,
    VERY_STRONG,
    Code,
    is_pathogenic,
    sort_key,
)
from wgs_east.acmg.combine import CLASS_DTYPE, LIKELY_PATHOGENIC, combine_counts
from wgs_east.acmg.inputs import Variants, prepare
from wgs_east.acmg.settings import DEFAULT_SETTINGS, AcmgSettings

SITE_CRITERIA: tuple[str, ...] = ("PVS1", "PS1", "PM2", "PM4", "PM5", "PP3", "BA1", "BS1", "BS2", "BP3", "BP4", "BP7")
"""Criteria decided from the variant alone (this module)."""
SAMPLE_CRITERIA: tuple[str, ...] = ("PS2", "PM6", "PM3", "BP2")
"""Criteria that depend on a sample's genotypes (acmg/family.py)."""
ALL_CRITERIA: tuple[str, ...] = SITE_CRITERIA + SAMPLE_CRITERIA

TrailMode = Literal["none", "reported", "all"]


@dataclass(frozen=True, eq=False)
class Classified:
    """Result of :func:`classify`: the output frame and the per-criterion evidence behind it."""

    frame: pd.DataFrame
    evidence: dict[str, criteria.Evidence]
    variants: Variants | None = None
    """The prepared input (gene codes, inheritance flags, per-gene settings) the criteria were evaluated on."""

    def trail(self, rows: Sequence[int] | np.ndarray | None = None) -> pd.Series:
        """Evidence trail strings for positional ``rows`` (or a boolean mask; None = all rows)."""
        return build_trail(self.evidence, self.frame.index, rows)


def build_trail(
    evidence: Mapping[str, criteria.Evidence], index: pd.Index, rows: Sequence[int] | np.ndarray | None = None
) -> pd.Series:
    """``"PVS1: ...; PM2_Supporting: ..."`` per requested row, strongest pathogenic evidence first."""
    if rows is None:
        positions = np.arange(len(index))
    else:
        arr = np.asarray(rows)
        positions = np.flatnonzero(arr) if arr.dtype == bool else arr.astype(np.int64)
    ordered = list(evidence.values())
    texts = []
    for i in positions.tolist():
        applied = [(Code(ev.criterion, int(ev.strength[i])), ev) for ev in ordered if ev.strength[i]]
        applied.sort(key=lambda pair: sort_key(pair[0]))
        texts.append("; ".join(ev.explain(i) for _, ev in applied))
    return pd.Series(texts, index=index[positions], dtype=object)


def evaluate(df: pd.DataFrame, settings: AcmgSettings | None = None) -> tuple[dict[str, criteria.Evidence], Variants, np.ndarray]:
    """Every site-level criterion for every row, after double-counting exclusions.

    Returns (evidence by criterion, the prepared variants, the BA1-exception mask).
    """
    settings = settings or DEFAULT_SETTINGS
    v = prepare(df, settings)
    exceptions = load_exceptions(settings.ba1_exception_list)
    exception = match_exceptions(df, v.gene_codes, v.gene_uniques, exceptions)
    evidence = {
        "PVS1": criteria.pvs1(v),
        "PS1": criteria.ps1(v),
        "PM2": criteria.pm2(v),
        "PM4": criteria.pm4(v),
        "PM5": criteria.pm5(v),
        "PP3": criteria.pp3(v),
        "BA1": criteria.ba1(v, exception),
        "BS1": criteria.bs1(v, exception),
        "BS2": criteria.bs2(v, exception),
        "BP3": criteria.bp3(v),
        "BP4": criteria.bp4(v),
        "BP7": criteria.bp7(v),
    }
    return criteria.exclude_double_counting(evidence, v), v, exception


_BUCKETS = {
    (True, VERY_STRONG): "pvs", (True, STRONG): "ps", (True, MODERATE): "pm", (True, SUPPORTING): "pp",
    (False, STAND_ALONE): "ba", (False, VERY_STRONG): "bvs", (False, STRONG): "bs",
    (False, MODERATE): "bm", (False, SUPPORTING): "bp",
}  # fmt: skip


def combine_strengths(strengths: Mapping[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
    """Combine per-criterion strength arrays (int, 0 = not applied) into codes, points and classes.

    Returns ``acmg_codes, acmg_points, acmg_class, acmg_class_2015, acmg_conflict`` on ``index``.
    """
    n = len(index)
    names = [c for c in ALL_CRITERIA if c in strengths] + sorted(set(strengths) - set(ALL_CRITERIA))
    if len(names) > 21:
        raise ValueError("at most 21 criteria fit a 64-bit signature")
    signature = np.zeros(n, dtype=np.int64)
    for k, name in enumerate(names):
        signature |= np.asarray(strengths[name], dtype=np.int64) << (3 * k)
    inverse, uniques = pd.factorize(signature, sort=False)
    uniques = np.asarray(uniques, dtype=np.int64)
    per = {name: (uniques >> (3 * k)) & 7 for k, name in enumerate(names)}
    counts = {b: np.zeros(len(uniques), dtype=np.int32) for b in _BUCKETS.values()}
    for name, s in per.items():
        path = is_pathogenic(name)
        for strength in range(1, 6):
            bucket = _BUCKETS.get((path, strength))
            if bucket:
                counts[bucket] += s == strength
    res = combine_counts(**counts)
    labels = []
    for u in range(len(uniques)):
        codes = sorted((Code(name, int(s[u])) for name, s in per.items() if s[u]), key=sort_key)
        labels.append(",".join(str(c) for c in codes))
    return pd.DataFrame(
        {
            "acmg_codes": pd.Categorical.from_codes(inverse, categories=pd.Index(labels, dtype=object)),
            "acmg_points": res.points[inverse],
            "acmg_class": pd.Categorical.from_codes(res.classification[inverse], dtype=CLASS_DTYPE),
            "acmg_class_2015": pd.Categorical.from_codes(res.acmg2015[inverse], dtype=CLASS_DTYPE),
            "acmg_conflict": res.conflict[inverse],
        },
        index=index,
    )


def classify(df: pd.DataFrame, settings: AcmgSettings | None = None, *, trail: TrailMode = "reported") -> Classified:
    """Classify every row of ``df`` (see the module docstring for the output columns).

    ``trail``: ``"reported"`` fills ``acmg_trail`` for rows classified Likely pathogenic or
    Pathogenic by either rule set, ``"all"`` for every row (slow: a Python loop), ``"none"`` never.
    """
    evidence, variants, exception = evaluate(df, settings)
    strengths = {name: ev.strength for name, ev in evidence.items()}
    out = pd.DataFrame(strengths, index=df.index)
    combined = combine_strengths(strengths, df.index)
    out = pd.concat([out, combined], axis=1)
    out["acmg_ba1_exception"] = exception
    if trail == "none":
        rows = np.zeros(len(df), dtype=bool)
    elif trail == "all":
        rows = np.ones(len(df), dtype=bool)
    elif trail == "reported":
        rows = (out["acmg_class"].cat.codes.to_numpy() >= LIKELY_PATHOGENIC) | (
            out["acmg_class_2015"].cat.codes.to_numpy() >= LIKELY_PATHOGENIC
        )
    else:
        raise ValueError(f"trail must be 'none', 'reported' or 'all', not {trail!r}")
    texts = np.full(len(df), "", dtype=object)
    if rows.any():
        texts[rows] = build_trail(evidence, df.index, rows).to_numpy()
    out["acmg_trail"] = pd.Series(texts, index=df.index, dtype=object)
    return Classified(frame=out, evidence=evidence, variants=variants)


def classify_frame(df: pd.DataFrame, settings: AcmgSettings | None = None, *, trail: TrailMode = "reported") -> pd.DataFrame:
    """:func:`classify` returning only the output frame."""
    return classify(df, settings, trail=trail).frame
