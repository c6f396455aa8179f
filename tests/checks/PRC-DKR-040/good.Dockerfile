ARG GO_VERSION=1.22.5

FROM golang:${GO_VERSION}-bookworm@sha256:4c4a1f0ef8e1e4bd3b7a4b1f3a5f5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM build AS test
RUN go test ./...

FROM scratch AS artifact
COPY --from=build /out/app /app

FROM gcr.io/distroless/static-debian12:nonroot@sha256:e9ac71e2b8e279a8372741b7a0293afda17650d926900233ec3a7b2b7c22a246
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
