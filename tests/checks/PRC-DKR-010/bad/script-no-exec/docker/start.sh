#!/bin/bash
set -euo pipefail

echo "waiting for the database"
until pg_isready -h "$DB_HOST"; do
  sleep 1
done

python -m worker --queue default   # runs as a child of this shell
