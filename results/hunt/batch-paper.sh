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
# Each command's tally, replay and "# machine: …; wall …" lines go to OUT/hunt-paper.txt (batch-lib.sh)
# (written as OUT/.hunt-paper.txt.partial while running); counterexample files
# (<statement>-<point>-paper.json) and SUMMARY.txt to OUT; progress and ETA on stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-results/hunt}
cmds=(
  "-statement Thm4.2(i) -checks 3 -check-time 8m -time 20m -max-fail 1"
  "-statement Thm4.2(ii) -checks 2 -check-time 10m -time 20m -max-fail 1"
  "-statement P7 -checks 1 -check-time 25m -time 26m -max-fail 1"
)
header='# cmd/hunt batch at scale paper (d=1024, M=16, d_h=d_v=512, 100 test points, 400-step mechanism runs).
# Each command, then its tally (holds / undecided / timed out = abandoned at -check-time / n/a = outside
# the hypotheses / fail), the replay commands of its shrunk counterexamples, and the machine and wall time.
# An "outside the hypotheses:" line after a tally: the checks whose points violate a hypothesis of the
# statement (its scope; at η = 0.1 THEORY'"'"'s step-size limit): findings about practice, not refutations.
# ~1 h on 2 cores. Regenerate: bash results/hunt/batch-paper.sh (make hunt-paper)'
. results/hunt/batch-lib.sh
run_batch hunt-paper "-scale paper" "$header" "${cmds[@]}"
