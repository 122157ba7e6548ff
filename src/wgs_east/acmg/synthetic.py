"""Deterministic synthetic engine input: one-row examples for tests and large frames for benchmarks.

The large frame mimics a genome's gene-overlapping variants: mostly intronic and common, a few
percent coding, a few per mille null variants; frequencies log-uniform; REVEL uniform; SpliceAI
mostly near zero. It is for speed and smoke tests, not for judging the classifications.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

DEFAULT_ROW: dict[str, Any] = {
    "chrom": "chr1",
    "pos": 1_000_000,
    "ref": "A",
    "alt": "G",
    "gene": "GENE1",
    "transcript": "NM_000001.1",
    "consequence": "intron",
    "hgvs_c": "NM_000001.1:c.100+50A>G",
    "hgvs_p": "",
    "aa_pos": -1,
    "aa_ref": "",
    "aa_alt": "",
    "nmd_escape": False,
    "in_repeat": False,
    "pop_af": np.nan,
    "pop_an": -1,
    "pop_nhom": -1,
    "pop_nhemi": -1,
    "popmax_af": np.nan,
    "popmax_an": -1,
    "popmax_pop": "",
    "pop_faf": np.nan,
    "pop_filter": "",
    "clinvar_sig": "",
    "clinvar_stars": -1,
    "clinvar_same_aa_stars": -1,
    "clinvar_same_residue_stars": -1,
    "revel": np.nan,
    "spliceai": np.nan,
    "gene_moi": "AD",
    "lof_mechanism": True,
    "loeuf": np.nan,
    "pli": np.nan,
}
"""A rare intronic variant in an AD loss-of-function gene, absent from the population resource."""


def variant_frame(*rows: dict[str, Any]) -> pd.DataFrame:
    """A frame of the engine's input contract: each row is DEFAULT_ROW updated with the given values."""
    return pd.DataFrame([{**DEFAULT_ROW, **r} for r in rows] or [DEFAULT_ROW])


_CONSEQUENCES = np.array(
    [
        "intron", "non_coding", "3_prime_utr", "5_prime_utr", "synonymous", "missense",
        "intron&splice_region", "missense&splice_region", "synonymous&splice_region",
        "inframe_deletion", "inframe_insertion", "frameshift", "stop_gained", "splice_donor",
        "splice_acceptor", "start_lost", "stop_lost",
    ],
    dtype=object,
)  # fmt: skip
_CSQ_P = np.array([0.55, 0.15, 0.05, 0.015, 0.05, 0.07, 0.03, 0.005, 0.005,
                   0.003, 0.002, 0.003, 0.003, 0.0012, 0.0012, 0.0003, 0.0003])  # fmt: skip
_MOI = np.array(["AD", "AR", "AD|AR", "XLR", "XLD", ""], dtype=object)
_MOI_P = np.array([0.3, 0.35, 0.1, 0.05, 0.02, 0.18])
_POPS = np.array(["afr", "amr", "eas", "nfe", "sas", "fin", "asj"], dtype=object)


def synthetic_variants(n: int, seed: int = 20240601) -> pd.DataFrame:
    """``n`` synthetic rows of the input contract, the same for the same ``n`` and ``seed``."""
    rng = np.random.default_rng(seed)
    p = _CSQ_P / _CSQ_P.sum()
    csq = rng.choice(len(_CONSEQUENCES), size=n, p=p)
    consequence = _CONSEQUENCES[csq]
    n_genes = 19_000
    gene_idx = rng.integers(0, n_genes, size=n)
    gene_names = np.array([f"G{i:05d}" for i in range(n_genes)], dtype=object)
    gene_moi = _MOI[rng.choice(len(_MOI), size=n_genes, p=_MOI_P)][gene_idx]
    lof = (rng.random(n_genes) < 0.3)[gene_idx]

    # population: 10 % absent, else log-uniform AF between 1e-6 and 0.5, AN mostly full
    absent = rng.random(n) < 0.10
    af = 10 ** rng.uniform(-6, np.log10(0.5), size=n)
    an = np.where(rng.random(n) < 0.05, rng.integers(100, 5000, size=n), rng.integers(140_000, 152_000, size=n))
    popmax_af = np.minimum(af * rng.uniform(1.0, 4.0, size=n), 1.0)
    popmax_an = (an * rng.uniform(0.02, 0.5, size=n)).astype(np.int64)
    nhom = np.floor(af * af * an / 2).astype(np.int64)
    nhemi = np.where(gene_moi == "XLR", np.floor(af * an / 3), 0).astype(np.int64)

    coding = np.isin(consequence, ["missense", "missense&splice_region", "synonymous", "synonymous&splice_region"])
    revel = np.where(np.char.startswith(consequence.astype(str), "missense"), rng.random(n), np.nan)
    spliceai = np.where(rng.random(n) < 0.05, np.nan, np.round(rng.exponential(0.03, size=n).clip(0, 1), 2))

    cpos = rng.integers(1, 6000, size=n).astype(str)
    offset = rng.integers(1, 3000, size=n)
    sign = np.where(rng.random(n) < 0.5, "+", "-")
    intronic = np.char.find(consequence.astype(str), "intron") >= 0
    hgvs = np.where(
        intronic,
        np.char.add(np.char.add(np.char.add(np.char.add("c.", cpos), sign), offset.astype(str)), "A>G"),
        np.char.add(np.char.add("c.", cpos), "A>G"),
    ).astype(object)

    return pd.DataFrame(
        {
            "chrom": "chr" + pd.Series(rng.integers(1, 23, size=n)).astype(str),
            "pos": rng.integers(1, 200_000_000, size=n),
            "ref": "A",
            "alt": "G",
            "gene": pd.Categorical.from_codes(gene_idx, categories=gene_names),
            "transcript": "NM_000000.1",
            "consequence": pd.Categorical.from_codes(csq, categories=_CONSEQUENCES),
            "hgvs_c": hgvs,
            "hgvs_p": "",
            "aa_pos": np.where(coding, rng.integers(1, 2000, size=n), -1),
            "aa_ref": "",
            "aa_alt": "",
            "nmd_escape": rng.random(n) < 0.1,
            "in_repeat": rng.random(n) < 0.05,
            "pop_af": np.where(absent, np.nan, af),
            "pop_an": np.where(absent, -1, an),
            "pop_nhom": np.where(absent, -1, nhom),
            "pop_nhemi": np.where(absent, -1, nhemi),
            "popmax_af": np.where(absent, np.nan, popmax_af),
            "popmax_an": np.where(absent, -1, popmax_an),
            "popmax_pop": pd.Categorical.from_codes(rng.integers(0, len(_POPS), size=n), categories=_POPS),
            "clinvar_sig": "",
            "clinvar_stars": -1,
            "clinvar_same_aa_stars": np.where(rng.random(n) < 0.002, rng.integers(0, 5, size=n), -1),
            "clinvar_same_residue_stars": np.where(rng.random(n) < 0.005, rng.integers(0, 5, size=n), -1),
            "revel": revel,
            "spliceai": spliceai,
            "gene_moi": pd.Categorical(gene_moi),
            "lof_mechanism": lof,
            "loeuf": rng.uniform(0.1, 2.0, size=n),
            "pli": rng.random(n),
        }
    )
