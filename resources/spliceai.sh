#!/usr/bin/env bash
# SpliceAI precomputed scores (masked, hg38, SNVs + indels up to 4 bp), max delta per allele.
# Illumina distributes them behind a BaseSpace login: download spliceai_scores.masked.snv.hg38.vcf.gz and
# spliceai_scores.masked.indel.hg38.vcf.gz by hand into $DOWNLOADS first.
# Usage: resources/spliceai.sh BUNDLE_DIR
source "$(dirname "$0")/common.sh"
snv=$DOWNLOADS/spliceai_scores.masked.snv.hg38.vcf.gz
indel=$DOWNLOADS/spliceai_scores.masked.indel.hg38.vcf.gz
for f in "$snv" "$indel"; do
    [ -s "$f" ] || { echo "missing $f: download it from Illumina BaseSpace (resources/README.md)" >&2; exit 2; }
done
prepare spliceai --bundle "$BUNDLE" --name spliceai --vcf "$snv" "$indel" --version "SpliceAI 1.3 masked" \
    --url "https://basespace.illumina.com/s/otSPW8hnhaZR" --description "SpliceAI precomputed, masked, max delta"
