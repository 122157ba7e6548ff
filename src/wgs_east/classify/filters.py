"""Optional gene panel and HPO filtering of the listed variants; never hides a P/LP variant.

A variant that fails a filter is no longer listed unless it is Pathogenic or Likely pathogenic (by
either rule set): those stay, with ``filter_note`` saying which filter they fall outside of. The
per-sample VCF still carries every call (``ACMG_REPORTED`` marks the listed ones).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wgs_east.config.models import Classification
from wgs_east.errors import InputError, Problem


def load_panel(cfg: Classification) -> set[str] | None:
    """Panel genes of the config (``panel`` + ``panel_file``), None when no panel is set."""
    genes = set(cfg.panel)
    if cfg.panel_file is not None:
        path = Path(cfg.panel_file)
        try:
            text = path.read_text()
        except OSError as exc:
            raise InputError(path, [Problem("classification.panel_file", f"cannot read: {exc.strerror}")]) from None
        for line in text.splitlines():
            symbol = line.split("#", 1)[0].strip()
            if symbol:
                genes.add(symbol)
    return genes or None


def apply(
    calls: pd.DataFrame, panel: set[str] | None, gene_hpo: dict[str, set[str]] | None, phenotypes: tuple[str, ...]
) -> tuple[pd.DataFrame, int]:
    """Set ``filter_note`` and clear ``reported`` of hidden calls; returns (calls, number hidden)."""
    n = len(calls)
    note = np.full(n, "", dtype=object)
    gene = calls["gene_key"].to_numpy(dtype=object)
    inside = np.ones(n, dtype=bool)
    if panel is not None:
        in_panel = pd.Series(gene).isin(panel).to_numpy()
        note = np.where(in_panel, note, "outside panel")
        inside &= in_panel
    if gene_hpo is not None and phenotypes:
        wanted = set(phenotypes)
        matching = {g for g, terms in gene_hpo.items() if terms & wanted}
        hpo_ok = pd.Series(gene).isin(matching).to_numpy()
        note = np.where(hpo_ok, note, np.where(note == "", "no HPO match", note + "; no HPO match"))
        inside &= hpo_ok
    reported = calls["reported"].to_numpy()
    keep = reported & (inside | calls["plp"].to_numpy())
    hidden = int((reported & ~keep).sum())
    calls["reported"] = keep
    calls["filter_note"] = np.where(keep & ~inside, note, "")
    return calls, hidden
