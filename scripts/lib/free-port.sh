# Sourced by the test scripts. free_port prints a loopback TCP port that nothing uses now.
# It picks below the kernel's ephemeral range: an outgoing connection may hold any port inside
# that range, and a bind then fails although nothing listens there.
free_port() {
  local low port
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 11000 ] 2>/dev/null || low=32768
  for _ in $(seq 50); do
    port=$((10000 + RANDOM % (low - 10000)))
    if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]; then continue; fi
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  echo "free_port: no free port below $low" >&2
  return 1
}
