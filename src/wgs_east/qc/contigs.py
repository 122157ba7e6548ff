"""Which contigs are autosomes, X, Y or excluded, from the batch's reference settings."""

from __future__ import annotations

from collections.abc import Iterable

from wgs_east.config.models import Batch

AUTOSOME, X, Y, EXCLUDED = "autosome", "x", "y", "excluded"


def classify_contigs(contigs: Iterable[str], batch: Batch) -> dict[str, str]:
    """Contig -> autosome / x / y / excluded. Autosomes are all contigs that are neither sex chromosomes nor
    in `reference.exclude_contigs` (every non-excluded contig when the reference has no sex chromosomes)."""
    sc = batch.reference.sex_chromosomes
    x, y = (sc.x, sc.y) if sc is not None else (None, None)
    excluded = set(batch.reference.exclude_contigs)
    out = {}
    for c in contigs:
        out[c] = X if c == x else Y if c == y else EXCLUDED if c in excluded else AUTOSOME
    return out
