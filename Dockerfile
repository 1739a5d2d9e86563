# duebot: runs exactly what the README runs (`duebot run --config config.example.toml`).
#
# Config from a mounted volume, secrets from the environment:
#   docker run -p 8080:8080 \
#     -v "$PWD/deploy/duebot.toml:/app/config.example.toml:ro" \
#     -v "$PWD/deploy/schedules:/app/schedules:ro" \
#     -v duebot-data:/data \
#     -e DUEBOT_SMTP_PASSWORD -e SLACK_BOT_TOKEN -e SLACK_SIGNING_SECRET duebot
# (DUEBOT_DATABASE_URL, SLACK_APP_TOKEN likewise.) Without mounts, the shipped example runs:
# the AI Systems @ SOSP 2017 schedule, SQLite in /data, reminders on the console.
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 duebot
WORKDIR /app
COPY pyproject.toml setup.py README.md config.example.toml ./
COPY bot ./bot
COPY templates ./templates
COPY schedules ./schedules
RUN python3 -m venv .venv && .venv/bin/pip install --no-cache-dir -e . \
    && mkdir -p /data && chown duebot /data

USER duebot
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    DUEBOT_HTTP_HOST=0.0.0.0 \
    DUEBOT_HTTP_PORT=8080 \
    DUEBOT_DATABASE_URL=sqlite:////data/duebot.db
VOLUME ["/data"]
EXPOSE 8080
# 200 only when the database answers and every schedule has a version being served.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, sys, urllib.request; port = os.environ.get('DUEBOT_HTTP_PORT', '8080'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]
# SIGTERM (docker stop) finishes the message in hand, then stops: give it the time to.
STOPSIGNAL SIGTERM
CMD ["duebot", "run", "--config", "config.example.toml"]
