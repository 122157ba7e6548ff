#!/usr/bin/env bash
# Idempotent set-up of wgs-east on a Debian machine without conda:
#   1. external tools from Debian packages (the one list: scripts/tools.tsv; plus the tools only the tests
#      use, same format: scripts/test_tools.tsv, e.g. chromium for the report browser test), only those missing;
#   2. .venv/ with the package and its test extras (re-installed only when pyproject.toml changes);
#   3. the simulated reads of the test genome (test_data/reads/, regenerated only when missing).
# Users with conda can instead: conda env create -f environment.yml && pip install -e '.[test]'.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

missing_pkgs=()
while IFS=$'\t' read -r cmd debs _conda check; do
    [[ -z "$cmd" || "$cmd" == \#* ]] && continue
    if ! command -v "$cmd" >/dev/null 2>&1 || ! bash -c "$check" >/dev/null 2>&1; then
        IFS=, read -ra pkgs <<< "$debs"
        missing_pkgs+=("${pkgs[@]}")
    fi
done < <(cat scripts/tools.tsv scripts/test_tools.tsv)
for extra in ${WGS_EAST_EXTRA_DEBS:-}; do missing_pkgs+=("$extra"); done
# The SLURM test's packages (scripts/slurm_test.tsv): installed only by root; without them that test skips.
slurm_missing=()
while IFS=$'\t' read -r cmd debs _conda check; do
    [[ -z "$cmd" || "$cmd" == \#* ]] && continue
    if ! PATH="$PATH:/usr/sbin:/sbin" bash -c "command -v $cmd && $check" >/dev/null 2>&1; then
        IFS=, read -ra pkgs <<< "$debs"
        slurm_missing+=("${pkgs[@]}")
    fi
done < scripts/slurm_test.tsv
if ((${#slurm_missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
        missing_pkgs+=("${slurm_missing[@]}")
    else
        echo "setup: note: not root, so not installing ${slurm_missing[*]}: tests/test_slurm.py will skip"
    fi
fi

if ((${#missing_pkgs[@]})); then
    mapfile -t missing_pkgs < <(printf '%s\n' "${missing_pkgs[@]}" | sort -u)
    echo "setup: installing Debian packages: ${missing_pkgs[*]}"
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: error: these tools are missing and installing them needs root: ${missing_pkgs[*]}" >&2
        echo "setup: install them (apt-get install ${missing_pkgs[*]}) or use environment.yml with conda" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
fi

stamp="$VENV/.wgs-east-installed"
want=$(sha256sum pyproject.toml | cut -c1-16)
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 needed"'
    "$PYTHON" -m venv "$VENV"
fi
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo "setup: installing wgs-east and its Python dependencies into $VENV/"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[test]"
    echo "$want" > "$stamp"
fi

"$VENV/bin/python" scripts/make_test_data.py reads --outdir test_data/reads
echo "setup: ready ($("$VENV/bin/wgs-east" --version))"
