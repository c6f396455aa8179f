#!/usr/bin/env sh
set -e

if [ -n "$CONFIG_TEMPLATE" ]; then
  envsubst < "$CONFIG_TEMPLATE" > /tmp/config.json
fi

exec "$@"
