# Runs on EC2 with docker compose; Compose waits for it with depends_on: service_healthy.
FROM caddy:2.8.4-alpine
COPY Caddyfile /etc/caddy/Caddyfile
COPY site/ /srv/
USER 1000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["wget", "-q", "--spider", "http://127.0.0.1:2019/config/"]
