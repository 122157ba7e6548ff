"""Every threshold of the ACMG engine, with global values and per-gene overrides.

One pydantic v2 model (``extra="forbid"``, attribute docstrings). The global values sit at the top
level; ``genes:`` maps a gene symbol to the fields that differ for it, which is how a ClinGen
expert-panel (VCEP) specification is written down::

    # acmg.yaml
    pm2_max_af_dominant: 0.00002
    genes:
      MYH7:                      # Cardiomyopathy VCEP
        moi: AD
        ba1_af: 0.001
        bs1_af_dominant: 0.0002
        pm2_max_af_dominant: 0.00004
      GJB2:                      # Hearing Loss VCEP
        ba1_af: 0.005
        bs1_af_recessive: 0.003
        strengths: {PM2: Moderate}
        disabled: [BP3]

A gene's value replaces the global one, except ``strengths``, whose entries are merged over the
global entries. Every gene entry is checked with the same validators as the global values, and
errors name the gene (``genes.MYH7.ba1_af``).

Inheritance classes. ``gene_moi`` holds modes such as ``AD|AR``. Modes listed in
``recessive_modes`` (default ``AR``) are recessive; every other mode (AD, XLD, XLR, XL, MT...) is
"dominant-like" for frequency thresholds (an X-linked recessive allele is seen in hemizygous males at
about the disease frequency). Where modes mix or are unknown the engine takes the cautious side of
each criterion: PM2 uses the dominant (stricter) maximum unless every mode is recessive; BS1 uses the
recessive (more lenient) threshold unless no mode is recessive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from wgs_east import docstrings
from wgs_east.acmg.codes import CRITERIA, StrengthName, strength_code
from wgs_east.errors import InputError, Problem

AF = Annotated[float, Field(ge=0.0, le=1.0)]
Count = Annotated[int, Field(ge=0)]
Score = Annotated[float, Field(ge=0.0, le=1.0)]

FIXED_STRENGTH_CRITERIA: tuple[str, ...] = (
    "PVS1", "PS1", "PS2", "PM2", "PM3", "PM4", "PM5", "PM6", "BS1", "BS2", "BP2", "BP3", "BP7",
)  # fmt: skip
"""Criteria whose strength `strengths` may set (PVS1: the maximum before its own down-grades; PM3:
the strength when the partner is Pathogenic). PP3/BP4 take theirs from score bands, BA1 is stand-alone."""


def _msg(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # field docstrings: wgs_east/docstrings.py


class CriteriaSettings(_Model):
    """The thresholds of every criterion (one gene's effective values)."""

    # --- PVS1 (Abou Tayoun et al. 2018, the automatable branches) ---------------------------------
    pvs1_nmd_escape_strength: StrengthName = "Strong"
    """PVS1 strength for a null variant predicted to escape nonsense-mediated decay (``nmd_escape``) when the
    annotation gives no fraction of the protein removed (``prot_removed``); with it the decision tree's
    > / <= ``pvs1_removed_fraction`` branch decides (Strong / Moderate)."""
    pvs1_start_lost_strength: StrengthName = "Supporting"
    """Highest PVS1 strength for an initiation-codon (start_lost) variant. Abou Tayoun 2018 Fig. 1: Moderate
    only when pathogenic variants are known upstream of the closest in-frame start codon, otherwise
    Supporting; the engine does not know them, so Supporting (a VCEP may set Moderate per gene)."""
    pvs1_removed_fraction: Score = 0.1
    """Abou Tayoun 2018 Fig. 1: a null variant escaping NMD, or an in-frame exon skip, that removes more than
    this fraction of the protein is PVS1_Strong; at most this: PVS1_Moderate (the "critical region" branch
    needs domain knowledge the engine has not: a VCEP sets it per gene)."""

    # --- PS1 / PM5 -----------------------------------------------------------------------------------
    ps1_min_stars: Count = 2
    """PS1: minimum ClinVar review stars of a Pathogenic/Likely pathogenic record with the same amino-acid
    change by a different nucleotide change (``clinvar_same_aa_stars``)."""
    pm5_min_stars: Count = 2
    """PM5: minimum ClinVar review stars of a P/LP record with a different missense change at the same
    residue (``clinvar_same_residue_stars``)."""
    plp_comparator_step_down: bool = True
    """PS1/PM5 one strength step down when the best ClinVar comparator is only Likely pathogenic (PS1 Moderate,
    PM5 Supporting), as ClinGen SVI Splicing Subgroup (Walker et al. 2023, PS1 for the same splicing
    outcome: Strong with a Pathogenic, Moderate with a Likely pathogenic comparator) and VCEP specifications
    (e.g. the RASopathy and Hearing Loss VCEPs' PM5_Supporting for an LP comparator) do."""
    ps1_pm5_max_spliceai: Score = 0.2
    """PS1/PM5 only for a missense without predicted splicing impact: SpliceAI above this (the PP3 splicing
    threshold, Walker 2023) blocks them (the variant may act through splicing, unlike its comparator);
    a missing SpliceAI score does not block."""
    pm5_with_ps1: bool = False
    """Apply PM5 also when PS1 applies (default no: both rest on the same residue's ClinVar evidence)."""

    # --- population frequency: BA1, BS1, BS2, PM2 ---------------------------------------------------
    frequency_min_an: Count = 2000
    """Allele number a population (overall or popmax) needs before its frequency counts for BA1/BS1
    (ClinGen SVI: BA1 needs AN >= 2000 in the population)."""
    ba1_af: AF = 0.05
    """BA1: allele frequency strictly above this (overall or popmax/filtering AF, with AN >= frequency_min_an)."""
    bs1_af_dominant: AF = 0.001
    """BS1 for dominant-like genes: frequency strictly above this (0.1 %). Generic default; a VCEP's
    value (or a Whiffin et al. 2017 maximum credible AF) belongs in a gene override."""
    bs1_af_recessive: AF = 0.02
    """BS1 for recessive or mixed/unknown-inheritance genes: frequency strictly above this (2 %). Kept
    above common pathogenic recessive alleles (CFTR F508del ~1.3 % in non-Finnish Europeans)."""
    bs1_use_faf: bool = True
    """BS1 compares the filtering allele frequency (``pop_faf``: gnomAD ``fafmax_faf95_max``, the 95 %
    lower confidence bound of the AF, highest over genetic-ancestry groups; Whiffin et al. 2017, Genet Med
    19:1151) with the threshold, where the resource gives one; the raw overall/popmax AF (AN >=
    frequency_min_an) only where it does not. False: always the raw AF."""
    frequency_require_pass: bool = True
    """A population record whose FILTER is not PASS (``pop_filter``, e.g. ``AC0,AS_VQSR``: gnomAD saw the
    allele but its quality filters rejected the site or left no high-quality genotype) is no evidence of
    frequency (BA1, BS1, BS2) nor of absence (PM2): those criteria are "not evaluable" there. False: use
    the counts as they are."""
    pm2_max_af_dominant: AF = 0.00002
    """PM2: highest frequency (overall and popmax) still counted as rare, dominant-like genes (0.002 %,
    about 3 alleles in gnomAD v4 genomes). ``0`` means absent only."""
    pm2_max_af_recessive: AF = 0.0001
    """PM2: highest frequency still counted as rare when every mode of the gene is recessive (0.01 %)."""
    pm2_min_an: Count = 2000
    """PM2 needs the site to be covered: the variant is absent from the population resource, or the
    resource's allele number there is at least this (set to ~80 % of the resource's full AN when known).
    A popmax frequency counts only with popmax AN >= this."""
    bs2_min_homozygotes: Count = 2
    """BS2: homozygotes in the population resource (``pop_nhom``) at least this, recessive genes (and
    dominant ones flagged ``bs2_dominant_fully_penetrant``)."""
    bs2_min_hemizygotes: Count = 2
    """BS2: hemizygotes plus homozygotes (``pop_nhemi + pop_nhom``) at least this, X-linked genes."""
    bs2_dominant_fully_penetrant: bool = False
    """Treat the gene as fully penetrant dominant with early onset, so homozygotes count for BS2."""
    ba1_exception_blocks_bs1_bs2: bool = True
    """A variant on the BA1 exception list gets no BS1/BS2 either (its frequency is explained)."""

    # --- PP3 / BP4: REVEL (Pejaver et al. 2022) and SpliceAI (Walker et al. 2023) ----------------------
    pp3_revel_supporting: Score = 0.644
    """PP3_Supporting for missense at REVEL >= this."""
    pp3_revel_moderate: Score = 0.773
    """PP3_Moderate for missense at REVEL >= this."""
    pp3_revel_strong: Score = 0.932
    """PP3_Strong for missense at REVEL >= this."""
    bp4_revel_supporting: Score = 0.290
    """BP4 (Supporting) for missense at REVEL <= this."""
    bp4_revel_moderate: Score = 0.183
    """BP4_Moderate for missense at REVEL <= this."""
    bp4_revel_strong: Score = 0.016
    """BP4_Strong for missense at REVEL <= this."""
    bp4_revel_very_strong: Score = 0.003
    """BP4_VeryStrong for missense at REVEL <= this (Pejaver 2022 Table 2), before ``bp4_max_strength``."""
    bp4_max_strength: StrengthName = "Strong"
    """Highest BP4 strength. Pejaver et al. 2022 recommend computational evidence at most Strong (their
    Table 2's REVEL <= 0.003 Very Strong interval is reported, not recommended), so one predictor cannot
    make a variant Benign on its own."""
    pp3_max_strength: StrengthName = "Strong"
    """Highest PP3 strength (Pejaver et al. 2022: at most Strong; PM1, which they cap together with PP3
    at Strong, is not applied by this engine)."""
    pp3_spliceai: Score = 0.2
    """PP3 (Supporting) at SpliceAI max delta >= this, any variant type outside PVS1."""
    bp4_spliceai: Score = 0.1
    """No predicted splicing impact at SpliceAI max delta <= this: allows BP4 (synonymous, intronic,
    splice-region variants; missense together with a benign REVEL) and BP7."""
    bp4_allow_missing_spliceai: bool = False
    """Missense BP4 from REVEL also when SpliceAI has no score (True), or only with SpliceAI <= bp4_spliceai
    (False, default: Walker et al. 2023 allow BP4 only where a splicing predictor shows no impact; without
    a SpliceAI score missense BP4 is "not evaluable")."""

    # --- BP7 (Walker et al. 2023) ---------------------------------------------------------------------
    bp7_min_donor_offset: Count = 7
    """BP7 for intronic variants at or beyond this many bases after an exon (``c.N+7``)."""
    bp7_min_acceptor_offset: Count = 21
    """BP7 for intronic variants at or beyond this many bases before an exon (``c.N-21``)."""
    bp7_with_bp4: bool = True
    """Keep BP4 (splicing) next to BP7 (Walker 2023 applies both); False drops BP4 where BP7 applies."""

    # --- sample-dependent: PS2/PM6, PM3/BP2 -------------------------------------------------------------
    denovo_min_parent_dp: Count = 10
    """PS2/PM6: both parents homozygous reference with read depth at least this."""
    denovo_min_proband_dp: Count = 10
    """PS2/PM6: proband depth at least this (checked when a proband depth is given)."""
    denovo_max_parent_alt_reads: Count = 0
    """PS2/PM6: each parent's alt reads (FORMAT/AD) at most this (0: a single alt read in a parent makes the
    call not de novo; raise to 1-2 for deep data with sequencing errors). Not checked without AD."""
    denovo_points: bool = True
    """PS2/PM6 strength by the ClinGen SVI de novo recommendation v1.1 points (phenotype row x confirmed /
    assumed, Table 1; summed points -> strength, Table 2). False: fixed strengths (``strengths``; PS2 Strong,
    PM6 Moderate, Richards 2015)."""
    denovo_specific_similarity: float = Field(3.0, ge=0.0)
    """Phenotype similarity (classify/phenotype.py, Resnik best-match average over exactly shared HPO
    terms, nats) at or above which the proband's phenotype is "highly specific for the gene" (3.0: the
    shared terms are on average annotated to <= 5 % of the genes, e^-3). Above 0 and below: "consistent,
    not highly specific"; 0 (no shared term): "not consistent" (0 points); no HPO data: "consistent, not
    highly specific"."""
    pm3_likely_pathogenic_partner_strength: StrengthName = "Supporting"
    """PM3 strength when the in-trans partner is Likely pathogenic: one step below a Pathogenic partner
    (0.5 points; the SVI PM3 v1.0 Table 1 gives P/LP partners 1.0 together, several VCEPs count LP lower);
    a Pathogenic partner gives PM3 at its ``strengths`` value (default Moderate); with phase unknown each
    counts half (one step down)."""

    # --- general ---------------------------------------------------------------------------------------
    strengths: dict[str, StrengthName] = Field(default_factory=lambda: {"PM2": "Supporting"})
    """Strength of fixed-strength criteria where it differs from Richards 2015 (SVI: PM2_Supporting)."""
    disabled: tuple[str, ...] = ()
    """Criteria never applied (a VCEP marks them not applicable), e.g. ``[BP3, PM5]``."""

    @field_validator("strengths")
    @classmethod
    def _known_fixed_strength(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(k for k in value if k not in FIXED_STRENGTH_CRITERIA)
        if bad:
            raise ValueError(
                f"cannot set the strength of {', '.join(bad)}: only {', '.join(FIXED_STRENGTH_CRITERIA)} "
                "(PP3/BP4 use their score bands, BA1 is stand-alone)"
            )
        return value

    @field_validator("disabled")
    @classmethod
    def _known_criteria(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = sorted(set(value) - set(CRITERIA))
        if bad:
            raise ValueError(f"unknown criteria {', '.join(bad)}")
        return tuple(value)

    @model_validator(mode="after")
    def _ordered_bands(self) -> CriteriaSettings:
        problems = []
        if not self.pp3_revel_supporting <= self.pp3_revel_moderate <= self.pp3_revel_strong:
            problems.append("pp3_revel_supporting <= pp3_revel_moderate <= pp3_revel_strong must hold")
        if not self.bp4_revel_supporting >= self.bp4_revel_moderate >= self.bp4_revel_strong >= self.bp4_revel_very_strong:
            problems.append("bp4_revel_supporting >= _moderate >= _strong >= _very_strong must hold")
        if not self.bp4_revel_supporting < self.pp3_revel_supporting:
            problems.append("bp4_revel_supporting must be below pp3_revel_supporting")
        if not self.bp4_spliceai < self.pp3_spliceai:
            problems.append("bp4_spliceai must be below pp3_spliceai")
        for moi in ("dominant", "recessive"):
            pm2_max, bs1 = getattr(self, f"pm2_max_af_{moi}"), getattr(self, f"bs1_af_{moi}")
            if not pm2_max < min(bs1, self.ba1_af):
                problems.append(f"pm2_max_af_{moi} must be below bs1_af_{moi} and ba1_af (PM2 and BS1/BA1 exclude each other)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def strength_of(self, criterion: str, default: int) -> int:
        """Strength code of a fixed-strength criterion: ``strengths`` entry or the given default."""
        name = self.strengths.get(criterion)
        return strength_code(name) if name else default


_CRITERIA_FIELDS = tuple(CriteriaSettings.model_fields)

GeneSettings: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "GeneSettings",
    __base__=_Model,
    __doc__="Per-gene values: any field of the global settings (unset = global), plus `moi`.",
    moi=(str | None, Field(None, description="Modes of inheritance for this gene (`AD|AR`), replacing the annotation's `gene_moi`.")),
    **{
        name: (field.annotation | None, None)  # type: ignore[operator]
        for name, field in CriteriaSettings.model_fields.items()
    },
)
docstrings.share(GeneSettings, CriteriaSettings)  # its descriptions: CriteriaSettings' field docstrings


class AcmgSettings(CriteriaSettings):
    """ACMG engine settings: global thresholds, per-gene overrides, inheritance classes, exception list."""

    recessive_modes: tuple[str, ...] = ("AR",)
    """Modes of inheritance treated as recessive for frequency thresholds and BS2/PM3."""
    genes: dict[str, GeneSettings] = Field(default_factory=dict)  # type: ignore[valid-type]
    """Per-gene overrides keyed by gene symbol (as in the ``gene`` column)."""
    ba1_exception_list: Path | None = None
    """TSV replacing the packaged ClinGen SVI BA1 exception list (columns gene, hgvs_c; optional
    chrom_grch38, pos_grch38, ref, alt). Unset: the packaged list of Ghosh et al. 2018."""

    # --- genotype quality gates (acmg/quality.py) -----------------------------------------------------
    gate_filter_pass: bool = True
    """A call needs FILTER PASS (or '.') and, when the VCF has FORMAT/FT, a passing FT to get sample-level
    evidence, be a PM3/BP2 partner or a pattern candidate, or be listed as P/LP."""
    gate_min_gq: Count = 20
    """Minimum FORMAT/GQ (gnomAD "adj" high-quality genotype: GQ >= 20; gnomad_methods get_adj_expr)."""
    gate_min_dp: Count = 10
    """Minimum FORMAT/DP of a diploid call (gnomAD "adj": DP >= 10)."""
    gate_min_dp_hemizygous: Count = 5
    """Minimum FORMAT/DP of a haploid (hemizygous) call (gnomAD "adj": DP >= 5 for haploid genotypes)."""
    gate_max_dp_sd: float = Field(4.0, ge=0.0)
    """A call fails when DP > median + this x sqrt(median), the median being the sample's median
    autosomal depth from QC (Li 2014, Bioinformatics 30:2843: excess depth marks collapsed repeats and
    copy-number gains; d + 4 sqrt(d)). ``0`` turns the gate off; without a QC median it is not evaluable."""
    gate_het_ab_min: Score = 0.2
    """Heterozygous call: alt reads / (sum of FORMAT/AD) at least this (gnomAD "adj": AB >= 0.2)."""
    gate_het_ab_max: Score = 0.8
    """Heterozygous call: allele balance at most this (slivar rare-disease filters, Pedersen et al. 2021,
    npj Genom Med 6:60: 0.2 < AB < 0.8)."""
    gate_hom_ab_min: Score = 0.8
    """Homozygous-alt and hemizygous calls: allele balance at least this (the mirror of
    ``gate_het_ab_max``: a call with more than 20 % reference reads is not cleanly homozygous; project
    choice, no published value)."""

    @field_validator("recessive_modes")
    @classmethod
    def _upper_modes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(m.strip().upper() for m in value)

    @model_validator(mode="after")
    def _genes_valid(self) -> AcmgSettings:
        if not self.gate_het_ab_min < self.gate_het_ab_max:
            raise ValueError("gate_het_ab_min must be below gate_het_ab_max")
        for gene in self.genes:
            self.for_gene(gene)  # raises with the gene named, see for_gene
        return self

    def global_criteria(self) -> CriteriaSettings:
        """The global values as a CriteriaSettings."""
        return CriteriaSettings.model_construct(**{f: getattr(self, f) for f in _CRITERIA_FIELDS})

    def overrides(self, gene: str) -> dict[str, Any]:
        """The fields a gene sets (without `moi`)."""
        entry = self.genes.get(gene)
        if entry is None:
            return {}
        return {k: v for k, v in entry.model_dump(exclude_none=True).items() if k != "moi"}

    def gene_moi(self, gene: str) -> str | None:
        entry = self.genes.get(gene)
        return None if entry is None else entry.moi

    def for_gene(self, gene: str) -> CriteriaSettings:
        """Effective settings of one gene (global values with the gene's overrides)."""
        own = self.overrides(gene)
        if not own:
            return self.global_criteria()
        merged = {f: getattr(self, f) for f in _CRITERIA_FIELDS}
        if "strengths" in own:
            own["strengths"] = {**self.strengths, **own["strengths"]}
        merged.update(own)
        try:
            return CriteriaSettings(**merged)
        except ValidationError as exc:
            msgs = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {_msg(e)}" if e["loc"] else _msg(e)
                for e in exc.errors(include_url=False)
            )
            raise ValueError(f"genes.{gene}: {msgs}") from None


DEFAULT_SETTINGS = AcmgSettings()


def settings_from_dict(data: dict[str, Any] | None, source: str = "ACMG settings") -> AcmgSettings:
    """Validate a mapping (as loaded from YAML); every problem is reported at once as an InputError."""
    try:
        return AcmgSettings.model_validate(data or {})
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in err["loc"]), _msg(err))
            for err in exc.errors(include_url=False)
        ]
        raise InputError(source, problems) from None


def load_settings(path: str | Path) -> AcmgSettings:
    """Load ACMG settings from a YAML file (global values + ``genes:`` overrides)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise InputError(path, [f"cannot read: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise InputError(path, ["not a text file (not UTF-8): expected a YAML file of ACMG settings"]) from None
    except yaml.YAMLError as exc:
        raise InputError(path, [f"not valid YAML: {exc}"]) from None
    if data is not None and not isinstance(data, dict):
        raise InputError(path, ["top level must be a mapping of settings"])
    settings = settings_from_dict(data, str(path))
    if settings.ba1_exception_list is not None and not settings.ba1_exception_list.is_absolute():
        settings = settings.model_copy(update={"ba1_exception_list": path.parent / settings.ba1_exception_list})
    return settings


class GeneParams:
    """Per-row values of the settings for a frame whose genes are given as factorised codes.

    ``get(field)`` returns the global scalar when no gene in the frame overrides that field, else an
    array with one value per row (built per distinct gene, then taken by gene code: no row loop).
    """

    def __init__(self, settings: AcmgSettings, gene_codes: np.ndarray, gene_uniques: np.ndarray) -> None:
        self.settings = settings
        self.gene_codes = gene_codes
        self._present = {
            i: str(g) for i, g in enumerate(gene_uniques) if str(g) in settings.genes
        }  # distinct genes in the frame that have an override
        self._effective = {i: settings.for_gene(g) for i, g in self._present.items()}
        self._n_uniques = len(gene_uniques)
        self._cache: dict[str, Any] = {}

    def _per_gene(self, getter: Any, default: Any, dtype: Any) -> Any:
        values = {i: getter(s) for i, s in self._effective.items()}
        if all(v == default for v in values.values()):
            return default
        table = np.full(self._n_uniques + 1, default, dtype=dtype)  # last slot: missing gene (code -1)
        for i, v in values.items():
            table[i] = v
        return table[self.gene_codes]

    def get(self, field: str) -> Any:
        """Scalar or per-row array of one settings field (numbers and booleans)."""
        if field not in self._cache:
            default = getattr(self.settings, field)
            dtype = bool if isinstance(default, bool) else (np.int64 if isinstance(default, int) else np.float64)
            self._cache[field] = self._per_gene(lambda s: getattr(s, field), default, dtype)
        return self._cache[field]

    def strength(self, field: str) -> Any:
        """Scalar or per-row int8 strength code of a strength-name field."""
        key = f"strength:{field}"
        if key not in self._cache:
            default = strength_code(getattr(self.settings, field))
            self._cache[key] = self._per_gene(lambda s: strength_code(getattr(s, field)), default, np.int8)
        return self._cache[key]

    def fixed_strength(self, criterion: str, default: int) -> Any:
        """Scalar or per-row strength code of a fixed-strength criterion (``strengths``)."""
        key = f"fixed:{criterion}"
        if key not in self._cache:
            glob = self.settings.strength_of(criterion, default)
            self._cache[key] = self._per_gene(lambda s: s.strength_of(criterion, default), glob, np.int8)
        return self._cache[key]

    def enabled(self, criterion: str) -> Any:
        """Scalar or per-row bool: the criterion is not disabled."""
        key = f"enabled:{criterion}"
        if key not in self._cache:
            glob = criterion not in self.settings.disabled
            self._cache[key] = self._per_gene(lambda s: criterion not in s.disabled, glob, bool)
        return self._cache[key]
