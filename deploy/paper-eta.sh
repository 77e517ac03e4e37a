#!/bin/bash
# The paper-size τ sweeps at the small step size η = 0.01 (issue 17 item 4),
# through the sharded Slurm path: d = 1024, M = 16, d_h = 512 and the d_h = 64
# companion, 10 budgets × 2 seeds each (the budgets and seeds of
# results/tau/paper-s400, so every cell is paired with its η = 0.1 run),
# every run ended at gradient-flow time η·T = 10 (1000 GD steps, the stated
# ceiling; censored = 1 marks a run the ceiling ended) or at robust training
# loss 0.01. The d_h = 64 companion evaluates its brackets with the cascade
# (-eval-cascade: the strong attack on the points neither broken nor
# certified, issue 18; 34 min on 2 shared cores in one process, measured).
#
#   deploy/slurm-local.sh start && eval "$(deploy/slurm-local.sh env)"   # or a real cluster
#   deploy/paper-eta.sh            # submits, waits, merges, prints the core-hours
#
# On a cluster with more CPUs raise SHARDS; the merged files are the same
# bytes for any shard count. A killed shard resumes when resubmitted.
set -euo pipefail
cd "$(dirname "$0")/.."
shards="${SHARDS:-2}"
taus=0,0.05,0.1,0.15,0.25,0.4,0.55,0.7,0.85,1
common=(-preset paper -eta 0.01 -flow-time 10 -target 0.01 -reps 2 -taus "$taus" -early-steps 20 -adv-attention -figures=false)
mkdir -p logs
ids=()
for v in "paper-eta0.01:" "paper-eta0.01-dh64:-dh 64 -eval-cascade"; do
	out=${v%%:*} extra=${v#*:}
	# shellcheck disable=SC2086 # extra is a flag and its value
	id=$(sbatch --parsable --cpus-per-task=1 --mem=4G --array=0-$((shards - 1)) \
		deploy/slurm-array.sh tau "${common[@]}" $extra -out "results/tau/$out")
	ids+=("$id:$out:$extra")
	echo "submitted $out as array job $id"
done
while [ -n "$(squeue -h 2>/dev/null)" ]; do sleep 30; done
for e in "${ids[@]}"; do
	IFS=: read -r id out extra <<<"$e"
	# shellcheck disable=SC2086
	go run ./cmd/vitadv merge tau "${common[@]}" $extra -out "results/tau/$out"
	rm -f "results/tau/$out".shard-*
	if [ -x deploy/slurm-local.sh ] && [ -n "${SLURM_CONF:-}" ]; then
		deploy/slurm-local.sh usage "$id" | tail -n 1 | sed "s/^/$out: /"
	fi
done
