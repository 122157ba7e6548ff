"""The bundle's gene table from open sources, built per gene-disease pair.

Sources (all optional but the constraint table):

- **GenCC submissions** (``gencc-submissions.tsv``): one row per submitter's gene-disease assertion with
  ``classification_title`` and the mode of inheritance as an HPO term (``moi_curie``). Pairs keyed by
  (gene symbol, ``disease_curie``, a MONDO id). Kept: Definitive, Strong, Moderate and Supportive (GenCC's
  class for submitters, e.g. Orphanet, that report a relationship without grading it); dropped: Limited,
  Disputed Evidence, Refuted Evidence, No Known Disease Relationship, Animal Model Only.
  ClinGen's gene-disease validity curations come in through GenCC (ClinGen is a GenCC submitter).
- **Gene2Phenotype** (all panels' CSV downloads): confident entries (definitive, strong, moderate; older
  files: confirmed, probable, both RD and IF); mode from ``allelic requirement``; the LoF mechanism from
  ``molecular mechanism`` = loss of function (G2P 2024) or ``mutation consequence`` = absent gene product
  (DDG2P); pairs keyed by the disease's MONDO id when the file has one (so they join GenCC's), else its name.
- **ClinGen dosage** (``ClinGen_gene_curation_list_GRCh38.tsv``): the haploinsufficiency (HI) score. Its
  meanings (ClinGen Dosage Sensitivity curation, scoring guide): 3 sufficient evidence for
  haploinsufficiency, 2 some, 1 little, 0 none, 30 gene associated with an autosomal recessive phenotype,
  40 dosage sensitivity unlikely. HI 3 makes loss of function a mechanism of the gene's dominant and
  X-linked pairs; HI 30 of its recessive pairs (loss of both copies causes the disease). A gene with HI 3
  or 30 and no pair of that mode gets one (disease: ClinGen's ``Haploinsufficiency Disease ID`` when the
  file has it, else ``ClinGen dosage``), so its mode is known. The triplosensitivity (TS) score, same scale,
  goes to the ``triplosensitivity`` column (read by the CNV points, ``wgs_east.cnv``).
- **HPO annotations** (``genes_to_disease.txt`` + ``phenotype.hpoa``): disease-gene links with the
  disease's inheritance terms (aspect ``I``); pairs keyed by the OMIM/ORPHA id.
- **gnomAD constraint** (v4.1): LOEUF (``lof.oe_ci.upper``) and pLI of the gene's MANE Select (else
  canonical) Ensembl transcript (v4.1.1 lists RefSeq rows too: the Ensembl row wins).

Several diseases of different modes (the rule classification sees): the gene row carries the union of its
pairs' modes (``moi``), whether LoF is a mechanism of **any** pair (``lof_mechanism``) and the modes of the
pairs where it is (``lof_moi``): a gene with an AD gain-of-function disease and an AR loss-of-function
disease has ``moi`` AD|AR, ``lof_mechanism`` true, ``lof_moi`` AR - a LoF variant is then evidence under
the recessive disease only. Every pair is also written to ``gene_disease.tsv`` next to the gene table.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

GENCC_MOI = {
    "HP:0000006": "AD", "HP:0000007": "AR", "HP:0001417": "XL", "HP:0001419": "XLR", "HP:0001423": "XLD",
    "HP:0001427": "MT", "HP:0001450": "YL", "HP:0032113": "SD",
}  # fmt: skip
"""HPO mode-of-inheritance terms -> codes. Not a mode: HP:0000005 (unknown), HP:0001428 (somatic),
HP:0010984 (digenic), HP:0001426 (multifactorial)."""
GENCC_CONFIDENT = ("Definitive", "Strong", "Moderate", "Supportive")
G2P_MOI = {
    "monoallelic_autosomal": "AD", "biallelic_autosomal": "AR", "monoallelic_x_hemizygous": "XLR",
    "monoallelic_x_heterozygous": "XLD", "monoallelic_x": "XL", "biallelic_par": "AR", "monoallelic_par": "AD",
    "monoallelic_y_hemizygous": "YL", "mitochondrial": "MT", "monoallelic_autosomal_or_biallelic_autosomal": "AD|AR",
}  # fmt: skip
G2P_CONFIDENT = frozenset({"definitive", "strong", "moderate", "confirmed", "probable", "both rd and if"})
HI_LOF_MODES = {"3": ("AD", "SD", "XL", "XLD", "XLR"), "30": ("AR",)}
"""ClinGen HI score -> the modes whose pairs it makes loss-of-function pairs."""
MOI_ORDER = ("AD", "AR", "SD", "XLD", "XLR", "XL", "YL", "MT")
GENE_TABLE_COLUMNS = ("symbol", "gene_id", "moi", "lof_mechanism", "lof_moi", "haploinsufficiency", "triplosensitivity",
                      "loeuf", "pli", "disease", "hpo", "n_diseases")  # fmt: skip
PAIR_COLUMNS = ("symbol", "disease_id", "disease", "moi", "lof_mechanism", "classification", "sources")
CLASS_RANK = {c.lower(): i for i, c in enumerate(("Definitive", "Strong", "Moderate", "Supportive", "Reported"))}


@dataclass
class Pair:
    symbol: str
    disease_id: str
    disease: str = ""
    moi: list[str] = field(default_factory=list)
    lof: bool = False
    classification: str = ""
    sources: list[str] = field(default_factory=list)

    def add(self, moi: Iterable[str], source: str, classification: str = "", disease: str = "") -> None:
        self.moi += [m for m in moi if m not in self.moi]
        if source not in self.sources:
            self.sources.append(source)
        rank = CLASS_RANK.get(classification.lower(), len(CLASS_RANK))
        if classification and rank < CLASS_RANK.get(self.classification.lower(), len(CLASS_RANK)):
            self.classification = classification
        self.disease = self.disease or disease


def _col(row: dict[str, str], *names: str) -> str:
    for n in names:
        if n in row and row[n] is not None:
            return row[n].strip()
    return ""


def _ordered(modes: Iterable[str]) -> list[str]:
    found = set(modes)
    return [m for m in MOI_ORDER if m in found]


def g2p_moi(allelic_requirement: str) -> list[str]:
    out: list[str] = []
    for part in allelic_requirement.replace(";", ",").split(","):
        code = G2P_MOI.get(part.strip().lower().replace(" ", "_"))
        if code:
            out += [c for c in code.split("|") if c not in out]
    return out


def g2p_is_lof(row: dict[str, str]) -> bool:
    """Loss of function is the disease mechanism (G2P 2024: ``molecular mechanism``; older DDG2P:
    ``mutation consequence`` ``absent gene product``)."""
    mechanism = _col(row, "molecular mechanism").lower()
    consequence = _col(row, "mutation consequence", "variant consequence").lower()
    return mechanism == "loss of function" or "absent gene product" in consequence


class PairTable:
    """Gene-disease pairs by (symbol, disease id)."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str], Pair] = {}

    def get(self, symbol: str, disease_id: str) -> Pair:
        return self.pairs.setdefault((symbol, disease_id), Pair(symbol, disease_id))

    def of_gene(self, symbol: str) -> list[Pair]:
        return [p for (s, _), p in self.pairs.items() if s == symbol]

    def add_gencc(self, rows: Iterable[dict[str, str]]) -> None:
        for row in rows:
            sym, cls = _col(row, "gene_symbol"), _col(row, "classification_title")
            if not sym or cls not in GENCC_CONFIDENT:
                continue
            disease_id = _col(row, "disease_curie") or _col(row, "disease_title").lower()
            moi = [GENCC_MOI[m] for m in [_col(row, "moi_curie")] if m in GENCC_MOI]
            submitter = _col(row, "submitter_title") or "GenCC"
            self.get(sym, disease_id).add(moi, f"GenCC:{submitter}", cls, _col(row, "disease_title"))

    def add_g2p(self, rows: Iterable[dict[str, str]]) -> None:
        for row in rows:
            sym = _col(row, "gene symbol")
            confidence = _col(row, "confidence", "confidence category").lower()
            if not sym or confidence not in G2P_CONFIDENT:
                continue
            mondo = _col(row, "disease MONDO", "disease mondo")
            name = _col(row, "disease name")
            pair = self.get(sym, mondo if mondo.startswith("MONDO:") else name.lower())
            pair.add(g2p_moi(_col(row, "allelic requirement")), "G2P", "Reported", name)
            pair.lof = pair.lof or g2p_is_lof(row)

    def add_hpo(self, genes_to_disease: Iterable[dict[str, str]], hpoa: Iterable[dict[str, str]]) -> None:
        """HPO ``genes_to_disease.txt`` (gene_symbol, disease_id) with the inheritance terms of
        ``phenotype.hpoa`` (aspect I: database_id, hpo_id, disease_name)."""
        modes: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for row in hpoa:
            did = _col(row, "database_id", "#DatabaseID")
            names.setdefault(did, _col(row, "disease_name", "DiseaseName"))
            code = GENCC_MOI.get(_col(row, "hpo_id", "HPO_ID"))
            if _col(row, "aspect", "Aspect") == "I" and code and code not in modes.setdefault(did, []):
                modes[did].append(code)
        for row in genes_to_disease:
            sym, did = _col(row, "gene_symbol"), _col(row, "disease_id")
            if sym and did and _col(row, "association_type").upper() in ("MENDELIAN", ""):
                self.get(sym, did).add(modes.get(did, []), "HPO", "Reported", names.get(did, ""))

    def add_clingen_dosage(self, rows: Iterable[dict[str, str]], ts: dict[str, str] | None = None) -> dict[str, str]:
        """HI scores by symbol; HI 3 / 30 mark (or add) the LoF pairs (``HI_LOF_MODES``). The triplosensitivity
        scores (``Triplosensitivity Score``, same scale) go into ``ts`` when given."""
        scores: dict[str, str] = {}
        for row in rows:
            sym = _col(row, "#Gene Symbol", "Gene Symbol")
            hi = _col(row, "Haploinsufficiency Score")
            triplo = _col(row, "Triplosensitivity Score")
            if ts is not None and sym and triplo and not triplo.lower().startswith("not yet"):
                ts[sym] = triplo
            if not sym or not hi or hi.lower().startswith("not yet"):
                continue
            scores[sym] = hi
            if hi not in HI_LOF_MODES:
                continue
            modes = HI_LOF_MODES[hi]
            hits = [p for p in self.of_gene(sym) if set(p.moi) & set(modes)]
            if not hits:
                on_x = _col(row, "Genomic Location").lower().startswith("chrx")
                mode = "AR" if hi == "30" else ("XL" if on_x else "AD")
                disease_id = _col(row, "Haploinsufficiency Disease ID") or "ClinGen dosage"
                hits = [self.get(sym, disease_id)]
                hits[0].add([mode], "ClinGen dosage", "Reported", disease_id)
            for p in hits:
                p.lof = True
                if "ClinGen dosage" not in p.sources:
                    p.sources.append("ClinGen dosage")
        return scores

    def rows(self) -> list[dict[str, str]]:
        out = []
        for (sym, did), p in sorted(self.pairs.items()):
            out.append({"symbol": sym, "disease_id": did, "disease": _clean(p.disease), "moi": "|".join(_ordered(p.moi)),
                        "lof_mechanism": str(p.lof).lower(), "classification": p.classification,
                        "sources": "|".join(p.sources)})  # fmt: skip
        return out


MAX_DISEASES = 3
"""Diseases named in the gene row (``GENE_DISEASE``); every pair is in ``gene_disease.tsv``."""


def _diseases(names: Iterable[str]) -> str:
    unique = list(dict.fromkeys(_clean(n) for n in names if n))
    more = f" (+{len(unique) - MAX_DISEASES} more)" if len(unique) > MAX_DISEASES else ""
    return "; ".join(unique[:MAX_DISEASES]) + more


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def constraint_by_gene(rows: Iterable[dict[str, str]]) -> dict[str, dict[str, str]]:
    """symbol -> gene_id, loeuf, pli of the MANE Select (else canonical) transcript; Ensembl rows (ENSG)
    before RefSeq ones; ``NA`` becomes empty."""
    best: dict[str, tuple[int, dict[str, str]]] = {}
    for row in rows:
        sym = _col(row, "gene")
        mane = _col(row, "mane_select").lower() == "true"
        canonical = _col(row, "canonical").lower() == "true"
        if not sym or not (mane or canonical):
            continue
        rank = (0 if _col(row, "gene_id").startswith("ENSG") else 2) + (0 if mane else 1)
        if sym not in best or rank < best[sym][0]:
            values = {"gene_id": _col(row, "gene_id"), "loeuf": _col(row, "lof.oe_ci.upper"), "pli": _col(row, "lof.pLI")}
            best[sym] = (rank, {k: "" if v in ("NA", "NaN", "nan") else v for k, v in values.items()})
    return {s: v for s, (_, v) in best.items()}


def build_gene_table(
    constraint: Iterable[dict[str, str]],
    clingen: Iterable[dict[str, str]] = (),
    g2p: Iterable[dict[str, str]] = (),
    gencc: Iterable[dict[str, str]] = (),
    hpo: tuple[Iterable[dict[str, str]], Iterable[dict[str, str]]] | None = None,
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(gene rows, pair rows): see the module docstring for the sources and the rule."""
    g2p = list(g2p)
    pairs = PairTable()
    pairs.add_gencc(gencc)
    pairs.add_g2p(g2p)
    if hpo is not None:
        pairs.add_hpo(*hpo)
    ts: dict[str, str] = {}
    hi = pairs.add_clingen_dosage(clingen, ts)
    hpo_terms: dict[str, list[str]] = {}
    for row in g2p:
        for term in _col(row, "phenotypes").replace(",", ";").split(";"):
            sym = _col(row, "gene symbol")
            if term.strip().startswith("HP:") and term.strip() not in hpo_terms.setdefault(sym, []):
                hpo_terms[sym].append(term.strip())
    metrics = constraint_by_gene(constraint)
    symbols = sorted(set(metrics) | {s for s, _ in pairs.pairs} | set(hi) | set(ts))
    genes = []
    for sym in symbols:
        mine = [p for p in pairs.of_gene(sym) if p.moi or p.lof]
        m = metrics.get(sym, {})
        genes.append({
            "symbol": sym, "gene_id": m.get("gene_id", ""), "moi": "|".join(_ordered(x for p in mine for x in p.moi)),
            "lof_mechanism": str(any(p.lof for p in mine)).lower(),
            "lof_moi": "|".join(_ordered(x for p in mine if p.lof for x in p.moi)), "haploinsufficiency": hi.get(sym, ""),
            "triplosensitivity": ts.get(sym, ""),
            "loeuf": m.get("loeuf", ""), "pli": m.get("pli", ""),
            "disease": _diseases(p.disease for p in mine),
            "hpo": "|".join(hpo_terms.get(sym, [])), "n_diseases": str(len(mine)),
        })  # fmt: skip
    return genes, pairs.rows()


def read_table(path: Path, delimiter: str = "\t", header_prefix: str | None = None) -> list[dict[str, str]]:
    """Rows of a delimited file; with ``header_prefix`` the lines before the header line (the first
    starting with it, e.g. ClinGen's ``#Gene Symbol``) are skipped; ``#``-comment lines before a
    header that does not start with ``#`` (HPO's ``phenotype.hpoa``) too."""
    from wgs_east.annotate.io import open_text

    with open_text(path) as fh:
        lines = list(_from_header(fh, header_prefix)) if header_prefix else [ln for ln in fh if not ln.startswith("#")
                                                                             or ln.startswith("#DatabaseID")]  # fmt: skip
        return list(csv.DictReader(lines, delimiter=delimiter))


def _from_header(lines: Iterable[str], prefix: str) -> Iterable[str]:
    started = False
    for line in lines:
        started = started or line.startswith(prefix)
        if started:
            yield line


def write_tsv(rows: list[dict[str, str]], columns: tuple[str, ...], out: Path) -> None:
    from wgs_east.annotate.io import tmp_path

    tmp = tmp_path(out)
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(out)
