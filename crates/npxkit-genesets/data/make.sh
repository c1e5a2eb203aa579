#!/bin/sh
# Regenerates the compressed gene-set files embedded in npxkit-genesets.
#
# Usage: crates/npxkit-genesets/data/make.sh [SOURCE_DIR]
#   SOURCE_DIR defaults to ../shared/data/genesets relative to the workspace
#   root (the files described in README.md next to this script).
#
# Needs the zstd command-line tool (Debian package `zstd`; made with v1.5.4).
# Level 19 without --long, so the default decoder window (2^27) suffices;
# the output is deterministic for a given zstd version and level.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-"$here/../../../../shared/data/genesets"}

for f in bindea2013.gmt \
         go_bp_human_orghs3.16.gmt go_mf_human_orghs3.16.gmt go_cc_human_orghs3.16.gmt \
         symbol_aliases_orghs3.16.tsv protein_coding_symbols.txt; do
    zstd -q -19 --no-check -c "$src/$f" > "$here/$f.zst"
done

# Show what was made, and the checksums README.md records.
ls -l "$here"/*.zst
(cd "$src" && sha256sum bindea2013.gmt go_bp_human_orghs3.16.gmt go_mf_human_orghs3.16.gmt \
    go_cc_human_orghs3.16.gmt symbol_aliases_orghs3.16.tsv protein_coding_symbols.txt)
