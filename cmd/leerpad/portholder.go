package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// listenError explains a listener that could not be bound: the address and
// the flag that set it, and for a port already in use, which process holds
// it when that can be found.
func listenError(flag, addr string, err error) error {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("listen on %s (%s): %w", addr, flag, err)
	}
	_, port, _ := net.SplitHostPort(addr)
	return fmt.Errorf("listen on %s (%s): port %s is already in use %s: %w", addr, flag, port, portHolder(port), err)
}

// portHolder names the process listening on a TCP port ("by pid 42 (cmd)"),
// as Linux shows it:
// the socket's inode in /proc/net/tcp or tcp6, and the process with a file
// descriptor on that socket. Without /proc, or for another user's process,
// it says that it cannot tell.
func portHolder(port string) string {
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "(which process holds it cannot be told)"
	}
	var inodes []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		inodes = append(inodes, listeningInodes(table, uint16(p))...)
	}
	if len(inodes) == 0 {
		return "(which process holds it cannot be told: no listener on it in /proc/net/tcp or tcp6)"
	}
	if pid, name, ok := socketOwner(inodes); ok {
		return fmt.Sprintf("by pid %d (%s)", pid, name)
	}
	return "(which process holds it cannot be told: it may belong to another user or container)"
}

// listeningInodes returns the inodes of the sockets listening on port in a
// /proc/net/tcp-format table.
func listeningInodes(table string, port uint16) []string {
	b, err := os.ReadFile(table)
	if err != nil {
		return nil
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Scan() // the header
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != "0A" { // 0A is TCP_LISTEN
			continue
		}
		_, hexPort, ok := strings.Cut(f[1], ":")
		if p, err := strconv.ParseUint(hexPort, 16, 16); !ok || err != nil || uint16(p) != port {
			continue
		}
		if f[9] != "0" {
			out = append(out, f[9])
		}
	}
	return out
}

// socketOwner finds a process with a file descriptor on one of the socket
// inodes, and names it by its command line (or its comm).
func socketOwner(inodes []string) (int, string, bool) {
	want := map[string]bool{}
	for _, in := range inodes {
		want["socket:["+in+"]"] = true
	}
	procs, _ := os.ReadDir("/proc")
	for _, d := range procs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(filepath.Join("/proc", d.Name(), "fd"))
		if err != nil {
			continue // another user's process, or gone
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join("/proc", d.Name(), "fd", fd.Name()))
			if err == nil && want[link] {
				return pid, processName(d.Name()), true
			}
		}
	}
	return 0, "", false
}

// processName is a process's command line, shortened, or its comm.
func processName(pid string) string {
	if b, err := os.ReadFile(filepath.Join("/proc", pid, "cmdline")); err == nil && len(b) > 0 {
		s := strings.Join(strings.Fields(strings.ReplaceAll(string(b), "\x00", " ")), " ")
		if len(s) > 120 {
			s = s[:117] + "..."
		}
		if s != "" {
			return s
		}
	}
	if b, err := os.ReadFile(filepath.Join("/proc", pid, "comm")); err == nil {
		return strings.TrimSpace(string(b))
	}
	return "name unknown"
}
