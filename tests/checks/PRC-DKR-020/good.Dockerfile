ARG APP_UID=10001

FROM golang:1.22.5 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12
ARG APP_UID
COPY --from=build /out/app /app
USER ${APP_UID}:${APP_UID}
ENTRYPOINT ["/app"]
