"""One proband's calls through the ACMG engine, streamed: pass 1 per chunk, pass 2 at the end.

Pass 1 (:meth:`ProbandClassifier.add`, per chunk of the VCF): the calls the proband carries (a call
with BA1 is only counted and written to the benign audit: Benign by points whatever else applies, never
listed, never a phase partner or a pattern candidate), the genotype quality gates of each call
(:mod:`wgs_east.acmg.quality`: a failing call keeps its site evidence only, is no phase partner or
candidate, and can only reach the low-confidence section), their site-level strengths (:class:`SiteContext`: ``engine.classify_frame`` of the chunk and the gene facts,
computed once per chunk for all probands), de novo evidence PS2/PM6 (the rule of
:func:`wgs_east.acmg.family.de_novo`; PS2 only with parentage confirmed by QC), the pass-1 class,
parental origin and the single-call inheritance patterns. Gene totals go to
:class:`~wgs_east.classify.phase.GeneTotals`; the calls pass 2 may list (P/LP by either rule set; in a
gene and Uncertain significance or better by points; or a call PM3 could make so) are spooled: the first
``SPOOL_MEMORY_ROWS`` in memory, the rest to files on disk, so memory stays bounded. The others are final
after pass 1: phase evidence cannot make them listed (BP2 only lowers a class; PM3 needs a phased call
in a recessive gene, so a call outside a gene is final); the Benign / Likely benign ones among them go to
the audit (:mod:`wgs_east.classify.audit`).

Pass 2 (:meth:`ProbandClassifier.results`, per spooled chunk): PM3/BP2 and compound heterozygosity
from the gene totals over the whole VCF, the final combination, the inheritance summary and which
calls are listed (:func:`listing_rule`). On the spooled calls the result equals :func:`wgs_east.acmg.family.classify_family`
(tested).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from wgs_east.acmg import quality
from wgs_east.acmg.codes import MODERATE, STRONG, SUPPORTING, strength_code
from wgs_east.acmg.combine import BENIGN, LIKELY_BENIGN, LIKELY_PATHOGENIC, UNCERTAIN
from wgs_east.acmg.engine import SITE_CRITERIA, combine_strengths
from wgs_east.acmg.family import (
    CONSISTENT,
    HETEROGENEOUS,
    biallelic_mechanism,
    de_novo,
    de_novo_mode_ok,
    homozygous_occurrence,
    parental_origin,
)
from wgs_east.acmg.inputs import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, Variants, gene_context
from wgs_east.acmg.settings import AcmgSettings, GeneParams
from wgs_east.classify import display, inheritance
from wgs_east.classify.audit import SITE_FIELDS, BenignAudit, coded_strings, site_prefix
from wgs_east.classify.genotypes import parse_genotypes, zygosity
from wgs_east.classify.pedigree import Proband
from wgs_east.classify.phase import GeneTotals, plp_level

SPOOL_MEMORY_ROWS = 250_000
"""Spooled calls (pass 1 -> pass 2) a proband keeps in memory before it spills the rest to disk."""

MITO_CONTIGS: tuple[str, ...] = ("chrM", "MT", "chrMT", "M")
"""Mitochondrial contig names: calls there are not classified with the nuclear ACMG rules (issue 24 item 6)."""
SINGLE_PATTERNS = ("de_novo", "homozygous", "x_linked_hemizygous", "dominant_inherited")


@dataclass(eq=False)
class Chunk:
    """A chunk of the annotated VCF: engine input rows and the genotypes of the samples needed."""

    sites: pd.DataFrame
    """Engine input columns (acmg/inputs.py), positional index 0..n-1."""
    filters: np.ndarray
    """FILTER per row (``PASS``, ``LowQual;LowDP``, ``.``)."""
    gt: dict[str, np.ndarray]
    """Genotype strings per sample."""
    dp: dict[str, np.ndarray]
    """Read depth per sample (-1 missing)."""
    qual: np.ndarray | None = None
    """QUAL strings ('.' missing), written to the per-sample VCF."""
    vid: np.ndarray | None = None
    """ID column strings."""
    allele: np.ndarray | int = 1
    """ALT index each row stands for (1 for split records)."""
    parsed: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)
    """:func:`parse_genotypes` of a sample's ``gt`` (alt copies, ploidy), once per chunk and sample."""
    gq: dict[str, np.ndarray] | None = None
    """FORMAT/GQ per sample as floats (NaN missing); None: the VCF has no GQ."""
    ad: dict[str, np.ndarray] | None = None
    """FORMAT/AD strings per sample; None: the VCF has no AD."""
    ft: dict[str, np.ndarray] | None = None
    """FORMAT/FT strings per sample; None: the VCF has no FT."""
    gt_combos: tuple[np.ndarray, dict[str, np.ndarray]] | None = None
    """(code per row, {sample: its GT per code}) of the distinct genotype combinations of the rows, when the
    reader has them (classify/reader.py): :meth:`categorical` then factorizes per combination, not per row."""
    _categorical: dict[str, pd.Categorical] = field(default_factory=dict, repr=False)
    display: display.Source | None = None
    """Where the display columns, QUAL and ID are read for the listed calls (classify/display.py; the
    streaming reader's chunks): ``sites`` then lacks the :data:`~wgs_east.classify.display.DISPLAY_COLUMNS`
    and ``qual``/``vid`` are None."""

    def categorical(self, sample: str | None = None) -> pd.Categorical:
        """FILTER (``sample`` None) or ``sample``'s GT strings as a categorical over the rows (missing:
        code -1), factorized once per chunk and shared by the probands (the benign audit's row keys)."""
        key = sample or ""
        if key not in self._categorical:
            if sample is not None and self.gt_combos is not None:
                combo, table = self.gt_combos
                codes, uniques = pd.factorize(np.asarray(table[sample], dtype=object), sort=False)
                codes = codes[combo]
            else:
                values = self.filters if sample is None else self.gt[sample]
                codes, uniques = pd.factorize(np.asarray(values, dtype=object), sort=False)
            self._categorical[key] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object),
                                                               validate=False)  # fmt: skip
        return self._categorical[key]

    def genotypes(self, sample: str) -> tuple[np.ndarray, np.ndarray]:
        """(alt copies, ploidy) of ``sample`` per row (parsed once, then cached)."""
        if sample not in self.parsed:
            self.parsed[sample] = parse_genotypes(self.gt[sample], self.allele)
        return self.parsed[sample]


@dataclass(frozen=True)
class Context:
    """Genome facts the patterns need: the X contig and its pseudo-autosomal regions."""

    x_contig: str | None = "chrX"  # None: the reference has no sex chromosomes (no X-linked analysis)
    pars: tuple[tuple[int, int], ...] = ()

    def on_x(self, chrom: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """On the X outside the PARs."""
        on = np.asarray(chrom, dtype=object) == self.x_contig
        pos = np.asarray(pos)
        for start, end in self.pars:
            on &= ~((pos >= start) & (pos <= end))
        return on


def variant_labels(df: pd.DataFrame) -> np.ndarray:
    """``chrom:pos:ref>alt`` per row."""
    if not len(df):
        return np.zeros(0, dtype=object)
    return (
        df["chrom"].astype(str) + ":" + df["pos"].astype(str) + ":" + df["ref"].astype(str) + ">" + df["alt"].astype(str)
    ).to_numpy(dtype=object)


def _dp(values: np.ndarray | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, -1, np.int64)
    return np.asarray(values).astype(np.int64)


def _rows(value: object, rows: np.ndarray) -> object:
    """A scalar setting, or a per-row setting array taken at ``rows``."""
    return value[rows] if isinstance(value, np.ndarray) and value.ndim else value


@dataclass(eq=False)
class SiteContext:
    """Per-chunk facts shared by every proband: site strengths, genes and their settings, X, filters."""

    chunk: Chunk
    strengths: dict[str, np.ndarray]
    gene: np.ndarray
    """Gene symbol per row ('' none)."""
    recessive: np.ndarray
    dominant_only: np.ndarray
    x_linked_recessive: np.ndarray
    params: GeneParams
    on_x: np.ndarray
    frequent: np.ndarray
    """BA1, BS1 or BS2 applied."""
    ba1: np.ndarray
    passed: np.ndarray
    """FILTER PASS (or '.': no filter applied)."""
    site_class: pd.DataFrame | None = None
    """``acmg_codes, acmg_points, acmg_class, acmg_class_2015`` of the site evidence alone (the audit of BA1 calls)."""
    denovo_mode_ok: np.ndarray | None = None
    """The gene's modes admit a de novo cause (AD, X-linked, unknown; acmg/family.de_novo_mode_ok)."""
    _audit_prefix: pa.Array | None = None
    gene_codes: np.ndarray | None = None
    """Index of each row's gene in :attr:`gene_names` (per-gene lookups once per distinct gene)."""
    gene_names: np.ndarray | None = None
    mito: np.ndarray | None = None
    """Row on a mitochondrial contig (:data:`MITO_CONTIGS`)."""

    def gene_lookup(self, table: dict[str, int], default: int) -> np.ndarray:
        """``table[gene]`` per row (``default`` for a gene not in it), looked up once per distinct gene."""
        if self.gene_codes is None or self.gene_names is None:
            return pd.Series(self.gene).map(table).fillna(default).to_numpy(dtype=np.int64)
        per_gene = np.array([table.get(g, default) for g in self.gene_names.tolist()], dtype=np.int64)
        return per_gene[self.gene_codes]

    def audit_prefix(self, rows: np.ndarray) -> pa.Array:
        """The site part of the benign-audit rows (classify/audit.site_prefix) at ``rows``: formatted once
        per chunk for every proband."""
        if self._audit_prefix is None:
            sites = {c: self.chunk.sites[c].to_numpy() for c in SITE_FIELDS}
            if self.gene_codes is not None and self.gene_names is not None:  # per distinct gene, not per row
                codes = np.where(self.gene_codes < 0, len(self.gene_names) - 1, self.gene_codes)  # -1: the last, ""
                sites["gene"] = coded_strings(codes, self.gene_names.tolist())
            self._audit_prefix = site_prefix(sites)
        return self._audit_prefix.take(rows)

    def site_rows(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Site-only codes (categorical), points and class codes at ``rows``."""
        sc = self.site_class
        assert sc is not None
        codes = sc["acmg_codes"]
        return {
            "codes": pd.Categorical.from_codes(codes.cat.codes.to_numpy()[rows], dtype=codes.dtype),
            "points": sc["acmg_points"].to_numpy()[rows],
            "klass": sc["acmg_class"].cat.codes.to_numpy()[rows],
            "klass_2015": sc["acmg_class_2015"].cat.codes.to_numpy()[rows],
        }


def _on_contigs(chrom: np.ndarray, contigs: tuple[str, ...]) -> np.ndarray:
    """``chrom`` is one of ``contigs``, tested once per distinct contig name."""
    codes, uniques = pd.factorize(chrom, sort=False, use_na_sentinel=True)
    return np.append(np.isin(np.asarray(uniques, dtype=object), contigs), False)[codes]


def site_context(
    chunk: Chunk, site: pd.DataFrame, settings: AcmgSettings, context: Context, variants: Variants | None = None
) -> SiteContext:
    """``site`` is ``classify_frame(chunk.sites)``; ``variants`` the engine's prepared input of the same
    rows (``classify(chunk.sites).variants``: its gene codes, inheritance flags and per-gene settings are
    reused instead of computed again)."""
    sites = chunk.sites
    if variants is not None and variants.n == len(sites):
        gene_codes, gene_uniques, moi, params = variants.gene_codes, variants.gene_uniques, variants.moi, variants.params
    else:
        gene_codes, gene_uniques, moi = gene_context(sites, settings)
        params = GeneParams(settings, gene_codes, gene_uniques)
    names = np.array([("" if (g is None or g != g) else str(g)) for g in gene_uniques] + [""], dtype=object)
    strengths = {c: site[c].to_numpy() for c in SITE_CRITERIA if c in site.columns}
    return SiteContext(
        chunk=chunk,
        strengths=strengths,
        gene=names[gene_codes],
        gene_codes=np.asarray(gene_codes),
        gene_names=names,
        mito=_on_contigs(sites["chrom"].to_numpy(dtype=object), MITO_CONTIGS),
        recessive=moi.recessive,
        dominant_only=moi.dominant_only,
        x_linked_recessive=moi.x_linked_recessive,
        params=params,
        on_x=context.on_x(sites["chrom"].to_numpy(), sites["pos"].to_numpy()),
        frequent=(strengths["BA1"] > 0) | (strengths["BS1"] > 0) | (strengths["BS2"] > 0),
        ba1=strengths["BA1"] > 0,
        passed=np.isin(np.asarray(chunk.filters, dtype=object), ["PASS", "."]),
        site_class=site[["acmg_codes", "acmg_points", "acmg_class", "acmg_class_2015"]]
        if "acmg_codes" in site.columns else None,
        denovo_mode_ok=de_novo_mode_ok(moi.known, moi.autosomal_dominant, moi.x_linked),
    )


LISTING_RULE = (
    "listed: every call that is Pathogenic or Likely pathogenic by points or by the 2015 rules (in or outside "
    "a gene); every candidate of an inheritance pattern that fits the gene's known modes and has a "
    "protein-altering or splice consequence (missense, in-frame, stop/start loss, nonsense, frameshift, canonical "
    "splice, or a predicted splicing impact: SpliceAI >= the PP3 threshold); every Uncertain-significance call "
    "with such a consequence in a gene with a known disease association (modes of inheritance in the gene table) "
    "and at least 2 points of net pathogenic evidence (VUS-mid or VUS-high of the points scale), or 1 point "
    "(VUS-low) in a gene whose HPO terms share a term with the proband's. Calls that fail a genotype quality gate are "
    "listed in the low-confidence section instead. The rest is counted in the JSON (counts.not_listed) and "
    "every Benign/Likely benign/BA1 call is in {sample}.benign.tsv.gz."
)


VUS_MID_POINTS = 2
"""Least net points of a VUS listed whatever the phenotype (VUS-mid: 2-3 points; see :func:`listing_rule`)."""


def listing_rule(
    calls: pd.DataFrame, codes: np.ndarray, in_gene: np.ndarray, candidate: np.ndarray, match: np.ndarray,
    known_modes: np.ndarray, settings: AcmgSettings, phenotype_match: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(listable, why) per finished call by :data:`LISTING_RULE`; ``why`` is ``P/LP``, ``candidate``,
    ``VUS`` or the reason a call is not listed (``VUS: gene without known disease association``,
    ``VUS: no protein-altering or splice consequence``, ``VUS: no net pathogenic evidence``, ``VUS-low: 1
    point, gene without phenotype match``, ``not VUS or better``). A splice-region variant counts as a
    splice consequence only with a predicted splicing impact (SpliceAI >= ``pp3_spliceai``; Walker et al.
    2023): with a low score it has evidence of no impact.

    VUS sub-tiers on the points scale (Tavtigian et al. 2020 points; VUS-low 0-1, VUS-mid 2-3, VUS-high 4-5
    as in Eldomery et al. 2024, medRxiv 10.1101/2024.03.04.24303679): a VUS-low call rests on one
    Supporting line of evidence (e.g. PM2_Supporting alone: rare; or PP3 alone), which does not make it a
    candidate for a diagnosis; it is listed only where the proband's phenotype matches the gene
    (``phenotype_match``: HPO similarity > 0, classify/phenotype.py). Without HPO data nothing matches."""
    from wgs_east.acmg.inputs import consequence_flags

    plp = calls["plp"].to_numpy()
    csq = consequence_flags(calls["consequence"])
    with np.errstate(invalid="ignore"):
        splice = pd.to_numeric(calls["spliceai"], errors="coerce").to_numpy() >= settings.pp3_spliceai
    relevant = csq.protein_altering | splice
    fitting = candidate & (np.asarray(match, dtype=object) == "yes") & relevant
    vus = (codes == UNCERTAIN) & in_gene
    points = calls["acmg_points"].to_numpy()
    pheno = np.zeros(len(calls), bool) if phenotype_match is None else np.asarray(phenotype_match, bool)
    evidence = (points >= VUS_MID_POINTS) | ((points >= 1) & pheno)
    vus_listed = vus & known_modes & relevant & evidence
    why = np.select(
        [plp, fitting, vus_listed, vus & ~known_modes, vus & ~relevant, vus & (points < 1), vus],
        ["P/LP", "candidate", "VUS", "VUS: gene without known disease association",
         "VUS: no protein-altering or splice consequence", "VUS: no net pathogenic evidence",
         "VUS-low: 1 point, gene without phenotype match"],
        "not VUS or better",
    ).astype(object)  # fmt: skip
    return plp | fitting | vus_listed, why


def _pm3_strengths(settings: AcmgSettings) -> tuple[int, ...]:
    """Every strength PM3 can take under the settings: its fixed strength (a Pathogenic partner),
    ``pm3_likely_pathogenic_partner_strength`` (a Likely pathogenic one), each one step down (phase
    unknown: half the points) and Supporting (homozygous occurrence), globally and in any gene."""
    scopes = [settings.global_criteria(), *(settings.for_gene(g) for g in settings.genes)]
    codes = {s.strength_of("PM3", MODERATE) for s in scopes}
    codes |= {strength_code(s.pm3_likely_pathogenic_partner_strength) for s in scopes}
    codes |= {c - 1 for c in codes} | {SUPPORTING}
    return tuple(sorted(c for c in codes if c > 0))


def display_frames(source: display.Source, frames: Sequence[pd.DataFrame]) -> list[pd.DataFrame]:
    """``frames`` of calls to output (listed, low-confidence, mitochondrial; of one or more probands) with
    the display columns, QUAL and ID, read from ``source`` in one ``bcftools query`` of their positions
    (classify/display.py); a frame that is empty or carries them already (chunks of another reader) is
    returned as it is."""
    todo = [k for k, f in enumerate(frames) if len(f) and "qual" not in f.columns]
    if not todo:
        return list(frames)
    keys = pd.concat([frames[k][list(display.KEY)] for k in todo], ignore_index=True)
    values = source.fetch(keys)
    out, at = list(frames), 0
    for k in todo:
        n = len(frames[k])
        part = {c: v[at : at + n] for c, v in values.items()}
        at += n
        if "heteroplasmy" in frames[k].columns:  # the mitochondrial section (_add_mito) shows HGVS p. only
            out[k] = frames[k].assign(hgvs_p=pd.Series(part["hgvs_p"], dtype=object, index=frames[k].index))
        else:
            out[k] = display.expand(frames[k], part, (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))
    return out


@dataclass
class ProbandClassifier:
    """Streams one proband's calls through pass 1 and spools the ones pass 2 may still change."""

    proband: Proband
    settings: AcmgSettings
    context: Context = field(default_factory=Context)
    spool_dir: Path | None = None
    totals: GeneTotals = field(default_factory=GeneTotals)
    n_calls: int = 0
    classes_before_phase: np.ndarray = field(default_factory=lambda: np.zeros(5, dtype=np.int64))
    """Pass-1 class counts of every carried call (site evidence + PS2/PM6)."""
    memory_rows: int = SPOOL_MEMORY_ROWS
    """Spooled calls kept in memory; the ones beyond go to files in ``spool_dir``."""
    n_low_confidence: int = 0
    """Carried calls (BA1 ones aside) that failed a genotype quality gate (acmg/quality.py)."""
    gates_not_evaluable: tuple[str, ...] = ()
    """Quality gates the inputs did not allow (no GQ/AD/FT in the VCF, no QC median depth)."""
    audit: BenignAudit | None = None
    """Where calls final after pass 1 as Benign / Likely benign, or stopped by BA1, are written."""
    mito: list[pd.DataFrame] = field(default_factory=list)
    """Carried chrM calls with their heteroplasmy (alt / total FORMAT/AD reads), never ACMG-classified."""
    n_mito: int = 0
    phenotype_rows: dict[str, int] = field(default_factory=dict)
    """Gene -> SVI de novo phenotype row (acmg/family.phenotype_row) for this proband; a gene not in it is
    "consistent, not highly specific" (no HPO data)."""
    _spool: list[pd.DataFrame | Path] = field(default_factory=list)
    _rows_in_memory: int = 0
    _tmp: tempfile.TemporaryDirectory | None = None

    def __post_init__(self) -> None:
        self._pm3_strengths = _pm3_strengths(self.settings)

    def _spill_dir(self) -> Path:
        if self.spool_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix=f"wgs-east-classify-{self.proband.sample}-")
            self.spool_dir = Path(self._tmp.name)
        return Path(self.spool_dir)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _add_mito(self, chunk: Chunk, r: np.ndarray) -> None:
        """Keep chrM calls with their heteroplasmy: the alt fraction of FORMAT/AD (NaN without AD)."""
        s = self.proband.sample
        alt, total = quality.parse_ad(None if chunk.ad is None else chunk.ad[s][r], r.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            het = np.where(total > 0, alt / np.maximum(total, 1), np.nan)
        sites = chunk.sites
        shown = {c: sites[c].to_numpy()[r] for c in sites.columns}  # hgvs_p: read later when not among them
        frame = pd.DataFrame({c: shown[c] for c in ("chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c",
                                                    "hgvs_p", "pop_af") if c in shown})  # fmt: skip
        frame["filter"] = np.asarray(chunk.filters, dtype=object)[r]
        frame["genotype"] = np.asarray(chunk.gt[s], dtype=object)[r]
        frame["depth"] = _dp(chunk.dp.get(s), len(chunk.filters))[r]
        frame["alt_reads"], frame["total_reads"], frame["heteroplasmy"] = alt, total, het
        self.mito.append(frame)
        self.n_mito += int(r.size)

    # --- pass 1 -------------------------------------------------------------------------------------
    def add(self, chunk: Chunk, site: pd.DataFrame | SiteContext) -> None:
        """Pass 1 for one chunk (``site``: ``classify_frame(chunk.sites)`` or its :class:`SiteContext`)."""
        sc = site if isinstance(site, SiteContext) else site_context(chunk, site, self.settings, self.context)
        p = self.proband
        copies_all, ploidy_all = chunk.genotypes(p.sample)
        rows = np.flatnonzero(copies_all >= 1)
        if not rows.size:
            return
        mt = sc.mito[rows] if sc.mito is not None else np.isin(chunk.sites["chrom"].to_numpy(dtype=object)[rows],
                                                                   MITO_CONTIGS)  # fmt: skip
        if mt.any():  # mitochondrial: own section with heteroplasmy, no nuclear ACMG rules
            self._add_mito(chunk, rows[mt])
            rows = rows[~mt]
            if not rows.size:
                return
        # BA1 classifies Benign by points whatever else applies, and with any pathogenic evidence the 2015
        # rules say Uncertain at most (conflicting evidence): such a call is never listed, never a phase
        # partner (P/LP) and never qualifies for a pattern (frequent). It is counted, nothing more.
        ba1 = sc.ba1[rows]
        if ba1.any():
            if self.audit is not None and sc.site_class is not None:
                r = rows[ba1]
                self.audit.add(None, prefix=sc.audit_prefix(r), gt=chunk.categorical(p.sample)[r],
                               filters=chunk.categorical()[r], ba1=True, **sc.site_rows(r))  # fmt: skip
            n_ba1 = int(np.count_nonzero(ba1))
            self.n_calls += n_ba1
            self.classes_before_phase[BENIGN] += n_ba1
            rows = rows[~ba1]
            if not rows.size:
                return
        n = rows.size
        copies, ploidy = copies_all[rows], ploidy_all[rows]
        dp = _dp(chunk.dp.get(p.sample), len(copies_all))[rows]
        # genotype quality gates: a failing call keeps its site evidence only (no PS2/PM6/PM3/BP2, no phase
        # partner, no pattern) and can only be listed in the low-confidence section
        gate = quality.evaluate(
            self.settings, filters=np.asarray(chunk.filters, dtype=object)[rows], copies=copies, ploidy=ploidy,
            dp=dp if p.sample in chunk.dp else None, gq=None if chunk.gq is None else chunk.gq[p.sample][rows],
            ad=None if chunk.ad is None else chunk.ad[p.sample][rows],
            ft=None if chunk.ft is None else chunk.ft[p.sample][rows],
            median_dp=p.qc.median_depth.get(p.sample),
        )  # fmt: skip
        self.gates_not_evaluable = gate.not_evaluable
        low = ~gate.passed
        self.n_low_confidence += int(np.count_nonzero(low))
        gts: dict[str, np.ndarray] = {"gt": np.asarray(chunk.gt[p.sample], dtype=object)[rows]}
        par: dict[str, np.ndarray] = {}
        for role, sid in (("father", p.father), ("mother", p.mother)):
            if sid is None:
                gts[f"{role}_gt"] = np.full(n, "", dtype=object)
                par[f"{role}_dp"] = np.full(n, -1, np.int64)
                par[f"{role}_copies"] = np.full(n, -1, np.int8)
                par[f"{role}_alt"] = np.full(n, -1, np.int64)
                par[f"{role}_gq"] = np.full(n, np.nan)
                continue
            gts[f"{role}_gt"] = np.asarray(chunk.gt[sid], dtype=object)[rows]
            par[f"{role}_dp"] = _dp(chunk.dp.get(sid), len(copies_all))[rows]
            par[f"{role}_copies"] = chunk.genotypes(sid)[0][rows]
            par[f"{role}_alt"] = quality.parse_ad(None if chunk.ad is None else chunk.ad[sid][rows], n)[0]
            par[f"{role}_gq"] = (np.full(n, np.nan) if chunk.gq is None
                                 else np.asarray(chunk.gq[sid][rows], dtype=np.float64))  # fmt: skip

        params = sc.params
        trio = dict(
            parentage_confirmed=p.qc.parentage_confirmed, proband_dp=dp,
            min_parent_dp=_rows(params.get("denovo_min_parent_dp"), rows),
            min_proband_dp=_rows(params.get("denovo_min_proband_dp"), rows),
        )  # fmt: skip
        # the genotype pattern (inheritance.single_call_patterns): parents hom-ref with depth, any gene
        ps2, pm6 = de_novo(copies, par["father_copies"], par["mother_copies"], par["father_dp"], par["mother_dp"],
                           **trio)  # fmt: skip
        raw_de_novo = ((ps2 > 0) | (pm6 > 0)) & ~low
        # the evidence: parents' alt reads and GQ, the gene's modes, SVI points by phenotype row
        phen_row = (sc.gene_lookup(self.phenotype_rows, -1)[rows]
                    if self.phenotype_rows else np.full(n, -1, np.int64))  # fmt: skip  # -1: no HPO data
        phen = np.where(phen_row < 0, CONSISTENT, phen_row)
        ps2, pm6 = de_novo(
            copies, par["father_copies"], par["mother_copies"], par["father_dp"], par["mother_dp"], **trio,
            ps2_strength=_rows(params.fixed_strength("PS2", STRONG), rows),
            pm6_strength=_rows(params.fixed_strength("PM6", MODERATE), rows),
            father_alt=par["father_alt"], mother_alt=par["mother_alt"], father_gq=par["father_gq"],
            mother_gq=par["mother_gq"], max_parent_alt=_rows(params.get("denovo_max_parent_alt_reads"), rows),
            min_parent_gq=self.settings.gate_min_gq,
            mode_ok=sc.denovo_mode_ok[rows] if sc.denovo_mode_ok is not None else True,
            phenotype=phen, use_points=_rows(params.get("denovo_points"), rows),
        )  # fmt: skip
        ps2 = np.where(low, 0, ps2).astype(np.int8)
        pm6 = np.where(low, 0, pm6).astype(np.int8)
        ps2 = np.where(_rows(params.enabled("PS2"), rows), ps2, 0).astype(np.int8)
        pm6 = np.where(_rows(params.enabled("PM6"), rows), pm6, 0).astype(np.int8)
        strengths = {c: v[rows] for c, v in sc.strengths.items()}
        strengths |= {"PS2": ps2, "PM6": pm6}
        index = pd.RangeIndex(n)
        pass1 = combine_strengths(strengths, index)
        class1 = pass1["acmg_class"].cat.codes.to_numpy().astype(np.int8)
        plp1 = (class1 >= LIKELY_PATHOGENIC) | (pass1["acmg_class_2015"].cat.codes.to_numpy() >= LIKELY_PATHOGENIC)
        self.classes_before_phase += np.bincount(class1, minlength=5)[:5]

        gene = sc.gene[rows]
        on_x = sc.on_x[rows]
        qual = inheritance.qualifying(gene != "", sc.passed[rows] & ~low, sc.frequent[rows], class1)
        qual_het = qual & (copies == 1) & (ploidy == 2) & ~(on_x & p.male)
        origin = parental_origin(copies, par["father_copies"], par["mother_copies"])
        level = np.where(low, 0, plp_level(class1)).astype(np.int8)
        hemizygous = on_x & p.male
        # PM3/BP2 inheritance flags for this proband: XLR acts through both alleles in a female on the X
        recessive, dominant_only = biallelic_mechanism(sc.recessive[rows], sc.dominant_only[rows],
                                                       sc.x_linked_recessive[rows], on_x, p.male)  # fmt: skip
        homozygous = homozygous_occurrence(copies, par["father_copies"], par["mother_copies"], hemizygous,
                                           sc.frequent[rows])  # fmt: skip
        in_gene = gene != ""
        # Spooled: every call pass 2 may list. Pass 2 adds only PM3 (a phased call in a recessive gene; BA1
        # calls are gone already) and BP2 (benign: never lists a call). A call is listed when
        # P/LP by either rule set, or in a gene and Uncertain or better by points (candidates included:
        # they qualify only so), so a call outside a gene is final now, and a call with PM3 possible is
        # spooled when PM3 at any strength it can take would make it listable.
        keep = plp1 | (in_gene & (class1 >= UNCERTAIN))
        # PM3 (SVI PM3 v1.0): confirmed in trans or phase unknown (a heterozygous call) or homozygous occurrence
        pm3_possible = in_gene & recessive & ~hemizygous & ~keep & ~low
        if pm3_possible.any():
            j = np.flatnonzero(pm3_possible)
            base = {c: v[j] for c, v in strengths.items()}
            for code in self._pm3_strengths:
                lifted = combine_strengths(base | {"PM3": np.full(j.size, code, np.int8)}, pd.RangeIndex(j.size))
                keep[j] |= (lifted["acmg_class"].cat.codes.to_numpy() >= UNCERTAIN) | (
                    lifted["acmg_class_2015"].cat.codes.to_numpy() >= LIKELY_PATHOGENIC
                )
        self.n_calls += n
        if self.audit is not None:
            class15 = pass1["acmg_class_2015"].cat.codes.to_numpy()
            benign = np.flatnonzero(~keep & ((class1 <= LIKELY_BENIGN) | (class15 <= LIKELY_BENIGN)))
            if benign.size:
                r = rows[benign]
                codes = pass1["acmg_codes"]
                self.audit.add(
                    None, prefix=sc.audit_prefix(r), gt=chunk.categorical(p.sample)[r],
                    filters=chunk.categorical()[r], klass=class1[benign], klass_2015=class15[benign],
                    points=pass1["acmg_points"].to_numpy()[benign],
                    codes=pd.Categorical.from_codes(codes.cat.codes.to_numpy()[benign], dtype=codes.dtype), ba1=False,
                )  # fmt: skip
        if not keep.any():
            return
        k = np.flatnonzero(keep)
        sites = chunk.sites.iloc[rows[k]].reset_index(drop=True)
        labels = np.full(k.size, "", dtype=object)
        need = (level[k] > 0) | qual_het[k]
        if need.any():
            labels[need] = variant_labels(sites[need])
        self.totals.add(gene[k], origin[k], level[k], qual_het[k], labels)

        single = inheritance.single_call_patterns(
            qual=qual[k], copies=copies[k], ploidy=ploidy[k], on_x=on_x[k], male=p.male, de_novo=raw_de_novo[k],
            father_copies=par["father_copies"][k], mother_copies=par["mother_copies"][k],
            father_affected=p.father_affected, mother_affected=p.mother_affected,
        )  # fmt: skip
        bits = np.zeros(k.size, dtype=np.int8)
        for b, name in enumerate(SINGLE_PATTERNS):
            bits |= single[name].astype(np.int8) << b
        cols: dict[str, object] = {"filter": np.asarray(chunk.filters, dtype=object)[rows[k]]}
        if chunk.display is None:  # else QUAL, ID and the display columns are read for the output calls only
            cols["qual"] = np.asarray(chunk.qual, dtype=object)[rows[k]] if chunk.qual is not None else "."
            cols["vid"] = np.asarray(chunk.vid, dtype=object)[rows[k]] if chunk.vid is not None else "."
        cols |= {
            "gt": gts["gt"][k], "dp": dp[k], "copies": copies[k], "ploidy": ploidy[k],
            "father_gt": gts["father_gt"][k], "father_dp": par["father_dp"][k], "father_copies": par["father_copies"][k],
            "mother_gt": gts["mother_gt"][k], "mother_dp": par["mother_dp"][k], "mother_copies": par["mother_copies"][k],
        }  # fmt: skip
        cols |= {c: v[k] for c, v in strengths.items()}
        cols |= {
            "pass1_class": class1[k], "patterns": bits, "gene_key": gene[k], "on_x": on_x[k], "qualifying": qual[k],
            "qual_het": qual_het[k], "origin": origin[k], "level": level[k], "label": labels,
            "in_recessive": recessive[k], "dominant_only": dominant_only[k], "hemizygous": hemizygous[k],
            "homozygous_pm3": homozygous[k],
            "gates": gate.failed[k], "gq": gate.gq[k], "ab": gate.ab[k],
            "denovo_row": phen_row[k].astype(np.int8),
            "ft": chunk.ft[p.sample][rows[k]] if chunk.ft is not None else np.full(k.size, ".", dtype=object),
        }  # fmt: skip
        keep_inputs = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in sites.columns]
        # object strings stay object (no str-dtype conversion per value)
        own = pd.DataFrame({c: pd.Series(v, dtype=object) if np.asarray(v).dtype == object else v for c, v in cols.items()})
        spooled = pd.concat([sites[keep_inputs], own], axis=1)
        if self._rows_in_memory + len(spooled) <= self.memory_rows:
            self._rows_in_memory += len(spooled)
            self._spool.append(spooled)
            return
        path = self._spill_dir() / f"chunk_{len(self._spool):06d}.pkl"
        with open(path, "wb") as fh:
            pickle.dump(spooled, fh, protocol=pickle.HIGHEST_PROTOCOL)
        self._spool.append(path)

    # --- pass 2 -------------------------------------------------------------------------------------
    def results(self) -> Iterator[pd.DataFrame]:
        """Pass 2, one spooled chunk at a time: every call with its final classification.

        Added columns: ``PM3``, ``BP2``, ``acmg_codes``, ``acmg_points``, ``acmg_class``,
        ``acmg_class_2015``, ``acmg_conflict``, ``trans_level``, ``trans_partner``, ``cis_partner``,
        ``partners``, ``inheritance``, ``moi_match``, ``candidate``, ``zygosity``, ``reported``.
        """
        p = self.proband
        for item in self._spool:
            if isinstance(item, Path):
                with open(item, "rb") as fh:
                    calls: pd.DataFrame = pickle.load(fh)
            else:
                calls = item.copy(deep=False)  # pass 2 adds columns: the spooled frame stays as it was
            yield self._finish_chunk(calls, p)

    def _finish_chunk(self, calls: pd.DataFrame, p: Proband) -> pd.DataFrame:
        gene_codes, gene_uniques, _ = gene_context(calls, self.settings)
        params = GeneParams(self.settings, gene_codes, gene_uniques)
        ph = self.totals.phase(
            calls["gene_key"].to_numpy(), calls["origin"].to_numpy(), calls["level"].to_numpy(),
            calls["qual_het"].to_numpy(), calls["label"].to_numpy(),
            calls["in_recessive"].to_numpy(), calls["dominant_only"].to_numpy(),
            pm3_pathogenic=params.fixed_strength("PM3", MODERATE),
            pm3_likely_pathogenic=params.strength("pm3_likely_pathogenic_partner_strength"),
            bp2_strength=params.fixed_strength("BP2", SUPPORTING),
            hemizygous=calls["hemizygous"].to_numpy(dtype=bool), homozygous=calls["homozygous_pm3"].to_numpy(dtype=bool),
        )  # fmt: skip
        low = calls["gates"].to_numpy() > 0  # failed a quality gate: never given phase evidence
        pm3 = np.where(params.enabled("PM3") & ~low, ph.pm3, 0).astype(np.int8)
        bp2 = np.where(params.enabled("BP2") & ~low, ph.bp2, 0).astype(np.int8)
        strengths = {c: calls[c].to_numpy() for c in (*SITE_CRITERIA, "PS2", "PM6")}
        strengths |= {"PM3": pm3, "BP2": bp2}
        final = combine_strengths(strengths, calls.index)
        new: dict[str, object] = {"PM3": pm3, "BP2": bp2}  # the added columns, joined to the calls at once
        for c in final.columns:
            new[c] = final[c]
        new["trans_level"] = ph.trans_level
        new["pm3_row"] = np.where(pm3 > 0, ph.pm3_row, 0).astype(np.int8)
        new["pm3_points"] = np.where(pm3 > 0, ph.pm3_points, 0.0)
        new["trans_partner"] = np.where(pm3 > 0, ph.trans_partner, np.where(bp2 > 0, ph.trans_partner, ""))
        new["cis_partner"] = np.where(bp2 > 0, ph.cis_partner, "")
        new["partners"] = ph.partners

        bits = calls["patterns"].to_numpy()
        patterns = {name: (bits >> k & 1).astype(bool) for k, name in enumerate(SINGLE_PATTERNS)}
        patterns["compound_heterozygous"] = ph.comphet
        patterns["compound_heterozygous_unphased"] = ph.comphet_unphased
        modes = inheritance.mode_flags(calls["gene"], calls["gene_moi"], self.settings)
        on_x = calls["on_x"].to_numpy()
        label, match, candidate = inheritance.summarise(patterns, modes, on_x, p.male)
        new["inheritance"] = label
        new["moi_match"] = match
        new["candidate"] = candidate
        new["zygosity"] = zygosity(calls["copies"].to_numpy(), calls["ploidy"].to_numpy())
        codes = final["acmg_class"].cat.codes.to_numpy()
        codes_2015 = final["acmg_class_2015"].cat.codes.to_numpy()
        in_gene = calls["gene_key"].to_numpy() != ""
        new["plp"] = (codes >= LIKELY_PATHOGENIC) | (codes_2015 >= LIKELY_PATHOGENIC)
        pheno = calls["denovo_row"].to_numpy() >= HETEROGENEOUS if "denovo_row" in calls.columns else None
        listable, why = listing_rule(pd.DataFrame({"plp": new["plp"], "consequence": calls["consequence"],
                                                   "spliceai": calls["spliceai"], "acmg_points": final["acmg_points"]},
                                                  index=calls.index),
                                     codes, in_gene, candidate, match, modes.known, self.settings, pheno)  # fmt: skip
        new["listing"] = why
        new["reported"] = listable & ~low
        new["low_confidence"] = listable & low
        for c in list(new):
            if c in calls.columns:  # replaced in place (a frame finished twice)
                calls[c] = new.pop(c)
        added = pd.DataFrame(new, index=calls.index)
        return pd.concat([calls, added], axis=1) if len(added.columns) else calls
