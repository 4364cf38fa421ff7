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
