"""Genotype strings to numbers, vectorised: alternate-allele count, ploidy and missingness.

A VCF genotype (``0/1``, ``1|0``, ``1``, ``./.``, ``0/2``) is parsed once per distinct string (a batch
has a few dozen) and spread back by code, so a million calls cost one factorisation.

``allele`` is the ALT index a row stands for (1 for a biallelic record; 2 for the second ALT of an
unsplit multi-allelic record): ``1/2`` carries one copy of allele 1 and one of allele 2.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

MISSING = -1

_SPLIT = re.compile(r"[/|]")


def parse_one(gt: str, allele: int = 1) -> tuple[int, int, bool]:
    """(copies of ``allele``, ploidy, phased) of one genotype string; copies -1 when any allele is
    missing (``./1`` counts as missing: half a call is not a genotype)."""
    text = (gt or "").strip()
    if not text or text == ".":
        return MISSING, 0, False
    alleles = _SPLIT.split(text)
    phased = "|" in text
    if any(a in (".", "") for a in alleles):
        return MISSING, len(alleles), phased
    try:
        codes = [int(a) for a in alleles]
    except ValueError:
        return MISSING, len(alleles), phased
    return sum(c == allele for c in codes), len(alleles), phased


def parse_genotypes(gt: pd.Series | np.ndarray, allele: np.ndarray | int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(alt copies int8, ploidy int8) per genotype string; -1 copies = missing.

    ``allele`` may be a per-row array (multi-allelic records); the parse is then per distinct
    (string, allele) pair.
    """
    values = np.asarray(gt, dtype=object)
    n = len(values)
    if n == 0:
        return np.zeros(0, np.int8), np.zeros(0, np.int8)
    # one parse per distinct string; a missing value (None, NaN) gets code -1: the table's last row, "."
    if np.ndim(allele) == 0:
        codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=True)
        parsed = [parse_one(str(u), int(allele))[:2] for u in uniques]
    else:
        keys = pd.Series(values, dtype=object).fillna(".").astype(str) + "#" + pd.Series(np.asarray(allele)).astype(str)
        codes, uniques = pd.factorize(keys, sort=False)
        parsed = [parse_one(g, int(a))[:2] for g, a in (u.rsplit("#", 1) for u in uniques)]
    table = np.array([*parsed, parse_one(".")[:2]], dtype=np.int8).reshape(-1, 2)
    rows = table[codes]
    return rows[:, 0].copy(), rows[:, 1].copy()


def zygosity(copies: np.ndarray, ploidy: np.ndarray) -> np.ndarray:
    """``het``, ``hom``, ``hemi`` (one copy on a haploid call), ``ref`` or ``missing`` per call."""
    copies = np.asarray(copies)
    ploidy = np.asarray(ploidy)
    return np.select(
        [copies < 0, copies == 0, (ploidy == 1) & (copies >= 1), copies >= ploidy, copies >= 1],
        ["missing", "ref", "hemi", "hom", "het"],
        "missing",
    ).astype(object)
