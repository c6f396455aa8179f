#!/bin/sh
# Entrypoint of the checkout image: fill in defaults for plain `docker run`,
# then replace this shell with the app so that it receives SIGTERM itself.
set -eu

# `docker run <image> --port 9000` passes the flags to `checkout serve`.
if [ "${1#-}" != "$1" ]; then
    set -- checkout serve "$@"
fi

# Kubernetes sets GOMEMLIMIT from the memory limit; keep a safe default elsewhere.
: "${GOMEMLIMIT:=400MiB}"
export GOMEMLIMIT

exec "$@"
