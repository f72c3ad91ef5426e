package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad serve flags are refused with a usage error that names the flag, before
// anything touches the data directory.
func TestServeRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--stream-cache", "-1"}, "-stream-cache"},
		{[]string{"--log-level", "loud"}, "-log-level"},
		{[]string{"--snapshot-interval", "-1s"}, "-snapshot-interval"},
		{[]string{"--snapshot-events", "-5"}, "-snapshot-events"},
		{[]string{"--bogus"}, "bogus"},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		err := run(context.Background(), append([]string{"serve", "--data", dir}, tc.args...), io.Discard, io.Discard)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: err = %v, want a usage error naming %s", tc.args, err, tc.want)
		}
		if _, statErr := os.Stat(dir); !errors.Is(statErr, os.ErrNotExist) {
			t.Errorf("serve %v: the data directory was created before the flags were checked", tc.args)
		}
	}
}
