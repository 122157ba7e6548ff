#!/usr/bin/env bash
# REVEL v1.3 (all possible missense SNVs), GRCh38 positions, one score per allele (max over transcripts).
# Usage: resources/revel.sh BUNDLE_DIR
source "$(dirname "$0")/common.sh"
URL=${REVEL_URL:-https://rothsj06.dmz.hpc.mssm.edu/revel-v1.3_all_chromosomes.zip}
zip=$(fetch "$URL")
csv=$DOWNLOADS/revel_with_transcript_ids
[ -s "$csv" ] || unzip -o -d "$DOWNLOADS" "$zip"
prepare revel --bundle "$BUNDLE" --name revel --csv "$csv" --version "REVEL v1.3" --release-date 2021-05-03 \
    --url "$URL" --description "REVEL v1.3, GRCh38 positions, max over transcripts"
