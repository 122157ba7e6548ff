"""The clinical report of one affected sample: ``DIR/reports/{sample}.html``.

    python -m wgs_east.report.sample --sample S --batch-json .wgs-east/batch.json --run-json .wgs-east/run.json \\
        --tools provenance/tools.json --qc qc/B.qc.json --coverage qc/metrics/S.coverage.json \\
        --depth-dist qc/mosdepth/S.mosdepth.region.dist.txt --classified classified/S.json \\
        [--sv classified/S.sv.json] [--resources MANIFEST] [--multiqc ../qc/multiqc.html] --out reports/S.html

Provenance comes from the run facts, the tool versions and the bundle manifest (``provenance.json`` is
written by the runner only after the workflow has finished).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wgs_east.config.models import Batch
from wgs_east.errors import InputError, Problem
from wgs_east.qc.io import run_main
from wgs_east.report import context, inputs, plots, render


def read_batch(path: Path) -> Batch:
    try:
        return Batch.model_validate_json(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise InputError(path, [Problem("", f"not a valid batch JSON: {exc}")]) from None


def provenance_from(
    run_json: Path, tools_json: Path | None, manifest_path: Path | None, created: str
) -> dict[str, Any]:
    from wgs_east.config.load import file_sha256

    run = inputs.read_json(run_json)
    tools = inputs.read_json(tools_json) if tools_json else None
    manifest = inputs.read_manifest(manifest_path)
    sha = file_sha256(manifest_path) if manifest_path else None
    return context.provenance(run, tools, manifest, sha, created)


def coverage_plot(
    coverage_json: Path | None, depth_dist: Path | None, median: Any, sample: str
) -> str | None:
    if coverage_json is None or depth_dist is None:
        return None
    per_contig = inputs.read_json(coverage_json).get("per_contig") or {}
    dist = inputs.read_depth_distribution(depth_dist)
    svg = plots.coverage_figure_svg(
        per_contig, dist, float(median) if median is not None else None, sample=sample
    )
    return plots.svg_data_uri(svg)


def build(args: argparse.Namespace) -> str:
    batch = read_batch(args.batch_json)
    if args.sample not in batch.sample_ids:
        raise InputError("--sample", [Problem(args.sample, "not a sample of the batch")])
    created = render.now()
    prov = provenance_from(args.run_json, args.tools, args.resources, created)
    qc_doc = inputs.read_json(args.qc) if args.qc else None
    classified = inputs.read_json(args.classified) if args.classified else None
    if classified is not None and classified.get("sample") not in (None, args.sample):
        raise InputError(
            args.classified, [Problem("sample", f"is {classified.get('sample')!r}, not {args.sample!r}")]
        )
    sv = inputs.read_json(args.sv) if args.sv else None
    if sv is not None and sv.get("sample") != args.sample:
        raise InputError(args.sv, [Problem("sample", f"is {sv.get('sample')!r}, not {args.sample!r}")])
    manifest = inputs.read_manifest(args.resources)
    hpo_names, hpo_source = inputs.read_hpo_names(args.resources, manifest)
    qc_sample = context.qc_for(qc_doc, args.sample)
    median = ((qc_sample or {}).get("metrics") or {}).get("median_depth")
    plot = coverage_plot(args.coverage, args.depth_dist, median, args.sample)
    reason = context.NOT_CLASSIFIED
    if classified is None and args.resources is None:
        reason = "no annotation resource bundle is configured (resources: in the batch config), so variants were not annotated or classified"
    ctx = context.sample_context(
        batch,
        args.sample,
        qc_doc,
        classified,
        prov,
        hpo_names,
        hpo_source,
        plot,
        args.multiqc or None,
        reason,
        sv=sv,
    )
    return render.render("sample.html.j2", ctx)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--batch-json", type=Path, required=True, help="validated batch (.wgs-east/batch.json)")
    ap.add_argument("--run-json", type=Path, required=True, help="run facts (.wgs-east/run.json)")
    ap.add_argument("--tools", type=Path, help="tool versions (provenance/tools.json)")
    ap.add_argument("--qc", type=Path, help="QC result qc/{batch}.qc.json")
    ap.add_argument("--coverage", type=Path, help="qc/metrics/{sample}.coverage.json (per-contig depth)")
    ap.add_argument("--depth-dist", type=Path, help="qc/mosdepth/{sample}.mosdepth.region.dist.txt")
    ap.add_argument("--classified", type=Path, help="classified/{sample}.json")
    ap.add_argument("--resources", type=Path, help="resource bundle manifest (versions, HPO term names)")
    ap.add_argument("--sv", type=Path, help="classified/{sample}.sv.json (wgs-east classify-sv); without it the "
                    "report states that SV calling was not run")  # fmt: skip
    ap.add_argument(
        "--multiqc", default="../qc/multiqc.html", help="link to the MultiQC report, relative to --out"
    )
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    render.write_html(args.out, build(args))
    return 0


if __name__ == "__main__":
    run_main(main)
