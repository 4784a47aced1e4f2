#!/usr/bin/env bash
# Bytes the dashboard writes to the terminal: first paint and steady 1 s refreshes at 120x40, measured with tmux
# pipe-pane against a healthy local redis-server, next to top (and htop when installed) on the same pane size.
# Usage: Benchmarks/terminal-bytes.sh [SECONDS]   (build first: swift build)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
aoftop=$PWD/.build/debug/aoftop
work=$(mktemp -d /tmp/aoftop-bytes-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sock="aoftop-bytes-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --logfile "$work/redis.log" --appendonly yes --save "" --daemonize yes >/dev/null
sleep 0.5

measure() { # name command...
  local name=$1; shift
  local out="$work/$name.bytes"
  tmux -L "$sock" -f /dev/null new-session -d -s "$name" -x 120 -y 40 "sleep 1; $*"
  tmux -L "$sock" pipe-pane -t "$name" -o "cat >> $out"
  sleep 4                                   # first paint and the first samples
  local first; first=$(stat -c %s "$out")
  sleep "$seconds"
  local total; total=$(stat -c %s "$out")
  tmux -L "$sock" kill-session -t "$name"
  printf '%-8s first 4 s %7d B   steady %6.0f B/s over %d s\n' "$name" "$first" "$(echo "($total - $first) / $seconds" | bc -l)" "$seconds"
}

measure aoftop "TERM=xterm-256color $aoftop -p $port --interval 1s"
measure top "TERM=xterm-256color top -d 1"
if command -v htop >/dev/null; then measure htop "TERM=xterm-256color htop -d 10"; fi
