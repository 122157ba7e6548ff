"""Feasibility of the SV/CNV callers that install here (Debian: delly, tiddit, cnvkit, optionally
survivor; PyPI: svdb, truvari) on small data: versions, wall/CPU seconds, what they call. Not part of `make bench` (its name
does not start with bench_; the callers are not installed by `make setup`).

    apt-get install delly tiddit cnvkit survivor   # Debian bookworm: 1.1.6, 3.5.2, 0.9.9, 1.0.7
    python3 -m venv /tmp/sv && /tmp/sv/bin/pip install svdb truvari
    .venv/bin/python bench/sv_callers.py --py-tools /tmp/sv/bin

Data (made here, nothing in test_data/ changes):
- a spiked trio on contig chrSYN1 of the test genome: the child carries a heterozygous 2 kb deletion
  inside SYNAD1 (7,001-9,000) and a 1 kb inversion (46,001-47,000), both de novo, and a 3 kb tandem
  duplication inside SYNMIS1 (36,001-39,000) inherited from the mother; the father carries none.
  Reads: wgsim 2x150, insert 400 +- 50, 2,500 pairs per haplotype (~15x each, ~30x in all), aligned
  with bwa mem to the whole test genome;
- PROBAND1 of the test batch (no SV planted: every call is a false positive);
- the real HG002 reads over the GRCh37 chr20 window (shared data; GIAB v4.2.1 small-variant truth only,
  no SV truth in the window).

Writes bench/results/sv_callers.json.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, WORK, fresh_dir, row, run_timed, write_result  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "real"
CNVKIT = "/usr/lib/debian-med/bin/cnvkit.py"
EVENTS = (("DEL", 7001, 9000), ("DUP", 36001, 39000), ("INV", 46001, 47000))
"""1-based inclusive events of the child's second haplotype; the mother's carries the DUP only."""
PAIRS = 2500


def _rc(s: str) -> str:
    return s[::-1].translate(str.maketrans("ACGTN", "TGCAN"))


def haplotype(seq: str, events: tuple[tuple[str, int, int], ...]) -> str:
    """Apply non-overlapping events (sorted by position) to a sequence."""
    out, at = [], 0
    for kind, s, e in sorted(events, key=lambda x: x[1]):
        out.append(seq[at : s - 1])
        segment = seq[s - 1 : e]
        out.append({"DEL": "", "DUP": segment + segment, "INV": _rc(segment)}[kind])
        at = e
    out.append(seq[at:])
    return "".join(out)


def sh(cmd: str, log: Path) -> dict[str, Any]:
    """Run a shell pipeline, timed; a failure is recorded (exit code, last line of its log), not raised."""
    out: dict[str, Any] = run_timed(["bash", "-o", "pipefail", "-c", cmd], log=log, check=False).as_dict()
    if out["returncode"] != 0:
        lines = log.read_text(errors="replace").strip().splitlines()
        out["error"] = lines[-1][:200] if lines else ""
    return out


def version(cmd: list[str]) -> str:
    import re

    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    match = re.search(r"\d+(\.\d+)+", proc.stdout + proc.stderr)
    return match.group(0) if match else "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--py-tools", type=Path, help="bin/ directory of a venv with svdb and truvari")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    work = fresh_dir(WORK / "sv_callers")
    logs = work / "logs"
    logs.mkdir(parents=True)
    py = args.py_tools
    tools = {"delly": shutil.which("delly"), "tiddit": shutil.which("tiddit"), "cnvkit": CNVKIT if Path(CNVKIT).exists() else None,
             "svdb": str(py / "svdb") if py and (py / "svdb").exists() else shutil.which("svdb"),
             "truvari": str(py / "truvari") if py and (py / "truvari").exists() else shutil.which("truvari"),
             "wgsim": shutil.which("wgsim"), "bwa": shutil.which("bwa")}  # fmt: skip
    missing = [t for t, p in tools.items() if p is None]
    if missing:
        print(f"sv_callers: not installed: {', '.join(missing)} (see the docstring)", file=sys.stderr)
        return 2
    vers = {"delly": version(["delly", "--version"]), "tiddit": version(["tiddit", "--version"]),
            "cnvkit": version([CNVKIT, "version"]), "svdb": version([tools["svdb"], "--version"]),  # type: ignore[list-item]
            "truvari": version([tools["truvari"], "version"]), "wgsim": version(["wgsim"])}  # type: ignore[list-item]  # fmt: skip

    import pysam

    ref = work / "genome.fa"
    shutil.copy(ROOT / "test_data" / "reference" / "genome.fa", ref)
    pysam.faidx(str(ref))
    subprocess.run(["bwa", "index", str(ref)], check=True, capture_output=True)
    seq = pysam.FastaFile(str(ref)).fetch("chrSYN1")
    haps = {"ref": seq, "child": haplotype(seq, EVENTS), "mother": haplotype(seq, (EVENTS[1],))}
    for name, s in haps.items():
        (work / f"{name}.fa").write_text(f">chrSYN1\n{s}\n")
    members = {"CHILD": ("ref", "child"), "MOTHER": ("ref", "mother"), "FATHER": ("ref", "ref")}
    timings: dict[str, Any] = {}
    for i, (sample, pair) in enumerate(members.items()):
        parts = []
        for j, h in enumerate(pair):
            prefix = work / f"{sample}_{j}"
            subprocess.run(["wgsim", "-S", str(11 + 2 * i + j), "-N", str(PAIRS), "-1", "150", "-2", "150", "-d", "400",
                            "-s", "50", "-e", "0.001", "-r", "0", "-R", "0", str(work / f"{h}.fa"),
                            f"{prefix}_1.fq", f"{prefix}_2.fq"], check=True, capture_output=True)  # fmt: skip
            parts.append(prefix)
        r1 = " ".join(f"{p}_1.fq" for p in parts)
        r2 = " ".join(f"{p}_2.fq" for p in parts)
        timings[f"bwa_{sample}"] = sh(f"bwa mem -t 2 -R '@RG\\tID:{sample}\\tSM:{sample}' {ref} <(cat {r1}) <(cat {r2})"
                                      f" | samtools sort -o {work}/{sample}.bam - && samtools index {work}/{sample}.bam",
                                      logs / f"bwa_{sample}.log")  # fmt: skip
    test_reads = ROOT / "test_data" / "reads"
    timings["bwa_PROBAND1"] = sh(f"bwa mem -t 2 -R '@RG\\tID:P\\tSM:PROBAND1' {ref} {test_reads}/PROBAND1_L001_R1.fastq.gz"
                                 f" {test_reads}/PROBAND1_L001_R2.fastq.gz | samtools sort -o {work}/PROBAND1.bam -"
                                 f" && samtools index {work}/PROBAND1.bam", logs / "bwa_PROBAND1.log")  # fmt: skip
    hg_ref = work / "chr20.fa"
    shutil.copy(SHARED / "chr20_9995000_10105000.fa", hg_ref)
    pysam.faidx(str(hg_ref))
    subprocess.run(["bwa", "index", str(hg_ref)], check=True, capture_output=True)
    hg = SHARED / "giab_hg002_chr20"
    timings["bwa_HG002"] = sh(f"bwa mem -t 2 -R '@RG\\tID:H\\tSM:HG002' {hg_ref} {hg}/HG002_R1.fastq.gz {hg}/HG002_R2.fastq.gz"
                              f" | samtools sort -o {work}/HG002.bam - && samtools index {work}/HG002.bam",
                              logs / "bwa_HG002.log")  # fmt: skip

    # delly: per-sample discovery, site merge, joint genotyping of the trio
    bams = {s: work / f"{s}.bam" for s in ("CHILD", "MOTHER", "FATHER", "PROBAND1")}
    for s, bam in bams.items():
        timings[f"delly_call_{s}"] = sh(f"delly call -g {ref} -o {work}/{s}.delly.bcf {bam}", logs / f"delly_{s}.log")
    timings["delly_call_HG002"] = sh(f"delly call -g {hg_ref} -o {work}/HG002.delly.bcf {work}/HG002.bam", logs / "delly_HG002.log")
    trio = " ".join(str(bams[s]) for s in ("CHILD", "MOTHER", "FATHER"))
    timings["delly_merge_trio"] = sh(f"delly merge -o {work}/sites.bcf {work}/CHILD.delly.bcf {work}/MOTHER.delly.bcf"
                                     f" {work}/FATHER.delly.bcf", logs / "delly_merge.log")  # fmt: skip
    timings["delly_genotype_trio"] = sh(f"delly call -g {ref} -v {work}/sites.bcf -o {work}/trio.bcf {trio}",
                                        logs / "delly_geno.log")  # fmt: skip
    timings["delly_cnv_CHILD"] = sh(f"delly cnv -g {ref} -o {work}/CHILD.cnv.bcf {bams['CHILD']}", logs / "delly_cnv.log")
    # tiddit (no fermi2/ropebwt2 in Debian: local assembly skipped)
    for s in ("CHILD", "PROBAND1"):
        timings[f"tiddit_{s}"] = sh(f"tiddit --sv --skip_assembly --bam {bams[s]} --ref {ref} -o {work}/{s}.tiddit",
                                    logs / f"tiddit_{s}.log")  # fmt: skip
    timings["tiddit_HG002"] = sh(f"tiddit --sv --skip_assembly --bam {work}/HG002.bam --ref {hg_ref} -o {work}/HG002.tiddit",
                                 logs / "tiddit_HG002.log")  # fmt: skip
    # cnvkit, WGS mode, flat reference, 500 bp bins on chrSYN1
    (work / "syn1.bed").write_text("chrSYN1\t0\t50000\n")
    timings["cnvkit_batch_CHILD"] = sh(f"{CNVKIT} batch {bams['CHILD']} -n -f {ref} -m wgs --targets {work}/syn1.bed"
                                       f" --target-avg-size 500 --output-reference {work}/flat.cnn -d {work}/cnvkit",
                                       logs / "cnvkit_batch.log")  # fmt: skip
    for method in ("cbs -t 0.001", "hmm-germline"):
        tag = method.split()[0]
        timings[f"cnvkit_segment_{tag}"] = sh(f"{CNVKIT} segment {work}/cnvkit/CHILD.cnr -m {method} -o {work}/seg_{tag}.cns"
                                              f" && {CNVKIT} call {work}/seg_{tag}.cns -o {work}/call_{tag}.cns",
                                              logs / f"cnvkit_{tag}.log")  # fmt: skip
    # svdb merge of the two callers' child calls, truvari against the planted events
    subprocess.run(["bcftools", "view", "-Ov", "-o", str(work / "CHILD.delly.vcf"), str(work / "CHILD.delly.bcf")], check=True)
    timings["svdb_merge_CHILD"] = sh(f"{tools['svdb']} --merge --vcf {work}/CHILD.delly.vcf:delly {work}/CHILD.tiddit.vcf:tiddit"
                                     f" --priority delly,tiddit --overlap 0.5 --bnd_distance 500 > {work}/CHILD.merged.vcf",
                                     logs / "svdb.log")  # fmt: skip
    if shutil.which("SURVIVOR"):  # optional (Debian survivor 1.0.7): the other merger of the list
        (work / "survivor.list").write_text(f"{work}/CHILD.delly.vcf\n{work}/CHILD.tiddit.vcf\n")
        timings["survivor_merge_CHILD"] = sh(f"SURVIVOR merge {work}/survivor.list 500 1 1 0 0 50 {work}/CHILD.survivor.vcf",
                                             logs / "survivor.log")  # fmt: skip
        vers["survivor"] = version(["SURVIVOR"])
    truth = work / "truth.vcf"
    header = ("##fileformat=VCFv4.2\n##contig=<ID=chrSYN1,length=50000>\n"
              '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="t">\n##INFO=<ID=END,Number=1,Type=Integer,Description="e">\n'
              '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="l">\n##FORMAT=<ID=GT,Number=1,Type=String,Description="g">\n'
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCHILD\n")  # fmt: skip
    body = "".join(f"chrSYN1\t{s - 1}\t{k}\t{seq[s - 2]}\t<{k}>\t.\tPASS\tSVTYPE={k};END={e};SVLEN={e - s + 1}\tGT\t0/1\n"
                   for k, s, e in EVENTS)  # fmt: skip
    truth.write_text(header + body)
    for name in ("truth", "CHILD.merged", "CHILD.delly"):
        vcf = work / f"{name}.vcf"
        sh(f"bcftools sort -Oz -o {vcf}.gz {vcf} && tabix -f -p vcf {vcf}.gz", logs / f"sort_{name}.log")
    bench: dict[str, Any] = {}
    for name in ("CHILD.delly", "CHILD.merged"):
        out = work / f"truvari_{name}"
        timings[f"truvari_{name}"] = sh(f"{tools['truvari']} bench -b {truth}.gz -c {work}/{name}.vcf.gz -o {out}"
                                        f" --pctseq 0 --sizemin 50 --refdist 500 --pctsize 0.7 --pctovl 0.5",
                                        logs / f"truvari_{name}.log")  # fmt: skip
        summary = out / "summary.json"
        if summary.exists():
            import json

            s = json.loads(summary.read_text())
            bench[name] = {k: s.get(k) for k in ("TP-base", "FP", "FN", "precision", "recall", "f1", "gt_concordance")}

    def vcf_calls(path: Path) -> list[str]:
        if not path.exists():
            return []
        cmd = ["bcftools", "query", "-f", "%CHROM:%POS-%INFO/END %INFO/SVTYPE [%SAMPLE=%GT ]\n", str(path)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return proc.stdout.strip().splitlines() if proc.returncode == 0 else [f"unreadable: {proc.stderr.strip()[:100]}"]

    def cns_calls(path: Path) -> list[str]:
        if not path.exists():
            return []
        rows = [line.split("\t") for line in path.read_text().splitlines()[1:]]
        return [f"{r[0]}:{int(r[1]) + 1}-{r[2]} cn={r[5]} log2={float(r[4]):.2f}" for r in rows if r[5] != "2"]

    calls = {
        "delly_trio_genotyped": vcf_calls(work / "trio.bcf"),
        "delly_PROBAND1": vcf_calls(work / "PROBAND1.delly.bcf"),
        "delly_HG002": vcf_calls(work / "HG002.delly.bcf"),
        "tiddit_CHILD": vcf_calls(work / "CHILD.tiddit.vcf"),
        "tiddit_PROBAND1": vcf_calls(work / "PROBAND1.tiddit.vcf"),
        "tiddit_HG002": vcf_calls(work / "HG002.tiddit.vcf"),
        "cnvkit_default_cbs": cns_calls(work / "cnvkit" / "CHILD.call.cns"),
        "cnvkit_cbs_t0.001": cns_calls(work / "call_cbs.cns"),
        "cnvkit_hmm_germline": cns_calls(work / "call_hmm-germline.cns"),
        "svdb_merged_CHILD": vcf_calls(work / "CHILD.merged.vcf.gz"),
        "survivor_merged_CHILD": vcf_calls(work / "CHILD.survivor.vcf"),
    }
    errors = {name: t["error"] for name, t in timings.items() if t["returncode"] != 0}
    with gzip.open(work / "truth.vcf.gz", "rt") as fh:
        planted = [line.split("\t")[2] for line in fh if not line.startswith("#")]
    summary = [row(f"{name}: wall / CPU seconds", f"{t['wall_s']:.1f} / {t['cpu_s']:.1f}", "s",
                   "" if t["returncode"] == 0 else f"FAILED (exit {t['returncode']})") for name, t in timings.items()]  # fmt: skip
    summary += [row(f"calls {name}", len(c), "", "; ".join(c)[:300]) for name, c in calls.items()]
    summary += [row(f"truvari {name} vs planted {planted}", f"TP {b['TP-base']} FP {b['FP']} FN {b['FN']}", "",
                    f"precision {b['precision']} recall {b['recall']} GT concordance {b['gt_concordance']}")
                for name, b in bench.items()]  # fmt: skip
    path = write_result("sv_callers", {"tool_versions": vers, "timings": timings, "calls": calls, "truvari": bench,
                                       "errors": errors}, repetitions=1, summary=summary,
                        title="SV/CNV caller feasibility (delly, tiddit, cnvkit, svdb, truvari) on small data",
                        started=started)  # fmt: skip
    print(f"sv_callers: wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
