# Leerpad: one static binary. Used by docker-compose.yml (`make up`);
# cmd/leerpad/compose_test.go checks that the build and the flags below agree
# with the code.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/leerpad ./cmd/leerpad \
 && mkdir -p /out/data/keys /out/data-keys && chmod 0700 /out/data/keys /out/data-keys

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/leerpad /usr/local/bin/leerpad
# The data directory, owned by the nonroot user (65532): run alone, the
# embedded node keeps its log there (mount a volume on it); in
# docker-compose.yml only keys/ is used, as a named volume that Docker fills
# from this directory, so the key written there is nonroot's too.
COPY --from=build --chown=65532:65532 /out/data /var/lib/leerpad
# The key store of the people's data keys (--keystore, default <data>-keys),
# beside the data directory and never in it (docs/decisions/0013); in
# docker-compose.yml a named volume the replicas share, filled from here.
COPY --from=build --chown=65532:65532 /out/data-keys /var/lib/leerpad-keys
USER nonroot
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/leerpad"]
CMD ["serve", "--listen=0.0.0.0:8080", "--admin-listen=0.0.0.0:9090", "--data=/var/lib/leerpad"]
