# Sourced by the connector benchmarks: nginx as the ceiling, serving in $work/www the same bytes the
# connector answers GET /user-keys with, at the same path, so wrk's scripts send identical requests
# to both. Stopped by the caller's cleanup through $work/nginx.pid.
#
#   start_nginx_ceiling WORK PORT
start_nginx_ceiling() {
  local work=$1 port=$2
  printf '{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}' >"$work/www/key.json"
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  types { application/json json; }
  default_type application/json;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
    location = /user-keys { default_type application/json; alias $work/www/key.json; }
  }
}
CONF
  # nginx's workers run unprivileged: they must be able to read the static files.
  chmod 755 "$work" && chmod -R a+rX "$work/www"
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
}
