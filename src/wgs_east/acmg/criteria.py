"""Site-level ACMG/AMP criteria, one small vectorised function each (ClinGen SVI recommendations).

Every function takes prepared :class:`~wgs_east.acmg.inputs.Variants` (arrays + flags + per-row
settings) and returns an :class:`Evidence`: an ``int8`` strength per row (0 = not applied; codes in
:mod:`wgs_east.acmg.codes`) and the values that decided it, from which :meth:`Evidence.explain`
builds a trail such as ``PP3_Moderate: REVEL=0.810 >= 0.773`` for the rows that are reported only.

Rules (each threshold is a field of :class:`~wgs_east.acmg.settings.CriteriaSettings`):

- PVS1: stop_gained, frameshift, splice_donor/acceptor (canonical +/-1,2) or start_lost, only where
  ``lof_mechanism``. Abou Tayoun 2018 automatable branches: ``nmd_escape`` lowers a truncating
  variant to ``pvs1_nmd_escape_strength`` (Strong); start_lost is at most ``pvs1_start_lost_strength``.
- PS1 / PM5: missense only, ClinVar P/LP record with the same amino-acid change (PS1) / another
  missense at the residue (PM5) with at least ``ps1_min_stars`` / ``pm5_min_stars`` review stars.
- PM2 (Supporting, SVI v1.0): absent from the population resource, or covered (AN >= ``pm2_min_an``)
  with overall and popmax AF at or below the inheritance-dependent maximum.
- PM4: in-frame indel or stop_lost outside repeats. BP3: in-frame indel inside a repeat.
- PP3: missense REVEL bands (Pejaver 2022) or SpliceAI >= 0.2 (Walker 2023), the higher strength.
- BP4: missense REVEL bands with no predicted splicing impact; synonymous/intronic/splice-region
  variants with SpliceAI <= 0.1 (a missing score gives no BP4 there).
- BA1: overall or popmax AF > 0.05 in a population with AN >= 2000, except the SVI exception list.
- BS1: the same frequency above the inheritance-dependent threshold. BS2: homozygotes (recessive,
  or dominant genes flagged fully penetrant), hemizygotes + homozygotes (X-linked).
- BP7: synonymous, or intronic at/beyond +7 / -21 (Walker 2023), with SpliceAI <= 0.1. A missing
  SpliceAI score gives no BP7 (no evidence of no splicing impact).
- PP5 and BP6 are retired and never applied; ClinVar assertions are annotation.

:func:`exclude_double_counting` then removes PP3 where PVS1 applies, PM5 where PS1 applies (unless
``pm5_with_ps1``), BS1 where BA1 applies, and BP4 where BP7 applies if not ``bp7_with_bp4``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from wgs_east.acmg.codes import (
    MODERATE,
    STAND_ALONE,
    STRENGTH_NAMES,
    STRONG,
    SUPPORTING,
    VERY_STRONG,
    format_code,
)
from wgs_east.acmg.inputs import Variants, intron_depth


@dataclass(frozen=True, eq=False)
class Evidence:
    """One criterion over all rows: strength per row and the values that decided it."""

    criterion: str
    strength: np.ndarray
    """int8 strength code per row, 0 = not applied."""
    templates: tuple[str, ...] = ("",)
    """Format strings over ``values``; ``reason`` picks one per row."""
    reason: np.ndarray | int = 0
    values: Mapping[str, Any] = field(default_factory=dict)
    """Arrays/Series aligned with the rows, or scalars."""
    not_met: tuple[str, ...] = ("",)
    """Templates over ``values`` for a row where the criterion was evaluated and not met."""
    not_met_reason: np.ndarray | int = 0
    missing: np.ndarray | None = None
    """Rows where the criterion could not be evaluated (an input is missing)."""
    missing_text: str = ""
    """Template over ``values``: what was missing."""
    disabled: np.ndarray | bool = False
    """Rows where the settings disable the criterion (a VCEP marks it not applicable)."""
    dropped: np.ndarray | None = None
    """Rows where the criterion was met but removed as double counting (:func:`exclude_double_counting`)."""
    dropped_text: str = ""

    def status(self, row: int) -> tuple[str, str]:
        """``("met" | "not met" | "not evaluable", text)`` for one row (positional): the values that
        decided it, or what was missing."""
        if int(self.strength[row]):
            return "met", self.explain(row).split(": ", 1)[-1]
        vals = {k: _at(v, row) for k, v in self.values.items()}
        if self.dropped is not None and self.dropped[row]:
            return "not met", self.dropped_text
        if bool(_at(self.disabled, row)):
            return "not met", "disabled by the ACMG settings for this gene"
        if self.missing is not None and self.missing[row]:
            return "not evaluable", self.missing_text.format(**vals)
        r = self.not_met_reason if isinstance(self.not_met_reason, int) else int(self.not_met_reason[row])
        return "not met", self.not_met[r].format(**vals)

    def applied(self) -> np.ndarray:
        return self.strength > 0

    def code(self, row: int) -> str:
        """``PP3_Moderate`` for a row, ``""`` when not applied."""
        s = int(self.strength[row])
        return format_code(self.criterion, s) if s else ""

    def explain(self, row: int) -> str:
        """``"PP3_Moderate: REVEL=0.810 >= 0.773"`` for one row (positional), ``""`` when not applied."""
        s = int(self.strength[row])
        if not s:
            return ""
        r = self.reason if isinstance(self.reason, int) else int(self.reason[row])
        vals = {k: _at(v, row) for k, v in self.values.items()}
        return f"{format_code(self.criterion, s)}: {self.templates[r].format(**vals)}"


def _at(value: Any, row: int) -> Any:
    """``value`` at ``row`` when it is per row (array, Series, lazy text), as a plain Python scalar."""
    if isinstance(value, _LazyText):
        return value[row]
    if isinstance(value, pd.Series):
        value = value.iloc[row]
    elif isinstance(value, np.ndarray) and value.ndim:
        value = value[row]
    if isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _disabled(v: Variants, criterion: str) -> Any:
    return ~np.asarray(v.params.enabled(criterion), dtype=bool)


def _strength(mask: np.ndarray, strength: Any) -> np.ndarray:
    return np.where(mask, strength, 0).astype(np.int8)


def _enabled(v: Variants, criterion: str) -> Any:
    return v.params.enabled(criterion)


def _name(strength: Any) -> Any:
    """Strength code(s) -> name(s), for trails."""
    return np.asarray(STRENGTH_NAMES, dtype=object)[strength]


# --- PVS1 ----------------------------------------------------------------------------------------


def pvs1(v: Variants) -> Evidence:
    """PVS1 by the decision tree of Abou Tayoun et al. 2018 (Fig. 1), the branches the annotation allows:

    - nonsense / frameshift: NMD predicted -> Very Strong; NMD escape -> Strong when it removes more than
      ``pvs1_removed_fraction`` (10 %) of the protein, Moderate otherwise (no fraction: ``pvs1_nmd_escape_strength``);
    - canonical +/-1,2 splice (exon skipping of the adjacent exon, ``skip_exon_len``): frameshifting and NMD
      predicted -> Very Strong; frameshifting with NMD escape, or in frame -> Strong above 10 % of the protein
      removed, Moderate at or below (no exon length: Very Strong, or ``pvs1_nmd_escape_strength`` with NMD escape);
    - initiation codon: at most ``pvs1_start_lost_strength`` (Supporting).

    Not automated: the "critical region" and "exon relevant to the transcript / LoF variants in the exon"
    boxes (no domain or exon-expression data; a VCEP override per gene sets them)."""
    c, p = v.csq, v.params
    top = p.fixed_strength("PVS1", VERY_STRONG)
    nmd_cap = p.strength("pvs1_nmd_escape_strength")
    start_cap = p.strength("pvs1_start_lost_strength")
    limit = p.get("pvs1_removed_fraction")
    nonsense = (c.stop_gained | c.frameshift)
    splice = (c.splice_donor | c.splice_acceptor) & ~nonsense
    known_frac = ~np.isnan(v.prot_removed)
    with np.errstate(invalid="ignore"):
        by_frac = np.where(v.prot_removed > limit, STRONG, MODERATE)
    escape = nonsense & v.nmd_escape
    known_skip = splice & (v.skip_exon_len >= 0)
    inframe = known_skip & (v.skip_exon_len % 3 == 0)
    skip_escape = known_skip & ~inframe & v.nmd_escape
    start_only = c.start_lost & ~c.truncating
    s = np.broadcast_to(np.asarray(top, dtype=np.int8), (v.n,))
    s = np.where(escape, np.minimum(s, np.where(known_frac, by_frac, nmd_cap)), s)
    s = np.where(inframe | skip_escape, np.minimum(s, np.where(known_frac, by_frac, nmd_cap)), s)
    s = np.where(splice & ~known_skip & v.nmd_escape, np.minimum(s, nmd_cap), s)
    s = np.where(start_only, np.minimum(s, start_cap), s)
    applies = c.null & v.lof_mechanism & _enabled(v, "PVS1")
    ptc = (pd.to_numeric(v.column("ptc_aa"), errors="coerce").fillna(0).to_numpy() if "ptc_aa" in v.frame.columns
           else np.zeros(v.n))  # fmt: skip
    reason = np.select(
        [start_only, inframe, skip_escape, known_skip, escape & known_frac, escape, splice & v.nmd_escape,
         nonsense & (ptc > 0)],
        [3, 4, 5, 6, 7, 2, 2, 8], 1).astype(np.int8)  # fmt: skip
    col = {name: (v.column(name) if name in v.frame.columns else "?") for name in ("exon", "ptc_aa")}
    return Evidence(
        "PVS1",
        _strength(applies, s),
        templates=(
            "",
            "{consequence} in a gene where loss of function is a disease mechanism",
            "{consequence} predicted to escape NMD: at most {nmd_cap} (Abou Tayoun 2018; no fraction of the protein "
            "removed known)",
            "initiation codon variant ({consequence}): at most {start_cap} (Abou Tayoun 2018 Fig. 1: no pathogenic "
            "variants upstream of the closest in-frame start known)",
            "{consequence}: skipping the adjacent exon ({skip} coding nt) keeps the reading frame and removes "
            "{removed:.1%} of the protein (> / <= {limit:.0%}: Strong / Moderate; Abou Tayoun 2018 Fig. 1)",
            "{consequence}: skipping the adjacent exon ({skip} coding nt) shifts the frame but escapes NMD, "
            "{removed:.1%} of the protein (> / <= {limit:.0%}: Strong / Moderate; Abou Tayoun 2018 Fig. 1)",
            "{consequence}: skipping the adjacent exon ({skip} coding nt) shifts the reading frame, NMD predicted "
            "(Abou Tayoun 2018 Fig. 1)",
            "{consequence} in exon {exon}, {ptc_text}, predicted to escape NMD: removes "
            "{removed:.1%} of the protein (> / <= {limit:.0%}: Strong / Moderate; Abou Tayoun 2018 Fig. 1)",
            "{consequence} in exon {exon}, new stop at codon {ptc_aa}, NMD predicted (Abou Tayoun 2018 Fig. 1)",
        ),
        reason=reason,
        values={"consequence": v.column("consequence"), "nmd_cap": _name(nmd_cap), "start_cap": _name(start_cap),
                "exon": col["exon"], "ptc_aa": col["ptc_aa"], "removed": v.prot_removed, "limit": limit,
                "ptc_text": _LazyText(np.zeros(v.n, dtype=bool), "", lambda i: f"new stop at codon {int(ptc[i])}"
                                      if ptc[i] > 0 else "no new stop (the frameshift reads through the mRNA end)"),
                "skip": v.skip_exon_len},
        not_met=(
            "{consequence}: not a null variant (nonsense, frameshift, canonical +/-1,2 splice, initiation codon)",
            "{consequence} in a gene where loss of function is not a known disease mechanism (no GENE_LOF)",
        ),
        not_met_reason=c.null.astype(np.int8),
        disabled=_disabled(v, "PVS1"),
    )


# --- PS1 / PM5 -----------------------------------------------------------------------------------


def _comparator(v: Variants, criterion: str, stars: np.ndarray, p_stars: np.ndarray, min_stars: Any,
                top: int, what: str, records: str) -> Evidence:  # fmt: skip
    """PS1 / PM5 from ClinVar comparators: a Pathogenic one with >= ``min_stars`` gives ``top``, a Likely
    pathogenic one only one step less (``plp_comparator_step_down``); not where SpliceAI predicts a
    splicing impact (> ``ps1_pm5_max_spliceai``)."""
    p = v.params
    full = p.fixed_strength(criterion, top)
    step = np.asarray(p.get("plp_comparator_step_down"), dtype=bool)
    by_p = p_stars >= min_stars
    by_any = stars >= min_stars
    lowered = np.maximum(np.asarray(full) - 1, SUPPORTING)
    s = np.where(by_p | ~step, full, lowered)
    with np.errstate(invalid="ignore"):
        splicing = v.spliceai > p.get("ps1_pm5_max_spliceai")
    eligible = v.csq.missense_only & ~splicing
    applies = eligible & by_any & _enabled(v, criterion)
    recs = _LazyText(np.zeros(v.n, dtype=bool), "", _records_text(v, records))
    return Evidence(
        criterion,
        _strength(applies, s),
        templates=(f"{what} as a ClinVar Pathogenic record ({{stars}} stars >= {{min_stars}}){{records}}",
                   f"{what} as a ClinVar Likely pathogenic record only, one step down ({{stars}} stars >= "
                   "{min_stars}){records}"),
        reason=np.where(by_p | ~step, 0, 1).astype(np.int8),
        values={"stars": stars, "min_stars": min_stars, "consequence": v.column("consequence"), "records": recs,
                "spliceai": v.spliceai, "max_splice": p.get("ps1_pm5_max_spliceai")},
        not_met=("{consequence}: not a missense variant",
                 f"no ClinVar P/LP record ({what}) with >= {{min_stars}} stars (best record: {{stars}} stars; -1 = "
                 "none)",
                 "SpliceAI={spliceai:.2f} > {max_splice:g}: predicted splicing impact, the comparator's protein change "
                 "does not carry over (Walker 2023)"),
        not_met_reason=np.select([v.csq.missense_only & splicing, v.csq.missense_only], [2, 1], 0).astype(np.int8),
        disabled=_disabled(v, criterion),
    )  # fmt: skip


def _records_text(v: Variants, column: str) -> Any:
    """Row -> ``"; ClinVar hgvs_p|variation id|stars|chrom:pos:ref:alt|P"`` (the comparators), or ``""``."""
    values = v.column(column).to_numpy(dtype=object) if column in v.frame.columns else None  # positional

    def text(row: int) -> str:
        if values is None:
            return ""
        value = values[row]
        return f"; ClinVar {value}" if isinstance(value, str) and value else ""

    return text


def ps1(v: Variants) -> Evidence:
    """PS1: missense with the same amino-acid change as a ClinVar P/LP record of enough stars (LP only:
    one step down; not with predicted splicing impact)."""
    return _comparator(v, "PS1", v.same_aa_stars, v.same_aa_p_stars, v.params.get("ps1_min_stars"), STRONG,
                       "same amino-acid change", "clinvar_same_aa")  # fmt: skip


def pm5(v: Variants) -> Evidence:
    """PM5: missense at a residue where another missense is ClinVar P/LP with enough stars (LP only: one step
    down; not with predicted splicing impact)."""
    return _comparator(v, "PM5", v.same_residue_stars, v.same_residue_p_stars, v.params.get("pm5_min_stars"),
                       MODERATE, "different missense at this residue", "clinvar_same_residue")  # fmt: skip


# --- population frequency ------------------------------------------------------------------------


def _nan0(a: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(a), 0.0, a)


def frequency(v: Variants, min_an: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Highest AF among the overall and popmax populations with AN >= min_an.

    Returns (af, an, source) with source 0 = none qualifies, 1 = overall, 2 = popmax.
    """
    overall = np.where(v.pop_an >= min_an, _nan0(v.pop_af), -1.0)
    popmax = np.where(v.popmax_an >= min_an, _nan0(v.popmax_af), -1.0)
    use_popmax = popmax > overall
    af = np.maximum(np.maximum(overall, popmax), 0.0)
    source = np.where(use_popmax, 2, np.where(overall >= 0, 1, 0)).astype(np.int8)
    an = np.where(use_popmax, v.popmax_an, v.pop_an)
    return af, an, source


def _popmax_label(v: Variants) -> Any:
    if "popmax_pop" in v.frame.columns:
        return v.column("popmax_pop")
    return "popmax"


def _filtered(v: Variants) -> np.ndarray:
    """Rows whose population record is present but not PASS, where the settings make that no evidence."""
    return v.pop_filtered & np.asarray(v.params.get("frequency_require_pass"), dtype=bool)


_FILTERED_TEXT = ("present in the population resource but filtered there (FILTER={pop_filter}): not evidence of "
                  "frequency or of absence")  # fmt: skip


def _frequency_status(
    v: Variants, source: np.ndarray, exception: np.ndarray, criterion: str, blocked: Any = None,
    faf: np.ndarray | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The not-met / not-evaluable part of BA1 and BS1: absent from the resource (not met), present but
    filtered there or no population with enough allele number (not evaluable), on the BA1 exception
    list, or below the threshold (by the filtering AF where ``faf`` marks it)."""
    absent = (v.pop_an < 0) & np.isnan(v.pop_af) & np.isnan(v.popmax_af) & ~v.pop_filtered
    filtered = _filtered(v)
    exc = exception if blocked is None else np.asarray(blocked, dtype=bool) & exception
    by_faf = np.zeros(v.n, dtype=bool) if faf is None else faf
    reason = np.select([absent, exc, by_faf], [1, 2, 3], 0).astype(np.int8)
    return {
        "not_met": ("highest AF={af:.4g} <= {threshold:g} (AN={an})", "absent from the population resource",
                    "on the ClinGen SVI BA1 exception list (Ghosh 2018)",
                    "filtering AF (FAF95)={af:.4g} <= {threshold:g} ({moi} threshold)"),
        "not_met_reason": reason,
        "missing": ~absent & ~exc & (filtered | ((source == 0) & ~by_faf)),
        "missing_text": "{missing_why}",
        "disabled": _disabled(v, criterion),
    }  # fmt: skip


def _filter_label(v: Variants) -> Any:
    return v.column("pop_filter") if "pop_filter" in v.frame.columns else ""


class _LazyText:
    """Row -> "not evaluable" text of a population criterion, built only for the rows a trail shows
    (:func:`_at` indexes it): the filtered record's FILTER, or ``other(row)``."""

    def __init__(self, filtered: np.ndarray, labels: Any, other: Any) -> None:
        self.filtered, self.other = filtered, other
        self.labels = labels.to_numpy(dtype=object) if isinstance(labels, pd.Series) else labels  # positional

    def __getitem__(self, row: int) -> str:
        if self.filtered[row]:
            label = self.labels[row] if isinstance(self.labels, np.ndarray) else self.labels
            return _FILTERED_TEXT.format(pop_filter=label)
        return str(self.other(row))


def _min_an_text(min_an: Any) -> Any:
    def text(row: int) -> str:
        value = min_an[row] if isinstance(min_an, np.ndarray) else min_an
        return f"in the population resource, but no population with AN >= {value}"

    return text


def ba1(v: Variants, exception: np.ndarray) -> Evidence:
    """BA1: AF > ``ba1_af`` in the overall or popmax population with AN >= ``frequency_min_an``,
    unless the allele is on the BA1 exception list or its population record is filtered."""
    p = v.params
    af, an, source = frequency(v, p.get("frequency_min_an"))
    threshold = p.get("ba1_af")
    filtered = _filtered(v)
    applies = (af > threshold) & ~exception & ~filtered & _enabled(v, "BA1")
    min_an = p.get("frequency_min_an")
    return Evidence(
        "BA1",
        _strength(applies, STAND_ALONE),
        templates=("", "overall AF={af:.4g} > {threshold:g} (AN={an})", "{pop} AF={af:.4g} > {threshold:g} (AN={an})"),
        reason=source,
        values={"af": af, "an": an, "threshold": threshold, "pop": _popmax_label(v), "min_an": min_an, "moi": "",
                "missing_why": _LazyText(filtered, _filter_label(v), _min_an_text(min_an))},
        **_frequency_status(v, source, exception, "BA1"),
    )  # fmt: skip


def bs1(v: Variants, exception: np.ndarray) -> Evidence:
    """BS1: the filtering AF (FAF95, ``bs1_use_faf``), or where the resource has none the BA1
    frequency, above the inheritance-dependent threshold (recessive threshold for recessive, mixed or
    unknown inheritance; dominant threshold when no mode is recessive); per-gene thresholds from the
    settings' gene overrides. Not evaluable where the population record is filtered."""
    p = v.params
    af, an, source = frequency(v, p.get("frequency_min_an"))
    by_faf = ~np.isnan(v.pop_faf) & np.asarray(p.get("bs1_use_faf"), dtype=bool)
    af = np.where(by_faf, _nan0(v.pop_faf), af)
    dominant = v.moi.dominant_only
    threshold = np.where(dominant, p.get("bs1_af_dominant"), p.get("bs1_af_recessive"))
    blocked = exception & p.get("ba1_exception_blocks_bs1_bs2")
    filtered = _filtered(v)
    applies = (af > threshold) & ~blocked & ~filtered & _enabled(v, "BS1")
    moi = np.where(dominant, "dominant", "recessive")
    min_an = p.get("frequency_min_an")
    return Evidence(
        "BS1",
        _strength(applies, p.fixed_strength("BS1", STRONG)),
        templates=(
            "",
            "overall AF={af:.4g} > {threshold:g} ({moi} threshold, AN={an})",
            "{pop} AF={af:.4g} > {threshold:g} ({moi} threshold, AN={an})",
            "filtering AF (FAF95)={af:.4g} > {threshold:g} ({moi} threshold)",
        ),
        reason=np.where(by_faf, 3, source).astype(np.int8),
        values={
            "af": af, "an": an, "threshold": threshold, "pop": _popmax_label(v), "moi": moi, "min_an": min_an,
            "missing_why": _LazyText(filtered, _filter_label(v), _min_an_text(min_an)),
        },
        **_frequency_status(v, source, exception, "BS1", blocked, by_faf),
    )  # fmt: skip


def bs2(v: Variants, exception: np.ndarray) -> Evidence:
    """BS2: homozygotes in recessive genes (or dominant genes flagged fully penetrant), hemizygotes
    plus homozygotes in X-linked genes, at least the configured counts.

    Hemizygote coding (gnomAD v4): gnomAD makes XY genotypes haploid on non-PAR chrX/chrY (gnomad_methods
    ``adjusted_sex_ploidy_expr``) and its VCF has no hemizygote field; the resource build writes
    ``nhemi`` = ``AC_XY`` (each XY carrier is hemizygous) and ``nhomalt`` = ``nhomalt_XX`` there
    (resources/README.md, ``prepare_gnomad_part``), so ``pop_nhemi + pop_nhom`` counts XY hemizygotes
    plus XX homozygotes once each. Not evaluable where the population record is filtered."""
    p = v.params
    nhom = np.maximum(v.pop_nhom, 0)
    nhemi = np.maximum(v.pop_nhemi, 0)
    min_hom = p.get("bs2_min_homozygotes")
    min_hemi = p.get("bs2_min_hemizygotes")
    hom_gene = v.moi.recessive | (v.moi.autosomal_dominant & p.get("bs2_dominant_fully_penetrant"))
    by_hom = hom_gene & (nhom >= min_hom)
    by_hemi = v.moi.x_linked & (nhemi + nhom >= min_hemi)
    blocked = exception & p.get("ba1_exception_blocks_bs1_bs2")
    filtered = _filtered(v)
    applies = (by_hom | by_hemi) & ~blocked & ~filtered & _enabled(v, "BS2")
    counts_missing = (hom_gene & (v.pop_nhom < 0)) | (v.moi.x_linked & (v.pop_nhemi < 0) & (v.pop_nhom < 0))
    return Evidence(
        "BS2",
        _strength(applies, p.fixed_strength("BS2", STRONG)),
        templates=("", "{nhom} homozygotes >= {min_hom} in the population",
                   "{nhemi} hemizygotes (XY) + {nhom} homozygotes (XX) >= {min_hemi} (X-linked)"),
        reason=np.where(by_hom, 1, 2).astype(np.int8),
        values={"nhom": nhom, "nhemi": nhemi, "min_hom": min_hom, "min_hemi": min_hemi, "moi": v.column("gene_moi"),
                "bs2_missing": _LazyText(filtered, _filter_label(v),
                                          lambda _: "homozygote / hemizygote counts not in the population resource")},
        not_met=(
            "gene modes '{moi}': homozygotes count in recessive (or fully penetrant dominant) genes, hemizygotes in "
            "X-linked ones",
            "{nhom} homozygotes < {min_hom}",
            "{nhemi} hemizygotes (XY) + {nhom} homozygotes (XX) < {min_hemi} (X-linked)",
            "on the ClinGen SVI BA1 exception list (Ghosh 2018)",
        ),
        not_met_reason=np.select([blocked, v.moi.x_linked, hom_gene], [3, 2, 1], 0).astype(np.int8),
        missing=(counts_missing & ~blocked) | (filtered & ~blocked & (hom_gene | v.moi.x_linked)),
        missing_text="{bs2_missing}",
        disabled=_disabled(v, "BS2"),
    )


def pm2(v: Variants) -> Evidence:
    """PM2 (Supporting): absent from the resource, or covered (AN >= ``pm2_min_an``) and at most the
    maximum AF (recessive maximum only when every mode of the gene is recessive). A record that is present
    but filtered (FILTER not PASS) is no evidence of absence or rarity: not evaluable."""
    p = v.params
    min_an = p.get("pm2_min_an")
    in_resource = (v.pop_an >= 0) | ~np.isnan(v.pop_af) | v.pop_filtered
    popmax_seen = ~np.isnan(v.popmax_af) & (v.popmax_af > 0)
    absent = ~in_resource & ~popmax_seen
    covered = v.pop_an >= min_an
    af = np.maximum(_nan0(v.pop_af), np.where(v.popmax_an >= min_an, _nan0(v.popmax_af), 0.0))
    recessive = v.moi.recessive_only
    maximum = np.where(recessive, p.get("pm2_max_af_recessive"), p.get("pm2_max_af_dominant"))
    filtered = _filtered(v)
    rare = covered & (af <= maximum) & ~filtered
    applies = (absent | rare) & _enabled(v, "PM2")
    return Evidence(
        "PM2",
        _strength(applies, p.fixed_strength("PM2", MODERATE)),
        templates=("", "absent from the population resource", "AF={af:.3g} <= {maximum:g} ({moi} maximum, AN={an})"),
        reason=np.where(absent, 1, 2).astype(np.int8),
        values={"af": af, "maximum": maximum, "an": v.pop_an, "moi": np.where(recessive, "recessive", "dominant"),
                "min_an": min_an, "pop_filter": _filter_label(v)},
        not_met=("AF={af:.3g} > {maximum:g} ({moi} maximum, AN={an})",
                 "in the resource with AN={an} < {min_an}: the site is not covered well enough"),
        not_met_reason=(~absent & ~covered).astype(np.int8),
        missing=filtered & ~absent,
        missing_text=_FILTERED_TEXT,
        disabled=_disabled(v, "PM2"),
    )  # fmt: skip


# --- variant type ----------------------------------------------------------------------------------


def pm4(v: Variants) -> Evidence:
    """PM4: in-frame deletion/insertion or stop-loss outside a repeat region."""
    c = v.csq
    applies = (c.inframe | c.stop_lost) & ~c.null & ~v.in_repeat & _enabled(v, "PM4")
    return Evidence(
        "PM4",
        _strength(applies, v.params.fixed_strength("PM4", MODERATE)),
        templates=("protein length change ({consequence}) outside a repeat region",),
        values={"consequence": v.column("consequence")},
        not_met=("{consequence}: no in-frame indel or stop-loss outside a repeat region",),
        disabled=_disabled(v, "PM4"),
    )


def bp3(v: Variants) -> Evidence:
    """BP3: in-frame deletion/insertion inside a repeat region without known function."""
    c = v.csq
    applies = c.inframe & ~c.null & ~c.stop_lost & v.in_repeat & _enabled(v, "BP3")
    return Evidence(
        "BP3",
        _strength(applies, v.params.fixed_strength("BP3", SUPPORTING)),
        templates=("in-frame change ({consequence}) in a repeat region",),
        values={"consequence": v.column("consequence")},
        not_met=("{consequence}: no in-frame indel in a repeat region",),
        disabled=_disabled(v, "BP3"),
    )


# --- computational -----------------------------------------------------------------------------------


def _bands_up(score: np.ndarray, supporting: Any, moderate: Any, strong: Any) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.select([score >= strong, score >= moderate, score >= supporting], [STRONG, MODERATE, SUPPORTING], 0)


def pp3(v: Variants) -> Evidence:
    """PP3: REVEL bands for missense (Pejaver 2022) or SpliceAI >= ``pp3_spliceai`` (Supporting), the
    higher of the two (never summed)."""
    p = v.params
    sup, mod, strong = p.get("pp3_revel_supporting"), p.get("pp3_revel_moderate"), p.get("pp3_revel_strong")
    by_revel = np.where(v.csq.missense_only, _bands_up(v.revel, sup, mod, strong), 0)
    splice_t = p.get("pp3_spliceai")
    with np.errstate(invalid="ignore"):
        by_splice = np.where(v.spliceai >= splice_t, SUPPORTING, 0)
    s = np.minimum(np.maximum(by_revel, by_splice), p.strength("pp3_max_strength"))
    revel_threshold = np.select([by_revel == STRONG, by_revel == MODERATE], [strong, mod], sup)
    return Evidence(
        "PP3",
        _strength((s > 0) & _enabled(v, "PP3"), s),
        templates=("", "REVEL={revel:.3f} >= {revel_t:.3f}", "SpliceAI={spliceai:.2f} >= {splice_t:g}"),
        reason=np.where(by_revel >= by_splice, 1, 2).astype(np.int8),
        values={"revel": v.revel, "revel_t": revel_threshold, "spliceai": v.spliceai, "splice_t": splice_t, "sup": sup},
        not_met=("SpliceAI={spliceai:.2f} < {splice_t:g}", "REVEL={revel:.3f} < {sup:.3f}, SpliceAI={spliceai:.2f} < {splice_t:g}"),
        not_met_reason=v.csq.missense_only.astype(np.int8),
        missing=np.isnan(v.spliceai) & (~v.csq.missense_only | np.isnan(v.revel)),
        missing_text="no SpliceAI score" + " (and no REVEL score for a missense variant)",
        disabled=_disabled(v, "PP3"),
    )


def bp4(v: Variants) -> Evidence:
    """BP4: missense REVEL bands (Pejaver 2022 Table 2) capped at ``bp4_max_strength`` (Strong: the
    paper's recommendations), only with no predicted splicing impact (SpliceAI <= ``bp4_spliceai``,
    Walker 2023; no score: not evaluable unless ``bp4_allow_missing_spliceai``), or SpliceAI <=
    ``bp4_spliceai`` for synonymous/intronic/splice-region variants."""
    p = v.params
    sup, mod = p.get("bp4_revel_supporting"), p.get("bp4_revel_moderate")
    strong, vstrong = p.get("bp4_revel_strong"), p.get("bp4_revel_very_strong")
    splice_t = p.get("bp4_spliceai")
    with np.errstate(invalid="ignore"):
        no_splice = v.spliceai <= splice_t
        bands = np.select(
            [v.revel <= vstrong, v.revel <= strong, v.revel <= mod, v.revel <= sup],
            [VERY_STRONG, STRONG, MODERATE, SUPPORTING],
            0,
        )
    missing_ok = np.isnan(v.spliceai) & p.get("bp4_allow_missing_spliceai")
    cap = p.strength("bp4_max_strength")
    by_revel = np.minimum(np.where(v.csq.missense_only & (no_splice | missing_ok), bands, 0), cap)
    by_splice = np.where(v.csq.splice_only & no_splice, SUPPORTING, 0)
    s = np.maximum(by_revel, by_splice)
    revel_threshold = np.select(
        [by_revel == VERY_STRONG, by_revel == STRONG, by_revel == MODERATE], [vstrong, strong, mod], sup
    )
    return Evidence(
        "BP4",
        _strength((s > 0) & _enabled(v, "BP4"), s),
        templates=("", "REVEL={revel:.3f} <= {revel_t:.3f}, SpliceAI={spliceai:.2f} <= {splice_t:g} (at most {cap}, "
                       "Pejaver 2022)", "SpliceAI={spliceai:.2f} <= {splice_t:g}"),
        reason=np.where(by_revel > 0, 1, 2).astype(np.int8),
        values={"revel": v.revel, "revel_t": revel_threshold, "spliceai": v.spliceai, "splice_t": splice_t, "sup": sup,
                "consequence": v.column("consequence"), "cap": _name(cap)},
        not_met=("{consequence}: BP4 applies to missense (REVEL) and synonymous/intronic/splice-region variants "
                 "(SpliceAI)",
                 "REVEL={revel:.3f} > {sup:.3f} or SpliceAI={spliceai:.2f} > {splice_t:g}",
                 "SpliceAI={spliceai:.2f} > {splice_t:g}"),
        not_met_reason=np.select([v.csq.missense_only, v.csq.splice_only], [1, 2], 0).astype(np.int8),
        missing=(v.csq.missense_only & (np.isnan(v.revel) | (np.isnan(v.spliceai) & ~missing_ok)))
        | (v.csq.splice_only & np.isnan(v.spliceai)),
        missing_text="REVEL={revel:.3f}, SpliceAI={spliceai:.2f}: a score BP4 needs is missing (missense BP4 needs "
                     "SpliceAI <= {splice_t:g}: no predicted splicing impact, Walker 2023)",
        disabled=_disabled(v, "BP4"),
    )  # fmt: skip


def bp7(v: Variants) -> Evidence:
    """BP7: synonymous, or intronic at/beyond +``bp7_min_donor_offset`` / -``bp7_min_acceptor_offset``,
    with SpliceAI <= ``bp4_spliceai`` (missing score: not applied)."""
    c, p = v.csq, v.params
    splice_t = p.get("bp4_spliceai")
    with np.errstate(invalid="ignore"):
        no_splice = v.spliceai <= splice_t
    enabled = no_splice & _enabled(v, "BP7")
    synonymous = c.synonymous & ~c.protein_altering & enabled
    intronic = c.intron & ~c.protein_altering & ~c.synonymous & enabled
    rows = np.flatnonzero(intronic)
    deep = np.zeros(v.n, dtype=bool)
    if rows.size:
        donor, acceptor = p.get("bp7_min_donor_offset"), p.get("bp7_min_acceptor_offset")
        donor = donor[rows] if isinstance(donor, np.ndarray) else donor
        acceptor = acceptor[rows] if isinstance(acceptor, np.ndarray) else acceptor
        deep[rows] = intron_depth(v.column("hgvs_c").iloc[rows], donor, acceptor)
    applies = synonymous | deep
    return Evidence(
        "BP7",
        _strength(applies, p.fixed_strength("BP7", SUPPORTING)),
        templates=("", "synonymous, SpliceAI={spliceai:.2f} <= {splice_t:g}", "deep intronic {hgvs_c}, SpliceAI={spliceai:.2f} <= {splice_t:g}"),
        reason=np.where(synonymous, 1, 2).astype(np.int8),
        values={"spliceai": v.spliceai, "splice_t": splice_t, "hgvs_c": v.column("hgvs_c"),
                "donor": p.get("bp7_min_donor_offset"), "acceptor": p.get("bp7_min_acceptor_offset")},
        not_met=("not synonymous and not intronic", "SpliceAI={spliceai:.2f} > {splice_t:g}",
                 "intronic {hgvs_c} within +{donor}/-{acceptor} of an exon"),
        not_met_reason=np.select(
            [(c.synonymous | c.intron) & (v.spliceai > splice_t), c.intron & ~c.synonymous], [1, 2], 0
        ).astype(np.int8),
        missing=(c.synonymous | c.intron) & ~c.protein_altering & np.isnan(v.spliceai),
        missing_text="no SpliceAI score (BP7 needs no predicted splicing impact)",
        disabled=_disabled(v, "BP7"),
    )


# --- double counting -----------------------------------------------------------------------------------


def _drop(ev: Evidence, where: np.ndarray, because: str) -> Evidence:
    dropped = where & (ev.strength > 0)
    return replace(ev, strength=np.where(where, 0, ev.strength).astype(np.int8), dropped=dropped,
                   dropped_text=f"met but not counted: {because} (double counting)")  # fmt: skip


def exclude_double_counting(evidence: Mapping[str, Evidence], v: Variants) -> dict[str, Evidence]:
    """Remove evidence counted twice: PP3 with PVS1, PM5 with PS1 (unless ``pm5_with_ps1``), BS1 with
    BA1, BP4 with BP7 (unless ``bp7_with_bp4``)."""
    out = dict(evidence)

    def has(code: str) -> np.ndarray:
        return out[code].applied() if code in out else np.zeros(v.n, dtype=bool)

    if "PP3" in out:
        out["PP3"] = _drop(out["PP3"], has("PVS1"), "PVS1 applies")
    if "PM5" in out:
        out["PM5"] = _drop(out["PM5"], has("PS1") & ~np.asarray(v.params.get("pm5_with_ps1"), dtype=bool), "PS1 applies")
    if "BS1" in out:
        out["BS1"] = _drop(out["BS1"], has("BA1"), "BA1 applies")
    if "BP4" in out:
        out["BP4"] = _drop(out["BP4"], has("BP7") & ~np.asarray(v.params.get("bp7_with_bp4"), dtype=bool), "BP7 applies")
    return out
