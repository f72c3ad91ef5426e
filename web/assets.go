package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// static holds the built NL Design System CSS (make web-assets), its
// licence and source note, the design tokens and the themes.
//
//go:embed static
var static embed.FS

// assets is the pages' one stylesheet, joined from its parts at start for
// the configured theme, named by its hash so that browsers may keep it.
type assets struct {
	stylesheetURL string
	css, gz       []byte
	etag          string
}

func newAssets(theme string) (*assets, error) {
	var buf bytes.Buffer
	// The files of the one stylesheet, in order: the components, the token
	// mapping, the theme's tokens, the layout.
	for _, part := range []string{"static/nlds.css", "static/tokens.css", "static/themes/" + theme + ".css", "static/leerpad.css"} {
		b, err := fs.ReadFile(static, part)
		if err != nil {
			return nil, fmt.Errorf("stylesheet: %w", err)
		}
		b = bytes.TrimPrefix(b, []byte("@charset \"UTF-8\";\n"))
		buf.Write(b)
		buf.WriteByte('\n')
	}
	css := append([]byte("@charset \"UTF-8\";\n"), buf.Bytes()...)
	sum := sha256.Sum256(css)
	hash := hex.EncodeToString(sum[:6])
	var gz bytes.Buffer
	w, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(css); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &assets{stylesheetURL: "/static/leerpad-" + theme + "-" + hash + ".css", css: css, gz: gz.Bytes(), etag: `"` + hash + `"`}, nil
}

// serve is GET /static/*: the stylesheet (gzip-compressed when the client
// accepts it), the licence and the source note of the NL Design System CSS.
func (a *assets) serve(c echo.Context) error {
	path := c.Request().URL.Path
	h := c.Response().Header()
	switch path {
	case a.stylesheetURL:
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", a.etag)
		h.Add("Vary", "Accept-Encoding")
		if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			return c.Blob(http.StatusOK, "text/css; charset=utf-8", a.gz)
		}
		return c.Blob(http.StatusOK, "text/css; charset=utf-8", a.css)
	case "/static/SOURCE.md", "/static/LICENCE-EUPL-1.2.md":
		b, err := fs.ReadFile(static, strings.TrimPrefix(path, "/"))
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", b)
	}
	return echo.ErrNotFound
}
