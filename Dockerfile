# The helpdesk bot as a static, non-root image.
#   docker build -t helpdesk-bot .
#   docker run --rm -p 8080:8080 -v helpdesk-data:/data \
#     -e SLACK_BOT_TOKEN=xoxb-... -e SLACK_APP_TOKEN=xapp-... helpdesk-bot
# The knowledge is baked in at /knowledge; mount a folder there to edit it
# live (the bot reloads it on change).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure Go (the SQLite driver included): a static binary without cgo.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bot ./cmd/bot \
 && /out/bot validate knowledge \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bot /bot
COPY --from=build /src/knowledge /knowledge
COPY --from=build --chown=65532:65532 /out/data /data
ENV KNOWLEDGE_PATH=/knowledge \
    DATA_PATH=/data \
    HTTP_ADDR=0.0.0.0:8080
USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/bot"]
