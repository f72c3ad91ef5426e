package api

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultVersion      = "1.0.0"
	DefaultBodyLimit    = 1 << 20 // 1 MiB
	DefaultReadyTimeout = 2 * time.Second
	DefaultContactName  = "Leerpad"
	DefaultContactEmail = "leerpad@example.org"
	DefaultContactURL   = "https://github.com/leerpad/leerpad"

	DefaultReadYourWritesTimeout = 2 * time.Second
	DefaultIdempotencyTTL        = 24 * time.Hour
	DefaultIdempotencyEntries    = 10000
	DefaultRaterLinkTTL          = 30 * 24 * time.Hour
	MaxRaterLinkTTL              = 90 * 24 * time.Hour
)

// Config is the API's configuration. The zero value is valid: every empty
// field takes its default.
type Config struct {
	// Version is the full semantic version of the API, sent in the
	// API-Version header of every response and in the OpenAPI document. Its
	// major version must match the "/v1" in the paths. Default "1.0.0".
	Version string
	// BodyLimit is the largest request body in bytes; larger ones are answered
	// 413. Default 1 MiB.
	BodyLimit int64
	// ReadyTimeout bounds one call of Deps.Ready by /readyz. Default 2s.
	ReadyTimeout time.Duration
	// ContactName, ContactEmail and ContactURL name who runs this API, in the
	// OpenAPI document (the design rules require all three). Defaults
	// "Leerpad", "leerpad@example.org" and the project's URL: set them to the
	// operator's service desk.
	ContactName  string
	ContactEmail string
	ContactURL   string
	// ReadYourWritesTimeout bounds how long a read waits for its read model
	// to reach Leerpad-Min-Position before answering 503. Default 2s.
	ReadYourWritesTimeout time.Duration
	// IdempotencyTTL is how long the first response to an Idempotency-Key
	// is replayed, and IdempotencyEntries how many are kept at most (the
	// oldest go first). Defaults 24h and 10000. The cache is in memory and
	// per process; behind it the event store still records a retried
	// command once, by the event ids derived from the key.
	IdempotencyTTL     time.Duration
	IdempotencyEntries int
	// RaterLinkTTL is how long a rater link works when the request names no
	// expiry. Default 30 days; a link never works longer than MaxRaterLinkTTL.
	RaterLinkTTL time.Duration
}

// majorVersion is the major version in every path: /v1.
const majorVersion = 1

var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)

func (c Config) withDefaults() Config {
	if c.Version == "" {
		c.Version = DefaultVersion
	}
	if c.BodyLimit == 0 {
		c.BodyLimit = DefaultBodyLimit
	}
	if c.ReadyTimeout == 0 {
		c.ReadyTimeout = DefaultReadyTimeout
	}
	if c.ContactName == "" {
		c.ContactName = DefaultContactName
	}
	if c.ContactEmail == "" {
		c.ContactEmail = DefaultContactEmail
	}
	if c.ContactURL == "" {
		c.ContactURL = DefaultContactURL
	}
	if c.ReadYourWritesTimeout == 0 {
		c.ReadYourWritesTimeout = DefaultReadYourWritesTimeout
	}
	if c.IdempotencyTTL == 0 {
		c.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if c.IdempotencyEntries == 0 {
		c.IdempotencyEntries = DefaultIdempotencyEntries
	}
	if c.RaterLinkTTL == 0 {
		c.RaterLinkTTL = DefaultRaterLinkTTL
	}
	return c
}

// Validate reports every field of c (with defaults applied) that cannot work.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if m := semver.FindStringSubmatch(c.Version); m == nil {
		errs = append(errs, fmt.Errorf("api: version %q is not major.minor.patch", c.Version))
	} else if m[1] != fmt.Sprint(majorVersion) {
		errs = append(errs, fmt.Errorf("api: version %q does not have major version %d of the /v%d paths", c.Version, majorVersion, majorVersion))
	}
	if c.BodyLimit < 1024 {
		errs = append(errs, fmt.Errorf("api: body limit %d is below 1 KiB", c.BodyLimit))
	}
	if c.ReadYourWritesTimeout < 0 || c.IdempotencyTTL < 0 || c.IdempotencyEntries < 0 {
		errs = append(errs, errors.New("api: read-your-writes timeout, idempotency TTL and entries must not be negative"))
	}
	if c.RaterLinkTTL < 0 || c.RaterLinkTTL > MaxRaterLinkTTL {
		errs = append(errs, fmt.Errorf("api: rater link TTL %s is not between 0 and %s", c.RaterLinkTTL, MaxRaterLinkTTL))
	}
	if c.ReadyTimeout < 0 {
		errs = append(errs, fmt.Errorf("api: ready timeout %s is negative", c.ReadyTimeout))
	}
	if _, err := mail.ParseAddress(c.ContactEmail); err != nil || strings.ContainsAny(c.ContactEmail, "<> ") {
		errs = append(errs, fmt.Errorf("api: contact email %q is not an address", c.ContactEmail))
	}
	if u, err := url.Parse(c.ContactURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("api: contact URL %q is not an http(s) URL", c.ContactURL))
	}
	return errors.Join(errs...)
}
