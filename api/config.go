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
