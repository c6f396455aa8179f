# syntax=docker/dockerfile:1.7
FROM debian:12.6-slim AS tools
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates wget zsh
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
RUN wget -qO- https://get.example.dev/install.sh | sudo -E sh
RUN apt-get install -y python3 \
    && curl -sSL https://install.python-poetry.org \
       | python3 - --version 1.8.3
RUN <<EOF
set -e
sh -c "$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)" "" --unattended
EOF
RUN ["bash", "-c", "bash <(curl -s https://get.example.dev/rustup.sh) -y"]

FROM debian:12.6-slim
COPY --from=tools /usr/local/bin /usr/local/bin
# Verified download: fetched to a file and checked before it runs.
RUN curl -fsSLo /tmp/helm.tgz https://get.helm.sh/helm-v3.15.2-linux-amd64.tar.gz \
    && echo "2694b91c3e501cff57caf650e639604a274645f61af2ea4d601677b746b44fe2  /tmp/helm.tgz" | sha256sum -c - \
    && tar -xzf /tmp/helm.tgz -C /usr/local/bin --strip-components=1 linux-amd64/helm
