# duebot: runs exactly what the README runs (`duebot run --config ...`).
# Mount your config and schedules at /config; secrets come from the environment
# (DUEBOT_SMTP_PASSWORD, DUEBOT_DATABASE_URL, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN).
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 duebot
WORKDIR /app
COPY pyproject.toml README.md config.example.toml ./
COPY bot ./bot
COPY templates ./templates
COPY schedules ./schedules
RUN python3 -m venv .venv && .venv/bin/pip install --no-cache-dir -e . \
    && mkdir -p /data && chown duebot /data

USER duebot
ENV PATH="/app/.venv/bin:$PATH"
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python3", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]
# Without a mounted config, the shipped example runs (schedules/, SQLite, console).
CMD ["duebot", "run", "--config", "config.example.toml"]
