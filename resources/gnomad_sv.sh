#!/usr/bin/env bash
# SV population: gnomAD-SV genome sites (one VCF), PASS only, slim INFO (SVTYPE/END/AF/CN_FREQ...).
# Kind sv_population; not annotated by the workflow yet (used by wgs_east.cnv). Usage: resources/gnomad_sv.sh BUNDLE_DIR
source "$(dirname "$0")/common.sh"
VERSION=${GNOMAD_SV_VERSION:-4.1}
URL=https://storage.googleapis.com/gcp-public-data--gnomad/release/$VERSION/genome_sv/gnomad.v$VERSION.sv.sites.vcf.gz
vcf=$(fetch "$URL")
prepare gnomad-sv --bundle "$BUNDLE" --name gnomad_sv --vcf "$vcf" --version "gnomAD-SV v$VERSION" \
    --url "$URL" --description "gnomAD-SV v$VERSION genome sites, PASS"
