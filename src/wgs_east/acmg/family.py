"""Sample-dependent criteria: de novo (PS2/PM6) and phase with another P/LP variant (PM3/BP2).

Genotypes are numpy arrays with one entry per call: alternate-allele counts (0, 1, 2; -1 missing) of
the proband and the parents, and read depths.

- PS2 / PM6 (:func:`de_novo`): proband heterozygous, both parents homozygous reference with depth
  >= ``denovo_min_parent_dp`` (and proband depth >= ``denovo_min_proband_dp`` when given), the
  parents' alt reads (FORMAT/AD) at most ``denovo_max_parent_alt_reads`` and their GQ >= ``gate_min_gq``
  (where the VCF has AD / GQ), only in genes whose modes admit a de novo cause (AD, X-linked, or unknown
  modes: :func:`de_novo_mode_ok`). PS2 when parentage is confirmed (QC relatedness), PM6 otherwise.
  Strength by the ClinGen SVI "Recommendation for de novo criteria (PS2 & PM6)" v1.1 (``denovo_points``):
  points per de novo occurrence from the phenotype's fit to the gene and confirmation
  (:data:`DENOVO_POINTS`, the recommendation's Table 1), summed points -> strength (Table 2:
  Supporting 0.5, Moderate 1, Strong 2, Very Strong 4). One proband is one occurrence here (other
  published occurrences are not counted). The phenotype row comes from the caller
  (:func:`phenotype_row`); without HPO data it is "consistent, not highly specific".
- PM3 / BP2 (:func:`phase_criteria`, the rule itself in :func:`phase_strengths`): phase from the parents
  (:func:`parental_origin`): a variant inherited from one parent is in trans with one from the other
  parent, in cis with another from the same parent. PM3 by the ClinGen SVI "Recommendation for in trans
  criterion (PM3)" v1.0 points (:data:`PM3_ROWS`; Table 1: the other variant P/LP confirmed in trans
  1.0 point, phase unknown 0.5, homozygous occurrence 0.5; Table 2: 0.5 Supporting, 1 Moderate, 2
  Strong, 4 Very Strong), in a gene with a biallelic mechanism for this proband
  (:func:`biallelic_mechanism`: a recessive mode, or X-linked recessive in a female on the X). BP2
  (Richards 2015) for a call that is not itself P/LP, in cis with a P/LP variant in any gene, or in
  trans with one in a gene of dominant modes only; a hemizygous male's X calls are all in cis.
:func:`classify_family` is the two-pass helper: pass 1 = site-level classes plus PS2/PM6 per call;
pass 2 = PM3/BP2 within each (sample, gene) group from the pass-1 classes of the other variants, then
recombine. The partners' pass-1 classes are used once (no iteration: PM3 of A raising B's class
must not feed back into A's PM3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wgs_east.acmg.codes import MODERATE, STRONG, SUPPORTING, VERY_STRONG
from wgs_east.acmg.combine import LIKELY_PATHOGENIC, PATHOGENIC
from wgs_east.acmg.engine import SITE_CRITERIA, combine_strengths
from wgs_east.acmg.inputs import gene_context
from wgs_east.acmg.settings import DEFAULT_SETTINGS, AcmgSettings, GeneParams
from wgs_east.errors import InputError, Problem

UNKNOWN, PATERNAL, MATERNAL = 0, 1, 2
X_CONTIGS = ("chrX", "X")
"""The X contig names :func:`classify_family` recognises (its frame has no PAR coordinates: the streaming
classifier takes the PARs from the reference)."""

NOT_CONSISTENT, HETEROGENEOUS, CONSISTENT, SPECIFIC = 0, 1, 2, 3
"""Phenotype rows of the SVI de novo recommendation v1.1, Table 1."""
PHENOTYPE_ROWS: tuple[str, ...] = (
    "phenotype not consistent with the gene",
    "phenotype consistent with the gene but not highly specific, high genetic heterogeneity",
    "phenotype consistent with the gene but not highly specific",
    "phenotype highly specific for the gene",
)
DENOVO_POINTS = np.array([[0.0, 0.25, 0.5, 1.0], [0.0, 0.5, 1.0, 2.0]])
"""Points per de novo occurrence, [assumed (0) / confirmed (1), phenotype row] (SVI de novo v1.1 Table 1)."""


def svi_points_strength(points: np.ndarray) -> np.ndarray:
    """Summed points -> strength, the scale shared by the SVI de novo v1.1 Table 2 and the SVI PM3 v1.0
    Table 2: 0.5 Supporting, 1 Moderate, 2 Strong, 4 Very Strong; below 0.5 nothing."""
    pts = np.asarray(points, dtype=np.float64)
    return np.select([pts >= 4, pts >= 2, pts >= 1, pts >= 0.5], [VERY_STRONG, STRONG, MODERATE, SUPPORTING],
                     0).astype(np.int8)  # fmt: skip


de_novo_points_strength = svi_points_strength


def strength_points(code: np.ndarray | int) -> np.ndarray:
    """Strength code -> points on the SVI scale (inverse of :func:`svi_points_strength`: Supporting 0.5,
    Moderate 1, Strong 2, Very Strong 4; none 0)."""
    c = np.asarray(code, dtype=np.int64)
    return np.where(c > 0, 0.5 * np.exp2(np.clip(c, 1, VERY_STRONG) - 1), 0.0)


def phenotype_row(similarity: float | None, specific_min: float) -> int:
    """SVI phenotype row of a proband-gene pair from the phenotype similarity (classify/phenotype.py,
    Resnik best-match average over exactly shared HPO terms, in nats): no similarity available (no HPO
    terms for the proband or the gene) -> CONSISTENT (the stated default); 0 (no shared term) ->
    NOT_CONSISTENT; >= ``specific_min`` -> SPECIFIC; otherwise CONSISTENT. HETEROGENEOUS needs a gene's
    genetic heterogeneity, which the bundle does not carry: never assigned automatically."""
    if similarity is None:
        return CONSISTENT
    if similarity <= 0:
        return NOT_CONSISTENT
    return SPECIFIC if similarity >= specific_min else CONSISTENT


def de_novo_mode_ok(known: np.ndarray, autosomal_dominant: np.ndarray, x_linked: np.ndarray) -> np.ndarray:
    """The gene's modes admit a de novo cause: unknown modes, AD, or X-linked (not a recessive-only gene)."""
    return ~np.asarray(known, dtype=bool) | np.asarray(autosomal_dominant, dtype=bool) | np.asarray(x_linked, dtype=bool)

CALL_COLUMNS: tuple[str, ...] = ("sample", "row", "proband_ac", "father_ac", "mother_ac", "father_dp", "mother_dp")
"""Required columns of the calls frame of :func:`classify_family` (optional: ``proband_dp``,
``parentage_confirmed``, ``father_alt``, ``mother_alt`` (alt reads, -1 unknown), ``father_gq``,
``mother_gq`` (NaN unknown), ``phenotype_row`` (SVI de novo row, default CONSISTENT), ``male`` (bool:
the proband's sex; without it neither the X-linked recessive rule of :func:`biallelic_mechanism` nor
hemizygosity is applied))."""


def _i(a: np.ndarray | int | list[int]) -> np.ndarray:
    return np.asarray(a, dtype=np.int64)


def de_novo(
    proband_ac: np.ndarray, father_ac: np.ndarray, mother_ac: np.ndarray,
    father_dp: np.ndarray, mother_dp: np.ndarray, *,
    parentage_confirmed: np.ndarray | bool,
    proband_dp: np.ndarray | None = None,
    min_parent_dp: np.ndarray | int = 10, min_proband_dp: np.ndarray | int = 10,
    ps2_strength: np.ndarray | int = STRONG, pm6_strength: np.ndarray | int = MODERATE,
    father_alt: np.ndarray | None = None, mother_alt: np.ndarray | None = None,
    father_gq: np.ndarray | None = None, mother_gq: np.ndarray | None = None,
    max_parent_alt: np.ndarray | int = 0, min_parent_gq: np.ndarray | float = 20,
    mode_ok: np.ndarray | bool = True, phenotype: np.ndarray | int = CONSISTENT,
    use_points: np.ndarray | bool = False,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(PS2, PM6) int8 strength arrays: heterozygous proband, both parents hom-ref with enough depth, no
    more than ``max_parent_alt`` alt reads and GQ >= ``min_parent_gq`` (alt -1 / GQ NaN: not in the VCF,
    not checked), in a gene whose modes admit a de novo cause (``mode_ok``). Strength: the SVI points of
    one occurrence (``phenotype`` row, confirmed or assumed) where ``use_points``, else ``ps2_strength`` /
    ``pm6_strength``."""
    child = _i(proband_ac)
    ok = (child == 1) & (_i(father_ac) == 0) & (_i(mother_ac) == 0)
    ok &= (_i(father_dp) >= min_parent_dp) & (_i(mother_dp) >= min_parent_dp)
    if proband_dp is not None:
        ok &= _i(proband_dp) >= min_proband_dp
    for alt in (father_alt, mother_alt):
        if alt is not None:
            ok &= _i(alt) <= max_parent_alt  # -1 (no AD) passes
    for gq in (father_gq, mother_gq):
        if gq is not None:
            g = np.asarray(gq, dtype=np.float64)
            ok &= np.isnan(g) | (g >= min_parent_gq)
    ok &= np.broadcast_to(np.asarray(mode_ok, dtype=bool), child.shape)
    confirmed = np.broadcast_to(np.asarray(parentage_confirmed, dtype=bool), child.shape)
    row = np.broadcast_to(np.asarray(phenotype, dtype=np.int64), child.shape)
    by_points = svi_points_strength(DENOVO_POINTS[confirmed.astype(np.int64), row])
    points = np.broadcast_to(np.asarray(use_points, dtype=bool), child.shape)
    ps2 = np.where(ok & confirmed, np.where(points, by_points, ps2_strength), 0).astype(np.int8)
    pm6 = np.where(ok & ~confirmed, np.where(points, by_points, pm6_strength), 0).astype(np.int8)
    return ps2, pm6


def parental_origin(proband_ac: np.ndarray, father_ac: np.ndarray, mother_ac: np.ndarray) -> np.ndarray:
    """Parent of origin of a heterozygous proband's allele: PATERNAL when only the father carries it,
    MATERNAL when only the mother does, else UNKNOWN (both carry it, de novo, missing, not het)."""
    child, father, mother = _i(proband_ac), _i(father_ac), _i(mother_ac)
    het = child == 1
    paternal = het & (father >= 1) & (mother == 0)
    maternal = het & (mother >= 1) & (father == 0)
    return np.select([paternal, maternal], [PATERNAL, MATERNAL], UNKNOWN).astype(np.int8)


NO_PM3, IN_TRANS, PHASE_UNKNOWN, HOMOZYGOUS = 0, 1, 2, 3
PM3_ROWS: tuple[str, ...] = (
    "",
    "other variant P/LP, confirmed in trans",
    "other variant P/LP, phase unknown",
    "homozygous occurrence",
)
"""Rows of the ClinGen SVI PM3 v1.0 Table 1 (points per proband) this rule applies. Confirmed in trans:
the P/LP partner's points (a Pathogenic partner ``pm3_pathogenic``, default Moderate = 1.0; a Likely
pathogenic one ``pm3_likely_pathogenic``, default Supporting = 0.5, one step down as for PS1/PM5
comparators); phase unknown: half of that (one step down: P 0.5, LP 0.25 -> none alone); homozygous
occurrence: :data:`PM3_HOMOZYGOUS_POINTS`. The row "rare VUS in trans / homozygous due to
consanguinity" (0.25) is below Supporting for one proband and not applied. One proband = one row (the
best); points of other probands are not known here."""
PM3_HOMOZYGOUS_POINTS = 0.5
"""SVI PM3 v1.0 Table 1: homozygous occurrence, 0.5 point per proband (at most 1.0 from homozygotes)."""


def biallelic_mechanism(
    recessive: np.ndarray, dominant_only: np.ndarray, x_linked_recessive: np.ndarray, on_x: np.ndarray,
    male: np.ndarray | bool,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(biallelic, dominant_only) per call for the phase rule. An X-linked recessive gene acts through both
    alleles in a female (on the X outside the PARs): PM3 applies as in a recessive gene and BP2 "in trans
    in a dominant gene" does not (Richards 2015 BP2 names a dominant gene/disorder; an XLR gene is not one
    in a female). In a male the X is hemizygous: no call is in trans (:func:`phase_strengths`)."""
    female_xlr = np.asarray(x_linked_recessive, bool) & np.asarray(on_x, bool) & ~np.asarray(male, bool)
    return np.asarray(recessive, bool) | female_xlr, np.asarray(dominant_only, bool) & ~female_xlr


def homozygous_occurrence(
    proband_ac: np.ndarray, father_ac: np.ndarray, mother_ac: np.ndarray, hemizygous: np.ndarray,
    frequent: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Calls that count as a homozygous occurrence for PM3 (SVI PM3 v1.0 Table 1): two alt copies, not
    hemizygous, rare (no BA1/BS1/BS2), and no sequenced parent homozygous reference (a parent without
    the allele means a deletion, uniparental disomy or a de novo event on the other allele, which the
    recommendation excludes; without parents a deletion is not excluded)."""
    father, mother = _i(father_ac), _i(mother_ac)
    return ((_i(proband_ac) == 2) & ~np.asarray(hemizygous, bool) & ~np.asarray(frequent, bool)
            & (father != 0) & (mother != 0))  # fmt: skip


@dataclass(frozen=True, eq=False)
class PhaseRule:
    """Per-call result of :func:`phase_strengths`."""

    pm3: np.ndarray
    bp2: np.ndarray
    pm3_row: np.ndarray
    """Applied row of the SVI PM3 table (:data:`PM3_ROWS` index; 0 none)."""
    pm3_points: np.ndarray
    trans_level: np.ndarray
    """Best P/LP level (2 P, 1 LP, 0 none) confirmed in trans (0 for hemizygous calls)."""
    unknown_level: np.ndarray
    """Best P/LP level of the other calls of the gene whose phase to this call is unknown."""
    cis_count: np.ndarray
    """Other P/LP calls on the same haplotype (every other one for a hemizygous call)."""
    other: np.ndarray
    """The other parental origin of a phased call (0 unphased)."""


def phase_strengths(
    n_path: np.ndarray, n_likely: np.ndarray, origin: np.ndarray, level: np.ndarray, recessive: np.ndarray,
    dominant_only: np.ndarray, *, hemizygous: np.ndarray | bool = False, homozygous: np.ndarray | bool = False,
    pm3_pathogenic: np.ndarray | int = MODERATE, pm3_likely_pathogenic: np.ndarray | int = SUPPORTING,
    bp2_strength: np.ndarray | int = SUPPORTING,
) -> PhaseRule:  # fmt: skip
    """The PM3/BP2 rule, the one home of it (used by :func:`phase_criteria` and by the streaming
    classifier's :meth:`wgs_east.classify.phase.GeneTotals.phase`).

    ``n_path`` / ``n_likely``: (n_calls, 3) counts of the Pathogenic / Likely pathogenic calls of each
    call's (sample, gene) by parental origin (UNKNOWN, PATERNAL, MATERNAL), the call itself included;
    ``origin``: :func:`parental_origin`; ``level``: the call's own level (2 P, 1 LP, 0); ``recessive``:
    biallelic mechanism (:func:`biallelic_mechanism`); ``hemizygous``: a male's X call (one haplotype:
    every other call in cis, none in trans); ``homozygous``: :func:`homozygous_occurrence`.

    PM3 (recessive genes): points of the best SVI PM3 v1.0 Table 1 row (:data:`PM3_ROWS`) -> strength
    (Table 2). BP2 for a call that is not itself P/LP: in cis with P/LP, or in trans with P/LP in a
    dominant-only gene (Richards 2015)."""
    n_path, n_likely = np.asarray(n_path), np.asarray(n_likely)
    n = len(n_path)
    origin, level = _i(origin), np.asarray(level)
    hemi = np.broadcast_to(np.asarray(hemizygous, bool), (n,))
    hom = np.broadcast_to(np.asarray(homozygous, bool), (n,)) & ~hemi
    rows = np.arange(n)
    own = np.zeros((n, 3), np.int64)  # the call itself in its origin's bucket
    own[rows, origin] = 1
    other_p = n_path - own * (level == 2)[:, None]
    other_lp = n_likely - own * (level == 1)[:, None]
    phased = (origin != UNKNOWN) & ~hemi
    other = np.where(phased, 3 - origin, 0)

    def best(p: np.ndarray, lp: np.ndarray) -> np.ndarray:
        return np.select([p > 0, lp > 0], [2, 1], 0).astype(np.int8)

    trans_level = np.where(phased, best(other_p[rows, other], other_lp[rows, other]), 0).astype(np.int8)
    # phase unknown to this call: the unphased calls of the gene; for an unphased call every other call
    amb_p = np.where(phased, other_p[:, UNKNOWN], other_p.sum(axis=1))
    amb_lp = np.where(phased, other_lp[:, UNKNOWN], other_lp.sum(axis=1))
    unknown_level = np.where(hemi | hom, 0, best(amb_p, amb_lp)).astype(np.int8)
    cis_count = np.where(
        hemi, (other_p + other_lp).sum(axis=1), np.where(phased, other_p[rows, origin] + other_lp[rows, origin], 0)
    )
    p_pts, lp_pts = strength_points(pm3_pathogenic), strength_points(pm3_likely_pathogenic)

    def pts(lvl: np.ndarray) -> np.ndarray:
        return np.select([lvl == 2, lvl == 1], [p_pts, lp_pts], 0.0)

    row_pts = np.stack([np.zeros(n), pts(trans_level), pts(unknown_level) / 2, np.where(hom, PM3_HOMOZYGOUS_POINTS, 0.0)])
    recessive = np.broadcast_to(np.asarray(recessive, bool), (n,))
    row = np.where(recessive, np.argmax(row_pts, axis=0), NO_PM3).astype(np.int8)
    points = row_pts[row, rows]
    pm3 = svi_points_strength(points)
    row = np.where(pm3 > 0, row, NO_PM3).astype(np.int8)
    dominant_only = np.broadcast_to(np.asarray(dominant_only, bool), (n,))
    bp2_applies = (level == 0) & ((cis_count > 0) | (dominant_only & (trans_level > 0)))
    bp2 = np.where(bp2_applies, bp2_strength, 0).astype(np.int8)
    return PhaseRule(pm3, bp2, row, np.where(pm3 > 0, points, 0.0), trans_level, unknown_level, cis_count, other)


def level_counts(group: np.ndarray, origin: np.ndarray, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n_path, n_likely): per call, its group's Pathogenic / Likely pathogenic counts by origin (n, 3)."""
    group, origin, level = _i(group), _i(origin), np.asarray(level)
    n_groups = int(group.max()) + 1 if group.size else 0
    n_p = np.zeros((n_groups, 3), dtype=np.int64)
    n_lp = np.zeros((n_groups, 3), dtype=np.int64)
    np.add.at(n_p, (group, origin), (level == 2).astype(np.int64))
    np.add.at(n_lp, (group, origin), (level == 1).astype(np.int64))
    return n_p[group], n_lp[group]


def phase_criteria(
    group: np.ndarray, origin: np.ndarray, own_class: np.ndarray,
    recessive: np.ndarray, dominant_only: np.ndarray, *,
    hemizygous: np.ndarray | bool = False, homozygous: np.ndarray | bool = False,
    pm3_pathogenic: np.ndarray | int = MODERATE, pm3_likely_pathogenic: np.ndarray | int = SUPPORTING,
    bp2_strength: np.ndarray | int = SUPPORTING,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(PM3, BP2) int8 strength arrays.

    ``group``: int code of (sample, gene) per call; ``origin``: :func:`parental_origin`;
    ``own_class``: pass-1 class code (combine.CLASSES index) of each call; ``recessive`` /
    ``dominant_only``: inheritance flags of each call's gene (:func:`biallelic_mechanism`);
    ``hemizygous`` / ``homozygous``: see :func:`phase_strengths`.
    """
    own = np.asarray(own_class)
    level = np.select([own == PATHOGENIC, own == LIKELY_PATHOGENIC], [2, 1], 0).astype(np.int8)
    n_p, n_lp = level_counts(group, origin, level)
    rule = phase_strengths(n_p, n_lp, origin, level, recessive, dominant_only, hemizygous=hemizygous,
                           homozygous=homozygous, pm3_pathogenic=pm3_pathogenic,
                           pm3_likely_pathogenic=pm3_likely_pathogenic, bp2_strength=bp2_strength)  # fmt: skip
    return rule.pm3, rule.bp2


def _check_calls(calls: pd.DataFrame, n_variants: int) -> None:
    problems = [Problem(c, "required column missing") for c in CALL_COLUMNS if c not in calls.columns]
    if not problems:
        rows = pd.to_numeric(calls["row"], errors="coerce")
        bad = rows.isna() | (rows < 0) | (rows >= n_variants)
        if bad.any():
            problems.append(Problem("row", f"{int(bad.sum())} rows are not positions in the variants frame"))
    if problems:
        raise InputError("ACMG calls frame", problems)


def classify_family(
    variants: pd.DataFrame, site: pd.DataFrame, calls: pd.DataFrame, settings: AcmgSettings | None = None
) -> pd.DataFrame:
    """Two-pass classification of calls (one row per proband call of a variant).

    ``variants``: the engine input frame; ``site``: ``classify_frame(variants)``; ``calls``: columns
    CALL_COLUMNS (``row`` = position in ``variants``), optional ``proband_dp`` and
    ``parentage_confirmed`` (bool, default False). Returns ``calls`` with ``PS2, PM6, PM3, BP2`` and
    recombined ``acmg_codes, acmg_points, acmg_class, acmg_class_2015, acmg_conflict``.
    """
    settings = settings or DEFAULT_SETTINGS
    _check_calls(calls, len(variants))
    rows = calls["row"].to_numpy(dtype=np.int64)
    gene_codes_all, gene_uniques, moi = gene_context(variants, settings)
    gene_codes = gene_codes_all[rows]
    params = GeneParams(settings, gene_codes, gene_uniques)

    def col(name: str) -> np.ndarray:
        return pd.to_numeric(calls[name], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)

    confirmed = (
        calls["parentage_confirmed"].fillna(False).astype(bool).to_numpy()
        if "parentage_confirmed" in calls.columns
        else np.zeros(len(calls), dtype=bool)
    )
    def opt(name: str, missing: float) -> np.ndarray | None:
        if name not in calls.columns:
            return None
        return pd.to_numeric(calls[name], errors="coerce").fillna(missing).to_numpy(dtype=np.float64)

    phen = opt("phenotype_row", CONSISTENT)
    ps2, pm6 = de_novo(
        col("proband_ac"), col("father_ac"), col("mother_ac"), col("father_dp"), col("mother_dp"),
        parentage_confirmed=confirmed,
        proband_dp=col("proband_dp") if "proband_dp" in calls.columns else None,
        min_parent_dp=params.get("denovo_min_parent_dp"),
        min_proband_dp=params.get("denovo_min_proband_dp"),
        ps2_strength=params.fixed_strength("PS2", STRONG),
        pm6_strength=params.fixed_strength("PM6", MODERATE),
        father_alt=opt("father_alt", -1), mother_alt=opt("mother_alt", -1),
        father_gq=opt("father_gq", np.nan), mother_gq=opt("mother_gq", np.nan),
        max_parent_alt=params.get("denovo_max_parent_alt_reads"), min_parent_gq=settings.gate_min_gq,
        mode_ok=de_novo_mode_ok(moi.known, moi.autosomal_dominant, moi.x_linked)[rows],
        phenotype=CONSISTENT if phen is None else phen.astype(np.int64),
        use_points=params.get("denovo_points"),
    )  # fmt: skip
    ps2 = np.where(params.enabled("PS2"), ps2, 0).astype(np.int8)
    pm6 = np.where(params.enabled("PM6"), pm6, 0).astype(np.int8)

    strengths = {c: site[c].to_numpy()[rows] for c in SITE_CRITERIA if c in site.columns}
    strengths |= {"PS2": ps2, "PM6": pm6}
    pass1 = combine_strengths(strengths, calls.index)

    group = (
        pd.DataFrame({"sample": calls["sample"].to_numpy(), "gene": gene_codes})
        .groupby(["sample", "gene"], sort=False, dropna=False)
        .ngroup()
        .to_numpy()
    )
    origin = parental_origin(col("proband_ac"), col("father_ac"), col("mother_ac"))
    recessive, dominant_only = moi.recessive[rows], moi.dominant_only[rows]
    hemizygous = np.zeros(len(calls), dtype=bool)
    if "male" in calls.columns:
        male = calls["male"].fillna(False).astype(bool).to_numpy()
        on_x = np.isin(variants["chrom"].astype(str).to_numpy()[rows], X_CONTIGS)
        recessive, dominant_only = biallelic_mechanism(recessive, dominant_only, moi.x_linked_recessive[rows], on_x, male)
        hemizygous = on_x & male
    frequent = np.zeros(len(calls), dtype=bool)
    for c in ("BA1", "BS1", "BS2"):
        if c in site.columns:
            frequent |= site[c].to_numpy()[rows] > 0
    pm3, bp2 = phase_criteria(
        group, origin, pass1["acmg_class"].cat.codes.to_numpy(), recessive, dominant_only,
        hemizygous=hemizygous,
        homozygous=homozygous_occurrence(col("proband_ac"), col("father_ac"), col("mother_ac"), hemizygous, frequent),
        pm3_pathogenic=params.fixed_strength("PM3", MODERATE),
        pm3_likely_pathogenic=params.strength("pm3_likely_pathogenic_partner_strength"),
        bp2_strength=params.fixed_strength("BP2", SUPPORTING),
    )  # fmt: skip
    in_gene = gene_codes >= 0  # calls outside a gene have no phase partners (the missing gene is no group)
    pm3 = np.where(params.enabled("PM3") & in_gene, pm3, 0).astype(np.int8)
    bp2 = np.where(params.enabled("BP2") & in_gene, bp2, 0).astype(np.int8)

    strengths |= {"PM3": pm3, "BP2": bp2}
    final = combine_strengths(strengths, calls.index)
    out = calls.copy()
    for name, values in (("PS2", ps2), ("PM6", pm6), ("PM3", pm3), ("BP2", bp2)):
        out[name] = values
    return pd.concat([out, final], axis=1)
