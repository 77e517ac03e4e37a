#!/usr/bin/env bash
# Runs the paper-scale hunt batch whose output is results/hunt/hunt-paper.txt:
#   bash results/hunt/batch-paper.sh [OUT]      (OUT defaults to results/hunt; make hunt-paper)
# Scale paper: d=1024, M=16, d_h=d_v=512 (the paper's heatmap size, theorems.Paper), where one
# check of Thm 4.2(i)/(ii) or P7 trains adversarially for minutes (an AT step ~0.13 s at N=20).
# Took 52 min on 2 shared cores (2026-12-01; the log records each wall time): no check or shrink candidate starts after a command's -time, and each
# is abandoned at -check-time and tallied "timed out" (never a hold or a fail). Worst case ~2¼ h
# (each command's -time plus one -check-time: a failure is shrunk until -time and the candidate
# under way may run its full -check-time). Thm 4.2(i) checks may overrun -check-time by one robust
# evaluation + certification, which take no deadline (measured at paper scale on a loaded
# 2-core AMD EPYC: ~66 s + ~10 s); Thm 4.2(ii) and P7 only train and stop within one update.
# Each command's tally, replay and "# machine: …; wall …" lines go to OUT/hunt-paper.txt
# (written as OUT/.hunt-paper.txt.partial while running); counterexample files
# (<statement>-<point>-paper.json) and SUMMARY.txt to OUT; progress and ETA on stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-results/hunt}
mkdir -p "$out"
cmds=(
  "-statement Thm4.2(i) -checks 3 -check-time 8m -time 20m -max-fail 1"
  "-statement Thm4.2(ii) -checks 2 -check-time 10m -time 20m -max-fail 1"
  "-statement P7 -checks 1 -check-time 25m -time 26m -max-fail 1"
)
bin="$out/.hunt-paper.bin"
go build -o "$bin" ./cmd/hunt
part="$out/.hunt-paper.txt.partial"
jpart="$out/.hunt-paper.jsonl.partial" # the JSON-lines run log (report.HuntRecord), one record per command
: > "$jpart"
one=$(mktemp "$out/.hunt-paper.cmd.XXXXXX")
trap 'rm -f "$bin" "$one"' EXIT
{
  echo "# cmd/hunt batch at scale paper (d=1024, M=16, d_h=d_v=512, 100 test points, 400-step mechanism runs)."
  echo "# Each command, then its tally (holds / undecided / timed out = abandoned at -check-time / n/a = outside"
  echo "# the hypotheses / fail), the replay commands of its shrunk counterexamples, and the machine and wall time."
  echo "# An \"outside the hypotheses:\" line after a tally: the checks whose points violate a hypothesis of the"
  echo "# statement (its scope; at η = 0.1 THEORY's step-size limit): findings about practice, not refutations."
  echo "# ~1 h on 2 cores. Regenerate: bash results/hunt/batch-paper.sh (make hunt-paper)"
  echo "# started $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$part"
for c in "${cmds[@]}"; do
  echo "\$ go run ./cmd/hunt -scale paper $c" >> "$part"
  read -r -a args <<< "$c"
  echo "hunt-paper: $(date -u +%H:%M:%S) -scale paper $c" >&2
  rc=0
  "$bin" -scale paper "${args[@]}" -out "$out" -log "$jpart" > "$one" || rc=$?
  sed "s#$out/#results/hunt/#g" "$one" >> "$part"
  if [ "$rc" -ne 0 ]; then
    echo "# error: hunt exited with status $rc (its message is on stderr)" >> "$part"
  fi
done
echo "# finished $(date -u +%Y-%m-%dT%H:%M:%SZ), batch wall ${SECONDS}s" >> "$part"
mv "$part" "$out/hunt-paper.txt"
sed "s#$out/#results/hunt/#g" "$jpart" > "$jpart.tmp" && mv "$jpart.tmp" "$out/hunt-paper.jsonl" && rm -f "$jpart"
