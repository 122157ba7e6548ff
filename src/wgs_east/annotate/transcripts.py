"""Transcript models from an Ensembl-style GFF3, and the choice of one transcript per gene.

    python -m wgs_east.annotate.transcripts --gff genes.gff3.gz --out transcripts.tsv

The table has one line per transcript (exons in transcript order, CDS as mRNA offsets, tags) and its
rank within the gene for classification: **MANE Select > Ensembl canonical > longest CDS** (then
longest mRNA, then transcript id). Only the GFF3 shape that ``bcftools csq`` reads is supported
(``ID=gene:``, ``ID=transcript:...;Parent=gene:``, exon/CDS with ``Parent=transcript:``).
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from wgs_east.annotate.hgvs import TranscriptModel
from wgs_east.annotate.io import open_text, run_cli, tmp_path
from wgs_east.errors import InputError, Problem

MANE_TAGS = ("MANE_Select",)
CANONICAL_TAGS = ("Ensembl_canonical", "canonical")
COLUMNS = ("transcript_id", "gene_id", "gene", "chrom", "strand", "biotype", "tags", "exons", "cds_start",
           "cds_end", "rank", "rule")  # fmt: skip


@dataclass
class Transcript:
    """A transcript with its gene and the facts the choice needs."""

    model: TranscriptModel
    gene_id: str
    gene: str
    chrom: str
    biotype: str
    tags: tuple[str, ...]
    rank: int = 0
    rule: str = ""

    @property
    def id(self) -> str:
        return self.model.transcript_id

    @property
    def start(self) -> int:
        return self.model.start

    @property
    def end(self) -> int:
        return self.model.end

    @property
    def cds_length(self) -> int:
        m = self.model
        return (m.cds_end - m.cds_start) if m.coding else 0  # type: ignore[operator]

    @property
    def mane(self) -> bool:
        return any(t in self.tags for t in MANE_TAGS)

    @property
    def canonical(self) -> bool:
        return any(t in self.tags for t in CANONICAL_TAGS)

    def contains(self, pos: int, end: int | None = None) -> bool:
        return self.start <= (end or pos) and pos <= self.end


def choice_key(t: Transcript) -> tuple[bool, bool, int, int, str]:
    return (not t.mane, not t.canonical, -t.cds_length, -t.model.mrna_length, t.id)


def rule_of(t: Transcript) -> str:
    """Why a gene's first-ranked transcript was chosen."""
    return "MANE_Select" if t.mane else "canonical" if t.canonical else "longest"


def rank_genes(transcripts: Iterable[Transcript]) -> list[Transcript]:
    """Set ``rank`` (1 = the gene's transcript for classification) and ``rule`` of every transcript."""
    by_gene: dict[tuple[str, str], list[Transcript]] = defaultdict(list)
    out = list(transcripts)
    for t in out:
        by_gene[(t.chrom, t.gene_id)].append(t)
    for group in by_gene.values():
        for i, t in enumerate(sorted(group, key=choice_key), start=1):
            t.rank = i
            t.rule = rule_of(t) if i == 1 or t.mane or t.canonical else "other"
    return out


def _attrs(text: str) -> dict[str, str]:
    out = {}
    for part in text.strip().split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k] = v
    return out


def parse_gff3(lines: Iterable[str], source: str = "GFF3") -> list[Transcript]:
    """Transcripts (with exons and CDS) of an Ensembl-style GFF3, ranked per gene."""
    genes: dict[str, tuple[str, str]] = {}  # gene id -> (symbol, id without prefix)
    tx: dict[str, dict] = {}
    exons: dict[str, list[tuple[int, int]]] = defaultdict(list)
    cds: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for lineno, line in enumerate(lines, start=1):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\r\n").split("\t")
        if len(f) != 9:
            raise InputError(source, [Problem(f"line {lineno}", f"{len(f)} columns, GFF3 has 9")])
        a = _attrs(f[8])
        ident, parent = a.get("ID", ""), a.get("Parent", "")
        try:
            start, end = int(f[3]), int(f[4])
        except ValueError:
            raise InputError(source, [Problem(f"line {lineno}", "start/end are not integers")]) from None
        if ident.startswith("gene:"):
            gid = ident[5:]
            genes[ident] = (a.get("Name", gid), a.get("gene_id", gid))
        elif ident.startswith("transcript:"):
            tid = ident[11:]
            tx[tid] = {"parent": parent.split(",")[0], "chrom": f[0], "strand": f[6], "biotype": a.get("biotype", ""),
                       "tags": tuple(t for t in a.get("tag", "").split(",") if t)}  # fmt: skip
        elif f[2] in ("exon", "CDS") and parent.startswith("transcript:"):
            for p in parent.split(","):
                (exons if f[2] == "exon" else cds)[p[11:]].append((start, end))
    out = []
    for tid, info in tx.items():
        ex = exons.get(tid)
        if not ex or info["strand"] not in "+-":
            continue
        plus = info["strand"] == "+"
        ex = sorted(ex, reverse=not plus)
        model = TranscriptModel(tid, info["strand"], ex)
        pieces = cds.get(tid)
        if pieces:
            lo, hi = min(s for s, _ in pieces), max(e for _, e in pieces)
            first, last = (lo, hi) if plus else (hi, lo)
            i0, i1 = model.index_of(first), model.index_of(last)
            if i0 is not None and i1 is not None:
                model.cds_start, model.cds_end = i0, i1 + 1
        symbol, gid = genes.get(info["parent"], (info["parent"].removeprefix("gene:"),) * 2)
        out.append(Transcript(model, gid, symbol, info["chrom"], info["biotype"], info["tags"]))
    return rank_genes(out)


def write_table(transcripts: Iterable[Transcript], path: Path) -> None:
    tmp = tmp_path(path)
    with open(tmp, "w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(COLUMNS)
        for t in sorted(transcripts, key=lambda t: (t.chrom, t.start, t.id)):
            m = t.model
            w.writerow([t.id, t.gene_id, t.gene, t.chrom, m.strand, t.biotype, ",".join(t.tags),
                        ",".join(f"{s}-{e}" for s, e in m.exons),
                        "" if m.cds_start is None else m.cds_start, "" if m.cds_end is None else m.cds_end,
                        t.rank, t.rule])  # fmt: skip
    tmp.replace(path)


def read_table(path: Path, contigs: set[str] | None = None) -> Iterator[Transcript]:
    """Transcripts of a table written by :func:`write_table` (only those on ``contigs`` when given)."""
    with open_text(path) as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if contigs is not None and row["chrom"] not in contigs:
                continue
            exons = [tuple(int(x) for x in e.split("-")) for e in row["exons"].split(",")]
            model = TranscriptModel(
                row["transcript_id"], row["strand"], exons,  # type: ignore[arg-type]
                int(row["cds_start"]) if row["cds_start"] else None, int(row["cds_end"]) if row["cds_end"] else None,
            )  # fmt: skip
            yield Transcript(model, row["gene_id"], row["gene"], row["chrom"], row["biotype"],
                             tuple(t for t in row["tags"].split(",") if t), int(row["rank"]), row["rule"])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Transcript table (with the per-gene choice) from a GFF3")
    parser.add_argument("--gff", required=True, help="Ensembl-style GFF3 (plain or gzip)")
    parser.add_argument("--out", required=True, help="output TSV")
    args = parser.parse_args(argv)
    with open_text(Path(args.gff)) as fh:
        transcripts = parse_gff3(fh, args.gff)
    if not transcripts:
        raise InputError(args.gff, [Problem("", "no transcript with exons (is it an Ensembl-style GFF3?)")])
    write_table(transcripts, Path(args.out))
    return 0


if __name__ == "__main__":
    run_cli(main)
