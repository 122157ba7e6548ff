#!/usr/bin/env bash
# ClinVar: the weekly GRCh38 VCF (or CLINVAR_URL), renamed to chr1..chrM. The version is the file's ##fileDate.
# Usage: resources/clinvar.sh BUNDLE_DIR
source "$(dirname "$0")/common.sh"
URL=${CLINVAR_URL:-https://ftp.ncbi.nlm.nih.gov/pub/clinvar/vcf_GRCh38/clinvar.vcf.gz}
vcf=$(fetch "$URL")
fetch "$URL.tbi" > /dev/null
date=$(bcftools view -h "$vcf" | sed -n 's/^##fileDate=//p' | head -1)
prepare clinvar --bundle "$BUNDLE" --name clinvar --vcf "$vcf" --version "$date" \
    --release-date "$(date -d "$date" +%F)" --url "$URL" --description "ClinVar GRCh38 VCF of $date"
