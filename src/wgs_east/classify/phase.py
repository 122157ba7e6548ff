"""Phase evidence over the whole VCF, streamed: gene totals per proband, then PM3/BP2 and compound
heterozygosity per call.

:func:`wgs_east.acmg.family.phase_criteria` needs every call of a gene in one array. A VCF is read in
chunks and a gene may straddle two, so the first pass adds each chunk's calls to :class:`GeneTotals`
(per gene and parental origin: the best P/LP level, the P/LP count, the qualifying heterozygous calls)
and the second pass decides each call from those totals (:meth:`GeneTotals.phase`). The PM3/BP2 rule
itself lives in one place, :func:`wgs_east.acmg.family.phase_strengths`, which ``phase_criteria`` uses
too (ClinGen SVI PM3 v1.0 points: P/LP partner confirmed in trans, phase unknown, homozygous occurrence;
BP2 in cis with P/LP, or in trans with one in a dominant-only gene; a male's X calls all in cis).
Levels are the pass-1 classes (site evidence + PS2/PM6), used once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wgs_east.acmg.combine import LIKELY_PATHOGENIC, PATHOGENIC
from wgs_east.acmg.family import MATERNAL, PATERNAL, PHASE_UNKNOWN, UNKNOWN, phase_strengths

MAX_PARTNERS = 5
"""Partner variants listed per call in outputs (the count is always given)."""

ORIGIN_NAMES = {UNKNOWN: "unknown", PATERNAL: "paternal", MATERNAL: "maternal"}


def plp_level(class_code: np.ndarray) -> np.ndarray:
    """2 Pathogenic, 1 Likely pathogenic, 0 otherwise."""
    c = np.asarray(class_code)
    return np.select([c == PATHOGENIC, c == LIKELY_PATHOGENIC], [2, 1], 0).astype(np.int8)


@dataclass(frozen=True, eq=False)
class Phase:
    """Per-call result of :meth:`GeneTotals.phase`."""

    pm3: np.ndarray
    bp2: np.ndarray
    pm3_row: np.ndarray
    """Applied row of the SVI PM3 table (acmg/family.PM3_ROWS index; 0 none)."""
    pm3_points: np.ndarray
    trans_level: np.ndarray
    """Best P/LP level on the other parental haplotype (0 none)."""
    trans_partner: np.ndarray
    """Label of that P/LP partner ('' none); for PM3 with phase unknown, the P/LP call of unknown phase."""
    cis_partner: np.ndarray
    """Label of a P/LP call on the same haplotype ('' none)."""
    comphet: np.ndarray
    """Qualifying heterozygous call with a qualifying partner on the other haplotype."""
    comphet_unphased: np.ndarray
    """... with a partner whose phase is unknown (and none known in trans)."""
    partners: np.ndarray
    """Compound-heterozygous partner labels (up to MAX_PARTNERS, then ``+N more``)."""


class GeneTotals:
    """Accumulates, per gene and parental origin, what phase decisions need."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []
        self._table: pd.DataFrame | None = None
        self._wide: tuple[pd.Index, dict[str, np.ndarray]] | None = None

    def add(self, gene: np.ndarray, origin: np.ndarray, level: np.ndarray, qual_het: np.ndarray, label: np.ndarray) -> None:
        """Add one chunk's calls (gene '' = no gene: ignored)."""
        gene = np.asarray(gene, dtype=object)
        keep = (gene != "") & ((np.asarray(level) > 0) | np.asarray(qual_het, dtype=bool))
        if not keep.any():
            return
        df = pd.DataFrame(
            {
                "gene": gene[keep],
                "origin": np.asarray(origin)[keep].astype(np.int8),
                "level": np.asarray(level)[keep].astype(np.int8),
                "plp": (np.asarray(level)[keep] > 0).astype(np.int32),
                "n_p": (np.asarray(level)[keep] == 2).astype(np.int32),
                "n_lp": (np.asarray(level)[keep] == 1).astype(np.int32),
                "qual": np.asarray(qual_het, dtype=bool)[keep].astype(np.int32),
                "label": np.asarray(label, dtype=object)[keep],
            }
        )
        self._parts.append(df)
        self._table = None
        self._wide = None

    def table(self) -> pd.DataFrame:
        """One row per (gene, origin): best, plp, n_p, n_lp (P / LP counts), qual, best_label."""
        if self._table is None:
            if not self._parts:
                self._table = pd.DataFrame(
                    {"best": [], "plp": [], "n_p": [], "n_lp": [], "qual": [], "best_label": []},
                    index=pd.MultiIndex.from_arrays([[], []], names=["gene", "origin"]),
                )
                self._qual_labels: dict[tuple[str, int], np.ndarray] = {}
            else:
                df = pd.concat(self._parts, ignore_index=True)
                self._parts = [df]
                grouped = df.groupby(["gene", "origin"], sort=False)
                table = grouped.agg(best=("level", "max"), plp=("plp", "sum"), n_p=("n_p", "sum"), n_lp=("n_lp", "sum"),
                                    qual=("qual", "sum"))
                plp = df[df["plp"] > 0].sort_values("level", ascending=False, kind="stable")
                table["best_label"] = plp.groupby(["gene", "origin"], sort=False)["label"].first()
                table["best_label"] = table["best_label"].fillna("")
                quals = df[df["qual"] > 0]
                labels = quals["label"].to_numpy(dtype=object)
                self._qual_labels = {
                    (str(g), int(o)): labels[idx] for (g, o), idx in quals.groupby(["gene", "origin"], sort=False).indices.items()
                }
                self._table = table
        return self._table

    def qual_labels(self, gene: str, origin: int) -> list[str]:
        """Labels of the qualifying heterozygous calls of a gene on one parental origin."""
        self.table()
        return list(self._qual_labels.get((str(gene), int(origin)), ()))

    def _gene_rows(self) -> tuple[pd.Index, dict[str, np.ndarray]]:
        """:meth:`table` as one row per gene: genes and, per column, an (n_genes, 3) array by origin."""
        if self._wide is None:
            table = self.table()
            genes = pd.Index(pd.unique(table.index.get_level_values(0).to_numpy(dtype=object)), dtype=object)
            g = genes.get_indexer(table.index.get_level_values(0).to_numpy(dtype=object))
            o = table.index.get_level_values(1).to_numpy().astype(np.int64)
            wide: dict[str, np.ndarray] = {}
            for name in ("n_p", "n_lp", "qual"):
                arr = np.zeros((len(genes), 3), np.int64)
                arr[g, o] = table[name].to_numpy()
                wide[name] = arr
            label = np.full((len(genes), 3), "", dtype=object)
            label[g, o] = table["best_label"].to_numpy(dtype=object)
            wide["best_label"] = label
            self._wide = (genes, wide)
        return self._wide

    def _matrices(self, gene: np.ndarray) -> dict[str, np.ndarray]:
        """n_p, n_lp, qual as (n_calls, 3) int arrays; best_label as an (n_calls, 3) object array."""
        genes, wide = self._gene_rows()
        n = len(gene)
        out = {k: np.zeros((n, 3), np.int64) for k in ("n_p", "n_lp", "qual")}
        out["best_label"] = np.full((n, 3), "", dtype=object)
        if not len(genes):
            return out
        pos = genes.get_indexer(np.asarray(gene, dtype=object))
        hit = pos >= 0
        if hit.any():
            for k, v in wide.items():
                out[k][hit] = v[pos[hit]]
        return out

    def phase(
        self, gene: np.ndarray, origin: np.ndarray, level: np.ndarray, qual_het: np.ndarray,
        label: np.ndarray, recessive: np.ndarray, dominant_only: np.ndarray, *,
        pm3_pathogenic: np.ndarray | int, pm3_likely_pathogenic: np.ndarray | int, bp2_strength: np.ndarray | int,
        hemizygous: np.ndarray | bool = False, homozygous: np.ndarray | bool = False,
    ) -> Phase:  # fmt: skip
        """PM3, BP2 and compound heterozygosity of calls, from the totals of every added call
        (the calls themselves must have been added)."""
        gene = np.asarray(gene, dtype=object)
        n = len(gene)
        origin = np.asarray(origin).astype(np.int64)
        level = np.asarray(level).astype(np.int8)
        label = np.asarray(label, dtype=object)
        own_q = np.asarray(qual_het, dtype=bool)
        m = self._matrices(gene)
        qual, best_label = m["qual"], m["best_label"]
        rows = np.arange(n)
        rule = phase_strengths(m["n_p"], m["n_lp"], origin, level, recessive, dominant_only, hemizygous=hemizygous,
                               homozygous=homozygous, pm3_pathogenic=pm3_pathogenic,
                               pm3_likely_pathogenic=pm3_likely_pathogenic, bp2_strength=bp2_strength)  # fmt: skip
        other = rule.other
        phased = origin != UNKNOWN
        trans_level = rule.trans_level
        trans_partner = np.where(trans_level > 0, best_label[rows, other], "").astype(object)
        hemi = np.broadcast_to(np.asarray(hemizygous, bool), (n,))
        unknown_partner = np.full(n, "", dtype=object)
        for i in np.flatnonzero((rule.pm3_row == PHASE_UNKNOWN) | (hemi & (rule.cis_count > 0))).tolist():
            buckets = (UNKNOWN,) if phased[i] and not hemi[i] else (UNKNOWN, PATERNAL, MATERNAL)
            found = [x for o in buckets for x in [best_label[i, o]] if x and x != label[i]]
            unknown_partner[i] = found[0] if found else "another P/LP call of the gene"
        trans_partner = np.where(rule.pm3_row == PHASE_UNKNOWN, unknown_partner, trans_partner)
        cis_partner = np.where(rule.cis_count > 0, best_label[rows, np.where(phased, origin, 0)], "").astype(object)
        cis_partner = np.where(cis_partner == label, "", cis_partner)  # the call itself is its origin's best
        cis_partner = np.where(hemi & (rule.cis_count > 0), unknown_partner, cis_partner)
        cis_partner = np.where((rule.cis_count > 0) & (cis_partner == ""), "another P/LP call of the gene",
                               cis_partner)  # fmt: skip

        # compound heterozygosity among qualifying heterozygous calls
        trans_q = np.where(phased, qual[rows, other], 0)
        unknown_q = qual[:, UNKNOWN] - (own_q & ~phased)
        ambiguous_q = np.where(phased, unknown_q, unknown_q + qual[:, PATERNAL] + qual[:, MATERNAL])
        comphet = own_q & (trans_q > 0)
        unphased = own_q & ~comphet & (ambiguous_q > 0)
        partners = np.full(n, "", dtype=object)
        for i in np.flatnonzero(comphet | unphased).tolist():
            if comphet[i]:
                cands = self.qual_labels(gene[i], other[i])
            else:
                cands = [x for o in (UNKNOWN, PATERNAL, MATERNAL) if not phased[i] or o == UNKNOWN
                         for x in self.qual_labels(gene[i], o)]  # fmt: skip
            cands = [c for c in cands if c != label[i]]
            shown = cands[:MAX_PARTNERS]
            extra = len(cands) - len(shown)
            partners[i] = ",".join(shown) + (f" (+{extra} more)" if extra > 0 else "")
        return Phase(rule.pm3, rule.bp2, rule.pm3_row, rule.pm3_points, trans_level, trans_partner, cis_partner,
                     comphet, unphased, partners)
