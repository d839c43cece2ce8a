#!/usr/bin/env bash
# Azure App Service start command: one gunicorn worker with threads keeps a single copy
# of the model in memory (B1 plan: 1.75 GB); the feature matrix is memory-mapped.
set -euo pipefail
cd "$(dirname "$0")"
# Build the demo artifact set only if the artifacts root ($SCORING_ARTIFACTS) holds none;
# an existing set, even a broken one, is never replaced (the app says what is wrong).
python -c "import app; app.build_demo_if_empty()"
# gunicorn.conf.py loads the set in each worker before its first request.
exec gunicorn app:server --config gunicorn.conf.py \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${WEB_CONCURRENCY:-1}" --threads "${GUNICORN_THREADS:-4}" \
  --timeout 600 --access-logfile - --log-level info
