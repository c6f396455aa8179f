# syntax=docker/dockerfile:1.7
FROM eclipse-temurin:21.0.3_9-jre AS runtime
ARG PLUGIN_ARCHIVE
WORKDIR /opt/app
ADD target/app.jar /opt/app/app.jar
ADD --chown=1000:1000 config/ /opt/app/config/
ADD <<EOF /etc/motd
Managed by the platform team.
EOF
ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-static /usr/local/bin/tini
ADD vendor/async-profiler-3.0-linux-x64.tar.gz /opt/
ADD ${PLUGIN_ARCHIVE} /opt/app/plugins/
USER 1000
ENTRYPOINT ["java", "-jar", "/opt/app/app.jar"]
