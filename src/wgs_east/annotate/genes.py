"""Per-variant gene annotation over the ``bcftools csq`` output: the transcript chosen for
classification, HGVS-like c./p., exon/intron number, NMD escape, repeat context, ClinVar matches at the
same residue (PS1/PM5) and the gene table's facts.

    python -m wgs_east.annotate.genes --vcf chunk.csq.bcf --transcripts transcripts.tsv \\
        --reference genome.fa [--clinvar-residues residues.tsv] [--manifest manifest.yaml] --out table.tsv

Writes a bgzipped, tabix-indexed table ``CHROM POS REF ALT`` + the ``genes`` fields of
:mod:`wgs_east.annotate.fields` (``.`` missing, flags ``1``/``0``), in input order, for
``bcftools annotate -a``. ``bcftools csq`` (run with ``--local-csq``) decides the consequences; this
step picks, per gene, the transcript of best rank (MANE Select > Ensembl canonical > longest CDS) among
those containing the variant, and, when several genes overlap, the gene whose chosen transcript has the
most severe consequence. The other transcripts stay in ``WE_OTHER_TX`` and in ``BCSQ``.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from wgs_east.annotate.clinvar import ResidueIndex
from wgs_east.annotate.fields import GENES_STEP_FIELDS
from wgs_east.annotate.genetable import COLUMN_KEYS, GeneFacts, format_columns, parse_columns, read_gene_table
from wgs_east.annotate.hgvs import SPLICE_SITE_BASES, Hgvs, TranscriptModel, describe_c, describe_p
from wgs_east.annotate.io import run_cli, tmp_path
from wgs_east.annotate.repeats import WINDOW, changed_span, in_repeat
from wgs_east.annotate.transcripts import Transcript, read_table
from wgs_east.errors import InputError, Problem

SEVERITY: tuple[str, ...] = (
    "stop_gained", "frameshift", "splice_acceptor", "splice_donor", "start_lost", "stop_lost",
    "inframe_altering", "inframe_deletion", "inframe_insertion", "missense", "splice_region", "start_retained",
    "stop_retained", "synonymous", "coding_sequence", "5_prime_utr", "3_prime_utr", "non_coding", "intron",
    "feature_elongation", "intergenic",
)  # fmt: skip
"""bcftools csq consequence terms, most severe first."""
_RANK = {t: i for i, t in enumerate(SEVERITY)}
PROTEIN_TERMS = frozenset(SEVERITY[:10] + ("synonymous", "stop_retained", "start_retained", "coding_sequence"))
NMD_WINDOW = 50
"""A premature stop within this many nt upstream of the last exon-exon junction escapes NMD."""
OUT_COLUMNS: tuple[str, ...] = ("CHROM", "POS", "REF", "ALT", *(f.id for f in GENES_STEP_FIELDS))


@dataclass(frozen=True)
class CsqEntry:
    terms: tuple[str, ...]
    gene: str
    transcript: str


def parse_bcsq(value: str | None) -> list[CsqEntry]:
    """BCSQ entries ``consequence|gene|transcript|biotype|strand|aa|dna``; compound (``@pos``) references
    are skipped (local mode does not write them)."""
    out = []
    for entry in (value or "").split(","):
        if not entry or entry.startswith("@"):
            continue
        f = entry.split("|")
        terms = tuple(t.lstrip("*") for t in f[0].split("&") if t)
        out.append(CsqEntry(terms, f[1] if len(f) > 1 else "", f[2] if len(f) > 2 else ""))
    return out


def severity(terms: Iterable[str]) -> int:
    return min((_RANK.get(t, len(SEVERITY)) for t in terms), default=len(SEVERITY))


def vcf_text(value: object) -> str:
    """A value safe in a tab-delimited annotation and a VCF INFO string."""
    text = str(value)
    if text == "":
        return "."
    return (text.replace("%", "%25").replace(";", "%3B").replace("=", "%3D").replace(",", "%2C")
            .replace(" ", "_").replace("\t", "_"))  # fmt: skip


# --- the annotator -------------------------------------------------------------------------------
class Annotator:
    """Annotates alleles of one run of records (a chunk) from the transcripts, reference, ClinVar index
    and gene table."""

    def __init__(
        self, transcripts: Iterable[Transcript], fasta: object, residues: ResidueIndex | None = None,
        genes: dict[str, GeneFacts] | None = None,
    ) -> None:  # fmt: skip
        self.by_gene: dict[tuple[str, str], list[Transcript]] = defaultdict(list)
        for t in transcripts:
            self.by_gene[(t.chrom, t.gene)].append(t)
        for group in self.by_gene.values():
            group.sort(key=lambda t: t.rank)
        self.fasta = fasta
        self.residues = residues
        self.genes = genes
        self._mrna: dict[str, str] = {}

    def _fetch(self, chrom: str, start: int, end: int) -> tuple[str, int]:
        """Reference bases ``start..end`` (1-based, clipped at 1) and the offset of the first one."""
        lo = max(start, 1)
        return self.fasta.fetch(chrom, lo - 1, end).upper(), lo - 1  # type: ignore[attr-defined]

    def _mrna_of(self, t: Transcript) -> str:
        seq = self._mrna.get(t.id)
        if seq is None:
            region, offset = self._fetch(t.chrom, t.start, t.end)
            seq = self._mrna[t.id] = t.model.mrna(region, offset)
        return seq

    def describe(self, t: Transcript, pos: int, ref: str, alt: str, protein: bool = True) -> Hgvs:
        span = max(len(ref), len(alt)) + 500
        region, offset = self._fetch(t.chrom, pos - span, pos + span)
        c = describe_c(t.model, region, pos, ref, alt, offset)
        if not protein or not t.model.coding:
            return Hgvs(c, "")
        p = describe_p(t.model, self._mrna_of(t), pos, ref, alt)
        return Hgvs(c, p.p, p.aa_pos, p.aa_ref, p.aa_alt, p.ptc_index)

    def affected(self, chrom: str, pos: int, ref: str, entries: list[CsqEntry]) -> list[tuple[Transcript, tuple[str, ...]]]:
        """(transcript, consequence terms) of every transcript of the genes csq names that contains the
        variant, best rank first within each gene, genes in csq order."""
        per_tx = {e.transcript: e.terms for e in entries if e.transcript}
        gene_level: dict[str, tuple[str, ...]] = {}
        for e in entries:
            if not e.transcript:
                gene_level[e.gene] = tuple(dict.fromkeys(gene_level.get(e.gene, ()) + e.terms))
        end = pos + len(ref) - 1
        out = []
        for gene in dict.fromkeys(e.gene for e in entries):
            for t in self.by_gene.get((chrom, gene), ()):
                if t.id in per_tx:
                    out.append((t, per_tx[t.id]))
                elif gene in gene_level and t.contains(pos, end):
                    out.append((t, gene_level[gene]))
        return out

    def annotate(self, chrom: str, pos: int, ref: str, alt: str, bcsq: str | None) -> dict[str, str]:
        values: dict[str, str] = {}
        region, offset = self._fetch(chrom, pos - WINDOW, pos + len(ref) + WINDOW)
        if in_repeat(region, offset, pos, ref, alt):
            values["WE_IN_REPEAT"] = "1"
        entries = parse_bcsq(bcsq)
        affected = self.affected(chrom, pos, ref, entries) if entries else []
        if not affected:
            return values
        chosen_per_gene: dict[str, tuple[Transcript, tuple[str, ...]]] = {}
        for t, terms in affected:
            chosen_per_gene.setdefault(t.gene, (t, terms))
        t, terms = min(
            chosen_per_gene.values(), key=lambda c: (severity(c[1]), c[0].rank, not c[0].mane, c[0].gene)
        )
        h = self.describe(t, pos, ref, alt)
        values.update(self._transcript_fields(t, terms, h, pos, ref, alt))
        others = []
        for o, oterms in affected:
            if o is t:
                continue
            oh = self.describe(o, pos, ref, alt, protein=bool(PROTEIN_TERMS.intersection(oterms)))
            others.append(vcf_text("|".join([o.id, o.gene, "&".join(oterms), oh.c, oh.p])))
        if others:
            values["WE_OTHER_TX"] = ",".join(others)
        if self.residues is not None:
            values.update(self._clinvar_fields(t, terms, h, (chrom, pos, ref, alt)))
        if self.genes is not None:
            values.update(self._gene_fields(t.gene))
        return values

    def _transcript_fields(
        self, t: Transcript, terms: tuple[str, ...], h: Hgvs, pos: int, ref: str, alt: str
    ) -> dict[str, str]:
        first = changed_span(pos, ref, alt)[0]
        kind, number = t.model.region(first)
        n_exons = len(t.model.exons)
        values = {
            "WE_GENE": t.gene, "WE_GENE_ID": t.gene_id, "WE_TRANSCRIPT": t.id, "WE_TX_RULE": t.rule,
            "WE_CSQ": "&".join(terms), "WE_HGVSC": h.c, "WE_HGVSP": h.p,
        }  # fmt: skip
        if h.aa_pos > 0:
            values.update({"WE_AA_POS": str(h.aa_pos), "WE_AA_REF": h.aa_ref, "WE_AA_ALT": h.aa_alt})
        if kind == "exon":
            values["WE_EXON"] = f"{number}/{n_exons}"
        elif kind == "intron":
            values["WE_INTRON"] = f"{number}/{n_exons - 1}"
        if nmd_escape(t.model, first, h):
            values["WE_NMD_ESCAPE"] = "1"
        values.update(pvs1_facts(t.model, first, h, terms))
        return {k: vcf_text(v) if k != "WE_CSQ" else v for k, v in values.items() if v != ""}

    def _clinvar_fields(
        self, t: Transcript, terms: tuple[str, ...], h: Hgvs, allele: tuple[str, int, str, str]
    ) -> dict[str, str]:
        assert self.residues is not None
        values = {"CLINVAR_SAME_AA_STARS": "-1", "CLINVAR_SAME_RESIDUE_STARS": "-1", "CLINVAR_SAME_AA_P_STARS": "-1",
                  "CLINVAR_SAME_RESIDUE_P_STARS": "-1"}  # fmt: skip
        missense = "missense" in terms and h.aa_pos > 0 and len(h.aa_ref) == 1 and len(h.aa_alt) == 1
        if not missense or h.aa_alt == "*":
            return values
        same_aa, same_residue = self.residues.match(t.id, h.aa_pos, h.aa_ref, h.aa_alt, allele)
        if same_aa:
            values["CLINVAR_SAME_AA_STARS"] = str(max(r.stars for r in same_aa))
            values["CLINVAR_SAME_AA"] = ",".join(vcf_text(r.evidence()) for r in same_aa)
            values["CLINVAR_SAME_AA_P_STARS"] = str(max((r.stars for r in same_aa if r.significance == "P"), default=-1))
        if same_residue:
            values["CLINVAR_SAME_RESIDUE_STARS"] = str(max(r.stars for r in same_residue))
            values["CLINVAR_SAME_RESIDUE"] = ",".join(vcf_text(r.evidence()) for r in same_residue)
            values["CLINVAR_SAME_RESIDUE_P_STARS"] = str(
                max((r.stars for r in same_residue if r.significance == "P"), default=-1))
        return values

    def _gene_fields(self, gene: str) -> dict[str, str]:
        assert self.genes is not None
        facts = self.genes.get(gene)
        if facts is None:
            return {}
        values = {"GENE_MOI": facts.moi, "GENE_HI": facts.hi, "GENE_DISEASE": facts.disease}
        if facts.lof:
            values["GENE_LOF"] = "1"
        if facts.lof_moi:
            values["GENE_LOF_MOI"] = facts.lof_moi
        if facts.loeuf is not None:
            values["GENE_LOEUF"] = f"{facts.loeuf:g}"
        if facts.pli is not None:
            values["GENE_PLI"] = f"{facts.pli:g}"
        return {k: vcf_text(v) for k, v in values.items() if v != ""}


def pvs1_facts(t: TranscriptModel, gpos: int, h: Hgvs, terms: tuple[str, ...]) -> dict[str, str]:
    """The facts of the PVS1 decision tree (Abou Tayoun et al. 2018, Fig. 1) on a coding transcript:
    ``WE_PROT_LEN`` (residues, stop excluded); nonsense/frameshift: ``WE_PTC_AA`` (codon of the new stop;
    -1 when a frameshift reads through the mRNA end) and ``WE_PROT_REMOVED`` (residues from that stop, or
    from the first changed residue for a read-through, to the end / protein length); canonical +/-1,2
    splice: ``WE_SKIP_EXON_LEN`` (coding nt of the adjacent exon, whose skipping is the predicted outcome:
    in frame when divisible by 3) and ``WE_PROT_REMOVED`` (those nt / CDS length)."""
    if not t.coding:
        return {}
    assert t.cds_start is not None and t.cds_end is not None
    cds = t.cds_end - t.cds_start
    prot = cds // 3 - 1
    if prot <= 0:
        return {}
    out = {"WE_PROT_LEN": str(prot)}
    term_set = set(terms)
    if h.ptc_index is not None and term_set & {"stop_gained", "frameshift"}:
        if h.ptc_index >= 0:
            stop_aa = (h.ptc_index - t.cds_start) // 3 + 1
            out["WE_PTC_AA"] = str(stop_aa)
            removed = max(prot - (stop_aa - 1), 0) / prot
        else:
            out["WE_PTC_AA"] = "-1"
            removed = max(prot - max(h.aa_pos, 1) + 1, 0) / prot
        out["WE_PROT_REMOVED"] = f"{removed:.4f}"
    elif term_set & {"splice_donor", "splice_acceptor"}:
        intronic = t.intron_offset(gpos)
        if intronic is None:
            return out
        idx = intronic[0]
        start = 0
        for s, e in t.exons:
            length = e - s + 1
            if start <= idx < start + length:
                coding = max(0, min(start + length, t.cds_end) - max(start, t.cds_start))
                out["WE_SKIP_EXON_LEN"] = str(coding)
                out["WE_PROT_REMOVED"] = f"{coding / cds:.4f}"
                break
            start += length
    return out


def nmd_escape(t: TranscriptModel, gpos: int, h: Hgvs) -> bool:
    """Predicted NMD escape on a coding transcript: the premature stop (nonsense, frameshift: ``h``) or
    else the variant's mRNA position (a canonical splice site +/-1,2: the adjacent exon base) lies in the
    last exon or in the last ``NMD_WINDOW`` nt of the penultimate exon; single-exon transcripts always
    escape; deeper intronic variants never do."""
    if not t.coding:
        return False
    if len(t.exons) == 1:
        return True
    last_junction = t.mrna_length - (abs(t.exons[-1][1] - t.exons[-1][0]) + 1)  # first base of the last exon
    if h.ptc_index is not None:
        return h.ptc_index < 0 or h.ptc_index >= last_junction - NMD_WINDOW
    idx = t.index_of(gpos)
    if idx is None:
        intronic = t.intron_offset(gpos)
        if intronic is None or abs(intronic[1]) > SPLICE_SITE_BASES:
            return False
        idx = intronic[0]
    return idx >= last_junction - NMD_WINDOW


# --- I/O -----------------------------------------------------------------------------------------
def read_bed(path: Path) -> list[tuple[str, int, int]]:
    out = []
    with open(path) as fh:
        for line in fh:
            if line.strip() and not line.startswith(("#", "track", "browser")):
                f = line.split("\t")
                out.append((f[0], int(f[1]), int(f[2])))
    return out


def records(
    vcf_path: Path, regions: list[tuple[str, int, int]] | None = None
) -> Iterator[tuple[str, int, str, str, str | None]]:
    """(chrom, pos, ref, alt, BCSQ) of biallelic records; with ``regions`` (0-based half-open) only
    records whose POS lies in one (as ``bcftools --regions-overlap 0``), each once."""
    import cyvcf2

    try:
        vcf = cyvcf2.VCF(str(vcf_path))
    except OSError as exc:
        raise InputError(vcf_path, [Problem("", f"cannot read the VCF: {exc}")]) from None
    has_bcsq = "BCSQ" in [h["ID"] for h in vcf.header_iter() if h["HeaderType"] == "INFO"]
    known = set(vcf.seqnames)
    if regions is None:
        streams: Iterable = [vcf]
        bounds: list[tuple[int, int] | None] = [None]
    else:
        regions = [r for r in regions if r[0] in known]
        streams = [vcf(f"{c}:{s + 1}-{e}") for c, s, e in regions]
        bounds = [(s + 1, e) for _, s, e in regions]
    for stream, bound in zip(streams, bounds, strict=True):
        for v in stream:
            if bound is not None and not bound[0] <= v.POS <= bound[1]:
                continue
            if len(v.ALT) != 1 or v.ALT[0] in ("*", "<*>", "."):
                continue
            yield v.CHROM, v.POS, v.REF, v.ALT[0], (v.INFO.get("BCSQ") if has_bcsq else None)
    vcf.close()


def write_rows(rows: Iterable[tuple[str, int, str, str, dict[str, str]]], out: Path) -> int:
    """The table, bgzipped and tabix-indexed (``out`` ends in ``.gz``, index ``out.tbi``); records
    without any value are left out."""
    import pysam

    plain = tmp_path(out.with_suffix(""))
    n = 0
    with open(plain, "w") as fh:
        for chrom, pos, ref, alt, values in rows:
            if not values:
                continue
            fh.write("\t".join([chrom, str(pos), ref, alt, *(values.get(c, ".") for c in OUT_COLUMNS[4:])]) + "\n")
            n += 1
    gz = Path(pysam.tabix_index(str(plain), seq_col=0, start_col=1, end_col=1, force=True))
    Path(f"{gz}.tbi").replace(f"{out}.tbi")
    gz.replace(out)
    return n


def main(argv: list[str] | None = None) -> int:
    import pysam

    parser = argparse.ArgumentParser(description="Transcript choice, HGVS and gene facts over bcftools csq output")
    parser.add_argument("--vcf", required=True, help="VCF/BCF annotated by bcftools csq --local-csq")
    parser.add_argument("--transcripts", required=True, help="table of python -m wgs_east.annotate.transcripts")
    parser.add_argument("--reference", required=True, help="reference FASTA (indexed)")
    parser.add_argument("--clinvar-residues", help="residue index of python -m wgs_east.annotate.clinvar residues")
    parser.add_argument("--gene-table", help="the bundle's gene table (TSV)")
    parser.add_argument("--gene-columns", default=format_columns({k: k for k in COLUMN_KEYS}),
                        help="its columns: symbol=NAME,moi=NAME,loeuf=...,pli=...,haploinsufficiency=...,"
                        "disease=...,lof_mechanism=...")  # fmt: skip
    parser.add_argument("--manifest", help="resource bundle manifest: its gene table (instead of --gene-table)")
    parser.add_argument("--regions", help="BED: annotate only records whose POS lies in it (indexed --vcf)")
    parser.add_argument("--out", required=True, help="output .tsv.gz (bgzip + tabix; columns CHROM POS REF ALT + fields)")
    args = parser.parse_args(argv)
    regions = read_bed(Path(args.regions)) if args.regions else None
    contigs = {c for c, _, _ in regions} if regions is not None else None
    transcripts = list(read_table(Path(args.transcripts), contigs))
    residues = ResidueIndex.read(Path(args.clinvar_residues)) if args.clinvar_residues else None
    genes = None
    if args.gene_table:
        genes = read_gene_table(Path(args.gene_table), parse_columns(args.gene_columns))
    elif args.manifest:
        from wgs_east.resources.manifest import load_manifest

        found = load_manifest(args.manifest).one("gene_table")
        if found is not None:
            genes = read_gene_table(found[1].path, found[1].columns.model_dump())
    try:
        fasta = pysam.FastaFile(args.reference)
    except (OSError, ValueError) as exc:
        raise InputError(args.reference, [Problem("", f"cannot open the reference: {exc}")]) from None
    annotator = Annotator(transcripts, fasta, residues, genes)
    n = write_rows(
        ((c, p, r, a, annotator.annotate(c, p, r, a, b)) for c, p, r, a, b in records(Path(args.vcf), regions)),
        Path(args.out),
    )
    print(f"genes: {n} annotated records, {len(transcripts)} transcripts", flush=True)
    return 0


if __name__ == "__main__":
    run_cli(main)
