# The container option of docs/deploy.md: the app as Azure App Service (Web App for Containers)
# runs it. Exact versions from requirements.lock; the same start command as the code option.
# Production by default: the container refuses to start without SCORING_SECRET_KEY and
# SCORING_ARTIFACT_KEY; `-e SCORING_ENV=development` runs the demo, with a warning.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    SCORING_ENV=production \
    SCORING_ARTIFACTS=/data/artifacts \
    SCORING_SYNTH_DIR=/data/synthetic \
    SCORING_MLRUNS=/data/mlruns

# libgomp1: the OpenMP runtime LightGBM's wheel links against (not in the slim image).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock requirements.txt ./
RUN pip install -r requirements.lock

# The code stays owned by root (read-only for the app); only /data is writable, and on
# App Service SCORING_ARTIFACTS points to an Azure Files mount instead.
COPY . .
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data
USER app

EXPOSE 8000
# /api/health answers 503 (urlopen raises) while no artifact set is served. The first start
# builds the demo set (a few minutes), hence the long start period.
HEALTHCHECK --interval=30s --timeout=10s --start-period=900s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/health' % os.environ.get('PORT', '8000'), timeout=8)"]
CMD ["bash", "startup.sh"]
