FROM debian:12.6-slim
ARG KUBECTL_VERSION=v1.30.2
ARG KUBECTL_SHA256=c6e9c45ce3f82c90663e3c30db3b27c167e8b19d83ed4048b61c1013f6a7c66e
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# Download to a file, check the pinned checksum, then install.
RUN curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl" \
    && echo "${KUBECTL_SHA256}  /usr/local/bin/kubectl" | sha256sum -c - \
    && chmod 0755 /usr/local/bin/kubectl
# Unpacking a download is not running it.
RUN curl -fsSL https://github.com/mikefarah/yq/releases/download/v4.44.2/yq_linux_amd64.tar.gz | tar -xz -C /tmp
