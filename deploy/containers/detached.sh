# Sourced by the engine setup scripts: `detached LOG COMMAND...` runs COMMAND as a daemon that outlives
# the script. It keeps none of the caller's other open files (a lock the caller holds with flock(1)
# around a setup script or deploy/prove.sh would stay held as long as the daemon runs), nor the caller's
# directory (when that directory is removed, a checkout deleted later, podman's conmon fails with
# "Failed to get working directory" and every container start answers "write child: broken pipe").
# Call it in the background: `detached /var/log/x.log x --flag &`.
detached() {
  local log=$1 fd
  shift
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then eval "exec $fd>&-"; fi
  done
  cd /
  exec setsid "$@" >"$log" 2>&1 < /dev/null
}
