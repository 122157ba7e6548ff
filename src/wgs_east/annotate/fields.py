"""The INFO fields of the annotated VCF: one table, the single source of truth for the VCF header
lines, the ``bcftools annotate -c`` column lists, the frame reader and the README table
(``python -m wgs_east.annotate.fields markdown``; a test keeps README in sync).

    python -m wgs_east.annotate.fields header --manifest MANIFEST --out HEADER.txt
    python -m wgs_east.annotate.fields markdown
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InfoField:
    id: str
    number: str
    type: str
    description: str
    column: str | None
    """Column of the ACMG input frame filled from this field (None: VCF only)."""
    source: str
    """Step that writes it: genes (python -m wgs_east.annotate.genes), population, clinvar, revel,
    spliceai, cadd (bcftools annotate from the bundle), csq (bcftools csq)."""


_F = InfoField
FIELDS: tuple[InfoField, ...] = (
    # --- consequence on the transcript chosen for classification (genes step over bcftools csq) ---
    _F("WE_GENE", "1", "String", "Gene symbol of the transcript chosen for classification (the most severely "
       "affected gene when several overlap)", "gene", "genes"),
    _F("WE_GENE_ID", "1", "String", "Gene id of WE_GENE", None, "genes"),
    _F("WE_TRANSCRIPT", "1", "String", "Transcript chosen for classification: MANE Select > Ensembl "
       "canonical > longest CDS, among the gene's transcripts that contain the variant", "transcript", "genes"),
    _F("WE_TX_RULE", "1", "String", "Why WE_TRANSCRIPT was chosen: MANE_Select, canonical or longest", None, "genes"),
    _F("WE_CSQ", "1", "String", "bcftools csq consequence terms on WE_TRANSCRIPT, joined by &", "consequence", "genes"),
    _F("WE_HGVSC", "1", "String", "HGVS-like c. (n. for non-coding) description on WE_TRANSCRIPT, 3'-shifted",
       "hgvs_c", "genes"),
    _F("WE_HGVSP", "1", "String", "HGVS-like p. description (three-letter amino acids; p.? for canonical "
       "splice sites)", "hgvs_p", "genes"),
    _F("WE_AA_POS", "1", "Integer", "First changed residue (1-based)", "aa_pos", "genes"),
    _F("WE_AA_REF", "1", "String", "Reference residue(s) at WE_AA_POS, one-letter code (* = stop)", "aa_ref", "genes"),
    _F("WE_AA_ALT", "1", "String", "New residue(s) at WE_AA_POS, one-letter code (* = stop)", "aa_alt", "genes"),
    _F("WE_EXON", "1", "String", "Exon number / exon count of WE_TRANSCRIPT", "exon", "genes"),
    _F("WE_INTRON", "1", "String", "Intron number / intron count of WE_TRANSCRIPT", None, "genes"),
    _F("WE_NMD_ESCAPE", "0", "Flag", "Predicted to escape NMD: the premature stop (nonsense, frameshift) or the "
       "variant (other exonic consequences; canonical splice sites: the adjacent exon base) lies in the last exon "
       "or in the last 50 nt of the penultimate exon (single-exon transcripts: always)", "nmd_escape", "genes"),
    _F("WE_PROT_LEN", "1", "Integer", "Protein length of WE_TRANSCRIPT (residues, stop excluded)", None, "genes"),
    _F("WE_PTC_AA", "1", "Integer", "Nonsense/frameshift: codon number of the new stop on WE_TRANSCRIPT (-1: the "
       "frameshift reads through the mRNA end)", "ptc_aa", "genes"),
    _F("WE_PROT_REMOVED", "1", "Float", "Fraction of the protein removed: nonsense/frameshift from the new stop to "
       "the end; canonical splice: coding nt of the adjacent (skipped) exon / CDS length (PVS1 decision tree)",
       "prot_removed", "genes"),
    _F("WE_SKIP_EXON_LEN", "1", "Integer", "Canonical +/-1,2 splice site: coding nt of the adjacent exon whose "
       "skipping is predicted (in frame when divisible by 3)", "skip_exon_len", "genes"),
    _F("WE_IN_REPEAT", "0", "Flag", "The changed reference bases (insertions: the bases either side) overlap a "
       "homopolymer >= 6 bp or a tandem repeat of a 2-6 bp unit with >= 3 copies and >= 9 bp", "in_repeat",
       "genes"),
    _F("WE_OTHER_TX", ".", "String", "Other transcripts containing the variant: transcript|gene|consequence|"
       "hgvs_c|hgvs_p", None, "genes"),
    # --- gene table ------------------------------------------------------------------------------
    _F("GENE_MOI", "1", "String", "Modes of inheritance of WE_GENE (gene table), joined by |", "gene_moi", "genes"),
    _F("GENE_LOF", "0", "Flag", "Loss of function is a known disease mechanism of WE_GENE (gene table)",
       "lof_mechanism", "genes"),
    _F("GENE_LOF_MOI", "1", "String", "Modes of inheritance of the WE_GENE diseases whose mechanism is loss of "
       "function, joined by | (gene table lof_moi; e.g. AR for a gene with an AD gain-of-function and an AR LoF "
       "disease)", None, "genes"),
    _F("GENE_LOEUF", "1", "Float", "LOEUF of WE_GENE (gene table)", "loeuf", "genes"),
    _F("GENE_PLI", "1", "Float", "pLI of WE_GENE (gene table)", "pli", "genes"),
    _F("GENE_HI", "1", "String", "ClinGen haploinsufficiency score of WE_GENE (gene table)", None, "genes"),
    _F("GENE_DISEASE", "1", "String", "Disease associated with WE_GENE (gene table; spaces as _)", None, "genes"),
    # --- ClinVar residue matches (PS1 / PM5), genes step over the ClinVar residue index ---------------
    _F("CLINVAR_SAME_AA_STARS", "1", "Integer", "Max review stars of a ClinVar P/LP missense with the same "
       "amino-acid change on WE_TRANSCRIPT from a different nucleotide change (PS1)", "clinvar_same_aa_stars",
       "genes"),
    _F("CLINVAR_SAME_AA", ".", "String", "Those ClinVar records: hgvs_p|variation id|stars|chrom:pos:ref:alt|"
       "significance (P, or LP: Likely pathogenic or Pathogenic/Likely_pathogenic)", "clinvar_same_aa", "genes"),
    _F("CLINVAR_SAME_AA_P_STARS", "1", "Integer", "Max review stars among those records that are Pathogenic (not "
       "LP); -1 none: an LP comparator only (PS1 one step down)", "clinvar_same_aa_p_stars", "genes"),
    _F("CLINVAR_SAME_RESIDUE_STARS", "1", "Integer", "Max review stars of a ClinVar P/LP missense with a "
       "different amino-acid change at the same residue of WE_TRANSCRIPT (PM5)", "clinvar_same_residue_stars",
       "genes"),
    _F("CLINVAR_SAME_RESIDUE", ".", "String", "Those ClinVar records: hgvs_p|variation id|stars|chrom:pos:ref:alt|"
       "significance", "clinvar_same_residue", "genes"),
    _F("CLINVAR_SAME_RESIDUE_P_STARS", "1", "Integer", "Max review stars among those records that are Pathogenic "
       "(not LP); -1 none (PM5 one step down)", "clinvar_same_residue_p_stars", "genes"),
    # --- population (bcftools annotate from the population VCF) -------------------------------------
    _F("POP_AF", "A", "Float", "Allele frequency in the population resource (absent: not in the resource)",
       "pop_af", "population"),
    _F("POP_AN", "1", "Integer", "Allele number in the population resource", "pop_an", "population"),
    _F("POP_AC", "A", "Integer", "Allele count in the population resource", None, "population"),
    _F("POP_NHOM", "A", "Integer", "Homozygous individuals in the population resource", "pop_nhom", "population"),
    _F("POP_NHEMI", "A", "Integer", "Hemizygous individuals in the population resource", "pop_nhemi", "population"),
    _F("POPMAX_AF", "A", "Float", "AF of the genetic-ancestry group with the highest AF (popmax/grpmax)",
       "popmax_af", "population"),
    _F("POPMAX_AN", "A", "Integer", "AN of that group", "popmax_an", "population"),
    _F("POPMAX_POP", "A", "String", "That group", "popmax_pop", "population"),
    _F("POP_FAFMAX", "A", "Float", "Filtering allele frequency (95 % CI lower bound, highest over groups); BS1 "
       "compares it with the threshold", "pop_faf", "population"),
    _F("POP_FAFMAX_POP", "A", "String", "Group of POP_FAFMAX", None, "population"),
    _F("POP_FILTER", ".", "String", "FILTER of the population record (PASS, or e.g. AC0,AS_VQSR: the resource saw "
       "the variant but filtered it; absent field with POP_AF present: the source records no FILTER; absent "
       "POP_AF: not in the resource); not PASS: no BA1/BS1/BS2/PM2 evidence", "pop_filter", "population"),
    _F("POP_AF_HOM", "A", "Float", "chrM: frequency of homoplasmic carriers (heteroplasmy >= 0.95) in the "
       "population resource (gnomAD AF_hom)", None, "population"),
    _F("POP_AF_HET", "A", "Float", "chrM: frequency of heteroplasmic carriers (heteroplasmy 0.10-0.95) in the "
       "population resource (gnomAD AF_het)", None, "population"),
    _F("POP_MAX_HL", "A", "Float", "chrM: highest heteroplasmy level in the population resource (gnomAD max_hl)",
       None, "population"),
    # --- second population source: gnomAD exomes next to genomes (manifest dataset: exomes) ----------
    _F("POPEX_AF", "A", "Float", "Allele frequency in the exomes population resource", None, "population"),
    _F("POPEX_AN", "1", "Integer", "Allele number in the exomes population resource", None, "population"),
    _F("POPEX_AC", "A", "Integer", "Allele count in the exomes population resource", None, "population"),
    _F("POPEX_NHOM", "A", "Integer", "Homozygous individuals in the exomes population resource", None, "population"),
    _F("POPEX_NHEMI", "A", "Integer", "Hemizygous individuals in the exomes population resource", None, "population"),
    _F("POPEXMAX_AF", "A", "Float", "Exomes: AF of the genetic-ancestry group with the highest AF", None,
       "population"),
    _F("POPEXMAX_AN", "A", "Integer", "Exomes: AN of that group", None, "population"),
    _F("POPEXMAX_POP", "A", "String", "Exomes: that group", None, "population"),
    _F("POPEX_FAFMAX", "A", "Float", "Exomes: filtering allele frequency (95 % CI lower bound, highest over "
       "groups)", None, "population"),
    _F("POPEX_FAFMAX_POP", "A", "String", "Exomes: group of POPEX_FAFMAX", None, "population"),
    _F("POPEX_FILTER", ".", "String", "FILTER of the exomes population record (PASS, or the failed filters)", None,
       "population"),
    # --- ClinVar (bcftools annotate from the ClinVar table prepared in the run) ----------------------
    _F("CLINVAR_ID", "1", "String", "ClinVar variation id of this allele", None, "clinvar"),
    _F("CLINVAR_SIG", "1", "String", "ClinVar clinical significance (CLNSIG)", "clinvar_sig", "clinvar"),
    _F("CLINVAR_STARS", "1", "Integer", "ClinVar review stars 0-4 from CLNREVSTAT", "clinvar_stars", "clinvar"),
    _F("CLINVAR_REVSTAT", "1", "String", "ClinVar review status (CLNREVSTAT)", None, "clinvar"),
    # --- in-silico scores (bcftools annotate from tabix tables) ---------------------------------------
    _F("REVEL", "1", "Float", "REVEL score (missense)", "revel", "revel"),
    _F("SPLICEAI", "1", "Float", "SpliceAI max delta score (max of DS_AG, DS_AL, DS_DG, DS_DL)", "spliceai",
       "spliceai"),
    _F("CADD_PHRED", "1", "Float", "CADD PHRED-scaled score", None, "cadd"),
)  # fmt: skip

BY_ID = {f.id: f for f in FIELDS}
GENES_STEP_FIELDS: tuple[InfoField, ...] = tuple(f for f in FIELDS if f.source == "genes")
INSILICO_FIELD = {"revel": "REVEL", "spliceai": "SPLICEAI", "cadd": "CADD_PHRED"}
POPULATION_FIELD = {
    "af": "POP_AF", "an": "POP_AN", "ac": "POP_AC", "nhom": "POP_NHOM", "nhemi": "POP_NHEMI",
    "popmax_af": "POPMAX_AF", "popmax_an": "POPMAX_AN", "popmax_pop": "POPMAX_POP", "faf": "POP_FAFMAX",
    "faf_pop": "POP_FAFMAX_POP", "filter": "POP_FILTER", "af_hom": "POP_AF_HOM", "af_het": "POP_AF_HET",
    "max_hl": "POP_MAX_HL",
}  # fmt: skip
"""Manifest ``fields:`` key -> INFO field, for a genomes or joint population source."""
POPULATION_EXOMES_FIELD = {
    k: v.replace("POPMAX_", "POPEXMAX_").replace("POP_", "POPEX_") for k, v in POPULATION_FIELD.items()
}
"""The same for an exomes population source (``dataset: exomes``)."""
CLINVAR_TABLE_FIELDS = ("CLINVAR_ID", "CLINVAR_SIG", "CLINVAR_STARS", "CLINVAR_REVSTAT")
"""Columns 5.. of the ClinVar table the run prepares (``python -m wgs_east.annotate.clinvar table``)."""


def header_line(f: InfoField) -> str:
    desc = f.description.replace('"', "'")
    return f'##INFO=<ID={f.id},Number={f.number},Type={f.type},Description="{desc}">'


def _meta_value(text: str) -> str:
    return str(text).replace('"', "'").replace("\n", " ")


def resource_header_lines(manifest_path: Path) -> list[str]:
    """``##wgs-east_resources`` / ``##wgs-east_resource`` lines: bundle and per-source versions."""
    from wgs_east.resources.check import sha256_of
    from wgs_east.resources.manifest import load_manifest

    m = load_manifest(manifest_path)
    lines = [
        f'##wgs-east_resources=<Bundle={m.bundle},Version="{_meta_value(m.version)}",Build={m.build},'
        f'Synthetic={str(m.synthetic).lower()},Manifest="{_meta_value(manifest_path)}",'
        f"Sha256={sha256_of(Path(manifest_path))}>"
    ]
    for name, s in m.sources.items():
        extra = f",Score={s.score}" if getattr(s, "score", None) else ""
        date = s.release_date.isoformat() if s.release_date else "."
        lines.append(
            f'##wgs-east_resource=<ID={name},Kind={s.kind}{extra},Version="{_meta_value(s.version)}",'
            f'Date={date},Build={s.build},File="{_meta_value(s.path.name)}",Sha256={s.sha256}>'
        )
    return lines


def header_text(manifest_path: Path | None) -> str:
    lines = [header_line(f) for f in FIELDS]
    if manifest_path is not None:
        lines += resource_header_lines(manifest_path)
    return "\n".join(lines) + "\n"


def markdown_table() -> str:
    rows = ["| INFO field | Number | Type | frame column | written by | meaning |", "|---|---|---|---|---|---|"]
    for f in FIELDS:
        rows.append(
            f"| `{f.id}` | {f.number} | {f.type} | {f'`{f.column}`' if f.column else ''} | {f.source} | "
            f"{f.description.replace('|', '&#124;')} |"
        )
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("header", help="write the INFO header lines and the bundle's version lines")
    p.add_argument("--manifest", help="resource bundle manifest")
    p.add_argument("--out", required=True)
    sub.add_parser("markdown", help="print the README table")
    args = parser.parse_args(argv)
    if args.command == "markdown":
        sys.stdout.write(markdown_table())
        return 0
    from wgs_east.annotate.io import write_text_atomic

    write_text_atomic(Path(args.out), header_text(Path(args.manifest) if args.manifest else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
