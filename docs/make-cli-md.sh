#!/usr/bin/env bash
# Regenerates docs/cli.md from the binary's own --help (the single source of the help text).
# Usage: docs/make-cli-md.sh path/to/npxkit > docs/cli.md   (make docs does this)
set -euo pipefail
bin=${1:-target/debug/npxkit}
echo "# npxkit command-line reference"
echo
echo "Generated from \`npxkit --help\` by \`make docs\`; a test fails when it is out of date."
for sub in "" $("$bin" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f && /^  [a-z]/ && $1 != "help" {print $1}'); do
  echo
  if [ -z "$sub" ]; then echo "## npxkit"; else echo "## npxkit $sub"; fi
  echo
  echo '```text'
  if [ -z "$sub" ]; then "$bin" --help; else "$bin" "$sub" --help; fi
  echo '```'
done
