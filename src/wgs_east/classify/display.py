"""The fields only the outputs of listed calls show, read as one packed text column per record.

The engine decides every class without the :data:`DISPLAY_COLUMNS` (they name things in the evidence trail,
the TSV, JSON and VCF: transcript, HGVS p., the ClinVar records, ...), and QUAL and ID are written only to
the per-sample VCF. The streaming reader (classify/reader.py) has ``bcftools query`` print them as one
field, ``;``-separated (:func:`query_format`), which pandas keeps as one string per record; they are split
(:func:`unpack`) only for the calls that pass 2 may list (classify/sample.py), a few per cent of the
records. The values are the same as reading each field on its own: an INFO value cannot contain ``;``
(htslib ends an INFO entry there), QUAL is a number, and ID, which can, comes last.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from wgs_east.errors import InputError, Problem

DISPLAY_COLUMNS: tuple[str, ...] = (
    "transcript", "hgvs_p", "popmax_pop", "clinvar_sig", "clinvar_same_aa", "clinvar_same_residue", "exon",
)  # fmt: skip
"""Engine input columns (String INFO fields of ``wgs_east.annotate.fields``) that no criterion's strength
reads: the outputs and the evidence trail name them."""
DISPLAY = "display"
"""Name of the packed column in the reader's chunks and the spooled calls."""
SEP = ";"


def query_format(info_ids: Mapping[str, str | None]) -> str:
    """The ``bcftools query`` format of the packed field: each display column's INFO field (a literal
    ``.``, i.e. missing, when the VCF does not declare it), then QUAL and ID."""
    parts = [f"%INFO/{info_ids[c]}" if info_ids.get(c) else "." for c in DISPLAY_COLUMNS]
    return SEP.join([*parts, "%QUAL", "%ID"])


def unpack(packed: np.ndarray) -> dict[str, np.ndarray]:
    """The display columns (NaN where missing, percent-decoded like the annotation reader's), ``qual`` and
    ``vid`` (as written) of packed values. A value with another number of parts: :class:`InputError`."""
    from wgs_east.annotate.frame import ENCODED_COLUMNS
    from wgs_east.classify.reader import _decode

    k = len(DISPLAY_COLUMNS)
    parts = [str(v).split(SEP, k + 1) for v in np.asarray(packed, dtype=object).tolist()]
    bad = next((p for p in parts if len(p) != k + 2), None)
    if bad is not None:  # cannot happen with bcftools output: an INFO value has no ";"
        raise InputError("annotated VCF", [Problem("display fields (" + ", ".join((*DISPLAY_COLUMNS, "QUAL", "ID")) + ")",
                                                   f"{len(bad)} ';'-separated parts, expected {k + 2}: "
                                                   f"{SEP.join(bad)[:200]}")])  # fmt: skip
    columns = list(zip(*parts, strict=True)) if parts else [()] * (k + 2)
    out: dict[str, np.ndarray] = {}
    for c, values in zip(DISPLAY_COLUMNS, columns, strict=False):
        arr = np.array(values, dtype=object)
        arr[arr == "."] = np.nan
        out[c] = _decode(arr) if c in ENCODED_COLUMNS else arr
    out["qual"] = np.array(columns[k], dtype=object)
    out["vid"] = np.array(columns[k + 1], dtype=object)
    return out
