package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// The OpenAPI 3.1 document, built in Go (see the package documentation for
// why). Every route in registerRoutes has an operation here; the shared
// pieces (headers, problem responses, security) come from the helpers at the
// bottom, so each operation satisfies the design rules by construction.

type oasDocument struct {
	OpenAPI    string                  `json:"openapi"`
	Info       oasInfo                 `json:"info"`
	Servers    []oasServer             `json:"servers"`
	Tags       []oasTag                `json:"tags"`
	Paths      map[string]*oasPathItem `json:"paths"`
	Components oasComponents           `json:"components"`
}

type oasInfo struct {
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Version     string     `json:"version"`
	Contact     oasContact `json:"contact"`
}

type oasContact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	URL   string `json:"url"`
}

type oasServer struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

type oasTag struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// oasPathItem holds the operations of one path. Servers, when set, replaces
// the document's servers: the probes live outside /v1.
type oasPathItem struct {
	Servers []oasServer   `json:"servers,omitempty"`
	Get     *oasOperation `json:"get,omitempty"`
	Put     *oasOperation `json:"put,omitempty"`
	Post    *oasOperation `json:"post,omitempty"`
	Delete  *oasOperation `json:"delete,omitempty"`
	Patch   *oasOperation `json:"patch,omitempty"`
}

// operations returns the path's operations by HTTP method.
func (p *oasPathItem) operations() map[string]*oasOperation {
	ops := map[string]*oasOperation{}
	for m, op := range map[string]*oasOperation{
		http.MethodGet: p.Get, http.MethodPut: p.Put, http.MethodPost: p.Post,
		http.MethodDelete: p.Delete, http.MethodPatch: p.Patch,
	} {
		if op != nil {
			ops[m] = op
		}
	}
	return ops
}

type oasOperation struct {
	OperationID string                 `json:"operationId"`
	Summary     string                 `json:"summary"`
	Description string                 `json:"description,omitempty"`
	Deprecated  bool                   `json:"deprecated,omitempty"`
	Tags        []string               `json:"tags"`
	Security    []map[string][]string  `json:"security"` // [] for public operations
	Parameters  []oasParameter         `json:"parameters,omitempty"`
	RequestBody *oasRequestBody        `json:"requestBody,omitempty"`
	Responses   map[string]oasResponse `json:"responses"`
}

type oasParameter struct {
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
	Schema      any    `json:"schema"`
}

type oasRequestBody struct {
	Required bool                `json:"required"`
	Content  map[string]oasMedia `json:"content"`
}

type oasResponse struct {
	Description string              `json:"description"`
	Headers     map[string]any      `json:"headers"`
	Content     map[string]oasMedia `json:"content,omitempty"`
}

type oasMedia struct {
	Schema any `json:"schema"`
}

type oasComponents struct {
	Schemas         map[string]any `json:"schemas"`
	Headers         map[string]any `json:"headers"`
	SecuritySchemes map[string]any `json:"securitySchemes"`
}

// Security scheme names.
const (
	schemeBearer     = "oidcBearer"
	schemeRaterLink  = "raterLink"
	tagPlatform      = "platform"
	tagOperations    = "operations"
	mimeJSON         = "application/json"
	schemaRefPrefix  = "#/components/schemas/"
	headerRefPrefix  = "#/components/headers/"
	rootServerURL    = "/"
	versionServerURL = "/v1"
)

// openAPIDocument describes every route of registerRoutes.
func openAPIDocument(cfg Config) *oasDocument {
	root := []oasServer{{URL: rootServerURL, Description: "the probes, outside the versioned API"}}
	d := &oasDocument{
		OpenAPI: "3.1.0",
		Info: oasInfo{
			Title: "Leerpad API",
			Description: "Learning journeys of leadership-development programmes: participants, managers, " +
				"trainers, the programme office and 360 raters. Errors are RFC 9457 problem details; " +
				"date-times are RFC 3339 with a time zone; every response carries API-Version.",
			Version: cfg.Version,
			Contact: oasContact{Name: cfg.ContactName, Email: cfg.ContactEmail, URL: cfg.ContactURL},
		},
		Servers: []oasServer{{URL: versionServerURL, Description: "this API, major version 1"}},
		Tags: []oasTag{
			{Name: tagPlatform, Description: "The API's own description and the caller's identity."},
			{Name: tagOperations, Description: "Probes for load balancers and orchestrators."},
		},
		Paths: map[string]*oasPathItem{
			"/healthz": {Servers: root, Get: &oasOperation{
				OperationID: "getHealth",
				Summary:     "The process answers",
				Description: "200 while the process serves requests, whether or not the read models have caught up (see /readyz).",
				Tags:        []string{tagOperations},
				Security:    public(),
				Responses:   responses(ok("The process is up.", ref("Status")), http.StatusInternalServerError),
			}},
			"/readyz": {Servers: root, Get: &oasOperation{
				OperationID: "getReadiness",
				Summary:     "The read models have caught up",
				Description: "200 once the read models have caught up with the event store, 503 until then.",
				Tags:        []string{tagOperations},
				Security:    public(),
				Responses:   responses(ok("Ready to serve current reads.", ref("Status")), http.StatusInternalServerError, http.StatusServiceUnavailable),
			}},
			"/openapi.json": {Get: &oasOperation{
				OperationID: "getOpenApiDocument",
				Summary:     "This document",
				Description: "The OpenAPI 3.1 document of this API, public, built from the handlers' request and response types.",
				Tags:        []string{tagPlatform},
				Security:    public(),
				Responses:   responses(ok("The OpenAPI document of this API.", map[string]any{"type": "object"}), http.StatusInternalServerError),
			}},
			"/me": {Get: &oasOperation{
				OperationID: "getMe",
				Summary:     "Who the bearer token says the caller is",
				Description: "The subject and Leerpad roles of the bearer token; a way to check a token.",
				Tags:        []string{tagPlatform},
				Security:    bearerOnly(),
				Responses:   responses(ok("The caller.", ref("Principal")), http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError),
			}},
		},
		Components: oasComponents{
			Schemas: map[string]any{
				"Problem": map[string]any{
					"type":        "object",
					"description": "RFC 9457 problem details.",
					"required":    []string{"type", "title", "status", "detail"},
					"properties": map[string]any{
						"type":   map[string]any{"type": "string", "format": "uri-reference", "description": "Always about:blank: the status says what happened.", "examples": []string{"about:blank"}},
						"title":  map[string]any{"type": "string", "description": "The status's reason phrase.", "examples": []string{"Bad Request"}},
						"status": map[string]any{"type": "integer", "format": "int32", "minimum": 400, "maximum": 599, "examples": []int{400}},
						"detail": map[string]any{"type": "string", "description": "What went wrong, for a person to read.", "examples": []string{"The request has 1 invalid field(s): learningGoalId."}},
						"invalidParams": map[string]any{
							"type":        "array",
							"description": "With 400: every invalid field of the request.",
							"items":       ref("InvalidParam"),
						},
						"correlationId": map[string]any{"type": "string", "description": "The request's X-Correlation-ID, to quote when reporting the problem."},
					},
				},
				"InvalidParam": map[string]any{
					"type":        "object",
					"description": "One invalid field or parameter of a request, and why.",
					"required":    []string{"name", "reason"},
					"properties": map[string]any{
						"name":   map[string]any{"type": "string", "description": "The field, as a path into the body (steps[2].at) or a parameter name.", "examples": []string{"learningGoalId"}},
						"reason": map[string]any{"type": "string", "description": "Why it is invalid.", "examples": []string{"is required"}},
					},
				},
				"Status": map[string]any{
					"type":        "object",
					"description": "The answer of a probe.",
					"required":    []string{"status"},
					"properties":  map[string]any{"status": map[string]any{"type": "string", "enum": []string{"ok", "ready"}}},
				},
				"Principal": map[string]any{
					"type":        "object",
					"description": "The caller as the bearer token names them.",
					"required":    []string{"subject", "roles"},
					"properties": map[string]any{
						"subject": map[string]any{"type": "string", "description": "The pseudonymous subject id of the token."},
						"roles": map[string]any{
							"type":  "array",
							"items": map[string]any{"type": "string", "enum": []string{"participant", "manager", "trainer", "programme-office"}},
						},
					},
				},
			},
			Headers: map[string]any{
				headerAPIVersion: map[string]any{
					"description": "The full version of the API that answered.",
					"required":    true,
					"schema":      map[string]any{"type": "string", "examples": []string{cfg.Version}},
				},
				headerCorrelationID: map[string]any{
					"description": "The request's correlation id: the one sent (8-64 of A-Z a-z 0-9 . _ : -), the trace id of a traceparent, or a new one.",
					"required":    true,
					"schema":      map[string]any{"type": "string"},
				},
			},
			SecuritySchemes: map[string]any{
				schemeBearer: map[string]any{
					"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
					"description": "An OIDC access token (JWT) of the configured issuer and audience, with the Leerpad roles in the configured role claim.",
				},
				schemeRaterLink: map[string]any{
					"type": "http", "scheme": "bearer",
					"description": "The token of a 360 rater's personal link (lprl_...): opens one round's answer form until it expires, and nothing else.",
				},
			},
		},
	}
	addResourceOperations(d)
	addPrivacyTag(d)
	return d
}

func renderOpenAPI(d *oasDocument) ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render the OpenAPI document: %w", err)
	}
	return b, nil
}

func ref(schema string) map[string]any { return map[string]any{"$ref": schemaRefPrefix + schema} }

func public() []map[string][]string { return []map[string][]string{} }

func bearerOnly() []map[string][]string { return []map[string][]string{{schemeBearer: {}}} }

// standardHeaders are on every response.
func standardHeaders() map[string]any {
	return map[string]any{
		headerAPIVersion:    map[string]any{"$ref": headerRefPrefix + headerAPIVersion},
		headerCorrelationID: map[string]any{"$ref": headerRefPrefix + headerCorrelationID},
	}
}

// success is an operation's 2xx response.
type success struct {
	code        int
	description string
	schema      any
}

func ok(description string, schema any) success {
	return success{code: http.StatusOK, description: description, schema: schema}
}

// responses returns the success response and a problem response for each
// error status.
func responses(s success, errorStatuses ...int) map[string]oasResponse {
	rs := map[string]oasResponse{
		strconv.Itoa(s.code): {
			Description: s.description,
			Headers:     standardHeaders(),
			Content:     map[string]oasMedia{mimeJSON: {Schema: s.schema}},
		},
	}
	for _, code := range errorStatuses {
		rs[strconv.Itoa(code)] = oasResponse{
			Description: problemDescription(code),
			Headers:     standardHeaders(),
			Content:     map[string]oasMedia{mimeProblemJSON: {Schema: ref("Problem")}},
		}
	}
	return rs
}

func problemDescription(code int) string {
	switch code {
	case http.StatusBadRequest:
		return "Invalid input; invalidParams names every invalid field."
	case http.StatusUnauthorized:
		return "No bearer token, or one that is invalid or expired (see WWW-Authenticate)."
	case http.StatusForbidden:
		return "The caller may not do this; detail gives the access rule."
	case http.StatusInternalServerError:
		return "Internal error; quote the correlation id."
	case http.StatusServiceUnavailable:
		return "Not ready yet."
	}
	return http.StatusText(code)
}
