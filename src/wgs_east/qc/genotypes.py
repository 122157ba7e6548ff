"""Genotype-based QC from the batch VCF in one pass: relatedness (KING-robust kinship of every pair),
X heterozygosity for sex inference, and the contamination estimate.

Only biallelic PASS SNVs are used (the batch VCF is split to biallelic records): autosomal ones for
kinship and contamination, X ones outside the PARs for X heterozygosity.

    python -m wgs_east.qc.genotypes --batch-json B.json --vcf variants/B.vcf.gz --out qc/metrics/B.genotypes.json
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wgs_east.config.models import Batch
from wgs_east.errors import InputError, Problem
from wgs_east.qc.contamination import HomAltRefReads
from wgs_east.qc.contigs import AUTOSOME, X, classify_contigs
from wgs_east.qc.io import run_main, write_json
from wgs_east.qc.relatedness import KingCounts, pair_table
from wgs_east.qc.sex import AlleleBalanceCounts

CHUNK_SITES = 50_000
PAR = "par"


@dataclass
class Chunk:
    """Biallelic PASS SNVs of one contig class: genotypes (0 hom-ref, 1 het, 2 hom-alt or haploid alt,
    -1 missing) and allele depths (-1 missing), sites x samples."""

    kind: str
    gt: np.ndarray
    ref_ad: np.ndarray
    alt_ad: np.ndarray


class GenotypeQc:
    """The accumulators of the three metrics; `add` one chunk at a time, `result` at the end."""

    def __init__(self, samples: Sequence[str]) -> None:
        n = len(samples)
        self.samples = list(samples)
        self.king = KingCounts(n)
        self.x_balance = AlleleBalanceCounts(n)
        self.auto_balance = AlleleBalanceCounts(n)
        self.contamination = HomAltRefReads(n)
        self.sites = {AUTOSOME: 0, X: 0}

    def add(self, chunk: Chunk) -> None:
        if chunk.kind == AUTOSOME:
            self.king.add(chunk.gt)
            self.auto_balance.add(chunk.ref_ad, chunk.alt_ad)
            self.contamination.add(chunk.gt, chunk.ref_ad, chunk.alt_ad)
        elif chunk.kind == X:
            self.x_balance.add(chunk.ref_ad, chunk.alt_ad)
        if chunk.kind in self.sites:
            self.sites[chunk.kind] += len(chunk.gt)

    def result(self) -> dict[str, Any]:
        x_het, auto_het = self.x_balance.fraction(), self.auto_balance.fraction()
        per_sample = {}
        for i, s in enumerate(self.samples):
            per_sample[s] = {
                "x_het_fraction": float(x_het[i]),
                "x_het_sites": int(self.x_balance.carried[i]),
                "autosomal_het_fraction": float(auto_het[i]),
                **self.contamination.estimate(i),
            }
        return {
            "sites": {"autosomal_snvs": self.sites[AUTOSOME], "x_snvs_outside_par": self.sites[X]},
            "samples": per_sample,
            "pairs": pair_table(self.samples, self.king),
        }


def _in_regions(pos: int, regions: list[tuple[int, int]]) -> bool:
    return any(a <= pos <= b for a, b in regions)


def read_chunks(vcf_path: Path, batch: Batch, chunk_sites: int = CHUNK_SITES) -> tuple[list[str], Iterator[Chunk]]:
    """The VCF's samples and an iterator over chunks of biallelic PASS SNVs (autosomes, X outside PARs)."""
    from cyvcf2 import VCF

    try:
        vcf = VCF(str(vcf_path), gts012=True, lazy=True)
    except (OSError, ValueError) as exc:
        raise InputError(vcf_path, [Problem("", f"cannot open VCF: {exc}")]) from None
    try:
        lengths = dict(zip(vcf.seqnames, vcf.seqlens, strict=True))
    except (AttributeError, ValueError):  # no ##contig lengths in the header
        lengths = {}
    classes = classify_contigs(lengths or [], batch)
    sc = batch.reference.sex_chromosomes
    x = sc.x if sc is not None else None
    pars = [(r.start, r.end) for r in batch.par_regions(lengths.get(x) if x else None) if r.contig == x]
    has_ad = "AD" in [h.info().get("ID") for h in vcf.header_iter() if h.type == "FORMAT"]
    samples = list(vcf.samples)

    def chunks() -> Iterator[Chunk]:
        buf: dict[str, tuple[list, list, list]] = {}
        for v in vcf:
            if v.FILTER is not None or len(v.ALT) != 1 or not v.is_snp:
                continue
            kind = classes.get(v.CHROM) or classify_contigs([v.CHROM], batch)[v.CHROM]
            if kind == X and pars and _in_regions(v.POS, pars):
                kind = PAR
            if kind not in (AUTOSOME, X):
                continue
            gt = v.gt_types.astype(np.int8)
            gt[gt == 3] = -1
            ad = v.format("AD") if has_ad else None
            if ad is None:
                ad = np.full((len(samples), 2), -1, dtype=np.int32)
            ad = np.where(ad < 0, -1, ad[:, :2]).astype(np.int32)
            g, r, a = buf.setdefault(kind, ([], [], []))
            g.append(gt)
            r.append(ad[:, 0])
            a.append(ad[:, 1])
            if len(g) >= chunk_sites:
                yield Chunk(kind, np.vstack(g), np.vstack(r), np.vstack(a))
                buf.pop(kind)
        for kind, (g, r, a) in buf.items():
            if g:
                yield Chunk(kind, np.vstack(g), np.vstack(r), np.vstack(a))
        vcf.close()

    return samples, chunks()


def genotype_qc(vcf_path: Path, batch: Batch) -> dict[str, Any]:
    samples, chunks = read_chunks(vcf_path, batch)
    acc = GenotypeQc(samples)
    for chunk in chunks:
        acc.add(chunk)
    return acc.result()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch-json", type=Path, required=True)
    ap.add_argument("--vcf", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    batch = Batch.model_validate_json(args.batch_json.read_text())
    write_json(args.out, genotype_qc(args.vcf, batch))
    return 0


if __name__ == "__main__":
    run_main(main)
