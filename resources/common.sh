# Shared by the resources/*.sh scripts: strict mode, download with resume, the prepare command.
set -euo pipefail
BUNDLE=${1:?usage: $0 BUNDLE_DIR}
DOWNLOADS=${DOWNLOADS:-$BUNDLE/downloads}
PYTHON=${PYTHON:-python}
mkdir -p "$BUNDLE" "$DOWNLOADS"

fetch() {  # fetch URL -> $DOWNLOADS/NAME (resumes; keeps what is complete)
    local url=$1 name=${2:-$(basename "$1")}
    if [ ! -s "$DOWNLOADS/$name" ]; then
        curl --fail --location --retry 5 --continue-at - --output "$DOWNLOADS/$name.part" "$url"
        mv "$DOWNLOADS/$name.part" "$DOWNLOADS/$name"
    fi
    echo "$DOWNLOADS/$name"
}

prepare() { "$PYTHON" -m wgs_east.resources.prepare "$@"; }
