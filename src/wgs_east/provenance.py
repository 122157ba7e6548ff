"""Provenance: versions of the tools actually used (queried from the tools), run facts, VCF header lines.

    python -m wgs_east.provenance tools --out provenance/tools.json
    python -m wgs_east.provenance header --tools provenance/tools.json --run .wgs-east/run.json --out H.txt
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wgs_east import __version__
from wgs_east.config.load import file_sha256

# command -> (arguments that print the version, regex capturing it)
TOOL_QUERIES: dict[str, tuple[list[str], str]] = {
    "bwa": ([], r"Version:\s*(\S+)"),
    "samtools": (["--version"], r"samtools\s+(\S+)"),
    "bcftools": (["--version"], r"bcftools\s+(\S+)"),
    "htslib": (["--version"], r"Using htslib\s+(\S+)"),  # queried through bcftools
    "bgzip": (["--version"], r"bgzip \(htslib\)\s+(\S+)"),
    "fastp": (["--version"], r"fastp\s+(\S+)"),
    "mosdepth": (["--version"], r"mosdepth\s+(\S+)"),
    "freebayes": (["--version"], r"version:\s*v?(\S+)"),
    "delly": (["--version"], r"Delly version:\s*v?(\S+)"),
    "cnvkit": (["version"], r"^(\d\S*)"),
}


def query_tool_version(tool: str) -> str | None:
    """Ask the tool on PATH for its version; None when the tool is not installed."""
    args, pattern = TOOL_QUERIES[tool]
    exe = "bcftools" if tool == "htslib" else tool
    path = shutil.which(exe) or (shutil.which("cnvkit.py") if tool == "cnvkit" else None)  # bioconda: cnvkit.py
    if path is None:
        return None
    try:
        proc = subprocess.run([path, *args], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(pattern, (proc.stdout + proc.stderr).decode(errors="replace"))
    return match.group(1) if match else "unknown"


def tool_versions(tools: Sequence[str] = tuple(TOOL_QUERIES)) -> dict[str, str | None]:
    """Versions of the given tools (default: all known), as the installed tools report them."""
    import snakemake

    versions: dict[str, str | None] = {t: query_tool_version(t) for t in tools}
    versions["snakemake"] = snakemake.__version__
    versions["wgs-east"] = __version__
    return versions


def vcf_header_lines(tools: dict[str, str | None], run: dict[str, str]) -> str:
    used = ";".join(f"{k}={v}" for k, v in sorted(tools.items()) if v)
    lines = [
        f"##wgs-east_version={__version__}",
        f"##wgs-east_tools={used}",
        f"##wgs-east_batch={run['batch']}",
        f"##wgs-east_config={run['config_path']}",
        f"##wgs-east_config_sha256={run['config_sha256']}",
        f"##wgs-east_command={run['command']}",
    ]
    if run.get("git_commit"):
        lines.append(f"##wgs-east_git_commit={run['git_commit']}")
    return "\n".join(_one_line(x) for x in lines) + "\n"


def resource_facts(manifest: Path | None) -> dict[str, Any] | None:
    """The resource bundle as recorded in provenance: manifest path, its sha256 and its content
    (source kinds, versions, checksums)."""
    if manifest is None:
        return None
    import yaml

    return {
        "manifest": str(manifest),
        "manifest_sha256": file_sha256(manifest),
        "content": yaml.safe_load(manifest.read_text()),
    }


def run_provenance(
    outdir: Path, run: dict[str, Any], command: str, started: str, finished: str, status: str,
    resources: Path | None = None,
) -> dict[str, Any]:
    """Everything a result directory needs to say how it was made."""
    import socket

    import snakemake

    tools_json = outdir / "provenance" / "tools.json"
    return {
        "wgs_east_version": __version__,
        "git_commit": run.get("git_commit"),
        "snakemake_version": snakemake.__version__,
        "tools": json.loads(tools_json.read_text()) if tools_json.exists() else None,
        "resources": resource_facts(resources),
        "batch": run["batch"],
        "config": run["config_path"],
        "config_sha256": run["config_sha256"],
        "command": command,
        "started": started,
        "finished": finished,
        "status": status,
        "host": socket.gethostname(),
        "outdir": str(outdir),
        "derived_from": run.get("derived_from"),
    }


def write_json_atomic(path: Path, data: Any) -> None:
    from wgs_east.annotate.io import write_text_atomic

    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def summarize(outdir: Path, *, rehash: bool = False) -> tuple[str, bool]:
    """A readable summary of DIR/provenance.json (`wgs-east provenance DIR`) and whether the run is
    complete: its record says so, every deliverable the batch must have is listed in checksums.sha256,
    and every listed file is present with its sha256 (:func:`wgs_east.checksums.verify_run`)."""
    from wgs_east.errors import InputError, Problem

    path = outdir / "provenance.json"
    if not path.exists():
        raise InputError(outdir, [Problem("provenance.json", "not found: not a finished wgs-east run directory")])
    try:
        p = json.loads(path.read_text())
    except ValueError as exc:
        raise InputError(path, [Problem("", f"not valid JSON: {exc}")]) from None
    problems = _verify(outdir, p, rehash) if p.get("status") == "complete" else []
    status = p.get("status") if not problems else f"INCOMPLETE ({len(problems)} deliverable problems, listed below)"
    lines = [
        f"run directory : {p.get('outdir')}",
        f"batch         : {p.get('batch')}   status: {status}",
        f"wgs-east      : {p.get('wgs_east_version')} (git {p.get('git_commit') or 'n/a'}), "
        f"snakemake {p.get('snakemake_version')}",
        f"config        : {p.get('config')} (sha256 {p.get('config_sha256')})",
        f"command       : {p.get('command')}",
        f"time          : {p.get('started')} -> {p.get('finished')} on {p.get('host')}",
    ]
    tools = p.get("tools") or {}
    lines.append("tools         : " + ", ".join(f"{k} {v}" for k, v in sorted(tools.items()) if v))
    res = p.get("resources")
    if res:
        lines.append(f"resources     : {res.get('manifest')} (sha256 {res.get('manifest_sha256')})")
        content = res.get("content") or {}
        for name, src in sorted((content.get("sources") or {}).items()):
            if isinstance(src, dict):
                lines.append(f"  {name:12s}: {src.get('kind', '')} {src.get('version', '')} sha256 {src.get('sha256', '')}")
    else:
        lines.append("resources     : none (no annotation bundle configured)")
    if p.get("derived_from"):
        lines.append(f"derived from  : {p['derived_from']}")
    if problems:
        lines.append("deliverables  : the run is NOT complete: re-run the same `wgs-east run` command to make them again")
        lines += [f"  {prob}" for prob in problems[:25]]
        if len(problems) > 25:
            lines.append(f"  ... and {len(problems) - 25} more")
    elif p.get("status") == "complete":
        lines.append("deliverables  : all present, sha256 as in checksums.sha256")
    return "\n".join(lines) + "\n", p.get("status") == "complete" and not problems


def _verify(outdir: Path, record: dict[str, Any], rehash: bool) -> list:
    """Deliverable problems of a run the record calls complete (a reanalysis: the files it listed)."""
    from wgs_east import checksums
    from wgs_east.config.models import Batch

    need: list[str] = []
    batch_json = outdir / ".wgs-east" / "batch.json"
    if not record.get("derived_from") and batch_json.is_file():
        try:
            need = checksums.required(Batch.model_validate_json(batch_json.read_text()))
        except ValueError:
            need = []
    return checksums.verify_run(outdir, need, rehash=rehash)


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n\t]", " ", text)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("tools")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--tools", nargs="+", choices=sorted(TOOL_QUERIES), default=list(TOOL_QUERIES))
    p = sub.add_parser("header")
    p.add_argument("--tools", type=Path, required=True)
    p.add_argument("--run", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.cmd == "tools":
        text = json.dumps(tool_versions(args.tools), indent=2, sort_keys=True) + "\n"
    else:
        text = vcf_header_lines(json.loads(args.tools.read_text()), json.loads(args.run.read_text()))
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
