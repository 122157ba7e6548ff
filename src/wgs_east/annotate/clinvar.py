"""ClinVar: review stars, the P/LP test, the allele table and the residue index (PS1/PM5).

The run prepares both once from the bundle's ClinVar VCF, normalised against the reference:

    python -m wgs_east.annotate.clinvar table --vcf clinvar.norm.bcf --out clinvar.tsv.gz   # bgzip + tabix
    bcftools view -i 'CLNSIG~"athogenic"' clinvar.norm.bcf | bcftools csq --local-csq ... -o clinvar.csq.bcf
    python -m wgs_east.annotate.clinvar residues --vcf clinvar.csq.bcf --out residues.tsv

The allele table (``CHROM POS REF ALT ID CLNSIG stars CLNREVSTAT``) is added by ``bcftools annotate``.
The residue index lists, per transcript and residue, the missense changes of ClinVar P/LP records as
``bcftools csq`` predicts them on the bundle's gene models, so it works for the real ClinVar VCF (which
carries no protein change) and stays consistent with the transcripts the pipeline annotates.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from wgs_east.annotate.hgvs import AA3
from wgs_east.annotate.io import open_text, run_cli, tmp_path

STARS = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_conflicting_classifications": 1,
    "criteria_provided,_conflicting_interpretations": 1,
    "criteria_provided,_single_submitter": 1,
    "no_assertion_criteria_provided": 0,
    "no_classification_provided": 0,
    "no_assertion_provided": 0,
    "no_classifications_from_unflagged_records": 0,
    "no_interpretation_for_the_single_variant": 0,
}
"""ClinVar review status (CLNREVSTAT) -> gold stars (ClinVar's documented mapping); unknown: 0."""
RESIDUE_COLUMNS = ("transcript", "aa_pos", "aa_ref", "aa_alt", "hgvs_p", "chrom", "pos", "ref", "alt", "id", "stars",
                   "significance")
_MISSENSE_AA = re.compile(r"^(\d+)([A-Z])>\1([A-Z])$")


def is_pathogenic_only(clnsig: str) -> bool:
    """CLNSIG says Pathogenic (every part; ``Pathogenic/Likely_pathogenic`` is not: some submitters say LP)."""
    primary = (clnsig or "").split("|")[0].strip()
    parts = [p for p in re.split(r"[/|]", primary) if p]
    return bool(parts) and all(p.removesuffix(",_low_penetrance") == "Pathogenic" for p in parts)


def stars(revstat: str) -> int:
    key = (revstat or "").strip().replace(" ", "").lower()
    return STARS.get(key, 0)


def is_plp(clnsig: str) -> bool:
    """Pathogenic / Likely pathogenic (also ``Pathogenic/Likely_pathogenic``, ``..._low_penetrance``,
    with a secondary ``|risk_factor``-like annotation); not conflicting, not risk alleles."""
    primary = (clnsig or "").split("|")[0].strip()
    if not primary or primary == ".":
        return False
    parts = primary.split("/")
    return all(p.removesuffix(",_low_penetrance") in ("Pathogenic", "Likely_pathogenic") for p in parts)


def _clean(text: str) -> str:
    text = (text or ".").strip()
    return text.replace(";", "%3B").replace("=", "%3D").replace(" ", "_") or "."


def table_rows(lines: Iterable[str]) -> Iterator[list[str]]:
    """``CHROM POS REF ALT ID CLNSIG CLNREVSTAT`` -> ``CHROM POS REF ALT ID SIG STARS REVSTAT``."""
    for line in lines:
        f = line.rstrip("\n").split("\t")
        if len(f) < 7 or f[3] in (".", "*"):
            continue
        chrom, pos, ref, alt, vid, sig, rev = f[:7]
        yield [chrom, pos, ref, alt, _clean(vid), _clean(sig), str(stars(rev)) if rev != "." else ".", _clean(rev)]


@dataclass(frozen=True)
class ResidueRecord:
    """A ClinVar P/LP missense change at one residue of one transcript."""

    transcript: str
    aa_pos: int
    aa_ref: str
    aa_alt: str
    hgvs_p: str
    chrom: str
    pos: int
    ref: str
    alt: str
    id: str
    stars: int
    significance: str = "LP"
    """``P`` (every part of CLNSIG Pathogenic) or ``LP`` (Likely pathogenic, or Pathogenic/Likely_pathogenic:
    a comparator counted one strength step down for PS1/PM5). Index files without the column: ``LP``."""

    @property
    def allele(self) -> tuple[str, int, str, str]:
        return self.chrom, self.pos, self.ref, self.alt

    def evidence(self) -> str:
        return f"{self.hgvs_p}|{self.id}|{self.stars}|{self.chrom}:{self.pos}:{self.ref}:{self.alt}|{self.significance}"


def residue_rows(lines: Iterable[str]) -> Iterator[ResidueRecord]:
    """``CHROM POS REF ALT ID CLNSIG CLNREVSTAT BCSQ`` lines of csq-annotated ClinVar records -> the P/LP
    missense changes, one per transcript."""
    for line in lines:
        f = line.rstrip("\n").split("\t")
        if len(f) < 8 or not is_plp(f[5]):
            continue
        chrom, pos, ref, alt, vid, sig, rev, bcsq = f[:8]
        significance = "P" if is_pathogenic_only(sig) else "LP"
        seen: set[str] = set()
        for entry in bcsq.split(","):
            e = entry.split("|")
            if len(e) < 6 or "missense" not in e[0].lstrip("*").split("&") or not e[2] or e[2] in seen:
                continue
            m = _MISSENSE_AA.match(e[5])
            if not m:
                continue
            seen.add(e[2])
            aa_pos, aa_ref, aa_alt = int(m.group(1)), m.group(2), m.group(3)
            yield ResidueRecord(e[2], aa_pos, aa_ref, aa_alt, f"p.{AA3[aa_ref]}{aa_pos}{AA3[aa_alt]}", chrom, int(pos),
                                ref, alt, vid, stars(rev), significance)  # fmt: skip


class ResidueIndex:
    """ClinVar P/LP missense changes by (transcript, residue)."""

    def __init__(self, records: Iterable[ResidueRecord] = ()) -> None:
        self._by: dict[tuple[str, int], list[ResidueRecord]] = defaultdict(list)
        for r in records:
            self._by[(r.transcript, r.aa_pos)].append(r)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by.values())

    def match(
        self, transcript: str, aa_pos: int, aa_ref: str, aa_alt: str, allele: tuple[str, int, str, str]
    ) -> tuple[list[ResidueRecord], list[ResidueRecord]]:
        """(same amino-acid change from another nucleotide change, other missense at this residue) for a
        missense ``aa_ref``>``aa_alt`` at ``aa_pos``."""
        same_aa, same_residue = [], []
        for r in self._by.get((transcript, aa_pos), ()):
            if r.aa_ref != aa_ref:  # the index was built on other gene models: ignore
                continue
            if r.aa_alt == aa_alt:
                if r.allele != allele:
                    same_aa.append(r)
            elif r.aa_alt not in ("*", aa_ref):
                same_residue.append(r)
        return same_aa, same_residue

    @classmethod
    def read(cls, path: Path) -> ResidueIndex:
        with open_text(path) as fh:
            rows = csv.DictReader(fh, delimiter="\t")
            return cls(
                ResidueRecord(r["transcript"], int(r["aa_pos"]), r["aa_ref"], r["aa_alt"], r["hgvs_p"], r["chrom"],
                              int(r["pos"]), r["ref"], r["alt"], r["id"], int(r["stars"]),
                              r.get("significance") or "LP")  # fmt: skip
                for r in rows
            )


def write_residues(records: Iterable[ResidueRecord], out: TextIO) -> int:
    w = csv.writer(out, delimiter="\t", lineterminator="\n")
    w.writerow(RESIDUE_COLUMNS)
    n = 0
    for r in records:
        w.writerow([getattr(r, c) for c in RESIDUE_COLUMNS])
        n += 1
    return n


def _vcf_lines(path: Path, tags: tuple[str, ...]) -> Iterator[str]:
    """``CHROM POS REF ALT ID`` + INFO ``tags`` of a VCF/BCF as tab-separated lines (one per ALT)."""
    import cyvcf2

    vcf = cyvcf2.VCF(str(path))
    known = {h["ID"] for h in vcf.header_iter() if h["HeaderType"] == "INFO"}
    for v in vcf:
        values = []
        for tag in tags:
            value = v.INFO.get(tag) if tag in known else None
            if isinstance(value, tuple):
                value = ",".join(str(x) for x in value)
            values.append("." if value is None else str(value))
        for alt in v.ALT or ["."]:
            yield "\t".join([v.CHROM, str(v.POS), v.REF, alt, v.ID or ".", *values])
    vcf.close()


def write_table(lines: Iterable[str], out: Path) -> int:
    """The allele table, bgzipped and tabix-indexed (``out`` ends in ``.gz``; ``out.tbi`` next to it)."""
    import pysam

    plain = tmp_path(out.with_suffix(""))
    n = 0
    with open(plain, "w") as fh:
        for row in table_rows(lines):
            fh.write("\t".join(row) + "\n")
            n += 1
    gz = Path(pysam.tabix_index(str(plain), seq_col=0, start_col=1, end_col=1, force=True))
    Path(f"{gz}.tbi").replace(f"{out}.tbi")
    gz.replace(out)
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ClinVar allele table and residue index")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("table", help="allele table (bgzip + tabix) for bcftools annotate")
    p.add_argument("--vcf", required=True, help="ClinVar VCF/BCF (normalised)")
    p.add_argument("--sig", default="CLNSIG", help="INFO tag of the clinical significance")
    p.add_argument("--revstat", default="CLNREVSTAT", help="INFO tag of the review status")
    p.add_argument("--out", required=True, help="output .tsv.gz (index: .tsv.gz.tbi)")
    p = sub.add_parser("residues", help="residue index of the P/LP missense changes")
    p.add_argument("--vcf", required=True, help="ClinVar records annotated by bcftools csq --local-csq")
    p.add_argument("--sig", default="CLNSIG")
    p.add_argument("--revstat", default="CLNREVSTAT")
    p.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.command == "table":
        n = write_table(_vcf_lines(Path(args.vcf), (args.sig, args.revstat)), Path(args.out))
        print(f"clinvar table: {n} alleles", file=sys.stderr)
        return 0
    out = Path(args.out)
    tmp = tmp_path(out)
    with open(tmp, "w") as fh:
        n = write_residues(residue_rows(_vcf_lines(Path(args.vcf), (args.sig, args.revstat, "BCSQ"))), fh)
    tmp.replace(out)
    print(f"clinvar residues: {n} P/LP missense changes (transcript, residue)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_cli(main)
