"""The input contract of the ACMG engine and its preparation into numpy arrays.

One row per variant allele (multi-allelic sites already split: each allele is classified on its own),
annotated for one transcript. Required columns (a missing one is an error naming it):

=============================  =========  ==============================================================
column                         type       meaning
=============================  =========  ==============================================================
chrom, pos, ref, alt           str/int    the allele (GRCh38 for the BA1 exception coordinates)
gene                           str        HGNC symbol (key of per-gene settings and the exception list)
consequence                    str        bcftools csq terms joined by ``&`` (``missense&splice_region``);
                                          VEP SO terms (``missense_variant``) are accepted too
hgvs_c                         str        HGVS c. (``NM_000410.3:c.845G>A`` or ``c.845G>A``); intron
                                          offsets (``c.123+7``) decide BP7
nmd_escape                     bool       a null variant predicted to escape NMD (last exon, ...)
in_repeat                      bool       in a repeat region without known function (PM4 vs BP3)
pop_af, pop_an                 float/int  population resource AF and AN (NaN / -1: not in the resource)
pop_nhom, pop_nhemi            int        homozygotes, hemizygotes in the resource (-1/NaN: unknown)
popmax_af, popmax_an           float/int  popmax (or filtering/grpmax) AF and the AN of that population
clinvar_same_aa_stars          int        max stars of a ClinVar P/LP record with the same amino-acid
                                          change by another nucleotide change (-1: none) -> PS1
clinvar_same_residue_stars     int        same for a different missense at this residue (-1) -> PM5
revel                          float      REVEL score (NaN: none)
spliceai                       float      SpliceAI max delta score (NaN: none)
gene_moi                       str        modes of inheritance joined by ``|`` (AD, AR, XLD, XLR, XL, MT);
                                          empty: unknown
lof_mechanism                  bool       loss of function is a known disease mechanism of the gene
=============================  =========  ==============================================================

Optional columns (carried by the annotation stage, read when present): ``transcript, hgvs_p, aa_pos
(int, -1 none), aa_ref, aa_alt, popmax_pop`` (named in the evidence trail), ``clinvar_sig,
clinvar_stars`` (annotation only: PP5/BP6 are retired, never evidence), ``loeuf, pli``; and two the
engine uses when given:

- ``pop_faf`` (float, NaN: none): the filtering allele frequency (gnomAD ``fafmax_faf95_max``, INFO
  ``POP_FAFMAX``), compared with the BS1 threshold (``bs1_use_faf``);
- ``pop_filter`` (str): the population record's FILTER (INFO ``POP_FILTER``): ``PASS``, the failed
  filters (``AC0,AS_VQSR``), or missing/``.`` (the source records none, or the allele is absent). A
  record that is not PASS is "present but filtered": no frequency evidence (BA1, BS1, BS2) and no
  evidence of absence (PM2) (``frequency_require_pass``);
- ``clinvar_same_aa_p_stars`` / ``clinvar_same_residue_p_stars`` (int, -1 none): the stars of the best
  comparator that is Pathogenic (not only Likely pathogenic); without the column every comparator counts as
  Pathogenic. ``clinvar_same_aa`` / ``clinvar_same_residue`` (str): the records, named in the trail;
- ``prot_removed`` (float, NaN unknown), ``skip_exon_len`` (int, -1 unknown), ``ptc_aa`` (int), ``exon``
  (str): the PVS1 decision-tree facts of the annotation (``WE_PROT_REMOVED``, ``WE_SKIP_EXON_LEN``,
  ``WE_PTC_AA``, ``WE_EXON``); without them PVS1 keeps the coarse branches (NMD escape at
  ``pvs1_nmd_escape_strength``, canonical splice Very Strong).

Speed: pass ``consequence``, ``gene`` and ``gene_moi`` as pandas categoricals when you have them;
they are factorised once either way and all flags are computed per distinct value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wgs_east.acmg.settings import AcmgSettings, GeneParams
from wgs_east.errors import InputError, Problem

REQUIRED_COLUMNS: tuple[str, ...] = (
    "chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "nmd_escape", "in_repeat",
    "pop_af", "pop_an", "pop_nhom", "pop_nhemi", "popmax_af", "popmax_an",
    "clinvar_same_aa_stars", "clinvar_same_residue_stars", "revel", "spliceai", "gene_moi",
    "lof_mechanism",
)  # fmt: skip
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "transcript", "hgvs_p", "aa_pos", "aa_ref", "aa_alt", "popmax_pop", "clinvar_sig", "clinvar_stars",
    "loeuf", "pli", "pop_faf", "pop_filter", "clinvar_same_aa_p_stars", "clinvar_same_residue_p_stars",
    "clinvar_same_aa", "clinvar_same_residue", "exon", "ptc_aa", "prot_removed", "skip_exon_len",
)  # fmt: skip
FLOAT_COLUMNS = ("pop_af", "popmax_af", "revel", "spliceai", "pop_faf", "prot_removed")
INT_COLUMNS = (
    "pos", "pop_an", "pop_nhom", "pop_nhemi", "popmax_an", "clinvar_same_aa_stars", "clinvar_same_residue_stars",
)  # fmt: skip
BOOL_COLUMNS = ("nmd_escape", "in_repeat", "lof_mechanism")

SOURCE = "ACMG input frame"

# consequence flags, by normalised term (bcftools csq names; VEP's `_variant` suffix is dropped)
_TERMS = {
    "stop_gained": "stop_gained",
    "frameshift": "frameshift",
    "splice_donor": "splice_donor",
    "splice_acceptor": "splice_acceptor",
    "start_lost": "start_lost",
    "initiator_codon": "start_lost",
    "stop_lost": "stop_lost",
    "missense": "missense",
    "synonymous": "synonymous",
    "inframe_deletion": "inframe",
    "inframe_insertion": "inframe",
    "inframe_altering": "inframe",
    "intron": "intron",
    "splice_region": "splice_region",
}
CSQ_FLAGS: tuple[str, ...] = tuple(dict.fromkeys(_TERMS.values()))


def _terms(consequence: str) -> set[str]:
    out = set()
    for raw in re.split(r"[&,]", consequence or ""):
        term = raw.strip().lstrip("*@").lower().removesuffix("_variant")
        if term in _TERMS:
            out.add(_TERMS[term])
    return out


def factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of a column; missing values get code -1. Uses categorical codes when possible."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), np.asarray(values.cat.categories, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes), np.asarray(uniques, dtype=object)


def _take_flags(codes: np.ndarray, table: np.ndarray) -> np.ndarray:
    """table[k, f] per distinct value -> rows[n, f]; code -1 (missing) gets all-False."""
    table = np.vstack([table, np.zeros((1, table.shape[1]), dtype=table.dtype)]) if table.size else np.zeros(
        (1, table.shape[1]), dtype=bool
    )
    return table[codes]


@dataclass(frozen=True, eq=False)
class Consequences:
    """Boolean consequence flags per row."""

    stop_gained: np.ndarray
    frameshift: np.ndarray
    splice_donor: np.ndarray
    splice_acceptor: np.ndarray
    start_lost: np.ndarray
    stop_lost: np.ndarray
    missense: np.ndarray
    synonymous: np.ndarray
    inframe: np.ndarray
    intron: np.ndarray
    splice_region: np.ndarray

    @property
    def truncating(self) -> np.ndarray:
        """stop_gained, frameshift or canonical (+/-1,2) splice site: PVS1 candidates at full strength."""
        return self.stop_gained | self.frameshift | self.splice_donor | self.splice_acceptor

    @property
    def null(self) -> np.ndarray:
        """Every PVS1 candidate (truncating or initiation codon)."""
        return self.truncating | self.start_lost

    @property
    def protein_altering(self) -> np.ndarray:
        return self.null | self.missense | self.inframe | self.stop_lost

    @property
    def missense_only(self) -> np.ndarray:
        """Missense and not also a null variant (REVEL, PS1, PM5 apply)."""
        return self.missense & ~self.null

    @property
    def splice_only(self) -> np.ndarray:
        """Synonymous, intronic or splice-region variants with no protein-altering consequence: the
        class where SpliceAI alone decides PP3/BP4 (Walker et al. 2023)."""
        return (self.synonymous | self.intron | self.splice_region) & ~self.protein_altering


def consequence_flags(consequence: pd.Series) -> Consequences:
    """Flags from a consequence column, computed once per distinct value."""
    codes, uniques = factorize(consequence)
    table = np.array(
        [[flag in _terms(str(u)) for flag in CSQ_FLAGS] for u in uniques], dtype=bool
    ).reshape(len(uniques), len(CSQ_FLAGS))
    rows = _take_flags(codes, table)
    return Consequences(**{flag: rows[:, i] for i, flag in enumerate(CSQ_FLAGS)})


@dataclass(frozen=True, eq=False)
class Inheritance:
    """Boolean inheritance flags per row (see settings.py for how mixed modes are treated)."""

    known: np.ndarray
    recessive: np.ndarray
    """At least one recessive mode (``recessive_modes``, default AR)."""
    dominant_like: np.ndarray
    """At least one non-recessive mode."""
    autosomal_dominant: np.ndarray
    """AD among the modes."""
    x_linked: np.ndarray
    """XLR, XLD or XL among the modes."""
    x_linked_recessive: np.ndarray
    """XLR among the modes."""

    @property
    def recessive_only(self) -> np.ndarray:
        return self.known & ~self.dominant_like

    @property
    def dominant_only(self) -> np.ndarray:
        return self.known & ~self.recessive


_MOI_FLAGS = ("known", "recessive", "dominant_like", "autosomal_dominant", "x_linked", "x_linked_recessive")


def _moi_row(text: str, recessive_modes: tuple[str, ...]) -> list[bool]:
    modes = {m.strip().upper() for m in re.split(r"[|,;&/]", text or "") if m.strip()}
    modes.discard("NAN")
    rec = modes & set(recessive_modes)
    return [bool(modes), bool(rec), bool(modes - set(recessive_modes)), "AD" in modes,
            bool(modes & {"XLR", "XLD", "XL"}), "XLR" in modes]  # fmt: skip


def inheritance_flags(
    gene_moi: pd.Series, recessive_modes: tuple[str, ...] = ("AR",), *,
    gene_codes: np.ndarray | None = None, moi_overrides: dict[int, str] | None = None,
) -> Inheritance:  # fmt: skip
    """Flags from ``gene_moi``, per distinct value; ``moi_overrides`` (gene code -> modes) replace it."""
    codes, uniques = factorize(gene_moi)  # a missing value gets code -1: no flags, as "" (unknown modes)
    table = np.array([_moi_row(str(u), recessive_modes) for u in uniques], dtype=bool).reshape(
        len(uniques), len(_MOI_FLAGS)
    )
    rows = _take_flags(codes, table)
    if moi_overrides and gene_codes is not None:
        for gene_code, text in moi_overrides.items():
            rows[gene_codes == gene_code] = _moi_row(text, recessive_modes)
    return Inheritance(**{flag: rows[:, i] for i, flag in enumerate(_MOI_FLAGS)})


def _float(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _int(series: pd.Series, missing: int = -1) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.isnan(values), missing, values).astype(np.int64)


def _bool(series: pd.Series) -> np.ndarray:
    if series.dtype == bool:
        return series.to_numpy()
    return series.fillna(False).astype(bool).to_numpy()


def validate_frame(df: pd.DataFrame) -> None:
    """Check the contract: required columns present, numeric columns numeric. Raises InputError."""
    problems = [Problem(col, "required column missing") for col in REQUIRED_COLUMNS if col not in df.columns]
    for col in FLOAT_COLUMNS + INT_COLUMNS:
        if col not in df.columns or pd.api.types.is_numeric_dtype(df[col].dtype):
            continue
        series = df[col]
        coerced = pd.to_numeric(series, errors="coerce")
        bad = coerced.isna() & series.notna() & (series.astype(str).str.strip() != "")
        if bad.any():
            first = series[bad].iloc[0]
            problems.append(Problem(col, f"{int(bad.sum())} non-numeric values, first {first!r}"))
    if problems:
        raise InputError(SOURCE, problems)


@dataclass(frozen=True, eq=False)
class Variants:
    """A validated input frame as arrays, with consequence and inheritance flags and per-row settings."""

    frame: pd.DataFrame
    n: int
    csq: Consequences
    moi: Inheritance
    params: GeneParams
    gene_codes: np.ndarray
    gene_uniques: np.ndarray
    pop_af: np.ndarray
    pop_an: np.ndarray
    pop_nhom: np.ndarray
    pop_nhemi: np.ndarray
    popmax_af: np.ndarray
    popmax_an: np.ndarray
    same_aa_stars: np.ndarray
    same_residue_stars: np.ndarray
    revel: np.ndarray
    spliceai: np.ndarray
    nmd_escape: np.ndarray
    in_repeat: np.ndarray
    lof_mechanism: np.ndarray
    pop_faf: np.ndarray
    """Filtering AF (NaN: none, or no ``pop_faf`` column)."""
    pop_filtered: np.ndarray
    """The population record is present with a FILTER other than PASS (``pop_filter``)."""
    same_aa_p_stars: np.ndarray
    """Stars of the best Pathogenic (not LP) same-amino-acid comparator (-1 none)."""
    same_residue_p_stars: np.ndarray
    prot_removed: np.ndarray
    """Fraction of the protein removed (NaN unknown)."""
    skip_exon_len: np.ndarray
    """Coding nt of the exon a canonical splice variant skips (-1 unknown)."""

    def column(self, name: str) -> pd.Series:
        """A column of the input frame (for string columns read on a subset)."""
        return self.frame[name]


def prepare(df: pd.DataFrame, settings: AcmgSettings) -> Variants:
    """Validate the frame and turn it into arrays + flags. No row loops: flags per distinct value."""
    validate_frame(df)
    gene_codes, gene_uniques, moi = gene_context(df, settings)
    params = GeneParams(settings, gene_codes, gene_uniques)
    return Variants(
        frame=df,
        n=len(df),
        csq=consequence_flags(df["consequence"]),
        moi=moi,
        params=params,
        gene_codes=gene_codes,
        gene_uniques=gene_uniques,
        pop_af=_float(df["pop_af"]),
        pop_an=_int(df["pop_an"]),
        pop_nhom=_int(df["pop_nhom"]),
        pop_nhemi=_int(df["pop_nhemi"]),
        popmax_af=_float(df["popmax_af"]),
        popmax_an=_int(df["popmax_an"]),
        same_aa_stars=_int(df["clinvar_same_aa_stars"]),
        same_residue_stars=_int(df["clinvar_same_residue_stars"]),
        revel=_float(df["revel"]),
        spliceai=_float(df["spliceai"]),
        nmd_escape=_bool(df["nmd_escape"]),
        in_repeat=_bool(df["in_repeat"]),
        lof_mechanism=_bool(df["lof_mechanism"]),
        pop_faf=_float(df["pop_faf"]) if "pop_faf" in df.columns else np.full(len(df), np.nan),
        pop_filtered=_filtered(df["pop_filter"]) if "pop_filter" in df.columns else np.zeros(len(df), dtype=bool),
        same_aa_p_stars=_int(df["clinvar_same_aa_p_stars"]) if "clinvar_same_aa_p_stars" in df.columns
        else _int(df["clinvar_same_aa_stars"]),
        same_residue_p_stars=_int(df["clinvar_same_residue_p_stars"]) if "clinvar_same_residue_p_stars" in df.columns
        else _int(df["clinvar_same_residue_stars"]),
        prot_removed=_float(df["prot_removed"]) if "prot_removed" in df.columns else np.full(len(df), np.nan),
        skip_exon_len=_int(df["skip_exon_len"]) if "skip_exon_len" in df.columns else np.full(len(df), -1, np.int64),
    )


_PASS_FILTERS = ("PASS", ".", "")


def _filtered(values: pd.Series) -> np.ndarray:
    """True where a population FILTER value is present and not PASS (per distinct value)."""
    codes, uniques = factorize(values)
    table = np.array([str(u).strip() not in _PASS_FILTERS and str(u) != "nan" for u in uniques], dtype=bool)
    return np.append(table, False)[codes]


def _char_matrix(values: pd.Series) -> np.ndarray:
    """Strings as an (n, width) integer matrix of character codes (0-padded): ASCII bytes when
    possible, UCS-4 code points otherwise."""
    obj = np.asarray(values.astype(object).where(values.notna(), ""), dtype=object)
    try:
        fixed = obj.astype(np.bytes_)
        width = fixed.dtype.itemsize
        return fixed.view(np.uint8).reshape(len(obj), width) if width else np.zeros((len(obj), 1), np.uint8)
    except UnicodeEncodeError:
        fixed = obj.astype(np.str_)
        width = fixed.dtype.itemsize // 4
        return fixed.view(np.uint32).reshape(len(obj), width) if width else np.zeros((len(obj), 1), np.uint32)


def _gather(m: np.ndarray, col: np.ndarray) -> np.ndarray:
    """m[i, col[i]], 0 where col is past the end."""
    width = m.shape[1]
    out = m[np.arange(m.shape[0]), np.minimum(col, width - 1)]
    return np.where(col < width, out, 0)


def _first(mask: np.ndarray) -> np.ndarray:
    """Column of the first True per row; the width when there is none."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1), mask.shape[1])


_MAX_OFFSET_DIGITS = 7  # longer intron offsets count as 10**7 (far beyond any threshold)


def _scan_position(m: np.ndarray, digit: np.ndarray, cols: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, ...]:
    """Parse ``[-*]digits([+-]digits)?`` at ``start`` per row.

    Returns (valid, sign code (43 '+', 45 '-', 0 none), offset, end column).
    """
    lead = _gather(m, start)
    start = start + ((lead == 45) | (lead == 42))  # '-' or '*'
    end_base = _first(~digit & (cols >= start[:, None]))
    valid = end_base > start
    sign = _gather(m, end_base)
    signed = (sign == 43) | (sign == 45)
    end_off = _first(~digit & (cols > end_base[:, None]))
    n_digits = end_off - end_base - 1
    signed &= n_digits > 0
    offset = np.zeros(m.shape[0], dtype=np.int64)
    for k in range(_MAX_OFFSET_DIGITS):  # the offset's digits, gathered one column at a time
        digit_k = _gather(m, end_base + 1 + k).astype(np.int64) - 48
        offset = np.where(k < n_digits, offset * 10 + digit_k, offset)
    offset = np.where(n_digits > _MAX_OFFSET_DIGITS, 10**_MAX_OFFSET_DIGITS, offset)
    return valid, np.where(signed, sign, 0), np.where(signed, offset, 0), np.where(signed, end_off, end_base)


def intron_depth(hgvs_c: pd.Series, min_donor: Any, min_acceptor: Any) -> np.ndarray:
    """True where every position of an HGVS c. allele lies in an intron at or beyond ``+min_donor`` /
    ``-min_acceptor`` from the nearest exon (``c.123+7A>G``, ``c.124-21_124-25del``). Unparsable: False.

    Parsed on a character-code matrix (no per-row regex); ``min_donor``/``min_acceptor`` may be
    per-row arrays aligned with ``hgvs_c``.
    """
    n = len(hgvs_c)
    if n == 0:
        return np.zeros(0, dtype=bool)
    m = _char_matrix(hgvs_c)
    m = np.concatenate([m, np.zeros((n, 2), dtype=m.dtype)], axis=1)  # room past the end
    cols = np.arange(m.shape[1])
    digit = (m >= 48) & (m <= 57)
    coord = ((m[:, :-1] == 99) | (m[:, :-1] == 110)) & (m[:, 1:] == 46)  # "c." or "n."
    found = coord.any(axis=1)
    start = coord.argmax(axis=1) + 2
    valid1, sign1, off1, end1 = _scan_position(m, digit, cols, start)
    is_range = _gather(m, end1) == 95  # '_'

    def deep(sign: np.ndarray, off: np.ndarray, rows: Any = slice(None)) -> np.ndarray:
        donor = min_donor[rows] if isinstance(min_donor, np.ndarray) else min_donor
        acceptor = min_acceptor[rows] if isinstance(min_acceptor, np.ndarray) else min_acceptor
        return ((sign == 43) & (off >= donor)) | ((sign == 45) & (off >= acceptor))

    result = found & valid1 & deep(sign1, off1)
    ranged = np.flatnonzero(is_range & result)  # a range is deep only if its end is deep too
    if ranged.size:
        valid2, sign2, off2, _ = _scan_position(m[ranged], digit[ranged], cols, end1[ranged] + 1)
        result[ranged] = valid2 & deep(sign2, off2, ranged)
    return result


def gene_context(df: pd.DataFrame, settings: AcmgSettings) -> tuple[np.ndarray, np.ndarray, Inheritance]:
    """(gene codes, distinct genes, inheritance flags) of a frame with ``gene`` and ``gene_moi``."""
    missing = [c for c in ("gene", "gene_moi") if c not in df.columns]
    if missing:
        raise InputError(SOURCE, [Problem(c, "required column missing") for c in missing])
    gene_codes, gene_uniques = factorize(df["gene"])
    overridden = {g for g in settings.genes if settings.gene_moi(g) is not None}  # genes whose moi the settings set
    moi_overrides = {i: settings.gene_moi(str(g)) for i, g in enumerate(gene_uniques) if str(g) in overridden}
    moi = inheritance_flags(df["gene_moi"], settings.recessive_modes, gene_codes=gene_codes, moi_overrides=moi_overrides)
    return gene_codes, gene_uniques, moi
