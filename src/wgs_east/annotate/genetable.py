"""The bundle's gene table: symbol -> inheritance, mechanism, constraint, haploinsufficiency, disease.

A tab-delimited file with a header line (plain or gzip); the manifest's ``columns:`` name the columns.
Modes of inheritance are codes joined by ``|`` (``MOI_CODES``); ``lof_mechanism`` is true/false.
Kept free of pydantic so that the per-chunk gene step starts fast.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from wgs_east.annotate.io import open_text

MOI_CODES = frozenset({"AD", "AR", "XLD", "XLR", "XL", "YL", "MT", "SD", "SR"})
"""Accepted modes of inheritance (SD/SR: semidominant / somatic recessive, rare)."""
TRUE_WORDS = frozenset({"true", "yes", "1", "y"})
FALSE_WORDS = frozenset({"false", "no", "0", "n", ""})
COLUMN_KEYS = ("symbol", "moi", "loeuf", "pli", "haploinsufficiency", "disease", "lof_mechanism", "lof_moi")


def parse_moi(text: str) -> list[str]:
    """``AD|AR`` (also ``,;/&``-separated) -> ``["AD", "AR"]``, upper-cased."""
    return [m.strip().upper() for m in re.split(r"[|,;/&]", text or "") if m.strip()]


@dataclass(frozen=True)
class GeneFacts:
    moi: str = ""
    lof: bool = False
    loeuf: float | None = None
    pli: float | None = None
    hi: str = ""
    disease: str = ""
    lof_moi: str = ""
    """Modes of the gene's diseases whose mechanism is loss of function (empty: not given)."""


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_gene_table(path: Path, columns: dict[str, str | None]) -> dict[str, GeneFacts]:
    """Gene symbol -> facts; ``columns`` maps ``COLUMN_KEYS`` to header names (None: not read)."""
    out: dict[str, GeneFacts] = {}
    with open_text(path) as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("##")), delimiter="\t")
        for row in rows:

            def get(key: str, row: dict[str, str] = row) -> str:
                col = columns.get(key)
                return (row.get(col) or "").strip() if col else ""

            sym = get("symbol")
            if not sym:
                continue
            out[sym] = GeneFacts(
                moi="|".join(parse_moi(get("moi"))), lof=get("lof_mechanism").lower() in TRUE_WORDS,
                loeuf=_num(get("loeuf")), pli=_num(get("pli")), hi=get("haploinsufficiency"), disease=get("disease"),
                lof_moi="|".join(parse_moi(get("lof_moi"))),
            )  # fmt: skip
    return out


def parse_columns(text: str) -> dict[str, str | None]:
    """``symbol=symbol,moi=moi,...`` (the CLI form of the manifest's ``columns:``)."""
    out: dict[str, str | None] = dict.fromkeys(COLUMN_KEYS)
    for part in text.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            if k.strip() in out:
                out[k.strip()] = v.strip() or None
    return out


def format_columns(columns: dict[str, str | None]) -> str:
    return ",".join(f"{k}={v}" for k, v in columns.items() if v)
