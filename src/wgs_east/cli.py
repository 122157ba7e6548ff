"""The `wgs-east` command line. Every subcommand is a small function; errors become exit code 2."""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from wgs_east import __version__
from wgs_east.errors import WgsEastError

Handler = Callable[[argparse.Namespace], int]
# a full, over-quota, read-only or failing output file system: a message and exit code 2, not a traceback
OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}


def _cmd_validate(args: argparse.Namespace) -> int:
    from wgs_east.config import load_batch

    batch = load_batch(args.config)
    n_units = sum(len(s.units) for s in batch.samples)
    print(
        f"OK {args.config}: batch {batch.batch}, {len(batch.families)} families, "
        f"{len(batch.samples)} samples, {n_units} units"
    )
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from wgs_east.config import docs

    if args.update:
        root = Path(args.update)
        (root / docs.SCHEMA_PATH).write_text(docs.json_schema_text())
        readme = root / docs.README_PATH
        readme.write_text(docs.render_readme(readme.read_text() if readme.exists() else ""))
        print(f"updated {root / docs.SCHEMA_PATH} and {readme}")
    elif args.markdown:
        sys.stdout.write(docs.markdown_table())
    else:
        sys.stdout.write(docs.json_schema_text())
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from wgs_east.runner import run

    return run(
        config=Path(args.config),
        outdir=Path(args.outdir),
        cores=args.cores,
        dry_run=args.dry_run,
        profile=args.profile,
        executor=args.executor,
        extra=args.snakemake_args,
        umask=args.umask,
    )


def _cmd_reanalyze(args: argparse.Namespace) -> int:
    from wgs_east.reanalyze import reanalyze

    return reanalyze(
        Path(args.from_dir),
        args.sample,
        resources=Path(args.resources) if args.resources else None,
        phenotypes=args.phenotypes,
        panel=Path(args.panel) if args.panel else None,
        outdir=Path(args.outdir) if args.outdir else None,
        dry_run=args.dry_run,
        cores=args.cores,
    )


def _cmd_provenance(args: argparse.Namespace) -> int:
    from wgs_east.provenance import summarize

    text, complete = summarize(Path(args.dir), rehash=args.rehash)
    sys.stdout.write(text)
    return 0 if complete else 1


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from wgs_east.evaluate import cli_evaluate

    return cli_evaluate(args)


def _cmd_classify(args: argparse.Namespace) -> int:
    from wgs_east.classify.run import cli_classify

    return cli_classify(args)


def _cmd_classify_sv(args: argparse.Namespace) -> int:
    from wgs_east.cnv.sv import run

    return run(args)


def _cmd_resources_check(args: argparse.Namespace) -> int:
    from wgs_east.reference import read_contigs
    from wgs_east.resources.check import format_summary, source_summary, verify_bundle

    manifest, path = verify_bundle(args.manifest, args.reference, args.build, use_cache=not args.rehash)
    kinds = ", ".join(f"{name} ({src.kind} {src.version})" for name, src in manifest.sources.items())
    print(f"OK {path}: bundle {manifest.bundle} {manifest.version} ({manifest.build}"
          f"{', SYNTHETIC' if manifest.synthetic else ''}): {kinds}")
    reference = read_contigs(Path(args.reference))
    for name, src in manifest.sources.items():
        print("  " + format_summary(name, src, source_summary(src, full=args.full), reference))
    return 0


def _cmd_acmg_combine(args: argparse.Namespace) -> int:
    from wgs_east.acmg.combine import cli_combine

    return cli_combine(args.codes)


def _octal(text: str) -> int:
    try:
        value = int(text, 8)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an octal umask: {text!r}") from None
    if not 0 <= value <= 0o777:
        raise argparse.ArgumentTypeError(f"umask out of range: {text!r}")
    return value


def _cores(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_classify_sv_arguments(ap: argparse.ArgumentParser) -> None:
    """Arguments of `wgs-east classify-sv` (also `python -m wgs_east.cnv.sv`)."""
    ap.add_argument("--vcf", type=Path, required=True, help="batch SV VCF (sv/{batch}.sv.vcf.gz, indexed)")
    ap.add_argument("--sample", required=True, help="the affected sample to classify")
    batch = ap.add_mutually_exclusive_group(required=True)
    batch.add_argument("--batch-json", type=Path, help="validated batch (.wgs-east/batch.json)")
    batch.add_argument("--config", type=Path, help="batch YAML (instead of --batch-json)")
    ap.add_argument("--run-json", type=Path, help="run facts (.wgs-east/run.json): config sha256, command")
    ap.add_argument("--qc", type=Path, help="QC result qc/{batch}.qc.json (verdict, parentage)")
    ap.add_argument("--resources", "--manifest", dest="resources", type=Path, required=True,
                    help="resource bundle manifest (gene models, gene table, sv_population, ClinVar)")  # fmt: skip
    ap.add_argument("--cnv", type=Path, help="the sample's copy-number segments sv/{sample}.cnv.tsv: copy number of "
                    "events without FORMAT/CN (segment with reciprocal overlap >= 50 %%)")  # fmt: skip
    ap.add_argument("--out-tsv", type=Path, required=True, help="classified/{sample}.sv.tsv")
    ap.add_argument("--out-json", type=Path, required=True, help="classified/{sample}.sv.json")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wgs-east",
        description="Whole-genome sequencing pipeline: FASTQ to QC'd, annotated, ACMG-classified variants.",
    )
    parser.add_argument("--version", action="version", version=f"wgs-east {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="validate a batch config and its input files")
    p.add_argument("config", help="batch YAML file")
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of the batch config")
    p.add_argument("--markdown", action="store_true", help="print the field table of config/README.md instead")
    p.add_argument("--update", metavar="REPO", help="rewrite the checked-in schema and config/README.md table")
    p.set_defaults(handler=_cmd_schema)

    p = sub.add_parser(
        "run",
        help="run the workflow on a batch (resumes an interrupted run)",
        epilog="Arguments after `--` are passed to Snakemake unchanged.",
    )
    p.add_argument("config", help="batch YAML file")
    p.add_argument("--outdir", required=True, help="output directory (one batch per directory)")
    p.add_argument("--cores", type=_cores, default=1, help="cores to use locally (default 1)")
    p.add_argument("--dry-run", action="store_true", help="list the jobs, run nothing")
    p.add_argument("--profile", help="Snakemake profile: a name under profiles/ or a directory")
    p.add_argument("--executor", help="Snakemake executor plugin, e.g. slurm")
    p.add_argument(
        "--umask",
        type=_octal,
        default=0o027,
        help="umask of everything the run writes (octal, default 027: group-readable, not world-readable)",
    )
    p.set_defaults(handler=_cmd_run, snakemake_args=[])

    p = sub.add_parser(
        "reanalyze",
        help="re-annotate, re-classify and re-report one sample of a finished run (no alignment or calling)",
    )
    p.add_argument("--from", dest="from_dir", required=True, metavar="DIR", help="output directory of a finished run")
    p.add_argument("--sample", required=True, help="the (affected) sample to reanalyse")
    p.add_argument("--resources", metavar="MANIFEST", help="a new resource bundle manifest (default: the run's)")
    p.add_argument("--phenotypes", nargs="+", metavar="HP:NNNNNNN", help="the sample's refined phenotypes")
    p.add_argument("--panel", metavar="GENES.txt", help="a gene panel file (one symbol per line), replacing the run's")
    p.add_argument("--outdir", metavar="NEWDIR", help="new result directory (default: DIR.reanalysis.SAMPLE.TIME)")
    p.add_argument("--cores", type=_cores, default=1, help="cores to use locally (default 1)")
    p.add_argument("--dry-run", action="store_true", help="list the jobs, run nothing")
    p.set_defaults(handler=_cmd_reanalyze)

    p = sub.add_parser("provenance", help="summarise how a run directory was made")
    p.add_argument("dir", help="output directory of a wgs-east run")
    p.add_argument("--rehash", action="store_true", help="re-read every deliverable for its sha256 (ignore the cache)")
    p.set_defaults(handler=_cmd_provenance)

    p = sub.add_parser("evaluate", help="compare a VCF with a truth set (precision, recall, F1 per sample)")
    p.add_argument("--truth", required=True, help="truth VCF (bgzipped, indexed)")
    p.add_argument("--query", required=True, help="query VCF (bgzipped, indexed)")
    p.add_argument("--regions", help="BED of confident regions")
    p.add_argument("--reference", required=True, help="reference FASTA, to normalise both sides")
    p.add_argument("--sample", action="append", help="sample to evaluate (repeatable; default: all shared)")
    p.add_argument("--json", dest="json_out", help="also write the metrics as JSON here")
    p.set_defaults(handler=_cmd_evaluate)

    p = sub.add_parser(
        "classify",
        help="ACMG-classify the affected samples of an annotated VCF (per-sample ranked TSV, JSON, VCF)",
    )
    p.add_argument("--vcf", required=True, help="annotated VCF (bgzipped; DIR/annotated/{batch}.vcf.gz)")
    p.add_argument(
        "--resources", required=True, help="manifest of the resource bundle the VCF was annotated with (provenance, gene table)"
    )
    p.add_argument("--config", required=True, help="batch YAML: pedigree, sexes, affected status, acmg settings")
    p.add_argument("--outdir", required=True, help="output directory for {sample}.tsv/.json/.vcf.gz")
    p.add_argument("--qc", help="QC result DIR/qc/{batch}.qc.json (verdicts; parentage for PS2). Without it "
                   "parentage counts as unconfirmed (PM6)")
    p.add_argument("--sample", action="append", help="classify only this affected sample (repeatable)")
    p.set_defaults(handler=_cmd_classify)

    p = sub.add_parser(
        "classify-sv",
        help="annotate and classify one affected sample's structural variants (ClinGen CNV points; TSV + JSON)",
    )
    add_classify_sv_arguments(p)
    p.set_defaults(handler=_cmd_classify_sv)

    res = sub.add_parser("resources", help="annotation resource bundles")
    res_sub = res.add_subparsers(dest="resources_command", required=True, metavar="RESOURCES_COMMAND")
    p = res_sub.add_parser(
        "check",
        help="check a bundle: files, sha256, indexes, columns, build, contig names against the reference",
    )
    p.add_argument("manifest", help="the bundle's manifest.yaml (or its directory)")
    p.add_argument("--reference", required=True, help="reference FASTA the bundle will be used with")
    p.add_argument("--build", choices=["GRCh38", "GRCh37"], help="build of the reference (default: not compared)")
    p.add_argument("--rehash", action="store_true", help="recompute every sha256 (ignore the checksum cache)")
    p.add_argument("--full", action="store_true",
                   help="also count the non-PASS records of VCF sources (reads every record)")
    p.set_defaults(handler=_cmd_resources_check)

    acmg = sub.add_parser("acmg", help="ACMG/AMP evidence tools")
    acmg_sub = acmg.add_subparsers(dest="acmg_command", required=True, metavar="ACMG_COMMAND")
    p = acmg_sub.add_parser("combine", help="combine evidence codes into points and a class")
    p.add_argument("codes", nargs="+", help="codes such as PVS1 PM2_Supporting PP3_Strong")
    p.set_defaults(handler=_cmd_acmg_combine)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:  # `wgs-east run ... -- --keep-going`: the rest goes to Snakemake unchanged
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    args = parser.parse_args(argv)
    if extra:
        if args.command != "run":
            parser.error("arguments after `--` are only accepted by `wgs-east run`")
        args.snakemake_args = extra
    try:
        return args.handler(args)
    except WgsEastError as exc:
        print(f"wgs-east: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("wgs-east: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"wgs-east: error: {where}cannot write: {exc.strerror} (free space or fix the file system, then run "
              "the same command again)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
