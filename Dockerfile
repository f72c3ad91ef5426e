# Leerpad: one static binary. Used by docker-compose.yml (`make up`).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/leerpad ./cmd/leerpad

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/leerpad /usr/local/bin/leerpad
USER nonroot
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/leerpad"]
CMD ["serve", "--listen=0.0.0.0:8080", "--admin-listen=0.0.0.0:9090", "--data=/var/lib/leerpad"]
