"""Score a table of CNVs against a resource bundle with the ClinGen CNV points (:mod:`.scoring`).

    python -m wgs_east.cnv.classify --manifest BUNDLE/manifest.yaml --cnvs cnvs.tsv --out scores.tsv

Input: tab-delimited with a header line; columns ``chrom``, ``start``, ``end`` (1-based, inclusive),
``type`` (``loss``/``gain``; ``DEL``/``DUP`` accepted), and optionally ``id``, ``copy_number``,
``inheritance`` (``de_novo``, ``de_novo_assumed``, ``inherited_unaffected``, ``inherited_affected``,
``unknown``), ``phenotype`` (``unique``, ``specific``, ``nonspecific``, ``inconsistent``, ``unknown``),
``segregations``. Genes come from the bundle's ``gene_models`` (the rank-1 transcript of each gene)
and ``gene_table`` (HI score, pLI, LOEUF; the TS score when its ``columns:`` name a
``triplosensitivity`` column); the population frequency from its ``sv_population`` source
when it has one (:mod:`.population`: same type, reciprocal overlap >= 50 %). Every problem of the
input is reported at once (file, line, column), exit code 2, before anything is written.

Output: one row per CNV, in input order: the input's id and coordinates, ``population_frequency``,
``population_match`` (record ID and reciprocal overlap), the points of sections 1-5, ``total``,
``classification``, ``codes`` (counted evidence) and ``evidence`` (the whole trail). Written atomically.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wgs_east.annotate.genetable import read_gene_table
from wgs_east.annotate.io import open_text, run_cli, tmp_path
from wgs_east.annotate.transcripts import parse_gff3
from wgs_east.cnv.population import population_frequency, read_region
from wgs_east.cnv.scoring import (
    Cnv,
    CnvScore,
    CnvType,
    Gene,
    Inheritance,
    Phenotype,
    genes_from_models,
    score_cnv,
)
from wgs_east.errors import InputError, Problem
from wgs_east.resources.manifest import Manifest, SvPopulation, load_manifest
from wgs_east.resources.prepare import read_table

REQUIRED = ("chrom", "start", "end", "type")
TYPE_WORDS = {"loss": CnvType.loss, "del": CnvType.loss, "deletion": CnvType.loss,
              "gain": CnvType.gain, "dup": CnvType.gain, "duplication": CnvType.gain}  # fmt: skip
OUT_COLUMNS = ("id", "chrom", "start", "end", "type", "population_frequency", "population_match", "section1",
               "section2", "section3", "section4", "section5", "total", "classification", "codes", "evidence")  # fmt: skip


@dataclass(frozen=True)
class Row:
    id: str
    cnv: Cnv


def _int(text: str, line: int, column: str, problems: list[Problem], minimum: int = 0) -> int:
    try:
        value = int(text)
    except ValueError:
        problems.append(Problem(f"line {line}, column {column}", f"{text!r} is not an integer"))
        return minimum
    if value < minimum:
        problems.append(Problem(f"line {line}, column {column}", f"{value} is below {minimum}"))
    return value


def read_cnvs(path: Path) -> list[Row]:
    """The CNVs of a table; InputError listing every problem (line and column)."""
    problems: list[Problem] = []
    rows: list[Row] = []
    with open_text(path) as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(path, [Problem("header", f"columns missing: {', '.join(missing)} (needs {', '.join(REQUIRED)})")])
        for line, rec in enumerate(reader, start=2):
            n = len(problems)
            start = _int(rec["start"] or "", line, "start", problems, minimum=1)
            end = _int(rec["end"] or "", line, "end", problems, minimum=1)
            kind = TYPE_WORDS.get((rec["type"] or "").strip().lower())
            if kind is None:
                problems.append(Problem(f"line {line}, column type", f"{rec['type']!r} is not loss/gain (or DEL/DUP)"))
            if len(problems) == n and end < start:
                problems.append(Problem(f"line {line}, column end", f"end {end} is before start {start}"))
            options: dict[str, object] = {}
            for column, enum in (("inheritance", Inheritance), ("phenotype", Phenotype)):
                text = (rec.get(column) or "").strip()
                if text:
                    try:
                        options[column] = enum(text)
                    except ValueError:
                        allowed = ", ".join(e.value for e in enum)
                        problems.append(Problem(f"line {line}, column {column}", f"{text!r} is not one of {allowed}"))
            for column in ("copy_number", "segregations"):
                text = (rec.get(column) or "").strip()
                if text and text != ".":
                    options[column] = _int(text, line, column, problems)
            if not (rec["chrom"] or "").strip():
                problems.append(Problem(f"line {line}, column chrom", "empty"))
            if len(problems) == n:
                ident = (rec.get("id") or "").strip() or f"{rec['chrom']}:{start}-{end}:{kind}"
                rows.append(Row(ident, Cnv(rec["chrom"].strip(), start, end, kind, **options)))  # type: ignore[arg-type]
    if problems:
        raise InputError(path, problems)
    return rows


def bundle_genes(manifest: Manifest) -> list[Gene]:
    _, models = manifest.one("gene_models")  # type: ignore[misc]  # a validated manifest has one
    with open_text(models.path) as fh:
        transcripts = parse_gff3(fh, str(models.path))
    table = manifest.one("gene_table")
    facts = read_gene_table(table[1].path, table[1].columns.model_dump()) if table else {}
    ts: dict[str, str] = {}
    if table and table[1].columns.triplosensitivity:
        cols = table[1].columns
        ts = {r.get(cols.symbol) or "": r.get(cols.triplosensitivity) or "" for r in read_table(table[1].path)}
    return genes_from_models(transcripts, facts, ts)


def score_rows(rows: Iterable[Row], genes: list[Gene], sv_source: SvPopulation | None) -> list[dict[str, str]]:
    out = []
    for row in rows:
        c = row.cnv
        match = None
        if sv_source is not None:
            records = read_region(sv_source.path, c.chrom, c.start, c.end, sv_source.fields)
            match = population_frequency(c.chrom, c.start, c.end, c.type, records)
        result: CnvScore = score_cnv(c, genes, population_af=match.frequency if match else None)
        out.append({
            "id": row.id, "chrom": c.chrom, "start": str(c.start), "end": str(c.end), "type": c.type.value,
            "population_frequency": f"{match.frequency:.6g}" if match else ".",
            "population_match": f"{match.record.id} (RO {match.overlap:.2f})" if match else ".",
            **{f"section{k}": f"{result.sections.get(k, 0.0):.2f}" for k in range(1, 6)},
            "total": f"{result.total:.2f}", "classification": result.classification,
            "codes": ",".join(result.codes()), "evidence": result.trail().replace("\t", " "),
        })  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", required=True, type=Path, help="resource bundle manifest.yaml")
    parser.add_argument("--cnvs", required=True, type=Path, help="CNV table (TSV with a header)")
    parser.add_argument("--out", required=True, type=Path, help="output TSV")
    args = parser.parse_args(argv)
    if not args.cnvs.is_file():
        raise InputError(args.cnvs, [Problem("", "CNV table not found")])
    manifest = load_manifest(args.manifest)
    rows = read_cnvs(args.cnvs)
    sv = manifest.one("sv_population")
    scored = score_rows(rows, bundle_genes(manifest), sv[1] if sv else None)
    tmp = tmp_path(args.out)
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=OUT_COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(scored)
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    run_cli(main)
