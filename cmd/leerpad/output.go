package main

import (
	"io"
	"net/url"
	"os"
)

// where names the event store for the summaries and the log, without
// credentials.
func where(f eventStoreFlags) string {
	if f.connection == "" {
		return "data directory " + f.data
	}
	if u, err := url.Parse(f.connection); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	return f.connection
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
