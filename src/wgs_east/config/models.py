"""The batch configuration: one pydantic model tree, the single source of truth.

The JSON Schema in ``workflow/schemas/`` and the field table in ``config/README.md`` are generated
from these models (``wgs-east schema``; a test keeps both in sync). Shape and type rules live here;
rules that need the file system or several fields at once live in :mod:`wgs_east.config.checks`.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from wgs_east.acmg.settings import AcmgSettings

ID_REGEX = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
HPO_REGEX = r"^HP:[0-9]{7}$"
CONTIG_REGEX = r"^[A-Za-z0-9_.][A-Za-z0-9_.:*#+-]{0,254}$"

Identifier = Annotated[str, StringConstraints(pattern=ID_REGEX)]
"""Batch, sample, family, unit and library ids: letters, digits, `_` and `-`, starting with a letter or
digit, at most 64 characters. Such an id is safe in file names and shell words."""

HpoId = Annotated[str, StringConstraints(pattern=HPO_REGEX)]
GeneSymbol = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
ContigName = Annotated[str, StringConstraints(pattern=CONTIG_REGEX)]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Resolve a path against the directory of the YAML file it came from (context ``base_dir``)."""
    text = str(value)
    if not text.strip():
        raise ValueError("path is empty")
    if _CONTROL.search(text):
        raise ValueError("path contains a control character (newline, tab, ...)")
    base = (info.context or {}).get("base_dir")
    try:
        path = value.expanduser()
    except RuntimeError:  # "~user" of an unknown user
        raise ValueError(f"cannot expand the home directory in {text!r}") from None
    if not path.is_absolute() and base is not None:
        path = Path(base) / path
    resolved = _normalise(path)
    try:  # a name that is not UTF-8 (e.g. a Latin-1 directory name) cannot go into the run's JSON state
        resolved.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(resolved).decode("utf-8", "backslashreplace")
        raise ValueError(f"path is not valid UTF-8 text: {shown} (rename the file or directory)") from None
    return Path(resolved)


def _normalise(path: Path) -> str:
    # os.path.normpath, not resolve(): a symlinked input keeps the name the user gave it.
    return os.path.normpath(os.path.abspath(path))


def _not_blank(value: object) -> object:
    # before Path(): Path("") is Path("."), which would resolve to the YAML file's directory
    if isinstance(value, str) and not value.strip():
        raise ValueError("path is empty")
    return value


InputPath = Annotated[Path, BeforeValidator(_not_blank), AfterValidator(_resolve_path)]
"""A path to an input file; relative paths resolve against the directory of the YAML file."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # field docstrings: wgs_east/docstrings.py


class Sex(StrEnum):
    female = "female"
    male = "male"
    unknown = "unknown"


class SexChromosomes(Model):
    x: ContigName = "chrX"
    """Name of the X chromosome contig in the reference FASTA."""
    y: ContigName = "chrY"
    """Name of the Y chromosome contig in the reference FASTA."""


class Region(Model):
    contig: ContigName
    """Contig name."""
    start: int = Field(ge=1)
    """First base, 1-based."""
    end: int = Field(ge=1)
    """Last base, 1-based, inclusive."""


GRCH38_PARS = (
    Region(contig="chrX", start=10_001, end=2_781_479),
    Region(contig="chrX", start=155_701_383, end=156_030_895),
)
# GRC's published PARs of GRCh37 on X (Ensembl / UCSC hg19: PAR1 X:60,001-2,699,520, PAR2
# X:154,931,044-155,260,560)
GRCH37_PARS = (
    Region(contig="chrX", start=60_001, end=2_699_520),
    Region(contig="chrX", start=154_931_044, end=155_260_560),
)
PARS_BY_BUILD = {"GRCh38": GRCH38_PARS, "GRCh37": GRCH37_PARS}


class Reference(Model):
    fasta: InputPath
    """Reference genome FASTA (plain or bgzip). Indexes are built in the output directory, never next
    to this file; an existing `.fai` beside it is read to learn contig lengths."""
    build: Literal["GRCh38", "GRCh37"] = "GRCh38"
    """Genome build; resource bundles must name the same build."""
    sex_chromosomes: SexChromosomes | None = SexChromosomes()
    """Contig names of the sex chromosomes (used for ploidy, sex inference and X-linked analysis). `null`
    for a reference without sex chromosomes (a chromosome slice, a panel reference): every contig is called
    diploid, the sex check is reported as not assessable and there is no X-linked analysis. Left out, it is
    `chrX`/`chrY`, or null when the FASTA has no contig named chrX, chrY, X or Y."""
    par_regions: list[Region] | None = None
    """Pseudo-autosomal regions (diploid in males). Default: the build's published PARs of the X contig
    (GRCh38: X:10,001-2,781,479 and X:155,701,383-156,030,895; GRCh37: X:60,001-2,699,520 and
    X:154,931,044-155,260,560), kept only where they fit inside the X contig of this reference."""
    exclude_contigs: list[ContigName] = []
    """Contigs not called and not counted as autosomes (e.g. chrM, decoys)."""


class Unit(Model):
    id: Identifier
    """Unit (lane / read group) id, unique within the sample."""
    fastq1: InputPath
    """Read 1 FASTQ (gzip-compressed or plain, whatever the file name says; Phred+33 qualities)."""
    fastq2: InputPath
    """Read 2 FASTQ, same reads in the same order as read 1."""
    platform: Literal[
        "ILLUMINA", "DNBSEQ", "ELEMENT", "ULTIMA", "IONTORRENT", "PACBIO", "ONT", "SINGULAR"
    ] = "ILLUMINA"
    """Sequencing platform (read-group PL)."""
    library: Identifier
    """Library id (read-group LB); duplicates are marked per library."""
    platform_unit: Identifier | None = None
    """Platform unit (read-group PU), e.g. flowcell-lane; default `<sample>.<unit id>`."""


class Sample(Model):
    id: Identifier
    """Sample id, unique in the batch (read-group SM, file names)."""
    sex: Sex
    """Declared sex: female, male or unknown (unknown: diploid X, no Y)."""
    family: Identifier
    """Family id; joint calling and pedigree checks are per family."""
    father: Identifier | None = None
    """Sample id of the father: a sample of the same family, sex male or unknown."""
    mother: Identifier | None = None
    """Sample id of the mother: a sample of the same family, sex female or unknown."""
    affected: bool = False
    """Affected status; classification and reports are made for affected samples."""
    phenotypes: list[HpoId] = []
    """HPO term ids (HP:0000000) describing the patient's phenotype."""
    units: list[Unit] = Field(min_length=1)
    """Sequencing units (lanes / read groups), at least one."""


class Calling(Model):
    caller: Literal["bcftools", "freebayes"] = "bcftools"
    """Variant caller: bcftools mpileup+call (default, multiallelic caller) or FreeBayes."""
    chunk_size: int = Field(default=20_000_000, ge=1_000)
    """Target size in bp of the region chunks calling is scattered over (cuts at contig ends and N runs)."""
    max_chunk_jobs: int = Field(default=20_000, ge=1)
    """Most calling jobs (joint-calling groups x region chunks) of a batch: a batch with more groups gets
    larger chunks than `chunk_size`, so that the DAG and the number of cluster jobs stay bounded."""
    joint_max_samples: int = Field(default=50, ge=1)
    """Most samples genotyped together by one multi-sample bcftools mpileup + call (the cohort informs every
    genotype). A batch of at most this many samples is called jointly as a whole; a larger batch in groups of
    whole families of up to this many samples (a family larger than this is one group), merged into the batch
    VCF. A job's work grows with the group's size, the number of jobs with the number of groups."""
    min_qual: float = Field(default=3.0, ge=0)
    """Records with QUAL below this get FILTER `LowQual` (kept, not dropped). The default 3 is
    -10 log10(0.5): a record more likely not variant than variant."""
    min_depth_fraction: float = Field(default=0.25, ge=0)
    """Records whose INFO/DP is below this fraction of the median INFO/DP of the batch's variant records get
    FILTER `LowDP` (kept, not dropped): a depth filter relative to the batch's coverage (one 30x sample:
    DP < 7.5; at 7x: DP < 1.75), not an absolute one."""
    min_mapq: int = Field(default=20, ge=0)
    """Reads with mapping quality below this are not used for calling."""
    min_baseq: int = Field(default=1, ge=0)
    """Bases with quality (after BAQ) below this are not used for calling. The default 1 is bcftools
    mpileup's own (since 1.13; BAQ already down-weights unreliable bases): 13 lost indel evidence at low
    coverage on real reads (README "Accuracy on real data")."""


class Limits(Model):
    """Thresholds of one QC metric. A value below `fail_below` or above `fail_above` is a FAIL, below
    `warn_below` or above `warn_above` a WARN; an unset bound is not checked."""

    warn_below: float | None = None
    """WARN when the metric is below this value (null: not checked; defaults in the metric's row)."""
    fail_below: float | None = None
    """FAIL when the metric is below this value (at most `warn_below`)."""
    warn_above: float | None = None
    """WARN when the metric is above this value (null: not checked)."""
    fail_above: float | None = None
    """FAIL when the metric is above this value (at least `warn_above`)."""

    @model_validator(mode="after")
    def _ordered(self) -> Limits:
        if self.warn_below is not None and self.fail_below is not None and self.fail_below > self.warn_below:
            raise ValueError("fail_below must be at most warn_below")
        if self.warn_above is not None and self.fail_above is not None and self.fail_above < self.warn_above:
            raise ValueError("fail_above must be at least warn_above")
        lows = [v for v in (self.warn_below, self.fail_below) if v is not None]
        highs = [v for v in (self.warn_above, self.fail_above) if v is not None]
        if lows and highs and max(lows) >= min(highs):
            raise ValueError("the lower bounds must be below the upper bounds")
        return self


class SexCheck(Model):
    """Sex inference from X and Y depth (normalised to the autosomal depth, MAPQ >= `qc.coverage_min_mapq`,
    N bases excluded) and from X heterozygosity (allele balance of X SNVs outside the PARs). Two X copies
    need X/A >= `x_ratio_two_copies_min`, one X copy X/A <= `x_ratio_one_copy_max`; Y is present at
    Y/A >= `y_ratio_present_min` and absent at Y/A <= `y_ratio_absent_max`. Male: one X and a Y; female:
    two X and no Y; anything else is ambiguous (WARN). Inferred sex opposite to the declared one: FAIL."""

    x_ratio_one_copy_max: float = Field(default=0.7, gt=0)
    """Highest X/autosome depth ratio of one X copy (expected 0.5)."""
    x_ratio_two_copies_min: float = Field(default=0.8, gt=0)
    """Lowest X/autosome depth ratio of two X copies (expected 1.0)."""
    y_ratio_absent_max: float = Field(default=0.05, ge=0)
    """Highest Y/autosome depth ratio of a sample without Y (expected ~0; mis-mapped reads)."""
    y_ratio_present_min: float = Field(default=0.15, gt=0)
    """Lowest Y/autosome depth ratio of a sample with a Y (expected 0.5 over uniquely mappable Y, lower
    on a whole-Y average: GRCh38 Y is about half repeats)."""
    x_het_one_copy_max: float = Field(default=0.1, ge=0, le=1)
    """Highest X heterozygosity (fraction of X SNVs carried with allele balance 0.2-0.8) of one X copy."""
    x_het_two_copies_min: float = Field(default=0.25, ge=0, le=1)
    """Lowest X heterozygosity of two X copies (a female has ~0.4-0.6, the autosomal value)."""
    x_het_min_sites: int = Field(default=20, ge=1)
    """X heterozygosity is used only when at least this many X SNVs are carried at depth >= 10."""

    @model_validator(mode="after")
    def _ordered(self) -> SexCheck:
        if self.x_ratio_one_copy_max >= self.x_ratio_two_copies_min:
            raise ValueError("x_ratio_one_copy_max must be below x_ratio_two_copies_min")
        if self.y_ratio_absent_max >= self.y_ratio_present_min:
            raise ValueError("y_ratio_absent_max must be below y_ratio_present_min")
        if self.x_het_one_copy_max >= self.x_het_two_copies_min:
            raise ValueError("x_het_one_copy_max must be below x_het_two_copies_min")
        return self


class RelatednessCheck(Model):
    """Kinship of every pair of samples (KING-robust, Manichaikul et al. 2010, on autosomal PASS SNVs of
    the batch VCF), compared with the kinship the pedigree implies. Degrees use KING's cut-offs
    (duplicate > 0.354, first degree > 0.177, second > 0.0884, third > 0.0442). A declared first- or
    second-degree relationship observed as unrelated, or an unexpected duplicate, is a FAIL for both
    samples; an undeclared first- or second-degree relationship and a wrong degree are a WARN."""

    min_sites: int = Field(default=200, ge=1)
    """A pair is assessed only when the two samples together carry at least this many heterozygous SNVs
    at sites where both are genotyped (else WARN: not assessable)."""


class QcSettings(Model):
    """Quality-control thresholds; every sample gets PASS / WARN / FAIL with the reasons (a FAIL is flagged,
    never dropped). Defaults suit a 30x PCR-free human WGS. Setting a metric's limits replaces all four
    bounds of its default (e.g. `median_depth: {warn_below: 15}` leaves no FAIL bound)."""

    target_bed: InputPath | None = None
    """Optional BED of target regions (e.g. a gene panel; 4th column: region name) for per-region coverage
    and the list of under-covered regions."""
    coverage_min_mapq: int = Field(default=20, ge=0)
    """Reads below this mapping quality (and duplicates, secondary, QC-failed reads) do not count for
    depth, coverage fractions and sex inference."""
    region_min_depth: int = Field(default=20, ge=1)
    """Depth a target base needs to count as covered."""
    region_min_fraction: float = Field(default=0.95, ge=0, le=1)
    """A target region is under-covered when a smaller fraction of its bases reach `region_min_depth`."""
    q30_fraction: Limits = Limits(warn_below=0.8, fail_below=0.7)
    """Fraction of bases >= Q30 after fastp filtering, checked for every unit. Default: warn below 0.8, fail below 0.7."""
    pass_filter_fraction: Limits = Limits(warn_below=0.9, fail_below=0.8)
    """Fraction of reads kept by fastp's filters, checked for every unit. Default: warn below 0.9, fail below 0.8."""
    adapter_fraction: Limits = Limits(warn_above=0.3)
    """Fraction of reads in which fastp trimmed an adapter, checked for every unit. Default: warn above 0.3."""
    max_unit_read_loss: float = Field(default=0.5, ge=0, le=1)
    """Read accounting: the largest fraction of a unit's reads fastp's filters may remove before the unit's
    `account_reads` job fails and stops its sample (a lost lane is an error, not a QC warning). Between the
    other steps (pairs counted by the FASTQ check -> read by fastp, written by fastp -> in the alignment)
    no read may be lost. Milder losses are graded by `pass_filter_fraction`."""
    mapping_rate: Limits = Limits(warn_below=0.95, fail_below=0.9)
    """Fraction of primary reads mapped (samtools stats). Default: warn below 0.95, fail below 0.9."""
    properly_paired_rate: Limits = Limits(warn_below=0.9, fail_below=0.8)
    """Fraction of primary reads mapped as proper pairs. Default: warn below 0.9, fail below 0.8."""
    duplicate_rate: Limits = Limits(warn_above=0.15, fail_above=0.3)
    """Fraction of mapped primary reads marked duplicate. Default: warn above 0.15, fail above 0.3."""
    insert_size_median: Limits = Limits(warn_below=150)
    """Median insert size (bp) of properly paired reads. Default: warn below 150."""
    median_depth: Limits = Limits(warn_below=25, fail_below=20)
    """Median depth over the autosomes (N bases excluded). Default: warn below 25, fail below 20."""
    fraction_20x: Limits = Limits(warn_below=0.85, fail_below=0.7)
    """Fraction of autosomal bases (N excluded) at depth >= 20. Default: warn below 0.85, fail below 0.7."""
    target_fraction: Limits = Limits(warn_below=0.95, fail_below=0.9)
    """Fraction of target bases at depth >= `region_min_depth` (only with `target_bed`). Default: warn below 0.95, fail below 0.9."""
    ti_tv: Limits = Limits(warn_below=1.8, fail_below=1.5)
    """Transition/transversion ratio of the sample's PASS SNVs (WGS: ~2.0-2.1; false calls lower it). Default: warn below 1.8, fail below 1.5."""
    het_hom_ratio: Limits = Limits(warn_below=1.0, warn_above=3.0)
    """Heterozygous / homozygous-alternative genotype ratio of PASS variants (contamination raises it). Default: warn below 1.0, warn above 3.0."""
    contamination: Limits = Limits(warn_above=0.03, fail_above=0.05)
    """Estimated fraction of reads from another individual (estimate: see `wgs_east.qc.contamination`). Default: warn above 0.03, fail above 0.05."""
    contamination_min_sites: int = Field(default=50, ge=1)
    """The contamination estimate needs at least this many homozygous-alternative SNVs (else WARN)."""
    sex: SexCheck = SexCheck()
    """Sex inference thresholds."""
    relatedness: RelatednessCheck = RelatednessCheck()
    """Relatedness check."""


class Classification(Model):
    """Which variants the per-sample lists of `DIR/classified/` show (affected samples only). Without a
    panel or HPO filter every Pathogenic, Likely pathogenic and in-gene Uncertain variant of the sample is
    listed, plus every inheritance-pattern candidate. A filter never hides a Pathogenic or Likely
    pathogenic variant: those outside the filter stay listed, flagged in `filter_note`."""

    panel: list[GeneSymbol] = []
    """Gene panel (gene symbols as in the annotation): when set (here or in `panel_file`), only variants in
    these genes are listed, plus P/LP variants elsewhere (flagged `outside panel`)."""
    panel_file: InputPath | None = None
    """Text file with more panel genes, one symbol per line (`#` starts a comment); joined with `panel`."""
    hpo_filter: bool = False
    """List only variants in genes the gene table associates with at least one of the sample's `phenotypes`
    (exact HPO term ids), plus P/LP variants elsewhere (flagged `no HPO match`). Samples without phenotypes
    are not filtered."""


class StructuralVariants(Model):
    """Structural-variant and copy-number calling (README, Structural variants): delly (read pairs and split
    reads) per sample, sites merged across the batch and genotyped per family; cnvkit (read depth, flat
    reference) per sample; merged into `sv/{batch}.sv.vcf.gz` and `sv/{sample}.cnv.tsv`."""

    enabled: bool = True
    """Call SVs and CNVs. `false`: no SV stage (no `sv/` outputs)."""
    cnv_bin_size: int = Field(default=1_000, ge=100)
    """Average size in bp of cnvkit's read-depth bins (`--target-avg-size`): smaller bins resolve smaller
    CNVs and are noisier. The test genome (30x, 380 kb) uses 250."""
    cnv_segment_p: float = Field(default=0.001, gt=0, lt=1)
    """Significance threshold of cnvkit's CBS segmentation (`segment -m cbs -t`); cnvkit's default 1e-6
    called none of the planted events of the test genome, 1e-3 all of those >= 1.3 kb."""
    cnv_min_bins: int = Field(default=4, ge=1)
    """Fewest bins of a copy-number segment that no delly event explains for it to become an event of the SV
    VCF (every segment stays in `sv/{sample}.cnv.tsv`): on the test genome, 2-bin segments at contig ends
    (reads thin out there) were called losses."""
    min_overlap: float = Field(default=0.5, gt=0, le=1)
    """Reciprocal overlap for two calls (delly records, delly and cnvkit, cnvkit segments of several samples)
    to be one event."""
    max_breakend_distance: int = Field(default=500, ge=0)
    """Most distance in bp between the breakends of two delly records of one event (e.g. an inversion's
    two junctions)."""
    max_sv_per_sample: int = Field(default=20_000, ge=1)
    """QC WARN above this many SV records carried by a sample. gnomAD-SV (Collins et al. 2020, Nature
    581:444) reports a median of 7,439 SVs per short-read genome."""
    max_cnv_per_sample: int = Field(default=500, ge=1)
    """QC WARN above this many non-neutral copy-number segments of a sample (a noisy depth profile)."""


class Batch(Model):
    batch: Identifier
    """Batch id; names the batch VCF and QC tables."""
    reference: Reference
    """The reference genome."""
    samples: list[Sample] = Field(min_length=1)
    """Samples of the batch: any number of families and singletons."""
    calling: Calling = Calling()
    """Variant calling options."""
    qc: QcSettings = QcSettings()
    """Quality control thresholds (per-sample PASS / WARN / FAIL)."""
    resources: InputPath | None = None
    """`manifest.yaml` of the annotation resource bundle (gene models, population frequencies, ClinVar,
    in-silico scores, gene table; format in README, Annotation). Checked before anything runs (files,
    sha256, indexes, build, contig names against the reference). Unset: no annotation stage."""
    acmg: AcmgSettings | InputPath = AcmgSettings()
    """ACMG/AMP engine settings (thresholds, strengths, per-gene `genes:` overrides as in a ClinGen VCEP
    specification; every field is documented in `wgs_east.acmg.settings`), inline or the path of a
    settings YAML file. Default: ClinGen SVI recommendations."""
    classification: Classification = Classification()
    """What the per-sample classified lists show (gene panel, HPO filter)."""
    sv: StructuralVariants = StructuralVariants()
    """Structural-variant and copy-number calling (on by default)."""

    # --- derived views (not config fields) -------------------------------------------------------
    def sample(self, sample_id: str) -> Sample:
        for s in self.samples:
            if s.id == sample_id:
                return s
        raise KeyError(sample_id)

    @property
    def sample_ids(self) -> list[str]:
        return [s.id for s in self.samples]

    @property
    def families(self) -> dict[str, list[Sample]]:
        fams: dict[str, list[Sample]] = {}
        for s in self.samples:
            fams.setdefault(s.family, []).append(s)
        return fams

    def call_groups(self) -> dict[str, list[Sample]]:
        """The joint-calling groups: ``{batch id: all samples}`` when the batch has at most
        `calling.joint_max_samples` samples, else whole families packed first-fit (in family-id order) into
        groups ``J1, J2, ...`` of at most that many samples."""
        limit = self.calling.joint_max_samples
        if len(self.samples) <= limit:
            return {self.batch: list(self.samples)}
        groups: list[list[Sample]] = []
        for fam in sorted(self.families):
            members = self.families[fam]
            home = next((g for g in groups if len(g) + len(members) <= limit), None)
            if home is None:
                groups.append(list(members))
            else:
                home.extend(members)
        return {f"J{i + 1}": g for i, g in enumerate(groups)}

    def par_regions(self, x_length: int | None) -> list[Region]:
        """The PARs in force: configured, or the build's published PARs that fit the X contig."""
        if self.reference.par_regions is not None:
            return list(self.reference.par_regions)
        if x_length is None or self.reference.sex_chromosomes is None:
            return []
        x = self.reference.sex_chromosomes.x
        pars = PARS_BY_BUILD[self.reference.build]
        return [Region(contig=x, start=r.start, end=r.end) for r in pars if r.end <= x_length]
