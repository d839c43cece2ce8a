#!/usr/bin/env bash
# Azure App Service start command: one gunicorn worker process per core (the GIL lets one
# process use one core), threads for I/O. gunicorn.conf.py loads the set once in the master
# and forks the workers: they share its tables and models copy-on-write, and the memory-mapped
# matrix, stored assessments and SHAP values through the OS's file cache, so a second worker
# adds little memory (docs/benchmarks.md, "Thirty-two advisors").
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
# gunicorn.conf.py loads the set in the master before the workers are forked.
exec gunicorn app:server --config gunicorn.conf.py \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${WEB_CONCURRENCY:-$(nproc)}" --threads "${GUNICORN_THREADS:-4}" \
  --timeout 600 --access-logfile - --log-level info
