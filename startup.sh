#!/usr/bin/env bash
# Azure App Service start command: one gunicorn worker with threads keeps a single copy
# of the model in memory (B1 plan: 1.75 GB); the feature matrix is memory-mapped.
set -euo pipefail
cd "$(dirname "$0")"
# Build the demo artifacts once, before gunicorn imports the app.
python -c "import logging; logging.basicConfig(level=logging.INFO); from model.pipeline import ensure_demo_artifacts; ensure_demo_artifacts()"
exec gunicorn app:server \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${WEB_CONCURRENCY:-1}" --threads "${GUNICORN_THREADS:-4}" \
  --timeout 600 --access-logfile - --log-level info
