#!/usr/bin/env bash
# Tests of the workflow-engine integrations in workflows/ (issue #9), run from the repo root
# by `make test`:
#   a. Snakemake (workflows/snakemake) on test-data/sim-small with --cores 2: every output
#      exists, de/scores/enrichment tables are byte-identical to a direct `npxkit run` with
#      the same options, and a second invocation has nothing to do; then again with
#      `de_shards: 4` (de_shard x 4 scatter jobs, de_merge gather): de.tsv byte-identical too;
#   b. CWL (workflows/cwl) under cwltool: every tool validates, workflow.cwl runs on the
#      same study and its tables equal the direct run's;
#   c. Nextflow (workflows/nextflow): each module's script: and stub: commands, run with
#      bash (Nextflow itself cannot be installed here; workflows/tests/nf_modules.py).
# Snakemake and cwltool are installed from PyPI into target/workflow-venv (once; reused
# while the pinned versions match). When PyPI cannot be reached, a and b are skipped with
# the reason printed.
#
# Environment: NPXKIT (npxkit binary, default target/debug/npxkit), KEEP_TMP=1 (keep the
# temporary folder), WORKFLOW_VENV (default target/workflow-venv).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

SNAKEMAKE_VERSION=9.27.1
CWLTOOL_VERSION=3.3.20260925135507
NETWORKX_VERSION=3.4.2   # reads network.graphml back (issue #7: a real GraphML reader)

NPXKIT=${NPXKIT:-target/debug/npxkit}
case $NPXKIT in /*) ;; *) NPXKIT=$ROOT/$NPXKIT ;; esac
VENV=${WORKFLOW_VENV:-target/workflow-venv}
case $VENV in /*) ;; *) VENV=$ROOT/$VENV ;; esac
STUDY=$ROOT/test-data/sim-small
CONTRAST=C2D1-C1D1
SECOND=C1D1-C2D1   # the same comparison reversed: a second branch of the fan-out

start=$(date +%s)
passed=0 failed=0 skipped=0
declare -a summary=()
pass() { passed=$((passed + 1)); summary+=("PASS $1"); echo "PASS $1"; }
fail() { failed=$((failed + 1)); summary+=("FAIL $1"); echo "FAIL $1" >&2; }
skip() { skipped=$((skipped + 1)); summary+=("SKIP $1"); echo "SKIP $1"; }

finish() {
    echo
    echo "== workflow tests ($(($(date +%s) - start)) s) =="
    printf '  %s\n' "${summary[@]}"
    echo "workflows: $passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
}

if [ ! -x "$NPXKIT" ]; then
    echo "workflow tests: no npxkit binary at $NPXKIT (cargo build -p npxkit-cli, or set NPXKIT)" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/npxkit-workflows.XXXXXX")
if [ "${KEEP_TMP:-0}" = 1 ]; then
    echo "temporary files kept in $TMP"
else
    trap 'rm -rf "$TMP"' EXIT
fi

# A private copy of the binary on PATH (as `npxkit`), so that a rebuild during the tests
# cannot mix two versions, and so that CWL and the Nextflow modules find it by name.
mkdir -p "$TMP/bin"
cp "$NPXKIT" "$TMP/bin/npxkit"
BIN=$TMP/bin/npxkit
export PATH="$TMP/bin:$PATH"
echo "npxkit: $BIN ($("$BIN" --version), copied from $NPXKIT)"

has() { "$BIN" "$1" --help >/dev/null 2>&1; }
# Every step's subcommand must exist (HAS_* stay for older binaries passed as NPXKIT).
HAS_CLUSTER=false HAS_REPORT=false
has cluster && HAS_CLUSTER=true
has report && HAS_REPORT=true
$HAS_CLUSTER || fail "npxkit has no \`cluster\` subcommand"
$HAS_REPORT || fail "npxkit has no \`report\` subcommand"

# Compare a workflow output with the direct run's file of the same name.
same() { # label produced reference
    if [ ! -f "$2" ]; then fail "$1: $2 missing"; return 1; fi
    if [ ! -f "$3" ]; then fail "$1: reference $3 missing"; return 1; fi
    if cmp -s "$2" "$3"; then return 0; fi
    fail "$1: $(basename "$2") differs from the direct run ($2 vs $3)"
    return 1
}
exists() { # label file...
    local label=$1 missing=()
    shift
    for f in "$@"; do [ -e "$f" ] || missing+=("$f"); done
    if [ ${#missing[@]} -gt 0 ]; then
        fail "$label: missing ${missing[*]}"
        return 1
    fi
}

# --------------------------------------------------------------------- the direct run
# The options the workflows are given below, in `npxkit run`'s terms.
RUN_OPTS=(--set de.trend=true --set cluster.fdr=1 --set cluster.top=40)
"$BIN" -q run --npx "$STUDY/npx.parquet" --samples "$STUDY/samples.tsv" "${RUN_OPTS[@]}" \
    --out "$TMP/direct" >"$TMP/direct.log" 2>&1 || {
    cat "$TMP/direct.log" >&2
    fail "direct npxkit run"
    finish
    exit 1
}
# The second branch, directly (npxkit run does the first contrast's enrichment only).
"$BIN" -q de --npx "$STUDY/npx.parquet" --samples "$STUDY/samples.tsv" --group timepoint \
    --pair subject --contrast "$SECOND" --trend --out "$TMP/direct-second" >/dev/null
# cluster on the direct run's enrichment, for the byte comparison of the cluster step.
if $HAS_CLUSTER; then
    "$BIN" -q cluster --enrichment "$TMP/direct/enrichment.tsv" --genesets go-bp --fdr 1 --top 40 \
        --out "$TMP/direct-cluster" >/dev/null
fi

# --------------------------------------------------------------------- venv (PyPI)
VENV_OK=false
venv_reason=""
stamp="$VENV/.npxkit-workflow-venv snakemake==$SNAKEMAKE_VERSION cwltool==$CWLTOOL_VERSION networkx==$NETWORKX_VERSION"
if [ -f "$stamp" ] && [ -x "$VENV/bin/snakemake" ] && [ -x "$VENV/bin/cwltool" ]; then
    VENV_OK=true
elif ! python3 -m venv --help >/dev/null 2>&1; then
    venv_reason="python3 with the venv module is not available"
else
    echo "installing snakemake==$SNAKEMAKE_VERSION and cwltool==$CWLTOOL_VERSION into $VENV (once)"
    t0=$(date +%s)
    rm -rf "$VENV"
    if python3 -m venv "$VENV" >"$TMP/venv.log" 2>&1 &&
        "$VENV/bin/pip" install --disable-pip-version-check -q \
            "snakemake==$SNAKEMAKE_VERSION" "cwltool==$CWLTOOL_VERSION" \
            "networkx==$NETWORKX_VERSION" >>"$TMP/venv.log" 2>&1; then
        touch "$stamp"
        VENV_OK=true
        echo "installed in $(($(date +%s) - t0)) s"
    elif "$VENV/bin/pip" download --disable-pip-version-check -q --no-deps \
        -d "$TMP/probe" "snakemake==$SNAKEMAKE_VERSION" >/dev/null 2>&1; then
        # PyPI answers, yet the install failed: that is a failure, not a skip.
        tail -20 "$TMP/venv.log" >&2
        fail "pip install snakemake==$SNAKEMAKE_VERSION cwltool==$CWLTOOL_VERSION"
        rm -rf "$VENV"
    else
        venv_reason="pip cannot reach PyPI ($(tail -1 "$TMP/venv.log" | cut -c1-160))"
        rm -rf "$VENV"
    fi
fi
if ! $VENV_OK && [ -n "$venv_reason" ]; then
    echo "skipping workflow tests: $venv_reason (Snakemake and CWL; the Nextflow module commands still run)"
fi

# --------------------------------------------------------------------- a. Snakemake
snakemake_test() {
    local sm=$TMP/snakemake out=$TMP/snakemake/out
    mkdir -p "$sm"
    cat >"$sm/test.yaml" <<EOF
npx: $STUDY/npx.parquet
samples: $STUDY/samples.tsv
out: $out
npxkit: $BIN
contrasts: [$CONTRAST, $SECOND]
de: {trend: true}
cluster: {enabled: $HAS_CLUSTER, fdr: 1, top: 40}
report: {enabled: $HAS_REPORT}
EOF
    local args=(-s "$ROOT/workflows/snakemake/Snakefile"
        --configfile "$ROOT/workflows/snakemake/config.yaml" "$sm/test.yaml"
        --directory "$sm" --cores 2)
    if ! "$VENV/bin/snakemake" "${args[@]}" >"$sm/run1.log" 2>&1; then
        tail -40 "$sm/run1.log" >&2
        fail "snakemake: run failed (log: $sm/run1.log)"
        return 0
    fi
    local expected=("$out"/qc/{qc.tsv,assay_qc.tsv,pca.tsv,pca_variance.tsv,run.json}
        "$out"/score/{scores.tsv,genesets.tsv,score_tests.tsv,run.json}
        "$out"/logs/{qc.log,score.log})
    local c
    for c in "$CONTRAST" "$SECOND"; do
        expected+=("$out/de/$c/de.tsv" "$out/de/$c/run.json" "$out/enrich/$c/enrichment.tsv"
            "$out/enrich/$c/run.json" "$out/logs/de/$c.log" "$out/logs/enrich/$c.log")
        $HAS_CLUSTER && expected+=("$out"/cluster/$c/{clusters.tsv,cluster_words.tsv,network.json,network.graphml,run.json})
        $HAS_REPORT && expected+=("$out/report/$c/report.html" "$out/report/$c/figures")
    done
    exists "snakemake: outputs" "${expected[@]}" || return 0
    pass "snakemake: run with --cores 2 wrote every output (2 contrasts)"

    local ok=true f
    for f in qc/qc.tsv qc/assay_qc.tsv qc/pca.tsv score/scores.tsv score/score_tests.tsv \
        de/$CONTRAST/de.tsv enrich/$CONTRAST/enrichment.tsv; do
        same "snakemake" "$out/$f" "$TMP/direct/$(basename "$f")" || ok=false
    done
    same "snakemake" "$out/de/$SECOND/de.tsv" "$TMP/direct-second/de.tsv" || ok=false
    if $HAS_CLUSTER; then
        same "snakemake" "$out/cluster/$CONTRAST/clusters.tsv" "$TMP/direct-cluster/clusters.tsv" || ok=false
        if [ -f "$TMP/direct/clusters.tsv" ]; then
            same "snakemake" "$out/cluster/$CONTRAST/clusters.tsv" "$TMP/direct/clusters.tsv" || ok=false
        fi
    fi
    local what="qc, de (both contrasts), scores, enrichment"
    $HAS_CLUSTER && what+=", clusters"
    if $ok; then pass "snakemake: $what byte-identical to direct npxkit"; fi

    # A second invocation has nothing to do: the dry run says so, and a real run rewrites nothing.
    local before after
    before=$(find "$out" -type f -printf '%p %T@\n' | sort)
    "$VENV/bin/snakemake" "${args[@]}" --dry-run >"$sm/dry.log" 2>&1 || true
    "$VENV/bin/snakemake" "${args[@]}" >"$sm/run2.log" 2>&1 || true
    after=$(find "$out" -type f -printf '%p %T@\n' | sort)
    if grep -q "Nothing to be done" "$sm/dry.log" && grep -q "Nothing to be done" "$sm/run2.log" &&
        [ "$before" = "$after" ]; then
        pass "snakemake: second invocation has nothing to do"
    else
        tail -20 "$sm/dry.log" >&2
        fail "snakemake: second invocation is not a no-op (logs: $sm/dry.log, $sm/run2.log)"
    fi
}

# de_shards: 4: de becomes 4 de_shard jobs and one de_merge job; its de.tsv must equal the
# direct (unsharded) run's byte for byte. One contrast, de only (score/enrich/report off).
snakemake_shards_test() {
    local sm=$TMP/snakemake-shards out=$TMP/snakemake-shards/out n=4 k
    mkdir -p "$sm"
    cat >"$sm/test.yaml" <<EOF
npx: $STUDY/npx.parquet
samples: $STUDY/samples.tsv
out: $out
npxkit: $BIN
contrasts: [$CONTRAST]
de: {trend: true}
de_shards: $n
score: {enabled: false}
enrich: {enabled: false}
report: {enabled: false}
EOF
    local args=(-s "$ROOT/workflows/snakemake/Snakefile"
        --configfile "$ROOT/workflows/snakemake/config.yaml" "$sm/test.yaml"
        --directory "$sm" --cores 2)
    if ! "$VENV/bin/snakemake" "${args[@]}" >"$sm/run1.log" 2>&1; then
        tail -40 "$sm/run1.log" >&2
        fail "snakemake (de_shards: $n): run failed (log: $sm/run1.log)"
        return 0
    fi
    local expected=("$out/de/$CONTRAST/de.tsv" "$out/de/$CONTRAST/run.json" "$out/logs/de/$CONTRAST.log")
    for k in $(seq 1 $n); do
        expected+=("$out/de/$CONTRAST/shards/$k/de.partial.tsv" "$out/de/$CONTRAST/shards/$k/run.json"
            "$out/logs/de/$CONTRAST/shard-$k.log")
    done
    exists "snakemake (de_shards: $n): outputs" "${expected[@]}" || return 0
    # The jobs Snakemake ran: n scatter jobs, one gather, no unsharded de.
    local shard_jobs merge_jobs de_jobs
    shard_jobs=$(grep -cE '^(local)?rule de_shard:' "$sm/run1.log" || true)
    merge_jobs=$(grep -cE '^(local)?rule de_merge:' "$sm/run1.log" || true)
    de_jobs=$(grep -cE '^(local)?rule de:' "$sm/run1.log" || true)
    if [ "$shard_jobs" -ne $n ] || [ "$merge_jobs" -ne 1 ] || [ "$de_jobs" -ne 0 ]; then
        fail "snakemake (de_shards: $n): ran $shard_jobs de_shard, $merge_jobs de_merge, $de_jobs de jobs (expected $n, 1, 0; log: $sm/run1.log)"
        return 0
    fi
    same "snakemake (de_shards: $n)" "$out/de/$CONTRAST/de.tsv" "$TMP/direct/de.tsv" || return 0
    pass "snakemake: de_shards: $n ($n de_shard jobs + de_merge) de.tsv byte-identical to direct npxkit"
}

# --------------------------------------------------------------------- b. CWL
# network.graphml read back by networkx: same nodes, edges and attributes as network.json.
graphml_test() {
    local dir=$TMP/direct
    if "$VENV/bin/python" - "$dir/network.graphml" "$dir/network.json" >"$TMP/graphml.log" 2>&1 <<'PY'
import json, sys
import networkx as nx
g = nx.read_graphml(sys.argv[1])
net = json.load(open(sys.argv[2]))
assert g.number_of_nodes() == len(net["nodes"]), (g.number_of_nodes(), len(net["nodes"]))
assert g.number_of_edges() == len(net["edges"]), (g.number_of_edges(), len(net["edges"]))
names = sorted(d.get("name") for _, d in g.nodes(data=True))
assert names == sorted(n["name"] for n in net["nodes"]), "node names"
weights = sorted(round(d["weight"], 12) for _, _, d in g.edges(data=True))
assert weights == sorted(round(e["weight"], 12) for e in net["edges"]), "edge weights"
clustered = [d for _, d in g.nodes(data=True) if "cluster" in d]
assert all(isinstance(d["cluster"], int) for d in clustered), "typed cluster attribute"
print(f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges, {len(clustered)} clustered")
PY
    then
        pass "graphml: networkx $NETWORKX_VERSION reads network.graphml ($(tail -1 "$TMP/graphml.log"))"
    else
        cat "$TMP/graphml.log" >&2
        fail "graphml: networkx could not read network.graphml as network.json describes it"
    fi
}

cwl_test() {
    local cwl=$TMP/cwl f ok=true
    mkdir -p "$cwl"
    for f in "$ROOT"/workflows/cwl/*.cwl; do
        if ! "$VENV/bin/cwltool" --validate "$f" >"$cwl/validate.log" 2>&1; then
            tail -20 "$cwl/validate.log" >&2
            fail "cwl: $(basename "$f") does not validate"
            ok=false
        fi
    done
    if $ok; then pass "cwl: every tool and workflow.cwl validate (cwltool $CWLTOOL_VERSION)"; fi

    local runner=("$VENV/bin/cwltool" --no-container --disable-color
        --tmpdir-prefix "$cwl/tmp/" --tmp-outdir-prefix "$cwl/tmpout/")
    if $HAS_CLUSTER && $HAS_REPORT; then
        cat >"$cwl/job.yml" <<EOF
npx: {class: File, path: $STUDY/npx.parquet}
samples: {class: File, path: $STUDY/samples.tsv}
contrasts: [$CONTRAST]
EOF
        if ! "${runner[@]}" --outdir "$cwl/out" "$ROOT/workflows/cwl/workflow.cwl" "$cwl/job.yml" \
            >"$cwl/out.json" 2>"$cwl/workflow.log"; then
            tail -40 "$cwl/workflow.log" >&2
            fail "cwl: workflow.cwl failed (log: $cwl/workflow.log)"
            return 0
        fi
        exists "cwl: workflow outputs" "$cwl"/out/{qc.tsv,assay_qc.tsv,pca.tsv,scores.tsv,score_tests.tsv,de.tsv,enrichment.tsv,clusters.tsv} \
            "$cwl/out/$CONTRAST/report.html" || return 0
        pass "cwl: workflow.cwl ran under cwltool and wrote every output"
        # workflow.cwl runs de without --trend: compare with a direct de/enrich of its own.
        "$BIN" -q de --npx "$STUDY/npx.parquet" --samples "$STUDY/samples.tsv" --group timepoint \
            --pair subject --contrast "$CONTRAST" --out "$cwl/direct-de" >/dev/null
        "$BIN" -q enrich --de "$cwl/direct-de/de.tsv" --out "$cwl/direct-enrich" >/dev/null
        ok=true
        same "cwl" "$cwl/out/de.tsv" "$cwl/direct-de/de.tsv" || ok=false
        same "cwl" "$cwl/out/enrichment.tsv" "$cwl/direct-enrich/enrichment.tsv" || ok=false
        same "cwl" "$cwl/out/scores.tsv" "$TMP/direct/scores.tsv" || ok=false
        same "cwl" "$cwl/out/qc.tsv" "$TMP/direct/qc.tsv" || ok=false
        if $ok; then pass "cwl: qc, de, scores and enrichment byte-identical to direct npxkit"; fi
    else
        skip "cwl: workflow.cwl not run: npxkit lacks $($HAS_CLUSTER || echo cluster)$($HAS_CLUSTER || $HAS_REPORT || echo ' and ')$($HAS_REPORT || echo report); running its tools one by one"
        cat >"$cwl/de.yml" <<EOF
npx: {class: File, path: $STUDY/npx.parquet}
samples: {class: File, path: $STUDY/samples.tsv}
pair: subject
contrast: [$CONTRAST]
trend: true
EOF
        if "${runner[@]}" --outdir "$cwl/de" "$ROOT/workflows/cwl/de.cwl" "$cwl/de.yml" \
            >/dev/null 2>"$cwl/de.log" &&
            printf 'de: {class: File, path: %s}\n' "$cwl/de/de.tsv" >"$cwl/enrich.yml" &&
            "${runner[@]}" --outdir "$cwl/enrich" "$ROOT/workflows/cwl/enrich.cwl" "$cwl/enrich.yml" \
                >/dev/null 2>"$cwl/enrich.log"; then
            ok=true
            same "cwl" "$cwl/de/de.tsv" "$TMP/direct/de.tsv" || ok=false
            same "cwl" "$cwl/enrich/enrichment.tsv" "$TMP/direct/enrichment.tsv" || ok=false
            if $ok; then pass "cwl: de.cwl and enrich.cwl under cwltool byte-identical to direct npxkit"; fi
        else
            tail -30 "$cwl"/de.log "$cwl"/enrich.log >&2 || true
            fail "cwl: de.cwl / enrich.cwl failed (logs in $cwl)"
        fi
        if $HAS_CLUSTER; then
            printf 'enrichment: {class: File, path: %s}\ngenesets: go-bp\nfdr: 1\ntop: 40\n' \
                "$TMP/direct/enrichment.tsv" >"$cwl/cluster.yml"
            if "${runner[@]}" --outdir "$cwl/cluster" "$ROOT/workflows/cwl/cluster.cwl" "$cwl/cluster.yml" \
                >/dev/null 2>"$cwl/cluster.log" &&
                same "cwl" "$cwl/cluster/clusters.tsv" "$TMP/direct-cluster/clusters.tsv"; then
                pass "cwl: cluster.cwl under cwltool byte-identical to direct npxkit"
            else
                tail -30 "$cwl/cluster.log" >&2
                fail "cwl: cluster.cwl (log: $cwl/cluster.log)"
            fi
        fi
    fi
}

if $VENV_OK; then
    echo "snakemake $("$VENV/bin/snakemake" --version), cwltool $CWLTOOL_VERSION"
    snakemake_test
    snakemake_shards_test
    cwl_test
    graphml_test
elif [ -n "$venv_reason" ]; then
    skip "snakemake and cwl: $venv_reason"
fi

# --------------------------------------------------------------------- c. Nextflow modules
if python3 "$ROOT/workflows/tests/nf_modules.py" --npxkit "$BIN" --npx "$STUDY/npx.parquet" \
    --samples "$STUDY/samples.tsv" --workdir "$TMP/nextflow" >"$TMP/nextflow.log" 2>&1; then
    nf_ok=true
else
    nf_ok=false
fi
while IFS= read -r line; do
    case $line in
        "PASS "*) pass "${line#PASS }" ;;
        "FAIL "*) fail "${line#FAIL }" ;;
        "SKIP "*) skip "${line#SKIP }" ;;
        *) echo "$line" ;;
    esac
done <"$TMP/nextflow.log"
if ! $nf_ok && ! grep -q '^FAIL ' "$TMP/nextflow.log"; then
    fail "nextflow: module runner crashed (see above)"
fi

finish
