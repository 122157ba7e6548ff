"""Genotype quality gates: may a call carry sample-level evidence and be listed as P/LP?

A call passes when every gate that can be evaluated passes (thresholds: the ``gate_*`` fields of
:class:`~wgs_east.acmg.settings.AcmgSettings`):

======== ============================================================================ =====================
gate     fails when                                                                   default source
======== ============================================================================ =====================
FILTER   FILTER is not PASS / '.' (``gate_filter_pass``)                              caller's own filters
FT       FORMAT/FT present and not PASS / '.'                                        caller's own filters
GQ       FORMAT/GQ < ``gate_min_gq`` (20), or GQ missing on the call                  gnomAD "adj"
DP       FORMAT/DP < ``gate_min_dp`` (10; haploid calls ``gate_min_dp_hemizygous``, 5) gnomAD "adj"
DP_HIGH  DP > m + ``gate_max_dp_sd`` x sqrt(m), m = the sample's median depth (QC)    Li 2014 (d + 4 sqrt d)
AB       alt / sum(FORMAT/AD): het outside [0.2, 0.8]; hom-alt or hemizygous < 0.8    gnomAD "adj" (0.2),
                                                                                      slivar (0.8)
======== ============================================================================ =====================

A gate whose input the VCF does not have (no GQ / AD / FT in the header, no QC median depth) is
*not evaluable*: it does not fail the call, and the outputs say which gates were not evaluable.
A call with AD summing to 0 has no allele balance (not evaluable for that call; the DP gate decides).

Failing calls keep their site evidence but get no sample-level evidence (PS2/PM6/PM3/BP2), are no
phase partner and no pattern candidate, and are listed in the "low-confidence" section with the failed
gates, never in the main list.

gnomAD "adj": gnomad_methods ``get_adj_expr`` (GQ >= 20, DP >= 10, DP >= 5 for haploid calls,
het AB >= 0.2), the genotype filter behind every gnomAD v2-v4 frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wgs_east.acmg.settings import AcmgSettings

GATES: tuple[str, ...] = ("FILTER", "FT", "GQ", "DP", "DP_HIGH", "AB")
"""Gate names; bit ``1 << i`` of a gate mask is ``GATES[i]``."""
BIT = {name: np.uint8(1 << i) for i, name in enumerate(GATES)}


def parse_ad(ad: np.ndarray | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(alt reads, total reads) per FORMAT/AD string (``"12,3"``; split records: REF,ALT), -1 where
    missing. Parsed once per distinct string (a genome has a few thousand)."""
    if ad is None:
        return np.full(n, -1, np.int64), np.full(n, -1, np.int64)
    codes, uniques = pd.factorize(np.asarray(ad, dtype=object), sort=False, use_na_sentinel=True)
    table = np.full((len(uniques) + 1, 2), -1, np.int64)  # last row: missing (code -1)
    for i, text in enumerate(uniques):
        parts = str(text).split(",")
        try:
            counts = [int(x) for x in parts]
        except ValueError:
            continue
        if len(counts) >= 2:
            table[i] = (counts[-1], sum(counts))
    rows = table[codes]
    return rows[:, 0].copy(), rows[:, 1].copy()


@dataclass(frozen=True, eq=False)
class GateResult:
    """Per call: the failed gates (bit mask over :data:`GATES`) and the values they were decided on."""

    failed: np.ndarray
    """uint8 bit mask, 0 = every evaluable gate passed."""
    gq: np.ndarray
    """GQ (NaN missing or not in the VCF)."""
    ab: np.ndarray
    """Allele balance (NaN not evaluable)."""
    not_evaluable: tuple[str, ...]
    """Gates the inputs do not allow for any call (``GQ: no FORMAT/GQ in the VCF``)."""

    @property
    def passed(self) -> np.ndarray:
        return self.failed == 0


def evaluate(
    settings: AcmgSettings, *, filters: np.ndarray, copies: np.ndarray, ploidy: np.ndarray, dp: np.ndarray | None,
    gq: np.ndarray | None, ad: np.ndarray | None, ft: np.ndarray | None, median_dp: float | None,
) -> GateResult:  # fmt: skip
    """The gates of calls carried by a sample (``copies >= 1``), vectorised.

    ``filters``: FILTER strings; ``dp``: FORMAT/DP (-1 missing; None: no DP in the VCF); ``gq``: FORMAT/GQ as floats (NaN missing;
    None: no GQ in the VCF); ``ad``: FORMAT/AD strings (None: no AD); ``ft``: FORMAT/FT strings (None: no
    FT); ``median_dp``: the sample's median depth from QC (None: unknown).
    """
    s = settings
    n = len(copies)
    failed = np.zeros(n, np.uint8)
    missing: list[str] = []
    if s.gate_filter_pass:
        ok = np.isin(np.asarray(filters, dtype=object), ["PASS", "."])
        failed |= np.where(ok, 0, BIT["FILTER"]).astype(np.uint8)
        if ft is None:
            missing.append("FT: no FORMAT/FT in the VCF")
        else:
            ft_ok = np.isin(np.asarray(ft, dtype=object), ["PASS", ".", ""])
            failed |= np.where(ft_ok, 0, BIT["FT"]).astype(np.uint8)
    if gq is None:
        gq_values = np.full(n, np.nan)
        missing.append("GQ: no FORMAT/GQ in the VCF")
    else:
        gq_values = np.asarray(gq, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            bad = np.isnan(gq_values) | (gq_values < s.gate_min_gq)
        failed |= np.where(bad, BIT["GQ"], 0).astype(np.uint8)
    if dp is None:
        missing.append("DP: no FORMAT/DP in the VCF")
        dp = np.full(n, -1, np.int64)
    else:
        dp = np.asarray(dp, dtype=np.int64)
        haploid = np.asarray(ploidy) == 1
        min_dp = np.where(haploid, s.gate_min_dp_hemizygous, s.gate_min_dp)
        failed |= np.where(dp < min_dp, BIT["DP"], 0).astype(np.uint8)  # DP missing on the call (-1) fails
    if s.gate_max_dp_sd > 0 and "DP: no FORMAT/DP in the VCF" not in missing:
        if median_dp is None or not np.isfinite(median_dp) or median_dp <= 0:
            missing.append("DP_HIGH: no median depth of the sample (QC coverage result)")
        else:
            ceiling = median_dp + s.gate_max_dp_sd * np.sqrt(median_dp)
            failed |= np.where(dp > ceiling, BIT["DP_HIGH"], 0).astype(np.uint8)
    if ad is None:
        ab = np.full(n, np.nan)
        missing.append("AB: no FORMAT/AD in the VCF")
    else:
        alt, total = parse_ad(ad, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            ab = np.where(total > 0, alt / np.maximum(total, 1), np.nan)
        copies = np.asarray(copies)
        het = (copies >= 1) & (copies < np.asarray(ploidy))
        full = (copies >= 1) & ~het  # hom-alt or hemizygous
        with np.errstate(invalid="ignore"):
            bad = (het & ((ab < s.gate_het_ab_min) | (ab > s.gate_het_ab_max))) | (full & (ab < s.gate_hom_ab_min))
        failed |= np.where(bad, BIT["AB"], 0).astype(np.uint8)
    return GateResult(failed, gq_values, ab, tuple(missing))


def describe(failed: int, *, filt: str, ft: str, gq: float, dp: int, ab: float, ploidy: int, copies: int,
             settings: AcmgSettings, median_dp: float | None) -> str:  # fmt: skip
    """``GQ 12 < 20; AB 0.08 outside 0.2-0.8 (het)`` for one call ('' when every gate passed)."""
    s = settings
    out = []
    if failed & BIT["FILTER"]:
        out.append(f"FILTER {filt}")
    if failed & BIT["FT"]:
        out.append(f"FT {ft}")
    if failed & BIT["GQ"]:
        out.append(f"GQ {'missing' if gq != gq else int(gq)} < {s.gate_min_gq}")
    if failed & BIT["DP"]:
        floor = s.gate_min_dp_hemizygous if ploidy == 1 else s.gate_min_dp
        out.append(f"DP {'missing' if dp < 0 else dp} < {floor}")
    if failed & BIT["DP_HIGH"] and median_dp:
        out.append(f"DP {dp} > {median_dp:g} + {s.gate_max_dp_sd:g} x sqrt({median_dp:g}) (median depth)")
    if failed & BIT["AB"]:
        if 1 <= copies < ploidy:
            out.append(f"AB {ab:.2f} outside {s.gate_het_ab_min:g}-{s.gate_het_ab_max:g} (het)")
        else:
            out.append(f"AB {ab:.2f} < {s.gate_hom_ab_min:g} ({'hemizygous' if ploidy == 1 else 'hom-alt'})")
    return "; ".join(out)


def names(failed: int) -> str:
    """``GQ,AB`` for a mask."""
    return ",".join(g for g in GATES if failed & BIT[g])
