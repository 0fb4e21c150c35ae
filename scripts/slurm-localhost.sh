#!/bin/bash
# A real one-node Slurm cluster on localhost, for the Slurm tests (Debian 12 packages; needs root).
#   scripts/slurm-localhost.sh up     install what is missing, start munged, slurmctld, slurmd; wait for idle
#   scripts/slurm-localhost.sh down   stop what `up` started (running it twice is harmless)
# Settings: RNNLAB_SLURM_STATE (default /tmp/rnnlab-slurm), RNNLAB_SLURM_TIMEOUT (seconds, default 60).
set -euo pipefail

STATE=${RNNLAB_SLURM_STATE:-/tmp/rnnlab-slurm}
TIMEOUT=${RNNLAB_SLURM_TIMEOUT:-60}
CONF=/etc/slurm/slurm.conf
PACKAGES="munge slurmctld slurmd slurm-client"

log() { echo "slurm-localhost: $*" >&2; }

wait_gone() { # pidfile
  local pidfile=$1 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    # A killed daemon may linger as a zombie until PID 1 reaps it.
    grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && return 0
    [ "$i" = 20 ] && kill -TERM "$pid" 2>/dev/null || true
    [ "$i" = 40 ] && kill -KILL "$pid" 2>/dev/null || true
    sleep 0.1
  done
}

down() {
  if [ -f "$STATE/slurmctld.pid" ] || [ -f "$STATE/slurmd.pid" ]; then
    scontrol shutdown >/dev/null 2>&1 || true
    wait_gone "$STATE/slurmctld.pid"
    wait_gone "$STATE/slurmd.pid"
  fi
  if [ -f "$STATE/munged.started-by-us" ]; then
    local pid
    pid=$(cat /run/munge/munged.pid 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    wait_gone /run/munge/munged.pid
    rm -f "$STATE/munged.started-by-us"
  fi
  rm -f "$STATE/slurmctld.pid" "$STATE/slurmd.pid"
}

fail() {
  log "$*"
  for f in "$STATE"/log/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  down
  exit 1
}

up() {
  [ "$(id -u)" = 0 ] || { log "must run as root (it installs packages and starts daemons)"; exit 1; }
  down
  rm -rf "$STATE"
  mkdir -p "$STATE/state" "$STATE/spool" "$STATE/log"

  local missing="" p
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    log "installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >/dev/null
  fi

  [ -f /etc/munge/munge.key ] || mungekey --create >/dev/null
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    install -d -o munge -g munge -m 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged
    touch "$STATE/munged.started-by-us"
    local i
    for i in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n | unmunge >/dev/null 2>&1 || fail "munged did not start"
  fi

  local node
  node=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]*/NodeName=localhost/; s/ UpTime=.*//')
  mkdir -p /etc/slurm
  cat > "$CONF" <<CONF
ClusterName=rnnlabci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
$node State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF

  /usr/sbin/slurmctld || fail "slurmctld did not start"
  /usr/sbin/slurmd -N localhost || fail "slurmd did not start"
  local waited=0
  until sinfo -h -o '%t' 2>/dev/null | grep -q '^idle'; do
    sleep 0.25
    waited=$((waited + 1))
    [ "$waited" -ge $((TIMEOUT * 4)) ] && fail "the node did not become idle within ${TIMEOUT}s ($(sinfo -h 2>&1 | head -n 1))"
  done
  log "up: $(sinfo -h | head -n 1)"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
