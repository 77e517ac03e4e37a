#!/usr/bin/env bash
# Runs the hunt batch inside THEORY §4.1's step-size hypothesis whose output is
# results/hunt/hunt-inside.txt:
#   bash results/hunt/batch-inside.sh [OUT [SCALE]]   (OUT defaults to results/hunt, SCALE to tiny; make hunt-inside)
# SCALE ci writes results/hunt/hunt-inside-ci.txt (Thm 4.2(i) and P12 at d=128).
# Scale tiny (d=64, M=4, d_h=d_v=32), every check trained at η = 0.9·min{‖μ‖⁻², (σ₂²d)⁻¹}
# (cmd/hunt -step-frac 0.9: 0.9 times the limit at CetaTheory = 1, at most 0.9/(σ₂²d) = 8.8e-4; the
# step counts grow as 1/η) to the flow times η·T of the scale's steps at η = 0.1 (cap 100, mechanism horizon 50),
# so that the statements whose hypotheses include the step size — Thm 4.2(i), (ii), P7, P12 —
# are judged inside them: their tallies are verdicts at the default constants, where the
# batch.sh commands at η = 0.1 are findings about practice. No check or shrink candidate
# starts after a command's -time, and each is abandoned at -check-time and tallied
# "timed out" (never a hold or a fail). Counterexample files are named …-stepfrac0.9.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-results/hunt}
scale=${2:-tiny}
case $scale in
tiny)
  name=hunt-inside sizes="d=64, M=4, d_h=d_v=32"
  cmds=(
    "-statement Thm4.2(i) -checks 30 -check-time 5m -time 20m -max-fail 1"
    "-statement P12 -checks 20 -check-time 5m -time 10m -max-fail 1"
    "-statement Thm4.2(ii) -checks 4 -check-time 8m -time 20m -max-fail 1"
    "-statement P7 -checks 2 -check-time 12m -time 25m -max-fail 1"
  ) ;;
ci) # an AT step costs ~4× tiny's and the steps are as many: Thm 4.2(i) and P12 only
  name=hunt-inside-ci sizes="d=128, M=8, d_h=d_v=64"
  cmds=(
    "-statement Thm4.2(i) -checks 8 -check-time 8m -time 25m -max-fail 1"
    "-statement P12 -checks 8 -check-time 8m -time 15m -max-fail 1"
  ) ;;
*)
  echo "batch-inside.sh: scale must be tiny or ci, not $scale" >&2
  exit 2 ;;
esac
header="# cmd/hunt batch at scale $scale ($sizes) inside THEORY §4.1's step-size hypothesis:
# every check at η = 0.9·min{‖μ‖⁻², (σ₂²d)⁻¹} (-step-frac 0.9), to the flow times of the scale's
# steps at η = 0.1. Each command, then its tally (holds / undecided / timed out = abandoned at
# -check-time / n/a = outside the hypotheses / fail), the replay commands of its shrunk
# counterexamples, and the machine and wall time.
# Regenerate: bash results/hunt/batch-inside.sh results/hunt $scale (make hunt-inside HUNT_SCALE=$scale)"
. results/hunt/batch-lib.sh
flags="-step-frac 0.9"
[ "$scale" = tiny ] || flags="-scale $scale $flags"
run_batch "$name" "$flags" "$header" "${cmds[@]}"
