"""Which contigs are autosomes, X, Y or excluded, from the batch's reference settings."""

from __future__ import annotations

from collections.abc import Iterable

from wgs_east.config.models import Batch

AUTOSOME, X, Y, EXCLUDED = "autosome", "x", "y", "excluded"


def classify_contigs(contigs: Iterable[str], batch: Batch) -> dict[str, str]:
    """Contig -> autosome / x / y / excluded. Autosomes are all contigs that are neither sex chromosomes nor
    in `reference.exclude_contigs`."""
    sc = batch.reference.sex_chromosomes
    excluded = set(batch.reference.exclude_contigs)
    out = {}
    for c in contigs:
        out[c] = X if c == sc.x else Y if c == sc.y else EXCLUDED if c in excluded else AUTOSOME
    return out
