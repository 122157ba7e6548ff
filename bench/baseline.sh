#!/usr/bin/env bash
# Baseline of the orchestration-overhead benchmark (bench/bench_overhead.py): the tool commands of the
# workflow's rules for the deliverables CRAM + CRAI, per-sample gVCF + TBI, batch VCF + TBI and
# provenance/tools.json, run by a plain shell script, on the same inputs, with the
# same options, the same thread counts Snakemake gives each job under `--cores CORES` (min(rule threads,
# CORES)), and the same Python helper steps (`python -m wgs_east.<module>`). No Snakemake, no
# `wgs-east run`. Independent steps run side by side with the parallelism Snakemake has at --cores CORES
# (phases below; BASELINE_PARALLEL=0: one step at a time), so the difference in wall time is what the
# orchestration costs, not orchestration minus what parallel scheduling wins back.
#
#   bench/baseline.sh CONFIG OUTDIR [CORES]           run it (OUTDIR must not exist or be empty)
#   bench/baseline.sh --print CONFIG OUTDIR [CORES]   print the commands, one per line, run nothing
#
# Each command is run as Snakemake runs a rule's shell: `bash -c 'set -euo pipefail; CMD'`, from OUTDIR,
# its stderr in the same log file. Temporary files are removed where Snakemake removes its temp()
# outputs. OUTDIR/baseline_steps.tsv records the wall time and CPU time of every step. `python` must be the
# interpreter that has wgs_east installed (set PYTHON=... otherwise). Only `calling.caller: bcftools`.
set -euo pipefail

PRINT=0
if [[ ${1-} == --print ]]; then
    PRINT=1
    shift
fi
if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 [--print] CONFIG OUTDIR [CORES]" >&2
    exit 2
fi
CONFIG=$(realpath "$1")
OUT=$2
CORES=${3:-2}
PYTHON=${PYTHON:-python}
umask 027  # as `wgs-east run` (default --umask)

mkdir -p "$OUT"
cd "$OUT"
if [[ $PRINT == 0 && -n $(ls -A .) ]]; then
    echo "$0: $OUT is not empty" >&2
    exit 2
fi

# The plan: the batch as the workflow sees it. `wgs-east run` writes .wgs-east/batch.json and run.json
# before Snakemake starts; the same functions write them here (without the up-front input validation,
# which is wgs-east's work, not a tool command). The rest are the values common.smk derives.
"$PYTHON" - "$CONFIG" "$0 $*" > .wgs-east-plan.sh <<'EOF'
import shlex
import sys
from pathlib import Path

from wgs_east.config import load_batch
from wgs_east.reference import is_gzip, read_contigs
from wgs_east.regions import batch_chunk_size, count_chunks
from wgs_east.runner import STATE, write_state

config, command = Path(sys.argv[1]), sys.argv[2]
batch = load_batch(config, check_inputs=False)
if batch.calling.caller != "bcftools":
    sys.exit("bench/baseline.sh: only calling.caller: bcftools is supported")
state = Path(STATE)
state.mkdir(exist_ok=True)
write_state(state, batch, config, command)
groups = batch.call_groups()  # the joint-calling groups (CALL_GROUPS of common.smk)
families = sorted(groups)
q = shlex.quote
arr = lambda values: "(" + " ".join(q(str(v)) for v in values) + ")"  # noqa: E731
units = [(s, u) for s in batch.samples for u in s.units]
print(f"BATCH={q(batch.batch)}")
print(f"FASTA={q(str(batch.reference.fasta))}")
contigs = read_contigs(batch.reference.fasta)
chunk_size = batch_chunk_size(batch, contigs)
print(f"CHUNK_SIZE={chunk_size}")
print(f"EXCLUDE={arr(batch.reference.exclude_contigs)}")
chunks = count_chunks(contigs, chunk_size, batch.reference.exclude_contigs)
print(f"NCHUNKS={chunks}")
print(f"MIN_MAPQ={batch.calling.min_mapq} MIN_BASEQ={batch.calling.min_baseq}")
print(f"MIN_QUAL={q(str(batch.calling.min_qual))} DEPTH_FRACTION={q(str(batch.calling.min_depth_fraction))}")
# get_merge_command() and get_tools_used() of common.smk
merge = "bcftools view" if len(families) == 1 else "bcftools merge --gvcf reference/genome.fa"
print(f"MERGE={q(merge)}")
tools = ["bwa", "samtools", "bcftools", "htslib", "bgzip", "fastp"]
tools += ["freebayes"] if batch.calling.caller == "freebayes" else []
extra = ["mosdepth"] + (["delly", "cnvkit"] if batch.sv.enabled else [])  # EXTRA_TOOLS: QC, SV stage
print(f"TOOLS={arr(tools + extra)}")
print(f"MAX_UNIT_READ_LOSS={q(str(batch.qc.max_unit_read_loss))}")
print(f"SAMPLES={arr(batch.sample_ids)}")
print(f"FAMILIES={arr(families)}")
print("declare -A FAMILY_OF=(" + " ".join(f"[{s.id}]={q(g)}" for g in families for s in groups[g]) + ")")
print("declare -A MEMBERS=(" + " ".join(f"[{f}]={q(' '.join(s.id for s in groups[f]))}" for f in families) + ")")
print("declare -A UNITS_OF=(" + " ".join(f"[{s.id}]={q(' '.join(u.id for u in s.units))}" for s in batch.samples) + ")")
print(f"U_SAMPLE={arr(s.id for s, u in units)}")
print(f"U_UNIT={arr(u.id for s, u in units)}")
print(f"U_FQ1={arr(u.fastq1 for s, u in units)}")
print(f"U_FQ2={arr(u.fastq2 for s, u in units)}")
# get_fastp_input_links(): fastp reads through links named by the content (gzip magic bytes)
print(f"U_SUFFIX1={arr('.gz' if is_gzip(u.fastq1) else '' for s, u in units)}")
print(f"U_SUFFIX2={arr('.gz' if is_gzip(u.fastq2) else '' for s, u in units)}")
# get_read_group(): the literal `\t` is kept, bwa turns it into a tab
rgs = [
    f"@RG\\tID:{s.id}.{u.id}\\tSM:{s.id}\\tLB:{u.library}\\tPL:{u.platform}\\tPU:{u.platform_unit or f'{s.id}.{u.id}'}"
    for s, u in units
]
print(f"U_RG={arr(rgs)}")
EOF
# shellcheck disable=SC1091
source .wgs-east-plan.sh
rm .wgs-east-plan.sh

REF=reference/genome.fa
threads() { echo $(($1 < CORES ? $1 : CORES)); }  # Snakemake caps a rule's threads at --cores
q() { printf '%q' "$1"; }
qall() { local out="" x; for x in "$@"; do out+=" $(q "$x")"; done; echo "${out# }"; }

STEPS=$PWD/baseline_steps.tsv
[[ $PRINT == 1 ]] || printf 'step\tseconds\tcpu_seconds\n' > "$STEPS"

# run_step NAME LOG CMD: run CMD as Snakemake runs a rule's shell block, and time it
run_step() {
    local name=$1 log=$2 cmd=$3
    mkdir -p "$(dirname "$log")"
    local t0=${EPOCHREALTIME/./} t1 cpu
    cpu=$(mktemp)
    # GNU time (Debian package `time`) for the CPU seconds (user + system) of the step's process tree
    /usr/bin/time -f '%U %S' -o "$cpu" bash -c "set -euo pipefail; $cmd"
    t1=${EPOCHREALTIME/./}
    printf '%s\t%d.%06d\t%s\n' "$name" $(((t1 - t0) / 1000000)) $(((t1 - t0) % 1000000)) \
        "$(awk '{printf "%.2f", $1 + $2}' "$cpu")" >> "$STEPS"
    rm -f "$cpu"
}

# Same parallelism as Snakemake at --cores CORES (BASELINE_PARALLEL=1, the default): the independent steps
# of one phase run side by side, as many at once as CORES / THREADS of that step (at least 1), the way
# Snakemake fills its cores; phases follow the workflow's dependencies. BASELINE_PARALLEL=0 runs every
# step one after another (the baseline before issue 21).
PARALLEL=${BASELINE_PARALLEL:-1}
RUNNING=0
# step NAME LOG CMD [THREADS]: run (or, with --print, print) one step; in parallel mode it is started in
# the background once a slot of THREADS cores (default 1) is free, and `phase` waits for all of them
step() {
    local name=$1 log=$2 cmd=$3 threads=${4:-1}
    if [[ $PRINT == 1 ]]; then
        printf '%s\t%s\n' "$name" "$cmd"
        return
    fi
    if [[ $PARALLEL == 0 ]]; then
        run_step "$name" "$log" "$cmd"
        return
    fi
    local slots=$((CORES / threads))
    ((slots >= 1)) || slots=1
    while ((RUNNING >= slots)); do
        wait -n || exit 1
        RUNNING=$((RUNNING - 1))
    done
    run_step "$name" "$log" "$cmd" &
    RUNNING=$((RUNNING + 1))
}
# phase: wait until every step started so far has ended (a failed step stops the script)
phase() {
    [[ $PRINT == 1 || $PARALLEL == 0 ]] && return
    while ((RUNNING > 0)); do
        wait -n || exit 1
        RUNNING=$((RUNNING - 1))
    done
}
cleanup() { [[ $PRINT == 1 ]] || rm -f "$@"; }
[[ $PRINT == 1 ]] || mkdir -p reference/chunks work/call work/variants provenance qc/fastq_check qc/markdup \
    alignments gvcf variants

# --- phase 1: the reference copy ---
step copy_reference logs/reference/copy_reference.log \
    "(gzip -cdf $(q "$FASTA") > $REF.tmp && mv $REF.tmp $REF) 2> logs/reference/copy_reference.log"
phase

# --- phase 2: indexes, tool versions, the complete FASTQ checks (independent of each other) ---
step index_reference logs/reference/index_reference.log \
    "(samtools faidx $REF && samtools dict -o reference/genome.dict $REF) 2> logs/reference/index_reference.log"
step index_reference_bwa logs/reference/index_reference_bwa.log \
    "bwa index $REF 2> logs/reference/index_reference_bwa.log"
step record_tool_versions logs/provenance/record_tool_versions.log \
    "python -m wgs_east.provenance tools --tools ${TOOLS[*]} --out provenance/tools.json 2> logs/provenance/record_tool_versions.log"
for i in "${!U_SAMPLE[@]}"; do
    s=${U_SAMPLE[$i]} u=${U_UNIT[$i]} fq1=$(q "${U_FQ1[$i]}") fq2=$(q "${U_FQ2[$i]}")
    [[ $PRINT == 1 ]] || mkdir -p "qc/fastq_check/$s" "qc/fastp/$s" "work/trim/$s" "work/align/$s" "qc/read_accounting/$s"
    step check_fastq_pair "logs/align/check_fastq_pair/$s/$u.log" \
        "python -m wgs_east.fastq $fq1 $fq2 --out qc/fastq_check/$s/$u.json 2> logs/align/check_fastq_pair/$s/$u.log"
done
phase

# --- phase 3: scatter chunks, ploidy files, VCF header lines ---
CHUNKS=()
for ((i = 1; i <= NCHUNKS; i++)); do CHUNKS+=("reference/chunks/chunk_$i-of-$NCHUNKS.bed"); done
step split_reference_regions logs/reference/split_reference_regions.log \
    "python -m wgs_east.regions --fasta $REF --chunk-size $CHUNK_SIZE --exclude $(qall "${EXCLUDE[@]}") -- ${CHUNKS[*]} 2> logs/reference/split_reference_regions.log"
for fam in "${FAMILIES[@]}"; do
    step make_ploidy_files "logs/call/make_ploidy_files/$fam.log" \
        "python -m wgs_east.ploidy --batch-json .wgs-east/batch.json --group $fam --fai $REF.fai --ploidy work/call/$fam.ploidy --samples work/call/$fam.samples --cnv-map work/call/$fam.cnv.bed 2> logs/call/make_ploidy_files/$fam.log"
done
step write_vcf_header_lines logs/provenance/write_vcf_header_lines.log \
    "python -m wgs_east.provenance header --tools provenance/tools.json --run .wgs-east/run.json --out work/variants/provenance_header.txt 2> logs/provenance/write_vcf_header_lines.log"
phase

# --- phases 4-5: align.smk per unit, trimming then mapping ---
T_TRIM=$(threads 2)
T_MAP=$(threads 8)
T_MARKDUP=$(threads 4)
for i in "${!U_SAMPLE[@]}"; do
    s=${U_SAMPLE[$i]} u=${U_UNIT[$i]} fq1=$(q "${U_FQ1[$i]}") fq2=$(q "${U_FQ2[$i]}")
    l1=work/trim/$s/$u.in_R1.fastq${U_SUFFIX1[$i]} l2=work/trim/$s/$u.in_R2.fastq${U_SUFFIX2[$i]}
    step trim_reads "logs/align/trim_reads/$s/$u.log" \
        "ln -sfn $fq1 $l1 && ln -sfn $fq2 $l2 && fastp --in1 $l1 --in2 $l2 --out1 work/trim/$s/${u}_R1.fastq.gz --out2 work/trim/$s/${u}_R2.fastq.gz --detect_adapter_for_pe --compression 1 --thread $T_TRIM --json qc/fastp/$s/$u.fastp.json --html qc/fastp/$s/$u.fastp.html --report_title $s.$u 2> logs/align/trim_reads/$s/$u.log && rm -f $l1 $l2" \
        "$T_TRIM"
done
phase
for i in "${!U_SAMPLE[@]}"; do
    s=${U_SAMPLE[$i]} u=${U_UNIT[$i]}
    bam=work/align/$s/$u.bam
    step map_reads "logs/align/map_reads/$s/$u.log" \
        "(bwa mem -t $T_MAP -R $(q "${U_RG[$i]}") $REF work/trim/$s/${u}_R1.fastq.gz work/trim/$s/${u}_R2.fastq.gz | samtools fixmate -m -u - - | samtools sort -@ $T_MAP -m 768M -T $bam.sorttmp -o $bam.tmp.bam - && mv $bam.tmp.bam $bam) 2> logs/align/map_reads/$s/$u.log" \
        "$T_MAP"
done
phase
T_ACCOUNT=$(threads 2)
for i in "${!U_SAMPLE[@]}"; do
    s=${U_SAMPLE[$i]} u=${U_UNIT[$i]}
    cleanup "work/trim/$s/${u}_R1.fastq.gz" "work/trim/$s/${u}_R2.fastq.gz"
    # account_reads (align.smk): FASTQ check = fastp in, fastp's loss within bounds, fastp out = BAM
    step account_reads "logs/align/account_reads/$s/$u.log" \
        "python -m wgs_east.qc.accounting --sample $s --unit $u --fastq-check qc/fastq_check/$s/$u.json --fastp qc/fastp/$s/$u.fastp.json --bam work/align/$s/$u.bam --max-filtered-fraction $MAX_UNIT_READ_LOSS --threads $T_ACCOUNT --out qc/read_accounting/$s/$u.json 2> logs/align/account_reads/$s/$u.log" \
        "$T_ACCOUNT"
done
phase

# --- phases 6-7: align.smk per sample ---
for s in "${SAMPLES[@]}"; do
    bams=()
    for u in ${UNITS_OF[$s]}; do bams+=("work/align/$s/$u.bam"); done
    cram=alignments/$s.cram
    step mark_duplicates "logs/align/mark_duplicates/$s.log" \
        "(samtools merge -@ $T_MARKDUP -u -o - ${bams[*]} | samtools markdup -@ $T_MARKDUP -s -f qc/markdup/$s.markdup.txt -T $cram.mdtmp --reference $REF -O cram - $cram.tmp.cram && mv $cram.tmp.cram $cram) 2> logs/align/mark_duplicates/$s.log" \
        "$T_MARKDUP"
done
phase
for s in "${SAMPLES[@]}"; do
    for u in ${UNITS_OF[$s]}; do cleanup "work/align/$s/$u.bam"; done
    cram=alignments/$s.cram
    step index_alignments "logs/align/index_alignments/$s.log" \
        "samtools index $cram $cram.crai 2> logs/align/index_alignments/$s.log"
done
phase

# --- phase 8: call.smk, every family x chunk ---
for fam in "${FAMILIES[@]}"; do
    crams=()
    for s in ${MEMBERS[$fam]}; do crams+=("alignments/$s.cram"); done
    [[ $PRINT == 1 ]] || mkdir -p "work/call/$fam"
    for ((i = 1; i <= NCHUNKS; i++)); do
        bcf=work/call/$fam/chunk_$i-of-$NCHUNKS.bcf
        step call_variants "logs/call/call_variants/$fam/chunk_$i-of-$NCHUNKS.log" \
            "(bcftools mpileup --fasta-ref $REF --regions-file reference/chunks/chunk_$i-of-$NCHUNKS.bed --annotate FORMAT/AD,FORMAT/DP --min-MQ $MIN_MAPQ --min-BQ $MIN_BASEQ --max-depth 2000 --output-type u ${crams[*]} | bcftools call --multiallelic-caller --gvcf 0,5,10,20,30 --annotate GQ --ploidy-file work/call/$fam.ploidy --samples-file work/call/$fam.samples --output-type b --output $bcf.tmp.bcf && mv $bcf.tmp.bcf $bcf) 2> logs/call/call_variants/$fam/chunk_$i-of-$NCHUNKS.log"
    done
done
phase

# --- phases 9-11: gather per family, extract per sample, join the families ---
for fam in "${FAMILIES[@]}"; do
    chunk_bcfs=()
    for ((i = 1; i <= NCHUNKS; i++)); do chunk_bcfs+=("work/call/$fam/chunk_$i-of-$NCHUNKS.bcf"); done
    g=work/call/$fam.g.bcf
    step gather_group_calls "logs/call/gather_group_calls/$fam.log" \
        "(bcftools concat --output-type b --output $g.tmp.bcf ${chunk_bcfs[*]} && bcftools index --force --output $g.csi $g.tmp.bcf && mv $g.tmp.bcf $g) 2> logs/call/gather_group_calls/$fam.log"
done
phase
for fam in "${FAMILIES[@]}"; do
    for ((i = 1; i <= NCHUNKS; i++)); do cleanup "work/call/$fam/chunk_$i-of-$NCHUNKS.bcf"; done
done
for s in "${SAMPLES[@]}"; do
    v=gvcf/$s.g.vcf.gz
    step extract_sample_gvcf "logs/call/extract_sample_gvcf/$s.log" \
        "(bcftools view --samples $s --output-type z --output $v.tmp.vcf.gz work/call/${FAMILY_OF[$s]}.g.bcf && tabix -p vcf $v.tmp.vcf.gz && mv $v.tmp.vcf.gz.tbi $v.tbi && mv $v.tmp.vcf.gz $v) 2> logs/call/extract_sample_gvcf/$s.log"
done
gbcfs=()
for fam in "${FAMILIES[@]}"; do gbcfs+=("work/call/$fam.g.bcf"); done
v=variants/$BATCH.vcf.gz
step joint_genotype "logs/call/joint_genotype/$BATCH.log" \
    "($MERGE --output-type u ${gbcfs[*]} | bcftools view --exclude 'ALT=\".\"' --output-type u | bcftools norm --multiallelics -any --fasta-ref $REF --output-type u | bcftools view --exclude 'ALT=\"*\" || ALT=\"<*>\"' --output-type u | bcftools +fill-tags --output-type b --output $v.unfiltered.bcf -- --tags AC,AN,AF && min_dp=\$(bcftools query --format '%INFO/DP\\n' $v.unfiltered.bcf | sort -n | awk -v f=$DEPTH_FRACTION '{d[NR] = \$1} END {print NR ? f * d[int((NR + 1) / 2)] : 0}') && bcftools filter --mode + --soft-filter LowQual --exclude 'QUAL<$MIN_QUAL' --output-type u $v.unfiltered.bcf | bcftools filter --mode + --soft-filter LowDP --exclude \"INFO/DP<\$min_dp\" --output-type u | bcftools annotate --header-lines work/variants/provenance_header.txt --output-type z --output $v.tmp.vcf.gz && rm $v.unfiltered.bcf && tabix -p vcf $v.tmp.vcf.gz && mv $v.tmp.vcf.gz.tbi $v.tbi && mv $v.tmp.vcf.gz $v) 2> logs/call/joint_genotype/$BATCH.log"
phase
