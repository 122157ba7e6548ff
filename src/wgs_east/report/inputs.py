"""Reading what the reports show: the workflow's outputs, the run facts and the resource bundle.

Every reader raises :class:`~wgs_east.errors.InputError` naming the file; optional inputs (no resource
bundle, no HPO file in it) give ``None`` / an empty mapping instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from wgs_east.errors import InputError, Problem
from wgs_east.resources.manifest import read_manifest  # noqa: F401  (re-exported: the report input layer)

HPO_ID = re.compile(r"^HP:\d{7}$")


def read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise InputError(path, [Problem("", "file not found")]) from None
    except (OSError, ValueError) as exc:
        raise InputError(path, [Problem("", f"not a readable JSON file: {exc}")]) from None


def read_depth_distribution(path: Path) -> pd.DataFrame:
    """mosdepth's ``*.mosdepth.region.dist.txt``: contig (or ``total``), depth, proportion of the contig's
    bases at >= depth (cumulative)."""
    try:
        return pd.read_csv(
            path, sep="\t", header=None, names=["contig", "depth", "proportion"], dtype={"contig": str}
        )
    except FileNotFoundError:
        raise InputError(path, [Problem("", "file not found")]) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(path, [Problem("", f"not a mosdepth distribution: {exc}")]) from None


def manifest_sources(manifest: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Name -> source record of a manifest (``sources:`` as a mapping or as a list of records with ``name``)."""
    if not manifest:
        return {}
    src = manifest.get("sources") or manifest.get("resources") or {}
    if isinstance(src, list):
        return {str(s.get("name", i)): s for i, s in enumerate(src) if isinstance(s, dict)}
    if isinstance(src, dict):
        return {str(k): v for k, v in src.items() if isinstance(v, dict)}
    return {}


def _source_path(manifest_path: Path, src: dict[str, Any]) -> Path | None:
    rel = src.get("path") or src.get("file")
    if not rel:
        return None
    path = Path(str(rel))
    return path if path.is_absolute() else Path(manifest_path).parent / path


def hpo_source(manifest: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """The bundle's HPO term file: a source whose name or kind says HPO terms/ontology (not a gene table)."""
    for name, src in manifest_sources(manifest).items():
        label = f"{name} {src.get('kind', '')}".lower()
        if ("hpo" in label or "phenotype_ontology" in label) and "gene" not in label:
            return name, src
    return None


def parse_hpo_terms(text: str) -> dict[str, str]:
    """HPO id -> name from an OBO file (``[Term]`` stanzas) or a table whose rows start ``HP:nnnnnnn<TAB>name``
    (a header line and ``#`` comments are skipped)."""
    names: dict[str, str] = {}
    if "[Term]" in text:
        term_id = None
        for line in text.splitlines():
            if line.startswith("[Term]"):
                term_id = None
            elif line.startswith("id: "):
                term_id = line[4:].strip()
            elif line.startswith("name: ") and term_id and HPO_ID.match(term_id):
                names[term_id] = line[6:].strip()
        return names
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.rstrip("\r").split("\t")
        if len(fields) >= 2 and HPO_ID.match(fields[0].strip()) and fields[1].strip():
            names[fields[0].strip()] = fields[1].strip()
    return names


def read_hpo_names(
    manifest_path: Path | None, manifest: dict[str, Any] | None
) -> tuple[dict[str, str], str | None]:
    """(HPO id -> name, description of the source) from the bundle; ({}, None) when the bundle has no HPO
    file (the report then shows the ids alone)."""
    if manifest_path is None or manifest is None:
        return {}, None
    found = hpo_source(manifest)
    if found is None:
        return {}, None
    name, src = found
    path = _source_path(Path(manifest_path), src)
    if path is None:
        return {}, None
    try:
        import gzip

        raw = path.read_bytes()
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8", errors="replace")
    except OSError as exc:
        raise InputError(path, [Problem(f"resource {name}", f"HPO term file not readable: {exc}")]) from None
    version = src.get("version")
    return parse_hpo_terms(text), f"{name} {version}" if version else name
