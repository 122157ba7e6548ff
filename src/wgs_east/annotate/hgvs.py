"""HGVS-like c./p. descriptions of a variant on one transcript: pure functions over sequences.

``TranscriptModel`` holds a transcript's exons (genomic, 1-based, in transcript order) and its CDS as
offsets in the spliced mRNA; ``describe`` turns a VCF allele into

- ``c.`` (``n.`` for non-coding transcripts): substitutions ``c.550C>T``, intronic offsets
  ``c.363+1G>A`` / ``c.452-2A>G``, UTR ``c.-68C>T`` / ``c.*12G>A``, ``del``, ``dup``, ``ins``,
  ``delins``; indels are shifted to their most 3' position in the transcript (HGVS 3' rule) without
  crossing an exon/intron boundary;
- ``p.`` with three-letter amino acids: missense ``p.Arg322Trp``, synonymous ``p.Leu114=``, nonsense
  ``p.Arg184Ter``, frameshift ``p.Asp118AlafsTer3`` (``Ter?`` when no stop follows), in-frame
  ``del``/``dup``/``ins``/``delins``, stop loss ``p.Ter319GlnextTer12``, start codon ``p.Met1?``,
  canonical splice site (intron +/-1, 2) or an exon/intron-spanning change ``p.?``; empty when the
  protein is not touched (UTR, deeper intron, non-coding transcript);
- the first changed residue (``aa_pos``, 1-based; -1 none) with its reference and new amino acids in
  one-letter code (``aa_ref``, ``aa_alt``; ``*`` = stop), and where the premature stop codon lands
  (``ptc_index``, for the NMD rule).

Descriptions are "HGVS-like": no reference-sequence prefix, no parentheses for predicted
consequences, and no protein-level 3' shifting beyond what the prefix/suffix comparison gives.
``scripts/make_test_data.py`` uses these functions for the planted variants of the test genome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")
_CODON_ORDER = "TCAG"
_CODON_AA = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODON_TABLE: dict[str, str] = {
    a + b + c: _CODON_AA[16 * i + 4 * j + k]
    for i, a in enumerate(_CODON_ORDER)
    for j, b in enumerate(_CODON_ORDER)
    for k, c in enumerate(_CODON_ORDER)
}
AA3: dict[str, str] = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly",
    "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser",
    "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter", "X": "Xaa",
}  # fmt: skip
SPLICE_SITE_BASES = 2
"""Intronic offsets (+1, +2, -1, -2) of the canonical splice sites."""


def complement(seq: str) -> str:
    return seq.translate(_COMPLEMENT)


def revcomp(seq: str) -> str:
    """Reverse complement of a DNA string."""
    return seq.translate(_COMPLEMENT)[::-1]


def translate(seq: str) -> str:
    """Translate complete codons with the standard genetic code (stop = ``*``, unknown codon = ``X``)."""
    return "".join(CODON_TABLE.get(seq[i : i + 3].upper(), "X") for i in range(0, len(seq) - len(seq) % 3, 3))


def aa3(residues: str) -> str:
    return "".join(AA3.get(a, "Xaa") for a in residues)


@dataclass
class TranscriptModel:
    """A transcript: exons in transcript order and the CDS as offsets into the spliced mRNA."""

    transcript_id: str
    strand: str
    """``+`` or ``-``."""
    exons: list[tuple[int, int]]
    """Genomic 1-based inclusive intervals, in transcript order (descending on the minus strand)."""
    cds_start: int | None = None
    """0-based offset in the spliced mRNA of the first CDS base (the A of the ATG); None: non-coding."""
    cds_end: int | None = None
    """0-based offset just after the last CDS base (the stop codon included)."""
    _offsets: list[int] = field(default_factory=list, repr=False, compare=False)

    @property
    def coding(self) -> bool:
        return self.cds_start is not None and self.cds_end is not None

    @property
    def prefix(self) -> str:
        return "c." if self.coding else "n."

    @property
    def start(self) -> int:
        return min(s for s, _ in self.exons)

    @property
    def end(self) -> int:
        return max(e for _, e in self.exons)

    def mrna_positions(self) -> list[int]:
        """Genomic position (1-based) of every mRNA base, in transcript order."""
        out: list[int] = []
        for s, e in self.exons:
            out.extend(range(s, e + 1) if self.strand == "+" else range(e, s - 1, -1))
        return out

    def index_of(self, gpos: int) -> int | None:
        """0-based mRNA offset of a genomic position; None when it is not in an exon (computed from the
        exon intervals: no per-base table, so whole-genome runs stay small)."""
        if not self._offsets:
            total = 0
            for s, e in self.exons:
                self._offsets.append(total)
                total += e - s + 1
        for (s, e), before in zip(self.exons, self._offsets, strict=True):
            if s <= gpos <= e:
                return before + (gpos - s if self.strand == "+" else e - gpos)
        return None

    @property
    def mrna_length(self) -> int:
        return sum(e - s + 1 for s, e in self.exons)

    def mrna(self, contig_seq: str, offset: int = 0) -> str:
        """The spliced mRNA (transcript orientation) from a contig sequence whose first character is
        genomic position ``offset + 1``."""
        bases = "".join(contig_seq[g - 1 - offset] for g in self.mrna_positions())
        return bases if self.strand == "+" else bases.translate(_COMPLEMENT)

    def c_of_index(self, idx: int) -> str:
        """Position string of an mRNA offset (may lie before or after the transcript)."""
        if not self.coding:
            if idx < 0:
                return f"-{-idx}"
            last = self.mrna_length - 1
            return str(idx + 1) if idx <= last else f"*{idx - last}"
        assert self.cds_start is not None and self.cds_end is not None
        if idx < self.cds_start:
            return f"-{self.cds_start - idx}"
        if idx < self.cds_end:
            return str(idx - self.cds_start + 1)
        return f"*{idx - self.cds_end + 1}"

    def region(self, gpos: int) -> tuple[str, int]:
        """("exon", k), ("intron", k) (1-based, transcript order) or ("upstream"/"downstream", 0)."""
        for k, (s, e) in enumerate(self.exons, start=1):
            if s <= gpos <= e:
                return "exon", k
        for k, ((s1, e1), (s2, e2)) in enumerate(zip(self.exons, self.exons[1:], strict=False), start=1):
            lo, hi = (e1, s2) if self.strand == "+" else (e2, s1)
            if lo < gpos < hi:
                return "intron", k
        before = gpos < self.start if self.strand == "+" else gpos > self.end
        return ("upstream" if before else "downstream"), 0

    def intron_offset(self, gpos: int) -> tuple[int, int] | None:
        """(mRNA offset of the nearest exon base, signed offset) of an intronic position: ``+n`` after
        the exon's last base, ``-n`` before its first (ties go to ``+``). None when not intronic."""
        for (s1, e1), (s2, e2) in zip(self.exons, self.exons[1:], strict=False):
            last, nxt = (e1, s2) if self.strand == "+" else (s1, e2)
            if min(last, nxt) < gpos < max(last, nxt):
                up, down = abs(gpos - last), abs(nxt - gpos)
                last_i, next_i = self.index_of(last), self.index_of(nxt)
                assert last_i is not None and next_i is not None
                return (last_i, up) if up <= down else (next_i, -down)
        return None

    def c_of_genomic(self, gpos: int) -> str:
        """HGVS c./n. position of a genomic position (exonic, UTR, intronic, up- or downstream)."""
        idx = self.index_of(gpos)
        if idx is not None:
            return self.c_of_index(idx)
        intronic = self.intron_offset(gpos)
        if intronic is not None:
            i, off = intronic
            return f"{self.c_of_index(i)}{off:+d}"
        positions = self.mrna_positions()
        first, last = positions[0], positions[-1]
        step = 1 if self.strand == "+" else -1
        if (gpos - first) * step < 0:
            return self.c_of_index(-abs(gpos - first))
        if (gpos - last) * step > 0:
            return self.c_of_index(len(positions) - 1 + abs(gpos - last))
        raise ValueError(f"{gpos} cannot be placed on {self.transcript_id}")


@dataclass(frozen=True)
class Hgvs:
    """A variant described on one transcript."""

    c: str
    p: str
    aa_pos: int = -1
    aa_ref: str = ""
    aa_alt: str = ""
    ptc_index: int | None = None
    """mRNA offset of the first base of the premature stop codon (nonsense, frameshift); None if none
    is created, -1 when a frameshift reads through the end of the mRNA without a stop."""


def _trim(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Drop the shared leading, then trailing bases: (first changed position, deleted, inserted)."""
    i = 0
    while i < min(len(ref), len(alt)) and ref[i] == alt[i]:
        i += 1
    ref, alt, pos = ref[i:], alt[i:], pos + i
    j = 0
    while j < min(len(ref), len(alt)) and ref[-1 - j] == alt[-1 - j]:
        j += 1
    if j:
        ref, alt = ref[: len(ref) - j], alt[: len(alt) - j]
    return pos, ref, alt


class _Seq:
    """Genomic bases by 1-based position from a string starting at ``offset + 1``."""

    def __init__(self, seq: str, offset: int) -> None:
        self.seq, self.offset = seq, offset

    def at(self, gpos: int) -> str:
        i = gpos - 1 - self.offset
        return self.seq[i].upper() if 0 <= i < len(self.seq) else "N"

    def span(self, start: int, end: int) -> str:
        return "".join(self.at(g) for g in range(start, end + 1))


def _same_region(t: TranscriptModel, a: int, b: int) -> bool:
    return t.region(a) == t.region(b)


def _shift_3prime(t: TranscriptModel, g: _Seq, start: int, deleted: str, inserted: str) -> tuple[int, str, str]:
    """Move a pure deletion (``deleted`` at ``start``) or insertion (``inserted`` before ``start``) to its
    most 3' equivalent position in transcript orientation, staying inside one exon or intron."""
    plus = t.strand == "+"
    if deleted:
        end = start + len(deleted) - 1
        while True:
            if plus:
                ok = g.at(end + 1) == g.at(start) and _same_region(t, start, end + 1)
                if not ok:
                    break
                start, end = start + 1, end + 1
            else:
                ok = g.at(start - 1) == g.at(end) and _same_region(t, start - 1, end)
                if not ok:
                    break
                start, end = start - 1, end - 1
        return start, g.span(start, end), ""
    seq = inserted
    if plus:  # junction between start-1 and start; move right
        while g.at(start) == seq[0] and _same_region(t, start - 1, start):
            seq, start = seq[1:] + seq[0], start + 1
    else:  # move left
        while g.at(start - 1) == seq[-1] and _same_region(t, start - 2, start - 1):
            seq, start = seq[-1] + seq[:-1], start - 1
    return start, "", seq


def _c_range(t: TranscriptModel, lo: int, hi: int) -> str:
    """``first_last`` (transcript order) of the genomic interval lo..hi, or one position."""
    a, b = (lo, hi) if t.strand == "+" else (hi, lo)
    return t.c_of_genomic(a) if a == b else f"{t.c_of_genomic(a)}_{t.c_of_genomic(b)}"


def describe_c(t: TranscriptModel, seq: str, pos: int, ref: str, alt: str, offset: int = 0) -> str:
    """The c./n. description of a VCF allele on ``t`` (``seq`` starts at genomic ``offset + 1``)."""
    g = _Seq(seq, offset)
    start, deleted, inserted = _trim(pos, ref.upper(), alt.upper())
    orient = (lambda s: s) if t.strand == "+" else revcomp
    if deleted and inserted:
        end = start + len(deleted) - 1
        if len(deleted) == 1 and len(inserted) == 1:
            return f"{t.prefix}{t.c_of_genomic(start)}{orient(deleted)}>{orient(inserted)}"
        return f"{t.prefix}{_c_range(t, start, end)}delins{orient(inserted)}"
    if not deleted and not inserted:
        return f"{t.prefix}{t.c_of_genomic(pos)}="
    start, deleted, inserted = _shift_3prime(t, g, start, deleted, inserted)
    if deleted:
        return f"{t.prefix}{_c_range(t, start, start + len(deleted) - 1)}del"
    n = len(inserted)
    if t.strand == "+":
        dup = g.span(start - n, start - 1) == inserted
        if dup:
            return f"{t.prefix}{_c_range(t, start - n, start - 1)}dup"
    else:
        dup = g.span(start, start + n - 1) == inserted
        if dup:
            return f"{t.prefix}{_c_range(t, start, start + n - 1)}dup"
    return f"{t.prefix}{_c_range(t, start - 1, start)}ins{orient(inserted)}"


def _first_diff(a: str, b: str) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def _to_stop(protein: str) -> str:
    stop = protein.find("*")
    return protein if stop < 0 else protein[: stop + 1]


def describe_p(t: TranscriptModel, mrna: str, pos: int, ref: str, alt: str) -> Hgvs:
    """The protein change of a VCF allele on a coding transcript ``t`` whose spliced mRNA is ``mrna``
    (``c`` is left empty)."""
    if not t.coding:
        return Hgvs("", "")
    assert t.cds_start is not None and t.cds_end is not None
    start, deleted, inserted = _trim(pos, ref.upper(), alt.upper())
    if deleted:
        span = list(range(start, start + len(deleted)))
    else:  # insertion between start-1 and start
        span = [start - 1, start]
    idx = [t.index_of(gp) for gp in span]
    exonic = [i for i in idx if i is not None]
    if not exonic:  # intronic / outside: canonical splice sites are p.?
        for gp in span:
            off = t.intron_offset(gp)
            if off is not None and abs(off[1]) <= SPLICE_SITE_BASES and t.cds_start <= off[0] < t.cds_end:
                return Hgvs("", "p.?")
        return Hgvs("", "")
    if len(exonic) != len(idx) or max(exonic) - min(exonic) != len(exonic) - 1:
        if deleted or len(exonic) == 0:
            return Hgvs("", "p.?")  # spans an exon/intron boundary
    lo, hi = min(exonic), max(exonic)
    if not deleted:  # insertion: between two exonic bases lo and hi (adjacent in the mRNA)
        i0 = i1 = hi
    else:
        i0, i1 = lo, hi + 1
    new = inserted if t.strand == "+" else revcomp(inserted)
    if i1 <= t.cds_start or i0 >= t.cds_end:  # UTR only (an insertion right before the ATG too)
        return Hgvs("", "")
    if i0 < t.cds_start + 3 and i1 > t.cds_start:
        return Hgvs("", "p.Met1?", 1, "M", "?")
    cds_ref = mrna[t.cds_start : t.cds_end]
    protein = _to_stop(translate(cds_ref))
    mutated = mrna[:i0] + new + mrna[i1:]
    new_full = translate(mutated[t.cds_start :])
    new_protein = _to_stop(new_full)
    residue = (i0 - t.cds_start) // 3 + 1
    frameshift = (len(new) - (i1 - i0)) % 3 != 0
    if new_protein == protein and not frameshift:
        aa = protein[residue - 1] if residue - 1 < len(protein) else "X"
        return Hgvs("", f"p.{AA3.get(aa, 'Xaa')}{residue}=", residue, aa, aa)
    i = _first_diff(protein, new_protein)
    ref_aa = protein[i] if i < len(protein) else "*"
    alt_aa = new_protein[i] if i < len(new_protein) else "X"
    if ref_aa == "*":  # stop lost: extension
        ext = new_full.find("*", i + 1)
        ter = f"Ter{ext - i}" if ext >= 0 else "Ter?"
        return Hgvs("", f"p.Ter{i + 1}{AA3.get(alt_aa, 'Xaa')}ext{ter}", i + 1, "*", alt_aa)
    if alt_aa == "*":
        return Hgvs("", f"p.{AA3[ref_aa]}{i + 1}Ter", i + 1, ref_aa, "*", ptc_index=t.cds_start + 3 * i)
    if frameshift:
        ter = new_full.find("*")
        ter_txt = f"Ter{ter - i + 1}" if ter >= 0 else "Ter?"
        ptc = t.cds_start + 3 * ter if ter >= 0 else -1
        return Hgvs("", f"p.{AA3[ref_aa]}{i + 1}{AA3.get(alt_aa, 'Xaa')}fs{ter_txt}", i + 1, ref_aa, alt_aa, ptc)
    j = 0  # common suffix, not overlapping the prefix
    while (
        j < min(len(protein), len(new_protein)) - i
        and protein[len(protein) - 1 - j] == new_protein[len(new_protein) - 1 - j]
    ):
        j += 1
    dels, ins = protein[i : len(protein) - j], new_protein[i : len(new_protein) - j]
    first = f"{AA3[protein[i]]}{i + 1}" if i < len(protein) else ""
    if len(dels) == 1 and len(ins) == 1:
        return Hgvs("", f"p.{AA3[dels]}{i + 1}{AA3.get(ins, 'Xaa')}", i + 1, dels, ins)
    if dels and not ins:
        last = f"{AA3[dels[-1]]}{i + len(dels)}"
        text = f"p.{first}del" if len(dels) == 1 else f"p.{first}_{last}del"
        return Hgvs("", text, i + 1, dels, "")
    if ins and not dels:
        n = len(ins)
        if i >= n and protein[i - n : i] == ins:
            a, b = f"{AA3[protein[i - n]]}{i - n + 1}", f"{AA3[protein[i - 1]]}{i}"
            text = f"p.{a}dup" if n == 1 else f"p.{a}_{b}dup"
            return Hgvs("", text, i - n + 1, "", ins)
        before = f"{AA3[protein[i - 1]]}{i}" if i > 0 else ""
        return Hgvs("", f"p.{before}_{first}ins{aa3(ins)}", i + 1, "", ins)
    last = f"{AA3[dels[-1]]}{i + len(dels)}"
    rng = first if len(dels) == 1 else f"{first}_{last}"
    return Hgvs("", f"p.{rng}delins{aa3(ins)}", i + 1, dels, ins)


def describe(t: TranscriptModel, seq: str, pos: int, ref: str, alt: str, offset: int = 0) -> Hgvs:
    """c. and p. of a VCF allele on ``t``; ``seq`` is genomic sequence starting at ``offset + 1`` and
    covering the transcript."""
    c = describe_c(t, seq, pos, ref, alt, offset)
    if not t.coding:
        return Hgvs(c, "")
    p = describe_p(t, t.mrna(seq, offset), pos, ref, alt)
    return Hgvs(c, p.p, p.aa_pos, p.aa_ref, p.aa_alt, p.ptc_index)
