#!/usr/bin/env bash
# Generates a man page (PAGE.1, and PAGE.1.gz to install) from the built binary's --help with help2man, so the page can never fall
# out of step with the command line; the sections --help does not hold (exit status, examples,
# see also) come from NAME.h2m beside this script.
#
#   make-man.sh REGSWEEP OUT_DIR PAGE [SUBCOMMAND]   e.g.  make-man.sh build/regsweep man regsweep-gc gc
set -euo pipefail
regsweep=$1 out=$2 page=$3 sub=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
help_option="--help"
[ -n "$sub" ] && help_option="$sub --help"
mkdir -p "$out"
description=$(sed -n 's/^# name: //p' "$here/$page.h2m")
# "regsweep 0.2.0" in the footer; the commit stays in `regsweep --version`.
version=$("$regsweep" --version | cut -d' ' -f1-2)
help2man --no-info --no-discard-stderr --section=1 --help-option="$help_option" \
  --version-string="$version" --name="$description" --include="$here/$page.h2m" \
  "$regsweep" >"$out/$page.1.tmp"
# The title and NAME of a subcommand's page are the page's own (regsweep-gc, not regsweep).
upper=$(printf '%s' "$page" | tr '[:lower:]' '[:upper:]')
sed -e "s/^\.TH REGSWEEP /.TH $upper /" -e "s/^regsweep \\\\- /$page \\\\- /" \
  "$out/$page.1.tmp" >"$out/$page.1"
rm "$out/$page.1.tmp"
gzip -9n -c "$out/$page.1" >"$out/$page.1.gz"  # as installed
