#!/usr/bin/env bash
# Population: gnomAD v4.1 genomes sites, PASS only, AC/AN/AF/nhomalt/grpmax/filtering AF; nhemi on non-PAR X/Y.
# Hundreds of GB to download. Usage: resources/gnomad.sh BUNDLE_DIR   (GNOMAD_SET=genomes|joint exomes: see README)
source "$(dirname "$0")/common.sh"
VERSION=${GNOMAD_VERSION:-4.1}
SET=${GNOMAD_SET:-genomes}
BASE=https://storage.googleapis.com/gcp-public-data--gnomad/release/$VERSION/vcf/$SET
files=()
for c in $(seq 1 22) X Y; do
    files+=("$(fetch "$BASE/gnomad.$SET.v$VERSION.sites.chr$c.vcf.bgz")")
    fetch "$BASE/gnomad.$SET.v$VERSION.sites.chr$c.vcf.bgz.tbi" > /dev/null
done
prepare gnomad --bundle "$BUNDLE" --name gnomad --vcf "${files[@]}" --version "gnomAD v$VERSION $SET" \
    --release-date "${GNOMAD_DATE:-2024-04-19}" --url "$BASE" --description "gnomAD v$VERSION $SET sites, PASS"
