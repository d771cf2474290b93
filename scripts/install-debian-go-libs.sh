#!/bin/sh
# Installs the Debian Go library packages the committed graph was collected from (test/fixtures/graph/debian-packages.tsv),
# so scripts/collect-debian-graph.ts can be re-run. Debian 12 (bookworm); run as root after `apt-get update`.
# Batches of 100; a failing batch is retried package by package and failures are listed; nothing is ever removed
# (--no-remove), so conflicting packages (e.g. golang-github-golang-protobuf-1-3-dev vs -1-5-dev) simply fail.
#   sh scripts/install-debian-go-libs.sh [list.tsv]
set -u
list=${1:-test/fixtures/graph/debian-packages.tsv}
pkgs=$(grep -v '^#' "$list" | awk -F'\t' '$1 != "package" { print $1 }')
failed=""
batch=""
n=0
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --no-remove "$@" >/dev/null 2>&1; }
flush() {
  [ -z "$batch" ] && return
  # shellcheck disable=SC2086
  if ! install $batch; then
    for p in $batch; do install "$p" || failed="$failed $p"; done
  fi
  batch=""
  n=0
}
for p in $pkgs; do
  batch="$batch $p"
  n=$((n + 1))
  [ "$n" -ge 100 ] && flush
done
flush
if [ -n "$failed" ]; then echo "not installed:$failed"; fi
