FROM eclipse-temurin:21.0.3_9-jre
WORKDIR /opt/app
COPY target/app.jar /opt/app/app.jar
COPY --chown=1000:1000 config/ /opt/app/config/
USER 1000
ENTRYPOINT ["java", "-jar", "/opt/app/app.jar"]
