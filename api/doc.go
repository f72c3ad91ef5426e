// Package api is Leerpad's HTTP API: an echo v4 server under /v1 that
// follows the Dutch government's REST API Design Rules (api/testdata/adr, kept with its licence).
//
// The platform, in the order a request meets it:
//
//   - observe (a pre-routing middleware): correlation id (X-Correlation-ID or
//     a W3C traceparent's trace id when valid, else a new UUID, echoed in the
//     response), the API-Version header on every response, recovery from
//     panics, one JSON log line per request (route template, method, status,
//     duration, correlation id, a hash of the subject; never bodies, query
//     strings, names or tokens) and the metrics;
//   - rejectTrailingSlash: a path ending in "/" is answered 404, never
//     redirected (ADR /core/no-trailing-slash);
//   - request headers above MaxHeaderBytes are answered 431, bodies above
//     Config.BodyLimit 413, a body that arrives too slowly 408;
//   - routing; then per route requireUser (a verified OIDC bearer token) or
//     requireRaterLink (a rater link);
//   - the handler: bindJSON (application/json only (415); invalid UTF-8,
//     unknown fields and wrong types reported each by name (400); date-times
//     RFC 3339 with a time zone), then one call of a use case (package
//     usecase), which decides access and validates through the domain, then
//     the mapping of its answer to the response.
//
// Every error becomes an RFC 9457 application/problem+json response in
// writeError, through statusOf, the one error→status table.
//
// The resource endpoints (journeys.go, portfolios.go, conversations.go,
// feedback.go, trainers.go, cohorts.go, catalogue.go, offer.go, entities.go,
// intervision.go, lifecycle.go) share these rules:
//
//   - the use cases read access facts (participant, manager, sharing,
//     trainers) from the aggregate's stream, never from a read model, so a
//     revoked share or a new manager takes effect at once (usecase/facts.go);
//   - ETag is the revision of the aggregate's stream; If-Match travels to the
//     use case in its usecase.Write and is checked against the revision the
//     command is decided and appended on, answered 412 on a mismatch, and
//     required (428) where a write replaces what the
//     client read: PUT why-and-values, PUT behaviour-choices/{choiceId},
//     PUT development-conversations/{conversationId}, POST modules/{moduleId}/versions;
//   - Idempotency-Key on POST: see idempotency.go;
//   - writes answer Leerpad-Position (the global position of their last
//     event); a read of a read model sent with Leerpad-Min-Position waits
//     for it (in the use case), at most Config.ReadYourWritesTimeout,
//     then answers 503 with Retry-After;
//   - lists take limit (1 to 100, default 20) and an opaque cursor, and
//     answer nextCursor while more follow.
//
// The OpenAPI document (GET /v1/openapi.json) is built in Go, in openapi.go,
// rather than kept as a YAML file: shared parts (the API-Version header, the
// problem responses, the security schemes) are then written once and every
// operation gets them by construction, which is what the design-rules linter
// checks. Tests compare it with the registered echo routes in both
// directions and run the Spectral linter with api/testdata/adr/linter.yaml on it.
package api
