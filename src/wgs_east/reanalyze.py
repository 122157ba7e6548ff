"""`wgs-east reanalyze`: re-interpret one sample of a finished run without re-aligning or re-calling.

The reanalysis is a new run directory (never the earlier one) driven by the same Snakemake workflow:
- the earlier run must be complete (provenance.json says so) and not active, and every file reused or
  belonging to the sample's family (CRAM, gVCF, batch VCF, QC, reference copy, earlier classification)
  must match the earlier run's checksums.sha256;
- the derived batch is the earlier run's validated batch with the changes asked for (resource bundle,
  the sample's phenotypes, gene panel), written to NEWDIR/.wgs-east/reanalysis.yaml;
- the files it reuses (batch VCF, QC, reference copy, tool versions, the SV calls when the run has them;
  the annotated VCF too when the bundle
  is unchanged) are hard-linked into NEWDIR (copied where DIR is on another file system);
- Snakemake runs with the sample's classification, report and changes.tsv as targets and only the
  annotation, classification and report rules allowed (``--allowed-rules``), so no alignment or calling
  job can run: a reused file that is missing is an error, not a reason to recompute;
- changes.tsv (rule compare_classifications) lists the variants whose class, points or criteria changed.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import yaml

from wgs_east import checksums, runner
from wgs_east.config import file_sha256
from wgs_east.config.load import check_resources, parse_batch
from wgs_east.config.models import Batch
from wgs_east.errors import InputError, Problem
from wgs_east.reference import read_contigs

REANALYSIS_STAGES = ("annotate", "classify", "report")
DERIVED_CONFIG = "reanalysis.yaml"


def stage_rules(stages: Sequence[str] = REANALYSIS_STAGES) -> list[str]:
    """Names of the workflow rules of the given stages (workflow/rules/<stage>.smk)."""
    names: list[str] = []
    for stage in stages:
        text = (runner.REPO_ROOT / "workflow" / "rules" / f"{stage}.smk").read_text()
        names += re.findall(r"^\s*rule (\w+):", text, flags=re.M)
    return names


def load_previous_run(prev: Path) -> tuple[Batch, dict]:
    """The validated batch and provenance of a complete, inactive earlier run (InputError otherwise)."""
    state = prev / runner.STATE
    if not (state / "batch.json").is_file():
        raise InputError(prev, [Problem("--from", "not a wgs-east run directory (no .wgs-east/batch.json)")])
    if runner.lock_is_held(state):
        raise InputError(prev, [Problem("--from", "a wgs-east run is active in this directory: wait for it to end")])
    prov_path = prev / "provenance.json"
    if not prov_path.is_file():
        raise InputError(prev, [Problem("provenance.json", "not found: the run never finished; re-run it first")])
    prov = json.loads(prov_path.read_text())
    if prov.get("status") != "complete":
        raise InputError(
            prev, [Problem("provenance.json", f"status is {prov.get('status')!r}, not 'complete': re-run it first")]
        )
    return Batch.model_validate_json((state / "batch.json").read_text()), prov


def derived_batch_data(
    prev: Path, batch: Batch, sample: str, resources: Path | None, phenotypes: Sequence[str] | None,
    panel: Path | None,
) -> dict:
    """The earlier run's batch with the reanalysis's changes, as the data of a batch YAML file. Its
    reference is the earlier run's copy (verified by its checksum), so the original may have moved."""
    data = batch.model_dump(mode="json")
    data["reference"]["fasta"] = str(prev / "reference" / "genome.fa")
    for entry in data["samples"]:
        if entry["id"] == sample and phenotypes is not None:
            entry["phenotypes"] = list(phenotypes)
    if resources is not None:
        data["resources"] = str(resources.resolve())
    if panel is not None:
        data["classification"]["panel_file"] = str(panel.resolve())
        data["classification"]["panel"] = []  # the new panel replaces the earlier one
    if not has_sv_calls(prev, batch):
        # an earlier run without SV calls (stage off, or made before it existed): the reanalysis cannot call
        # them (no alignment or calling rule runs), so it classifies small variants only and the report says
        # that SV calling was not run
        data.setdefault("sv", {})["enabled"] = False
    return data


def has_sv_calls(prev: Path, batch: Batch) -> bool:
    """Whether the earlier run holds the batch SV VCF that the SV classification reads."""
    return (prev / "sv" / f"{batch.batch}.sv.vcf.gz").is_file()


def family_files(batch: Batch, sample: str) -> list[str]:
    """The sample's family's own deliverables and the sample's earlier classification: verified, not reused."""
    members = [s.id for s in batch.families[batch.sample(sample).family]]
    rels = [f"alignments/{m}.{ext}" for m in members for ext in ("cram", "cram.crai")]
    rels += [f"gvcf/{m}.{ext}" for m in members for ext in ("g.vcf.gz", "g.vcf.gz.tbi")]
    return rels + [f"classified/{sample}.tsv"]


def reused_files(prev: Path, batch: Batch, same_resources: bool) -> list[str]:
    """The earlier run's files the reanalysis links into its own directory (inputs of its jobs)."""
    listed = checksums.read_checksums(prev) if (prev / checksums.NAME).exists() else {}
    name = batch.batch
    rels = [f"variants/{name}.vcf.gz", f"variants/{name}.vcf.gz.tbi", "provenance/tools.json"]
    rels += ["reference/genome.fa", "reference/genome.fa.fai"]
    rels += sorted(r for r in listed if r.startswith(("reference/chunks/", "qc/")))
    if has_sv_calls(prev, batch):
        rels += [f"sv/{name}.sv.vcf.gz", f"sv/{name}.sv.vcf.gz.tbi"]
        rels += [f"sv/{s.id}.cnv.tsv" for s in batch.samples]
    if same_resources:
        rels += [f"annotated/{name}.vcf.gz", f"annotated/{name}.vcf.gz.tbi"]
    return rels


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        return  # a resumed reanalysis: put in place (and verified) before
    tmp = dst.with_name(dst.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
            raise
        shutil.copy2(src, tmp)
    tmp.replace(dst)


def _default_outdir(prev: Path, sample: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return prev.parent / f"{prev.name}.reanalysis.{sample}.{stamp}"


def _check_outdir(new: Path, prev: Path) -> None:
    if new == prev or prev in new.parents or new in prev.parents:
        raise InputError(new, [Problem("--outdir", f"must be a directory of its own, outside {prev} (and not above it)")])
    if (new / runner.STATE / "run.json").exists():
        return  # a run: resumed only if it is the very same reanalysis (_check_resumable)
    if new.exists() and any(p.name != runner.STATE for p in new.iterdir()):
        raise InputError(new, [Problem("--outdir", "is not empty: a reanalysis never overwrites, use a new directory")])


def _check_resumable(new: Path, derived_from: dict) -> None:
    """A directory holding a run is resumed only if it is the same reanalysis: same earlier run and sample
    (else "another run"), same earlier provenance, bundle, phenotypes and panel."""
    run_json = new / runner.STATE / "run.json"
    if not run_json.exists():
        return
    before = json.loads(run_json.read_text()).get("derived_from") or {}
    if before.get("dir") != derived_from["dir"] or before.get("sample") != derived_from["sample"]:
        raise InputError(new, [Problem("--outdir", "holds another run: use a new directory")])
    changed = [k for k in ("provenance_sha256", "resources", "phenotypes", "panel") if before.get(k) != derived_from[k]]
    if changed:
        raise InputError(new, [Problem("--outdir", f"holds a reanalysis with other {', '.join(changed)}: use a new directory")])


def reanalyze(
    prev: Path,
    sample: str,
    *,
    resources: Path | None = None,
    phenotypes: Sequence[str] | None = None,
    panel: Path | None = None,
    outdir: Path | None = None,
    dry_run: bool = False,
    cores: int = 1,
) -> int:
    prev = Path(os.path.abspath(prev))
    old_batch, old_prov = load_previous_run(prev)
    if sample not in old_batch.sample_ids:
        raise InputError(prev, [Problem("--sample", f"{sample!r} is not a sample of batch {old_batch.batch}")])
    if not old_batch.sample(sample).affected:
        raise InputError(prev, [Problem("--sample", f"{sample} is not affected: only affected samples are classified")])
    resources = resources if resources is not None else old_batch.resources
    if resources is None:
        raise InputError(prev, [Problem("--resources", "the earlier run had no resource bundle: give one")])
    new = Path(os.path.abspath(outdir)) if outdir is not None else _default_outdir(prev, sample)
    _check_outdir(new, prev)
    fresh = not new.exists()
    try:
        return _reanalyze_into(new, prev, old_batch, old_prov, sample, resources, phenotypes, panel, dry_run, cores)
    finally:
        if dry_run and fresh and new.is_dir():
            shutil.rmtree(new)  # a dry run leaves nothing behind: the directory held only links and state


def _reanalyze_into(
    new: Path, prev: Path, old_batch: Batch, old_prov: dict, sample: str, resources: Path,
    phenotypes: Sequence[str] | None, panel: Path | None, dry_run: bool, cores: int,
) -> int:
    # the derived batch: validated like any batch file, its reference and bundle checked, before anything
    # is written
    data = derived_batch_data(prev, old_batch, sample, resources, phenotypes, panel)
    batch = parse_batch(data, prev, Path(f"{prev} (reanalysis of {sample}: --resources/--phenotypes/--panel)"))
    problems = [] if panel is None or panel.is_file() else [Problem("--panel", f"no such file: {panel}")]
    problems += check_resources(batch, read_contigs(prev / "reference" / "genome.fa"))
    if problems:
        raise InputError(f"{prev} (reanalysis of {sample})", problems)

    old_manifest = (old_prov.get("resources") or {}).get("manifest_sha256")
    same_resources = old_manifest is not None and old_manifest == file_sha256(batch.resources)
    reused = reused_files(prev, old_batch, same_resources)
    problems = checksums.verify(prev, reused + family_files(old_batch, sample))
    if problems:
        raise InputError(prev, [Problem("--from", "the earlier run fails its checksums; refused"), *problems])

    derived_from = {
        "dir": str(prev),
        "sample": sample,
        "provenance_sha256": file_sha256(prev / "provenance.json"),
        "finished": old_prov.get("finished"),
        "resources": str(batch.resources),
        "phenotypes": list(phenotypes) if phenotypes is not None else None,
        "panel": str(panel.resolve()) if panel is not None else None,
        "reused": reused,
    }

    _check_resumable(new, derived_from)
    state = new / runner.STATE
    state.mkdir(parents=True, exist_ok=True)
    config = state / DERIVED_CONFIG
    header = "# wgs-east reanalyze: the batch of the earlier run with this reanalysis's changes\n"
    runner.write_if_changed(config, header + yaml.safe_dump(data, sort_keys=False))

    def put_reused_files(outdir: Path) -> None:
        for rel in reused:
            _link_or_copy(prev / rel, outdir / rel)

    targets = [f"classified/{sample}.{ext}" for ext in ("tsv", "json", "vcf.gz", "vcf.gz.tbi")]
    if batch.sv.enabled:
        targets += [f"classified/{sample}.sv.tsv", f"classified/{sample}.sv.json"]
    targets += [f"reports/{sample}.html", "changes.tsv"]
    code = runner.run(
        config, new, cores=cores, dry_run=dry_run, batch=batch, derived_from=derived_from,
        prepare=put_reused_files, targets=targets, extra=["--allowed-rules", *stage_rules()],
    )  # fmt: skip
    if not dry_run:
        print(f"wgs-east: reanalysis of {sample} in {new}/: changes.tsv, classified/{sample}.tsv, reports/{sample}.html")
    return code
