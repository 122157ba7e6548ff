#!/usr/bin/env bash
# All sources of a GRCh38 bundle, then the check against the reference.
# Usage: resources/build_grch38_bundle.sh BUNDLE_DIR REFERENCE_FASTA
set -euo pipefail
here=$(dirname "$0")
BUNDLE=${1:?usage: $0 BUNDLE_DIR REFERENCE_FASTA}
REFERENCE=${2:?usage: $0 BUNDLE_DIR REFERENCE_FASTA}
for step in gene_models gnomad clinvar revel spliceai gene_table; do
    bash "$here/$step.sh" "$BUNDLE"
done
"${WGS_EAST:-wgs-east}" resources check "$BUNDLE/manifest.yaml" --reference "$REFERENCE" --build GRCh38
