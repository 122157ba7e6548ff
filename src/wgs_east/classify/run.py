"""Classify the affected samples of an annotated VCF: the code behind ``wgs-east classify`` and the
workflow's ``classify_variants`` rule.

    python -m wgs_east.classify.run --vcf annotated/B.vcf.gz --batch-json .wgs-east/batch.json \\
        --run-json .wgs-east/run.json [--qc qc/B.qc.json] [--resources MANIFEST] --outdir classified \\
        [--sample S ...]

One pass over the VCF in chunks (engine site criteria per chunk, each proband's calls spooled to
disk), then per proband: phase evidence from whole-VCF gene totals, the final classes, and
``{sample}.tsv``, ``{sample}.json``, ``{sample}.vcf.gz`` (+ ``.tbi``) and ``{sample}.benign.tsv.gz`` (the
audit of every Benign / Likely benign / BA1 call, classify/audit.py) in the output directory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from wgs_east import __version__
from wgs_east.acmg.combine import LIKELY_BENIGN
from wgs_east.acmg.engine import classify as classify_sites
from wgs_east.acmg.family import phenotype_row
from wgs_east.acmg.settings import AcmgSettings, load_settings
from wgs_east.classify import filters, output, phenotype
from wgs_east.classify.audit import SITE_FIELDS, BenignAudit
from wgs_east.classify.display import Source
from wgs_east.classify.pedigree import Proband, probands, read_qc
from wgs_east.classify.reader import SitesReader, VcfHeader, read_chunks, read_header
from wgs_east.classify.sample import Context, ProbandClassifier, display_frames, site_context
from wgs_east.config.load import file_sha256
from wgs_east.config.models import Batch
from wgs_east.errors import InputError, Problem, WgsEastError
from wgs_east.resources.manifest import read_manifest


def acmg_settings(batch: Batch) -> AcmgSettings:
    """The batch's ACMG settings (inline, or loaded from the YAML file the config names)."""
    if isinstance(batch.acmg, AcmgSettings):
        return batch.acmg
    return load_settings(batch.acmg)


# --- resources ---------------------------------------------------------------------------------------
def _sources(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    src = manifest.get("sources") or manifest.get("resources") or {}
    if isinstance(src, list):
        return {str(s.get("name", i)): s for i, s in enumerate(src) if isinstance(s, dict)}
    return {str(k): v for k, v in src.items() if isinstance(v, dict)} if isinstance(src, dict) else {}


def resources_summary(manifest: dict[str, Any] | None) -> str:
    """``bundle <name> <version>; gnomad=4.1; clinvar=2024-05 ...`` for header lines."""
    if manifest is None:
        return ""
    parts = []
    name = manifest.get("name") or manifest.get("bundle")
    if name or manifest.get("version"):
        parts.append(f"bundle {name or ''} {manifest.get('version') or ''}".strip())
    for key, src in _sources(manifest).items():
        parts.append(f"{key}={src.get('version', 'unversioned')}")
    return "; ".join(parts)


def load_gene_hpo(manifest_path: Path | None, manifest: dict[str, Any] | None) -> dict[str, set[str]]:
    """Gene -> HPO terms from the bundle's gene table (a TSV with a gene symbol column and an HPO column)."""
    if manifest is None or manifest_path is None:
        raise InputError("classification.hpo_filter", [Problem("", "needs a resource bundle with a gene table")])
    sources = _sources(manifest)
    tables = [s for s in sources.values() if str(s.get("kind", "")).lower() == "gene_table"]
    tables += [s for k, s in sources.items() if s not in tables and "gene" in k.lower() and s.get("kind") != "gene_models"]
    for src in tables:
        rel = src.get("path") or src.get("file")
        if not rel:
            continue
        path = Path(rel) if Path(rel).is_absolute() else Path(manifest_path).parent / rel
        try:
            df = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
        except (OSError, ValueError):
            continue
        cols = {c.lower(): c for c in df.columns}
        gene_col = next((cols[c] for c in ("gene", "symbol", "gene_symbol") if c in cols), None)
        hpo_col = next((cols[c] for c in ("hpo", "hpo_terms", "phenotypes", "hpo_ids") if c in cols), None)
        if gene_col and hpo_col:
            out: dict[str, set[str]] = {}
            for g, terms in zip(df[gene_col], df[hpo_col], strict=True):
                found = {t.strip() for t in terms.replace(";", ",").replace("|", ",").split(",") if t.strip()}
                out.setdefault(g, set()).update(found)
            return out
    raise InputError(manifest_path, [Problem("classification.hpo_filter", "no gene table with HPO terms in the bundle")])


# --- provenance --------------------------------------------------------------------------------------
def provenance_record(
    *, vcf: Path, config: str, config_sha256: str, command: str, git_commit: str | None,
    qc_json: Path | None, manifest_path: Path | None, manifest: dict[str, Any] | None, settings: AcmgSettings,
) -> dict[str, Any]:  # fmt: skip
    from wgs_east.provenance import resource_facts

    settings_json = json.dumps(settings.model_dump(mode="json"), sort_keys=True)
    return {
        "wgs_east_version": __version__,
        "git_commit": git_commit,
        "config": config,
        "config_sha256": config_sha256,
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "input_vcf": str(vcf),
        "qc_json": str(qc_json) if qc_json else None,
        "qc_json_sha256": file_sha256(qc_json) if qc_json else None,
        "resources": resource_facts(manifest_path) if manifest_path else None,
        "resources_summary": resources_summary(manifest),
        "acmg_settings_sha256": hashlib.sha256(settings_json.encode()).hexdigest(),
    }


# --- the run -----------------------------------------------------------------------------------------
@dataclass
class _Pass2:
    """One proband's calls to output after pass 2 and what was counted on the way."""

    frames: list[pd.DataFrame]
    """Listed, low-confidence and mitochondrial calls (display columns added by :func:`_show`)."""
    not_listed: dict[str, int]
    hidden: int


def _pass2(clf: ProbandClassifier, panel: set[str] | None, gene_hpo: dict[str, set[str]] | None) -> _Pass2:
    """Pass 2 of one proband: filters, the rest of the benign audit (closed with the outputs, :func:`_finish`),
    the calls to output."""
    p: Proband = clf.proband
    parts: list[pd.DataFrame] = []
    low_parts: list[pd.DataFrame] = []
    not_listed: dict[str, int] = {}
    hidden = 0
    try:
        for calls in clf.results():
            calls, n_hidden = filters.apply(calls, panel, gene_hpo, p.phenotypes)
            hidden += n_hidden
            if clf.audit is not None:
                benign = (calls["acmg_class"].cat.codes.to_numpy() <= LIKELY_BENIGN) | (
                    calls["acmg_class_2015"].cat.codes.to_numpy() <= LIKELY_BENIGN
                )
                b = calls[benign]
                clf.audit.add({c: b[c].to_numpy() for c in SITE_FIELDS}, gt=b["gt"].to_numpy(), filters=b["filter"].to_numpy(),
                              klass=b["acmg_class"].cat.codes.to_numpy(), klass_2015=b["acmg_class_2015"].cat.codes.to_numpy(),
                              points=b["acmg_points"].to_numpy(), codes=pd.Categorical(b["acmg_codes"]), ba1=False)  # fmt: skip
            parts.append(calls[calls["reported"].to_numpy()])
            low_parts.append(calls[calls["low_confidence"].to_numpy()])
            rest = ~calls["reported"].to_numpy() & ~calls["low_confidence"].to_numpy()
            for why, k in pd.Series(calls["listing"].to_numpy()[rest]).value_counts().items():
                not_listed[str(why)] = not_listed.get(str(why), 0) + int(k)
    except BaseException:
        if clf.audit is not None:
            clf.audit.abort()
        raise
    frames = [pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(),
              pd.concat(low_parts, ignore_index=True) if low_parts else pd.DataFrame(),
              pd.concat(clf.mito, ignore_index=True) if clf.mito else pd.DataFrame()]  # fmt: skip
    return _Pass2(frames, not_listed, hidden)


def _show(source: Source | None, passes: Sequence[_Pass2]) -> None:
    """The display columns, QUAL and ID of every proband's calls to output, read from ``source`` in one
    ``bcftools query`` of their positions (classify/display.py; the streaming reader leaves them out of its
    pass). None: the chunks carried them."""
    if source is None:
        return
    flat = [f for ps in passes for f in ps.frames]
    shown = display_frames(source, flat)
    k = 0
    for ps in passes:
        ps.frames = shown[k : k + len(ps.frames)]
        k += len(ps.frames)


def _finish(
    clf: ProbandClassifier, ps: _Pass2, outdir: Path, header: VcfHeader, provenance: dict[str, Any],
    settings: AcmgSettings, panel: set[str] | None, gene_hpo: dict[str, set[str]] | None,
    gene_terms: dict[str, set[str]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The outputs of one proband (VCF, TSV, JSON) from its pass-2 calls; returns its summary."""
    p: Proband = clf.proband
    similarity = phenotype.gene_similarity(p.phenotypes, gene_terms) if gene_terms else {}
    reported, low, mito_calls = ps.frames
    not_listed, hidden = ps.not_listed, ps.hidden
    writer = output.VcfWriter(outdir / f"{p.sample}.vcf.gz", output.vcf_header(header.lines, p, provenance))
    try:
        if len(reported):
            writer.write(output.vcf_lines(reported, p))
        writer.close()
    except BaseException:
        writer.abort()
        raise
    if reported.empty:
        ranked = pd.DataFrame(columns=["rank"])
        rows = pd.DataFrame(columns=list(output.TSV_COLUMNS))
        records: list[list[dict[str, Any]]] = []
    else:
        ranked = output.rank(reported, list(header.contigs), similarity)
        records = output.evidence_records(ranked, p, settings)
        rows = output.table(ranked, p, records, settings)
    low_rows, low_records = output.low_confidence_rows(low, p, settings, list(header.contigs), similarity)
    counts = {
        "calls": clf.n_calls,
        "listed": len(rows),
        "hidden_by_filters": hidden,
        "not_listed": {
            "calls": clf.n_calls - len(rows) - len(low_rows) - hidden,
            "spooled_by_reason": dict(sorted(not_listed.items())),
        },
        "low_confidence_calls": clf.n_low_confidence,
        "low_confidence_listed": len(low_rows),
        "quality_gates_not_evaluable": list(clf.gates_not_evaluable),
        "benign_audit": {"rows": clf.audit.rows, "stopped_by_ba1": clf.audit.ba1} if clf.audit is not None else None,
        "candidates": int((rows["candidate"] == "yes").sum()) if len(rows) else 0,
        "classes_before_phase": dict(zip(output.CLASSES, clf.classes_before_phase.tolist(), strict=True)),
        "classes_listed": output.class_counts(rows["classification"]) if len(rows) else dict.fromkeys(output.CLASSES, 0),
    }
    filt = {
        "panel": sorted(panel) if panel else None,
        "hpo_filter": gene_hpo is not None,
        "phenotypes": list(p.phenotypes),
        "phenotype_similarity": "Resnik best-match average over exactly shared HPO terms, annotation-frequency IC "
        "of the bundle's gene table (classify/phenotype.py)" if similarity else "not evaluable (no gene HPO "
        "terms in the bundle or no phenotypes)",
    }
    mito = output.mito_rows(mito_calls, p)
    counts["mitochondrial"] = len(mito)
    output.write_tsv(outdir / f"{p.sample}.tsv", output.with_sections(rows, low_rows, mito), p, provenance)
    doc = output.json_document(rows, records, p, provenance, settings, counts, filt)
    doc["low_confidence"] = output.variant_records(low_rows, low_records)
    doc["mitochondrial"] = output.mito_records(mito)
    output.write_json(outdir / f"{p.sample}.json", doc)
    if clf.audit is not None:
        clf.audit.close()
    return {"sample": p.sample, "qc_verdict": p.qc.verdict, **counts}


def de_novo_phenotype_rows(
    phenotypes: Sequence[str], gene_terms: dict[str, set[str]] | None, settings: AcmgSettings
) -> dict[str, int]:  # fmt: skip
    """Gene -> SVI de novo phenotype row for one proband (acmg/family.phenotype_row over
    classify/phenotype.gene_similarity). Empty (every gene "consistent, not highly specific") when the
    proband has no HPO terms or the bundle none; a gene without HPO terms is left out (the same default)."""
    if not phenotypes or not gene_terms:
        return {}
    similarity = phenotype.gene_similarity(phenotypes, gene_terms)
    return {g: phenotype_row(similarity.get(g, 0.0), settings.denovo_specific_similarity)
            for g, terms in gene_terms.items() if terms}  # fmt: skip


def classify_vcf(
    vcf: Path, batch: Batch, outdir: Path, *, provenance: dict[str, Any], settings: AcmgSettings,
    qc_json: Path | None = None, manifest_path: Path | None = None, manifest: dict[str, Any] | None = None,
    samples: Sequence[str] | None = None, region: str | None = None, sites_reader: SitesReader | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Classify every affected sample (or ``samples``) of ``vcf``; returns one summary per sample."""
    header = read_header(vcf)
    qc = read_qc(qc_json)
    todo = probands(batch, header.samples, qc, list(samples) if samples else None)
    if not todo:
        return []
    sc = batch.reference.sex_chromosomes
    x = sc.x if sc is not None else None
    pars = batch.par_regions(header.contigs.get(x) if x else None)
    context = Context(x, tuple((r.start, r.end) for r in pars if r.contig == x))
    panel = filters.load_panel(batch.classification)
    gene_hpo = load_gene_hpo(manifest_path, manifest) if batch.classification.hpo_filter else None
    gene_terms = gene_hpo
    if gene_terms is None and manifest is not None:
        try:
            gene_terms = load_gene_hpo(manifest_path, manifest)  # for the phenotype ranking only
        except InputError:
            gene_terms = None
    needed = list(dict.fromkeys(s for p in todo for s in p.samples))
    outdir.mkdir(parents=True, exist_ok=True)
    classifiers = [ProbandClassifier(p, settings, context, audit=BenignAudit(outdir / f"{p.sample}.benign.tsv.gz"),
                                     phenotype_rows=de_novo_phenotype_rows(p.phenotypes, gene_terms, settings))
                   for p in todo]  # fmt: skip
    source: Source | None = None
    try:
        for chunk in read_chunks(vcf, needed, has_dp=header.has_dp, region=region, sites_reader=sites_reader,
                                 info_ids=header.info_ids, carriers=[p.sample for p in todo],
                                 vcf_samples=header.samples, formats=header.gate_formats):
            source = chunk.display or source  # where the output calls' display fields are read (one per VCF)
            res = classify_sites(chunk.sites, settings, trail="none")
            site = site_context(chunk, res.frame, settings, context, variants=res.variants)
            for clf in classifiers:
                clf.add(chunk, site)
            del chunk, res, site  # not alive while the next chunk is read and classified
        passes = [_pass2(clf, panel, gene_hpo) for clf in classifiers]
        _show(source, passes)
        summaries = [_finish(clf, ps, outdir, header, provenance, settings, panel, gene_hpo, gene_terms)
                     for clf, ps in zip(classifiers, passes, strict=True)]  # fmt: skip
    finally:
        for clf in classifiers:
            clf.close()
            if clf.audit is not None and clf.audit.tmp.exists():
                clf.audit.abort()  # an error before this sample's outputs were finished
    for s in summaries:
        if s["qc_verdict"] == "FAIL":
            print(f"wgs-east classify: WARNING sample {s['sample']} FAILED QC: classified anyway, verdict "
                  "in every output", file=sys.stderr)  # fmt: skip
    return summaries


def summary_text(summaries: list[dict[str, Any]], outdir: Path) -> str:
    if not summaries:
        return "no affected sample in the batch: nothing classified\n"
    lines = []
    for s in summaries:
        plp = s["classes_listed"]["Pathogenic"] + s["classes_listed"]["Likely pathogenic"]
        lines.append(
            f"{s['sample']}: QC {s['qc_verdict']}, {s['calls']} calls, {s['listed']} listed "
            f"({plp} P/LP, {s['candidates']} candidates) -> {outdir / s['sample']}.tsv"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vcf", type=Path, required=True, help="annotated VCF (bgzipped)")
    ap.add_argument("--batch-json", type=Path, required=True, help="validated batch (.wgs-east/batch.json)")
    ap.add_argument("--run-json", type=Path, required=True, help="run facts (.wgs-east/run.json): config sha256, command")
    ap.add_argument("--qc", type=Path, help="QC result qc/{batch}.qc.json (verdicts, parentage)")
    ap.add_argument("--resources", type=Path, help="resource bundle manifest (provenance, gene table)")
    ap.add_argument("--outdir", type=Path, required=True)
    ap.add_argument("--sample", action="append", help="classify only this affected sample (repeatable)")
    args = ap.parse_args(argv)
    try:
        batch = Batch.model_validate_json(args.batch_json.read_text())
        run = json.loads(args.run_json.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(args.batch_json, [Problem("", f"not a valid batch/run JSON: {exc}")]) from None
    settings = acmg_settings(batch)
    manifest = read_manifest(args.resources)
    prov = provenance_record(
        vcf=args.vcf, config=run.get("config_path", ""), config_sha256=run.get("config_sha256", ""),
        command=run.get("command", ""), git_commit=run.get("git_commit"), qc_json=args.qc,
        manifest_path=args.resources, manifest=manifest, settings=settings,
    )  # fmt: skip
    summaries = classify_vcf(
        args.vcf, batch, args.outdir, provenance=prov, settings=settings, qc_json=args.qc,
        manifest_path=args.resources, manifest=manifest, samples=args.sample,
    )  # fmt: skip
    sys.stdout.write(summary_text(summaries, args.outdir))
    return 0


def cli_classify(args: argparse.Namespace) -> int:
    """``wgs-east classify --vcf IN --resources MANIFEST --config BATCH.yaml --outdir DIR``."""
    import gc

    gc.freeze()  # the ~300,000 objects of the imports are never garbage: full collections skip them
    from wgs_east.config import load_batch
    from wgs_east.runner import git_commit

    config = Path(args.config)
    batch = load_batch(config, check_inputs=False)
    settings = acmg_settings(batch)
    manifest = read_manifest(Path(args.resources)) if args.resources else None
    qc = Path(args.qc) if args.qc else None
    prov = provenance_record(
        vcf=Path(args.vcf), config=str(config.resolve()), config_sha256=file_sha256(config),
        command=shlex.join(
            ["wgs-east", "classify", "--vcf", str(args.vcf), "--resources", str(args.resources), "--config",
             str(args.config), "--outdir", str(args.outdir)]
            + (["--qc", str(args.qc)] if args.qc else []) + [x for s in args.sample or [] for x in ("--sample", s)]
        ),
        git_commit=git_commit(), qc_json=qc,
        manifest_path=Path(args.resources) if args.resources else None, manifest=manifest, settings=settings,
    )  # fmt: skip
    outdir = Path(args.outdir)
    summaries = classify_vcf(
        Path(args.vcf), batch, outdir, provenance=prov, settings=settings, qc_json=qc,
        manifest_path=Path(args.resources) if args.resources else None, manifest=manifest, samples=args.sample,
    )  # fmt: skip
    sys.stdout.write(summary_text(summaries, outdir))
    if qc is None and summaries:
        print("wgs-east classify: no --qc given: parentage treated as unconfirmed (PM6, not PS2)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        code = main()
    except WgsEastError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = exc.exit_code
    raise SystemExit(code)
