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

from wgs_east import __version__

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
}


def query_tool_version(tool: str) -> str | None:
    """Ask the tool on PATH for its version; None when the tool is not installed."""
    args, pattern = TOOL_QUERIES[tool]
    exe = "bcftools" if tool == "htslib" else tool
    path = shutil.which(exe)
    if path is None:
        return None
    try:
        proc = subprocess.run([path, *args], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(pattern, (proc.stdout + proc.stderr).decode(errors="replace"))
    return match.group(1) if match else "unknown"


def tool_versions() -> dict[str, str | None]:
    import snakemake

    versions: dict[str, str | None] = {t: query_tool_version(t) for t in TOOL_QUERIES}
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


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n\t]", " ", text)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("tools")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("header")
    p.add_argument("--tools", type=Path, required=True)
    p.add_argument("--run", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.cmd == "tools":
        text = json.dumps(tool_versions(), indent=2, sort_keys=True) + "\n"
    else:
        text = vcf_header_lines(json.loads(args.tools.read_text()), json.loads(args.run.read_text()))
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
