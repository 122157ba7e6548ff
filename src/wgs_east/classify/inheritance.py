"""Inheritance patterns of a proband's variants, matched against the gene's modes of inheritance.

Every function is vectorised over the calls of one proband (numpy arrays aligned with the calls).

A call **qualifies** for an inheritance pattern when it lies in a gene, passed the caller's filters
(FILTER PASS), is not frequent (no BA1, BS1 or BS2) and its sample-level class before phase evidence
is at least Uncertain significance. Patterns (a call may have several):

- ``de_novo``: proband carries it, both parents are homozygous reference with enough depth
  (the PS2/PM6 rule: ``denovo_min_parent_dp``, ``denovo_min_proband_dp``). Fits AD; XLD on X;
  XLR on X in a male.
- ``homozygous``: two copies on a diploid call (not a male's X). Fits AR (the settings'
  ``recessive_modes``); XLR on X in a female.
- ``compound_heterozygous``: heterozygous, and another qualifying heterozygous call in the same gene
  is on the other parental haplotype (phase from the parents' genotypes). When the phase cannot be
  decided (a parent missing, a de novo partner, both parents carriers) and the two are not known to
  be in cis: ``compound_heterozygous_unphased``. Fits like ``homozygous``. Decided from gene totals
  over the whole VCF (see :mod:`wgs_east.classify.phase`).
- ``x_linked_hemizygous``: a male carries it on the X outside the pseudo-autosomal regions. Fits XLR,
  XLD, XL.
- ``dominant_inherited``: heterozygous and carried by a parent who is affected. Fits AD; XLD on X.

``moi_match`` is ``yes`` when a pattern fits a mode of the gene, ``unknown`` when the gene's modes are
not known, ``no`` otherwise; a call is a **candidate** when it has a pattern and ``moi_match`` is not
``no``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wgs_east.acmg.settings import AcmgSettings

PATTERNS: tuple[str, ...] = (
    "de_novo",
    "homozygous",
    "compound_heterozygous",
    "compound_heterozygous_unphased",
    "x_linked_hemizygous",
    "dominant_inherited",
)
"""Pattern names in the order they are listed in outputs."""


@dataclass(frozen=True, eq=False)
class Modes:
    """Per-call flags of the gene's modes of inheritance."""

    known: np.ndarray
    recessive: np.ndarray
    """A recessive mode (``recessive_modes``, default AR)."""
    ad: np.ndarray
    xlr: np.ndarray
    """XLR or XL."""
    xld: np.ndarray
    """XLD or XL."""


def _modes(text: str) -> set[str]:
    modes = {m.strip().upper() for m in re.split(r"[|,;&/]", text or "") if m.strip()}
    modes.discard("NAN")
    return modes


def _flags(modes: set[str], rec_modes: set[str]) -> list[bool]:
    return [bool(modes), bool(modes & rec_modes), "AD" in modes, bool(modes & {"XLR", "XL"}), bool(modes & {"XLD", "XL"})]


def mode_flags(gene: pd.Series, gene_moi: pd.Series, settings: AcmgSettings) -> Modes:
    """Flags per call from ``gene_moi``, computed per distinct value; a gene's ``moi`` in the settings
    replaces the annotation's."""
    rec_modes = set(settings.recessive_modes)
    moi = gene_moi.astype(object).where(gene_moi.notna(), "")
    codes, uniques = pd.factorize(moi, sort=False)
    table = np.array([_flags(_modes(str(u)), rec_modes) for u in uniques], dtype=bool).reshape(-1, 5)
    arr = table[codes] if len(table) else np.zeros((len(gene), 5), bool)
    if settings.genes:
        genes = gene.astype(object).to_numpy()
        for g in settings.genes:
            override = settings.gene_moi(g)
            if override is not None:
                arr[genes == g] = _flags(_modes(override), rec_modes)
    return Modes(*(arr[:, i] for i in range(5)))


def qualifying(in_gene: np.ndarray, passed: np.ndarray, frequent: np.ndarray, class_code: np.ndarray) -> np.ndarray:
    """Calls that may take part in an inheritance pattern (see the module docstring)."""
    from wgs_east.acmg.combine import UNCERTAIN

    return np.asarray(in_gene) & np.asarray(passed) & ~np.asarray(frequent) & (np.asarray(class_code) >= UNCERTAIN)


def single_call_patterns(
    *, qual: np.ndarray, copies: np.ndarray, ploidy: np.ndarray, on_x: np.ndarray, male: bool,
    de_novo: np.ndarray, father_copies: np.ndarray, mother_copies: np.ndarray,
    father_affected: bool, mother_affected: bool,
) -> dict[str, np.ndarray]:  # fmt: skip
    """The patterns decided by one call alone (every pattern but compound heterozygosity)."""
    copies, ploidy, on_x = np.asarray(copies), np.asarray(ploidy), np.asarray(on_x, dtype=bool)
    hemizygous_x = on_x & male
    carried_by_affected_parent = ((np.asarray(father_copies) >= 1) & father_affected) | (
        (np.asarray(mother_copies) >= 1) & mother_affected
    )
    het = (copies == 1) & (ploidy == 2)
    return {
        "de_novo": qual & np.asarray(de_novo, dtype=bool),
        "homozygous": qual & (copies == 2) & (ploidy == 2) & ~hemizygous_x,
        "x_linked_hemizygous": qual & hemizygous_x & (copies >= 1),
        "dominant_inherited": qual & het & ~hemizygous_x & carried_by_affected_parent,
    }


def pattern_fits(pattern: str, modes: Modes, on_x: np.ndarray, male: bool) -> np.ndarray:
    """Whether ``pattern`` fits the gene's modes, per call."""
    on_x = np.asarray(on_x, dtype=bool)
    auto = ~on_x
    if pattern == "de_novo":
        return (auto & modes.ad) | (on_x & (modes.xld | (male & modes.xlr)))
    if pattern in ("homozygous", "compound_heterozygous", "compound_heterozygous_unphased"):
        return (auto & modes.recessive) | (on_x & (not male) & (modes.xlr | modes.recessive))
    if pattern == "x_linked_hemizygous":
        return modes.xlr | modes.xld
    if pattern == "dominant_inherited":
        return (auto & modes.ad) | (on_x & modes.xld)
    raise ValueError(f"unknown pattern {pattern!r}")


def summarise(
    patterns: dict[str, np.ndarray], modes: Modes, on_x: np.ndarray, male: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inheritance label, moi_match, candidate) per call.

    ``inheritance`` lists the call's patterns that fit the gene's modes, or all its patterns when none
    fits (``de_novo,x_linked_hemizygous``; ``""`` none);
    ``moi_match`` is ``yes`` / ``unknown`` / ``no`` / ``""`` (no pattern); ``candidate`` is a bool.
    """
    n = len(modes.known)
    bits = np.zeros(n, dtype=np.int64)
    fit_bits = np.zeros(n, dtype=np.int64)
    for k, name in enumerate(PATTERNS):
        mask = np.asarray(patterns.get(name, np.zeros(n, bool)), dtype=bool)
        bits |= mask.astype(np.int64) << k
        fit_bits |= (mask & pattern_fits(name, modes, on_x, male)).astype(np.int64) << k
    any_pattern = bits != 0
    fits = fit_bits != 0
    bits = np.where(fits, fit_bits, bits)  # list the fitting patterns; all of them when none fits
    codes, uniques = pd.factorize(bits, sort=False)
    labels = np.array(
        [",".join(p for k, p in enumerate(PATTERNS) if int(u) >> k & 1) for u in uniques], dtype=object
    )
    inheritance = labels[codes] if n else np.zeros(0, dtype=object)
    match = np.select(
        [~any_pattern, fits, ~modes.known], ["", "yes", "unknown"], "no"
    ).astype(object)
    candidate = any_pattern & (fits | ~modes.known)
    return inheritance, match, candidate
