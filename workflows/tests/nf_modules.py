#!/usr/bin/env python3
"""Run the nf-core-style Nextflow modules of workflows/nextflow/modules/npxkit/ without Nextflow.

Nextflow cannot be installed here, so this takes each module's `script:` and `stub:`
blocks (the triple-quoted strings), substitutes the few Groovy variables they use
($npx, ${prefix}, $task.cpus, ${meta.contrast}, $args, ...) with test values, unescapes
them as Groovy would (\\$ -> $, \\\\ -> \\, then strips the common indent as Nextflow does),
and runs them with bash in a fresh work directory whose inputs are staged as Nextflow
would stage them. It then checks that every file the module emits (its `output:` paths)
exists, and that versions.yml names the process and npxkit's version.

Usage: nf_modules.py --npxkit BIN --npx FILE --samples FILE --workdir DIR
Prints one PASS/FAIL/SKIP line per module and mode; exit status 1 when any failed.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import textwrap

MODULES_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "nextflow", "modules", "npxkit"
)

# Test values of ext.args, as nextflow.config sets them for the test study.
CONTRAST = "C2D1-C1D1"
EXT_ARGS = {
    "qc": "--group timepoint --pair subject",
    "de": "--group timepoint --pair subject",
    "score": f"--group timepoint --pair subject --contrast {CONTRAST} --genesets bindea2013 --method gsva",
    "enrich": "--genesets go-bp",
    "cluster": "--genesets go-bp",
    "report": "",
}
ORDER = ["qc", "score", "de", "enrich", "cluster", "report"]


def block(text, label):
    """The triple-quoted string that follows `label:` (script: or stub:) in a process."""
    m = re.search(r"^\s*" + label + r":\s*$(.*?)\"\"\"(.*?)\"\"\"", text, re.S | re.M)
    if not m:
        raise ValueError(f"no {label}: block with a triple-quoted string")
    return m.group(2)


def render(template, values):
    """Groovy GString interpolation and escapes, then Nextflow's stripIndent."""

    def sub(m):
        tok = m.group(0)
        if tok == "\\\\":
            return "\\"
        if tok == "\\$":
            return "$"
        name = m.group(1) or m.group(2)
        name = name.strip()
        if name not in values:
            raise KeyError(f"no test value for Groovy variable '{name}'")
        return str(values[name])

    out = re.sub(
        r"\\\\|\\\$|\$\{([^}]*)\}|\$([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)", sub, template
    )
    return textwrap.dedent(out).strip("\n") + "\n"


def emitted_paths(text, values):
    """The paths of the module's output: section, rendered, with optional ones marked."""
    out_sec = re.search(r"^\s*output:\s*$(.*?)^\s*when:", text, re.S | re.M).group(1)
    paths = []
    for line in out_sec.splitlines():
        m = re.search(r"path\(?\s*\"([^\"]+)\"", line)
        if not m:
            continue
        pattern = re.sub(r"\$\{([^}]*)\}", lambda g: str(values[g.group(1).strip()]), m.group(1))
        paths.append((pattern, "optional: true" in line))
    return paths


def expand_braces(pattern):
    m = re.search(r"\{([^{}]*)\}", pattern)
    if not m:
        return [pattern]
    return [
        p
        for alt in m.group(1).split(",")
        for p in expand_braces(pattern[: m.start()] + alt + pattern[m.end():])
    ]


def has_subcommand(npxkit, name):
    return subprocess.run(
        [npxkit, name, "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).returncode == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--npxkit", required=True)
    ap.add_argument("--npx", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()

    npxkit = os.path.abspath(a.npxkit)
    version = subprocess.run([npxkit, "--version"], capture_output=True, text=True, check=True)
    version = version.stdout.strip().split()[-1]

    # npxkit on PATH, as in a container or an environment module.
    bindir = os.path.join(a.workdir, "bin")
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, "npxkit")
    if not os.path.lexists(link):
        os.symlink(npxkit, link)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])

    produced = {}  # files of the script runs, for the next modules' inputs
    failed = 0
    for mode in ("script", "stub"):
        for step in ORDER:
            process = f"NPXKIT_{step.upper()}"
            label = f"nextflow {process} {mode}"
            text = open(os.path.join(MODULES_DIR, step, "main.nf")).read()
            lacking = [r for r in (f"process {process}", 'tag "$meta.id"', "label 'process_",
                                   "tuple val(meta), path(", 'path "versions.yml"', "stub:")
                       if r not in text]
            if lacking:
                print(f"FAIL {label}: module lacks " + ", ".join(f"`{r}`" for r in lacking))
                failed += 1
                continue
            if mode == "script" and not has_subcommand(npxkit, step):
                print(f"SKIP {label}: this npxkit has no `{step}` subcommand yet")
                continue

            work = os.path.join(a.workdir, f"{mode}-{step}")
            shutil.rmtree(work, ignore_errors=True)
            os.makedirs(work)
            meta_id = "study" if step in ("qc", "score") else CONTRAST
            values = {
                "meta.id": meta_id,
                "meta.contrast": CONTRAST,
                "prefix": meta_id,
                "task.cpus": 2,
                "task.process": process,
                "args": EXT_ARGS[step],
            }

            # Stage the inputs under the names Nextflow would give them.
            def stage(src, name):
                dst = os.path.join(work, name)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                os.symlink(os.path.abspath(src), dst)
                return name

            try:
                if step in ("qc", "de", "score"):
                    values["npx"] = stage(a.npx, os.path.basename(a.npx))
                    values["samples"] = stage(a.samples, os.path.basename(a.samples))
                elif step == "enrich":
                    src = produced.get("de.tsv") if mode == "script" else None
                    values["de"] = stage(src, "de.tsv") if src else open_empty(work, "de.tsv")
                elif step == "cluster":
                    src = produced.get("enrichment.tsv") if mode == "script" else None
                    values["enrichment"] = (
                        stage(src, "enrichment.tsv") if src else open_empty(work, "enrichment.tsv")
                    )
                elif step == "report":
                    if mode == "script":
                        for name, src in produced.items():
                            if name.endswith(".tsv") or name == "network.json":
                                stage(src, os.path.join("input", name))
                    values["tables"] = "input/*"

                cmd = render(block(text, mode), values)
            except (KeyError, ValueError) as e:
                print(f"FAIL {label}: {e}")
                failed += 1
                continue

            with open(os.path.join(work, ".command.sh"), "w") as f:
                f.write("#!/bin/bash -euo pipefail\n" + cmd)
            r = subprocess.run(
                ["bash", "-euo", "pipefail", ".command.sh"],
                cwd=work, env=env, capture_output=True, text=True,
            )
            with open(os.path.join(work, ".command.log"), "w") as f:
                f.write(r.stdout + r.stderr)
            if r.returncode != 0:
                print(f"FAIL {label}: exit status {r.returncode}; see {work}/.command.log")
                print(textwrap.indent((r.stdout + r.stderr)[-2000:], "    "))
                failed += 1
                continue

            missing = []
            for pattern, optional in emitted_paths(text, values):
                hits = [h for p in expand_braces(pattern) for h in glob.glob(os.path.join(work, p))]
                if not hits and not optional:
                    missing.append(pattern)
                if mode == "script":
                    for h in hits:
                        if os.path.isfile(h) and os.path.basename(h) not in ("versions.yml", "run.json"):
                            produced[os.path.basename(h)] = h
            versions = open(os.path.join(work, "versions.yml")).read() if os.path.exists(
                os.path.join(work, "versions.yml")) else ""
            expected = f'"{process}":\n    npxkit: {version}\n'
            problems = []
            if missing:
                problems.append("missing emitted file(s): " + ", ".join(missing))
            if versions != expected:
                problems.append(f"versions.yml is {versions!r}, expected {expected!r}")
            if problems:
                print(f"FAIL {label}: " + "; ".join(problems))
                failed += 1
            else:
                print(f"PASS {label}")
    return 1 if failed else 0


def open_empty(work, name):
    """Stubs do not read their inputs: an empty placeholder is enough."""
    open(os.path.join(work, name), "w").close()
    return name


if __name__ == "__main__":
    sys.exit(main())
