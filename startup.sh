#!/usr/bin/env bash
# Azure App Service start command: one gunicorn worker process per core (the GIL lets one
# process use one core), threads for I/O. The feature matrix, the stored assessments and
# their SHAP values are memory-mapped: the workers share them in the OS's file cache, so a
# second worker adds its model, builder and client tables only (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")"
# Deployed means production unless development is asked for by name: the keys are required,
# and a set signed with the public development key is refused (docs/security.md).
export SCORING_ENV="${SCORING_ENV:-production}"
if [ "$SCORING_ENV" = production ]; then
  missing=()
  for key in SCORING_SECRET_KEY SCORING_ARTIFACT_KEY; do
    [ -n "${!key:-}" ] || missing+=("$key")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "refusing to start in production: ${missing[*]} not set (App Service: Configuration >" \
         "Application settings; SCORING_ENV=development runs the demo without them)" >&2
    exit 1
  fi
else
  echo "WARNING: SCORING_ENV=$SCORING_ENV: DEVELOPMENT MODE, asked for explicitly: artifact sets" \
       "signed with the public development key are served and demo accounts are created" >&2
fi
# Build the demo artifact set only if the artifacts root ($SCORING_ARTIFACTS) holds none;
# an existing set, even a broken one, is never replaced (the app says what is wrong).
python -c "import app; app.build_demo_if_empty()"
# gunicorn.conf.py loads the set in each worker before its first request.
exec gunicorn app:server --config gunicorn.conf.py \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${WEB_CONCURRENCY:-$(nproc)}" --threads "${GUNICORN_THREADS:-4}" \
  --timeout 600 --access-logfile - --log-level info
