# shellcheck shell=bash
# Shared helpers for scripts/testbed/up and scripts/testbed/down (sourced).
# Expects DIR (absolute, canonical test bed directory) to be set.

# Services, in start order; each has DIR/NAME.pid and DIR/logs/NAME.log.
# shellcheck disable=SC2034 # used by down
SERVICES=(tokenserver registry-plain registry-basic registry-token)

log() { echo "testbed: $*" >&2; }
die() {
    echo "testbed: error: $*" >&2
    exit 1
}

# The pid in DIR/NAME.pid, if that process is alive and is ours: its command
# line mentions DIR (config or key path), so a recycled pid is never taken
# for one of ours.
service_pid() {
    local pidf=$DIR/$1.pid pid state
    [[ -s $pidf ]] || return 1
    pid=$(<"$pidf")
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ $state != Z ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DIR/" || return 1
    echo "$pid"
}

# Stop one service (TERM, then KILL after 5 s) and remove its pid file.
stop_service() {
    local name=$1 pid i
    if pid=$(service_pid "$name"); then
        log "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            service_pid "$name" >/dev/null || break
            sleep 0.1
        done
        if service_pid "$name" >/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$DIR/$name.pid"
}

# HTTP status of a GET (000 when nothing answers).
http_code() {
    curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" 2>/dev/null || true
}

# Is something listening on 127.0.0.1:PORT?
port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
