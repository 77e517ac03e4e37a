# Sourced by results/hunt/batch-paper.sh and batch-inside.sh: the one
# runner of a long hunt batch.
#
#   run_batch NAME FLAGS HEADER CMD...
#
# builds cmd/hunt, runs "hunt FLAGS CMD -out OUT -log …" for each CMD in
# order and writes OUT/NAME.txt (HEADER, each command, its tally, replay
# and "# machine: …; wall …" lines, start and finish times) and the
# JSON-lines run log OUT/NAME.jsonl (report.HuntRecord, one record per
# command). Both are written as OUT/.NAME.*.partial while running and
# renamed at the end, so a killed batch leaves the committed logs as they
# were; counterexample files and SUMMARY.txt go to OUT as each command
# writes them. OUT is $out (default results/hunt); progress on stderr.
run_batch() {
  local name=$1 flags=$2 header=$3
  shift 3
  out=${out:-results/hunt}
  mkdir -p "$out"
  local bin="$out/.$name.bin" part="$out/.$name.txt.partial" jpart="$out/.$name.jsonl.partial"
  go build -o "$bin" ./cmd/hunt
  : > "$jpart"
  local one
  one=$(mktemp "$out/.$name.cmd.XXXXXX")
  trap 'rm -f "'"$bin"'" "'"$one"'"' EXIT
  { printf '%s\n' "$header"; echo "# started $(date -u +%Y-%m-%dT%H:%M:%SZ)"; } > "$part"
  local c rc args
  for c in "$@"; do
    echo "\$ go run ./cmd/hunt ${flags:+$flags }$c" >> "$part"
    read -r -a args <<< "$flags $c"
    echo "$name: $(date -u +%H:%M:%S) $flags $c" >&2
    rc=0
    "$bin" "${args[@]}" -out "$out" -log "$jpart" > "$one" || rc=$?
    sed "s#$out/#results/hunt/#g" "$one" >> "$part"
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then # 1: a counterexample was recorded, a result
      echo "# error: hunt exited with status $rc (its message is on stderr)" >> "$part"
    fi
  done
  echo "# finished $(date -u +%Y-%m-%dT%H:%M:%SZ), batch wall ${SECONDS}s" >> "$part"
  mv "$part" "$out/$name.txt"
  sed "s#$out/#results/hunt/#g" "$jpart" > "$jpart.tmp" && mv "$jpart.tmp" "$out/$name.jsonl" && rm -f "$jpart"
}
