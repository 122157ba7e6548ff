"""The ClinGen SVI BA1 exception list (Ghosh et al. 2018): common variants BA1 must not call Benign.

The packaged list is ``data/ba1_exceptions.tsv`` (citation in its header). A variant matches on
gene + HGVS c. (transcript prefix, case, and the bases after ``dup``/``del`` ignored) or on its GRCh38
allele (``chr`` prefix ignored); both compare only within the listed genes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from wgs_east.errors import InputError

PACKAGED = "data/ba1_exceptions.tsv"


@dataclass(frozen=True)
class ExceptionList:
    """Exception keys: (GENE, normalised c.) and (GENE, chrom, pos, ref, alt)."""

    hgvs: frozenset[tuple[str, str]]
    alleles: frozenset[tuple[str, str, int, str, str]]
    source: str
    genes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        genes = frozenset(g for g, _ in self.hgvs) | frozenset(a[0] for a in self.alleles)
        object.__setattr__(self, "genes", genes)


def normalise_hgvs_c(values: pd.Series) -> pd.Series:
    """``NM_014049.4:c.-44_-41dupTAAG`` -> ``c.-44_-41dup``; ``c.845G>A (p.Cys282Tyr)`` -> ``c.845g>a``."""
    s = values.astype(str).str.strip().str.split(":").str[-1]
    s = s.str.replace(r"\s*\(.*$", "", regex=True).str.replace(r"\s+", "", regex=True).str.lower()
    return s.str.replace(r"(dup|del)[acgtn]+$", r"\1", regex=True)


def _chrom(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.removeprefix("chr")


@lru_cache(maxsize=8)
def load_exceptions(path: str | Path | None = None) -> ExceptionList:
    """Read an exception TSV (columns gene, hgvs_c; optional chrom_grch38, pos_grch38, ref, alt)."""
    source = str(path) if path is not None else f"wgs_east.acmg/{PACKAGED}"
    try:
        handle = Path(path) if path is not None else files("wgs_east.acmg").joinpath(PACKAGED)
        with handle.open() as fh:  # type: ignore[union-attr]
            table = pd.read_csv(fh, sep="\t", comment="#", dtype=str, keep_default_na=False)
    except OSError as exc:
        raise InputError(source, [f"cannot read: {exc}"]) from None
    missing = [c for c in ("gene", "hgvs_c") if c not in table.columns]
    if missing:
        raise InputError(source, [f"column {c!r} missing" for c in missing])
    genes = table["gene"].str.strip()
    hgvs = frozenset(zip(genes, normalise_hgvs_c(table["hgvs_c"]), strict=True))
    alleles: frozenset[tuple[str, str, int, str, str]] = frozenset()
    if {"chrom_grch38", "pos_grch38", "ref", "alt"} <= set(table.columns):
        has = table["pos_grch38"].str.strip() != ""
        sub = table[has]
        alleles = frozenset(
            zip(
                genes[has],
                _chrom(sub["chrom_grch38"]),
                sub["pos_grch38"].astype(int).tolist(),
                sub["ref"].str.upper(),
                sub["alt"].str.upper(),
                strict=True,
            )
        )
    return ExceptionList(hgvs=hgvs, alleles=alleles, source=source)


def match_exceptions(
    frame: pd.DataFrame, gene_codes: np.ndarray, gene_uniques: np.ndarray, exceptions: ExceptionList
) -> np.ndarray:
    """Boolean per row: the allele is on the exception list. Only rows of listed genes are examined."""
    out = np.zeros(len(frame), dtype=bool)
    listed = [i for i, g in enumerate(gene_uniques) if str(g) in exceptions.genes]
    if not listed:
        return out
    rows = np.flatnonzero(np.isin(gene_codes, listed))
    if rows.size == 0:
        return out
    sub = frame.iloc[rows]
    genes = sub["gene"].astype(str)
    keys = pd.Series(list(zip(genes, normalise_hgvs_c(sub["hgvs_c"]), strict=True)), dtype=object)
    hit = keys.isin(exceptions.hgvs).to_numpy()
    if exceptions.alleles:
        pos = pd.to_numeric(sub["pos"], errors="coerce").fillna(-1).astype(np.int64).tolist()
        allele_keys = pd.Series(
            list(
                zip(genes, _chrom(sub["chrom"]), pos, sub["ref"].astype(str).str.upper(),
                    sub["alt"].astype(str).str.upper(), strict=True)
            ),
            dtype=object,
        )  # fmt: skip
        hit = hit | allele_keys.isin(exceptions.alleles).to_numpy()
    out[rows] = hit
    return out

