module github.com/leerpad/leerpad

go 1.26.8

require (
	github.com/EventStore/EventStore-Client-Go/v4 v4.2.0
	google.golang.org/grpc v1.85.0
)

require (
	github.com/ThreeDotsLabs/watermill v1.5.1 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/lithammer/shortuuid/v3 v3.0.7 // indirect
	github.com/oklog/ulid v1.3.1 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260817212433-ac3dfec99bb1 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
