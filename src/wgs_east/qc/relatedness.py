"""Relatedness: KING-robust kinship of every pair of samples, the kinship the pedigree implies, and the
mismatches between the two.

Estimator: KING-robust (Manichaikul et al. 2010, Bioinformatics 26:2867, eq. 11; the form of plink2
`--make-king`), over autosomal biallelic PASS SNVs genotyped in both samples:

    phi = (N_het,het - 2 N_opposite_hom) / (2 N_het,min) + 1/2 - (N_het,i + N_het,j) / (4 N_het,min)

It needs no allele frequencies (so no population panel, and sites that no sample of the batch carries do
not matter), and is robust to population structure. Expected: 0.5 duplicate / monozygotic twin, 0.25 first
degree (parent-child, full siblings), 0.125 second, 0.0625 third, 0 unrelated. Degrees use KING's cut-offs
2^-1.5, 2^-2.5, 2^-3.5, 2^-4.5 (0.354, 0.177, 0.0884, 0.0442).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wgs_east.config.models import Batch

DUPLICATE, FIRST, SECOND, THIRD, UNRELATED = 0, 1, 2, 3, 4
DEGREE_NAMES = {
    DUPLICATE: "duplicate", FIRST: "first-degree", SECOND: "second-degree", THIRD: "third-degree",
    UNRELATED: "unrelated",
}  # fmt: skip
KING_CUTOFFS = (2**-1.5, 2**-2.5, 2**-3.5, 2**-4.5)  # 0.354, 0.177, 0.0884, 0.0442


def degree(kinship: float) -> int:
    """KING degree of a kinship coefficient (DUPLICATE ... UNRELATED)."""
    for d, cut in enumerate(KING_CUTOFFS):
        if kinship > cut:
            return d
    return UNRELATED


class KingCounts:
    """Pairwise counts for KING-robust, accumulated over chunks of genotypes (sites x samples, coded
    0 hom-ref, 1 het, 2 hom-alt, -1 missing)."""

    def __init__(self, n_samples: int) -> None:
        shape = (n_samples, n_samples)
        self.het_het = np.zeros(shape)
        self.opposite_hom = np.zeros(shape)
        self.het_where_both = np.zeros(shape)  # [i, j]: hets of i at sites where j is genotyped too
        self.both_called = np.zeros(shape)

    def add(self, gt: np.ndarray) -> None:
        het = (gt == 1).astype(np.float64)
        ref = (gt == 0).astype(np.float64)
        alt = (gt == 2).astype(np.float64)
        called = (gt >= 0).astype(np.float64)
        self.het_het += het.T @ het
        opp = ref.T @ alt
        self.opposite_hom += opp + opp.T
        self.het_where_both += het.T @ called
        self.both_called += called.T @ called

    def kinship(self) -> np.ndarray:
        """The KING-robust kinship matrix (NaN where a pair has no heterozygous site)."""
        het_i, het_j = self.het_where_both, self.het_where_both.T
        het_min = np.minimum(het_i, het_j)
        with np.errstate(divide="ignore", invalid="ignore"):
            phi = (self.het_het - 2 * self.opposite_hom) / (2 * het_min) + 0.5 - (het_i + het_j) / (4 * het_min)
        return np.where(het_min > 0, phi, np.nan)


def pair_table(samples: Sequence[str], counts: KingCounts) -> list[dict[str, Any]]:
    """One record per unordered pair: kinship, IBS0 fraction, informative sites."""
    phi = counts.kinship()
    rows = []
    for i, j in itertools.combinations(range(len(samples)), 2):
        both = counts.both_called[i, j]
        rows.append(
            {
                "sample_a": samples[i],
                "sample_b": samples[j],
                "kinship": float(phi[i, j]),
                "het_het": int(counts.het_het[i, j]),
                "opposite_hom": int(counts.opposite_hom[i, j]),
                "het_a": int(counts.het_where_both[i, j]),
                "het_b": int(counts.het_where_both[j, i]),
                "sites_both_genotyped": int(both),
                "ibs0": float(counts.opposite_hom[i, j] / both) if both else math.nan,
            }
        )
    return rows


# --- the pedigree's expectation ---------------------------------------------------------------------
def expected_kinship(batch: Batch) -> dict[tuple[str, str], float]:
    """Kinship coefficient implied by the pedigree for every ordered pair (founders unrelated and not
    inbred; samples of different families unrelated). Classic recursion: phi(i, j) = (phi(f, j) +
    phi(m, j)) / 2 for i not an ancestor of j, phi(i, i) = (1 + phi(f, m)) / 2."""
    by_id = {s.id: s for s in batch.samples}
    order: list[str] = []
    seen: set[str] = set()

    def visit(sid: str) -> None:  # parents before children (the config check refuses cycles)
        if sid in seen:
            return
        seen.add(sid)
        s = by_id[sid]
        for p in (s.father, s.mother):
            if p in by_id:
                visit(p)
        order.append(sid)

    for sid in by_id:
        visit(sid)
    phi: dict[tuple[str, str], float] = {}

    def get(a: str | None, b: str | None) -> float:
        if a is None or b is None or a not in by_id or b not in by_id:
            return 0.0
        return phi[(a, b)]

    for k, i in enumerate(order):
        s = by_id[i]
        phi[(i, i)] = 0.5 * (1 + get(s.father, s.mother))
        for j in order[:k]:  # j precedes i, so i is not an ancestor of j
            value = 0.5 * (get(s.father, j) + get(s.mother, j))
            phi[(i, j)] = phi[(j, i)] = value
    return phi


def expected_relationship(batch: Batch, a: str, b: str, kinship: float) -> str:
    sa, sb = batch.sample(a), batch.sample(b)
    if a in (sb.father, sb.mother) or b in (sa.father, sa.mother):
        return "parent-child"
    if sa.father and sa.mother and (sa.father, sa.mother) == (sb.father, sb.mother):
        return "full siblings"
    if {sa.father, sa.mother} & {sb.father, sb.mother} - {None}:
        return "half siblings"
    return DEGREE_NAMES[degree(kinship)] if kinship > 0 else "unrelated"


@dataclass(frozen=True)
class PairFinding:
    level: str  # PASS, WARN, FAIL
    message: str


def compare_pair(
    expected: float, expected_label: str, observed: float, informative: int, min_sites: int
) -> PairFinding:
    """Compare the observed kinship of a pair with the pedigree's expectation.

    FAIL: a declared first- or second-degree relationship observed as unrelated (sample swap or pedigree
    error), or two distinct samples genetically identical (duplicate or swap). WARN: an undeclared
    first- or second-degree relationship, a degree off by one or more, or too few informative sites.
    Third degree versus unrelated is not flagged (KING cannot tell them apart reliably)."""
    exp_deg, exp_name = degree(expected), expected_label
    if informative < min_sites or math.isnan(observed):
        return PairFinding("WARN", f"relatedness not assessable ({informative} informative sites < {min_sites})")
    obs_deg = degree(observed)
    obs = f"kinship {observed:.3f} ({DEGREE_NAMES[obs_deg]})"
    exp = f"declared {exp_name} (expected kinship {expected:.3f})"
    if obs_deg == exp_deg or {obs_deg, exp_deg} == {THIRD, UNRELATED}:
        return PairFinding("PASS", f"{exp}, observed {obs}")
    if obs_deg == DUPLICATE:
        return PairFinding("FAIL", f"{exp} but genetically identical, {obs}: duplicate or swapped sample")
    if exp_deg <= SECOND and obs_deg >= THIRD:
        return PairFinding("FAIL", f"{exp} but observed {obs}: sample swap or pedigree error")
    if exp_deg >= THIRD:
        return PairFinding("WARN", f"undeclared relatives: {obs} but declared {exp_name}")
    return PairFinding("WARN", f"{exp} but observed {obs}")


def assess_pairs(batch: Batch, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the pedigree expectation and the finding to each pair record (pairs of samples not in the
    batch are dropped; a sample of the batch absent from the VCF has no pairs)."""
    ids = set(batch.sample_ids)
    phi = expected_kinship(batch)
    min_sites = batch.qc.relatedness.min_sites
    out = []
    for p in pairs:
        a, b = p["sample_a"], p["sample_b"]
        if a not in ids or b not in ids:
            continue
        exp = phi[(a, b)]
        label = expected_relationship(batch, a, b, exp)
        kin = math.nan if p["kinship"] is None else float(p["kinship"])
        finding = compare_pair(exp, label, kin, p["het_a"] + p["het_b"], min_sites)
        observed = "not assessable" if math.isnan(kin) else DEGREE_NAMES[degree(kin)]
        out.append(
            {
                **p,
                "expected_relationship": label,
                "expected_kinship": exp,
                "observed_degree": observed,
                "status": finding.level,
                "message": finding.message,
            }
        )
    return out
