# shellcheck shell=bash
# A namespace lab for scripts (sourced by scripts/demo and scripts/bench-failover), the shell
# twin of Tests/IntegrationTests/Lab/NamespaceLab.swift:
#
#   namespace PREFIX-lan holds bridge br0 (STP off, forward delay 0); each host is a namespace
#   PREFIX-HOST with lo up, IPv6 off and a veth eth0 whose peer HOST-p is enslaved to br0.
#
# Addresses only from 198.18.0.0/15; nothing leaves the namespaces. Every process started with
# lab_start is tracked by pid and stopped by pid in lab_cleanup, which also deletes every
# namespace the lab created. Callers: `lab_init PREFIX RUN_DIR`, `trap lab_cleanup EXIT`.

LAB_PREFIX=""
LAB_RUN=""
LAB_PIDS=()
LAB_NAMESPACES=()
LAB_LAST_PID=""

# lab_init PREFIX RUN_DIR: refuses to run over a namespace of PREFIX that still has processes,
# deletes empty leftovers of an interrupted run, and creates PREFIX-lan with its bridge.
lab_init() {
  LAB_PREFIX="$1"
  LAB_RUN="$2"
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$LAB_PREFIX-" || true); do
    if [ -n "$(ip netns pids "$ns")" ]; then
      echo "lab: namespace $ns still has processes ($(ip netns pids "$ns" | tr '\n' ' ')); stop them first" >&2
      return 1
    fi
    ip netns del "$ns"
  done
  ip netns add "$LAB_PREFIX-lan"
  LAB_NAMESPACES+=("$LAB_PREFIX-lan")
  ip -n "$LAB_PREFIX-lan" link add br0 type bridge stp_state 0 forward_delay 0
  ip -n "$LAB_PREFIX-lan" link set br0 up
}

# lab_host HOST ADDRESS/PREFIXLEN: namespace PREFIX-HOST on the bridge (port HOST-p).
lab_host() {
  local host="$1" address="$2" ns="$LAB_PREFIX-$1"
  ip netns add "$ns"
  LAB_NAMESPACES+=("$ns")
  ip -n "$ns" link set lo up
  ip link add eth0 netns "$ns" type veth peer name "$host-p" netns "$LAB_PREFIX-lan"
  ip -n "$LAB_PREFIX-lan" link set "$host-p" master br0 up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" addr add "$address" dev eth0
  ip -n "$ns" link set eth0 up
}

# lab_start NAMESPACE LOG COMMAND...: runs COMMAND in NAMESPACE in the background, output
# appended to LOG; its pid (`ip netns exec` execs the command, so it is the command's own pid)
# lands in LAB_LAST_PID and LAB_PIDS. Call it directly, not in $(...), so it stays our child.
lab_start() {
  local ns="$1" log="$2"
  shift 2
  ip netns exec "$ns" "$@" >> "$log" 2>&1 &
  LAB_LAST_PID=$!
  LAB_PIDS+=("$LAB_LAST_PID")
}

# lab_stop PID [SIGNAL]: sends SIGNAL (default TERM), waits up to 5 s, then SIGKILL; reaps it
# and forgets it (lab_cleanup will not signal a pid that may have been reused).
lab_stop() {
  local pid="$1" signal="${2:-TERM}" kept=() other _
  if kill -"$signal" "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  for other in "${LAB_PIDS[@]}"; do [ "$other" = "$pid" ] || kept+=("$other"); done
  LAB_PIDS=("${kept[@]}")
}

# lab_nginx HOST ADDRESS NAME: an nginx on ADDRESS:80 in PREFIX-HOST answering "hello from NAME".
lab_nginx() {
  local host="$1" address="$2" name="$3" dir="$LAB_RUN/$3"
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir;
  proxy_temp_path $dir;
  fastcgi_temp_path $dir;
  uwsgi_temp_path $dir;
  scgi_temp_path $dir;
  server {
    listen $address:80;
    location / { default_type text/plain; return 200 "hello from $name\n"; }
  }
}
NGINX
  lab_start "$LAB_PREFIX-$host" "$dir/nginx.out" nginx -c "$dir/nginx.conf"
}

# lab_holds HOST ADDRESS: whether PREFIX-HOST's eth0 carries ADDRESS.
lab_holds() {
  ip -n "$LAB_PREFIX-$1" -4 addr show dev eth0 2>/dev/null | grep -q " $2/"
}

# lab_wait_for_holder HOST ADDRESS [SECONDS]: until PREFIX-HOST carries ADDRESS (default 10 s).
lab_wait_for_holder() {
  local host="$1" address="$2" limit="${3:-10}" _
  for _ in $(seq $((limit * 50))); do lab_holds "$host" "$address" && return 0; sleep 0.02; done
  echo "lab: $LAB_PREFIX-$host did not take $address within ${limit} s" >&2
  return 1
}

# lab_cleanup: stops every process the lab started (TERM, then KILL after 5 s), deletes the namespaces.
lab_cleanup() {
  set +e
  local pid ns _
  for pid in "${LAB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${LAB_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  for ns in "${LAB_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
}
