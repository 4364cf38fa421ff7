# Sourced by the service scripts: a pid file is trusted only while the process it names is the one the script started.
# After a crash or a reboot a pid file can outlive its process and the number can be reused by anything else: that
# process is never signalled.
#   own_pid FILE TEXT   prints the recorded pid when it runs and its command line contains TEXT; fails otherwise
own_pid() {
  local file=$1 text=$2 pid cmdline
  [[ -f $file ]] || return 1
  pid=$(head -c 32 "$file" 2>/dev/null | tr -d '[:space:]')
  [[ $pid =~ ^[1-9][0-9]{0,9}$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$text"* ]] || return 1
  echo "$pid"
}
#   running PID         succeeds while PID exists and has not exited: a zombie (exited, its parent not yet reaping it,
#                       as under a container init that never reaps orphans) counts as gone
running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}
#   stop_pid PID [SECONDS]  asks PID to stop (TERM), waits up to SECONDS (default 10) for it to exit, then kills it
stop_pid() {
  local pid=$1 tenths=$((${2:-10} * 10)) i
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < tenths; i++)); do running "$pid" || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
