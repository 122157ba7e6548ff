"""Contamination ESTIMATE from allele balance at homozygous-alternative sites (not VerifyBamID: no
population panel, no likelihood model; a screening value).

Method. At an autosomal biallelic PASS SNV called homozygous-alternative in a sample, every read carrying
the reference allele is a sequencing error, a mapping artefact, or comes from another individual. If a
fraction `alpha` of the reads come from a contaminant of the same population, whose reference-allele dosage
at the site is 2(1 - p) with p the alt-allele frequency, the expected reference-read fraction is
`alpha * (1 - p)` (+ errors). So, over all such sites i with depth d_i (allele depths, ref + alt) and
reference reads r_i:

    alpha_hat = sum(r_i) / sum(d_i * (1 - p_i))

p_i is estimated from the other samples of the batch (leave-one-out, with a +1/+2 pseudo-count, so 0.5
for a batch of one). Sites with depth < 10 or > 2x the sample's median depth at these sites (collapsed
repeats, copy-number gains) are left out. Sequencing errors towards the reference base add a floor of
roughly error_rate / 3 / (1 - p), ~0.1-0.5 % (measured on the test genome: see the QC report). The
estimate is biased low at high contamination (sites then get called heterozygous) and when the
contaminant is a relative (shared alleles). `contamination_se` is a Poisson approximation.
"""

from __future__ import annotations

import math

import numpy as np

MIN_DEPTH = 10
MAX_DEPTH_BINS = 1000
MAX_DEPTH_FACTOR = 2.0


def leave_one_out_alt_frequency(gt: np.ndarray) -> np.ndarray:
    """Alt-allele frequency at each site from the other samples' diploid genotypes (sites x samples;
    0/1/2 alt alleles, -1 missing), with a +1/+2 pseudo-count."""
    called = gt >= 0
    alt = np.where(called, gt, 0)
    other_alt = alt.sum(axis=1, keepdims=True) - alt
    other_alleles = 2 * (called.sum(axis=1, keepdims=True) - called)
    return (other_alt + 1) / (other_alleles + 2)


class HomAltRefReads:
    """Per sample and per depth (capped at MAX_DEPTH_BINS): number of hom-alt sites, reference reads, and
    the expected reference-read count per unit of contamination, sum(d * (1 - p)). Keeping them by depth
    lets the depth window be chosen at the end, from the sample's own depth distribution."""

    def __init__(self, n_samples: int) -> None:
        shape = (n_samples, MAX_DEPTH_BINS + 1)
        self.sites = np.zeros(shape)
        self.ref_reads = np.zeros(shape)
        self.expected = np.zeros(shape)

    def add(self, gt: np.ndarray, ref_ad: np.ndarray, alt_ad: np.ndarray) -> None:
        p = leave_one_out_alt_frequency(gt)
        depth = ref_ad + alt_ad
        use = (gt == 2) & (ref_ad >= 0) & (alt_ad >= 0) & (depth >= MIN_DEPTH)
        bins = np.minimum(depth, MAX_DEPTH_BINS)
        size = MAX_DEPTH_BINS + 1
        for s in range(gt.shape[1]):
            m = use[:, s]
            if not m.any():
                continue
            b = bins[m, s]
            self.sites[s] += np.bincount(b, minlength=size)
            self.ref_reads[s] += np.bincount(b, weights=ref_ad[m, s], minlength=size)
            self.expected[s] += np.bincount(b, weights=depth[m, s] * (1 - p[m, s]), minlength=size)

    def estimate(self, s: int) -> dict[str, float]:
        sites = self.sites[s]
        n = sites.sum()
        if n == 0:
            return {"contamination": math.nan, "contamination_se": math.nan, "contamination_sites": 0}
        cum = np.cumsum(sites)
        median = int(np.searchsorted(cum, 0.5 * n))
        window = np.arange(len(sites)) <= MAX_DEPTH_FACTOR * median
        ref = self.ref_reads[s][window].sum()
        expected = self.expected[s][window].sum()
        alpha = ref / expected if expected > 0 else math.nan
        return {
            "contamination": alpha,
            "contamination_se": math.sqrt(max(ref, 1.0)) / expected if expected > 0 else math.nan,
            "contamination_sites": int(sites[window].sum()),
        }
