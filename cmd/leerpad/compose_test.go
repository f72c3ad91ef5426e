package main

// There is no Docker engine to try docker-compose.yml with, so these tests
// read it (and deploy/, the Dockerfile, .dockerignore) and check that it
// agrees with Leerpad itself: every flag parses with the real flag set, the
// ports the flags name are the ones published and scraped, the connection
// string names the cluster's nodes, the token key the replicas read is the
// one the key service writes, and every metric the Grafana dashboard queries
// is one the real constructors register. Renaming a flag, a metric or a
// label, or changing a port on one side only, fails here.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
	"go.yaml.in/yaml/v3"

	"github.com/leerpad/leerpad/api"
	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/eventstore"
)

// repoRoot is where docker-compose.yml lives, seen from this package.
const repoRoot = "../.."

// kurrentImage is the pinned KurrentDB LTS line the cluster runs.
var kurrentImage = regexp.MustCompile(`^docker\.kurrent\.io/kurrent-lts/kurrentdb:26\.\d+\.\d+(@sha256:[0-9a-f]{64})?$`)

// pinnedTag matches an image pinned to a full version (or a digest).
var pinnedTag = regexp.MustCompile(`^[^:@]+(:v?\d+\.\d+\.\d+[^:@]*)?(@sha256:[0-9a-f]{64})?$`)

// ---- the compose file, as far as these tests read it ----

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string       `yaml:"image"`
	Build       composeBuild `yaml:"build"`
	Command     stringList   `yaml:"command"`
	Entrypoint  stringList   `yaml:"entrypoint"`
	Environment envMap       `yaml:"environment"`
	Ports       []portSpec   `yaml:"ports"`
	Expose      []string     `yaml:"expose"`
	Volumes     []volumeSpec `yaml:"volumes"`
	DependsOn   dependsOn    `yaml:"depends_on"`
	Healthcheck *healthcheck `yaml:"healthcheck"`
	Restart     string       `yaml:"restart"`
	Platform    string       `yaml:"platform"`
}

type healthcheck struct {
	Test stringList `yaml:"test"`
}

// composeBuild is the build context: `build: .` or `build: {context: .}`.
type composeBuild struct{ Context, Dockerfile string }

func (b *composeBuild) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		b.Context = n.Value
		return nil
	}
	var m struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	b.Context, b.Dockerfile = m.Context, m.Dockerfile
	return nil
}

// stringList is a command, entrypoint or healthcheck test: a list, or a
// string split on spaces (none of ours needs shell quoting).
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = strings.Fields(n.Value)
		return nil
	}
	var s []string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*l = s
	return nil
}

// envMap is `environment:` as a mapping (merge keys resolved) or as a list of NAME=value.
type envMap map[string]string

func (e *envMap) UnmarshalYAML(n *yaml.Node) error {
	*e = envMap{}
	if n.Kind == yaml.SequenceNode {
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		for _, kv := range s {
			k, v, _ := strings.Cut(kv, "=")
			(*e)[k] = v
		}
		return nil
	}
	var m map[string]any // decoding into a map resolves << merge keys
	if err := n.Decode(&m); err != nil {
		return err
	}
	for k, v := range m {
		if v == nil {
			(*e)[k] = ""
		} else {
			(*e)[k] = fmt.Sprint(v)
		}
	}
	return nil
}

// portSpec is one published port: "[ip:]published:target[/proto]", "target", or the long syntax.
type portSpec struct {
	Published string
	Target    int
}

func (p *portSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		var m struct {
			Target    int    `yaml:"target"`
			Published string `yaml:"published"`
		}
		if err := n.Decode(&m); err != nil {
			return err
		}
		p.Target, p.Published = m.Target, m.Published
		return nil
	}
	s, _, _ := strings.Cut(n.Value, "/")
	parts := strings.Split(s, ":")
	t, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil {
		return fmt.Errorf("port %q: %w", n.Value, err)
	}
	p.Target = t
	if len(parts) > 1 {
		p.Published = parts[len(parts)-2]
	}
	return nil
}

// volumeSpec is one mount: "source:target[:mode]" or the long syntax.
type volumeSpec struct {
	Source, Target string
	ReadOnly       bool
}

func (v *volumeSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		var m struct {
			Source   string `yaml:"source"`
			Target   string `yaml:"target"`
			ReadOnly bool   `yaml:"read_only"`
		}
		if err := n.Decode(&m); err != nil {
			return err
		}
		v.Source, v.Target, v.ReadOnly = m.Source, m.Target, m.ReadOnly
		return nil
	}
	parts := strings.Split(n.Value, ":")
	switch len(parts) {
	case 1:
		v.Target = parts[0]
	case 2:
		v.Source, v.Target = parts[0], parts[1]
	case 3:
		v.Source, v.Target = parts[0], parts[1]
		v.ReadOnly = slices.Contains(strings.Split(parts[2], ","), "ro")
	default:
		return fmt.Errorf("volume %q: cannot parse", n.Value)
	}
	return nil
}

// bindMount reports whether the source is a host path rather than a named volume.
func (v volumeSpec) bindMount() bool {
	return strings.HasPrefix(v.Source, ".") || strings.HasPrefix(v.Source, "/") || strings.HasPrefix(v.Source, "~")
}

// dependsOn maps each dependency to its condition (list form: service_started).
type dependsOn map[string]string

func (d *dependsOn) UnmarshalYAML(n *yaml.Node) error {
	*d = dependsOn{}
	if n.Kind == yaml.SequenceNode {
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		for _, name := range s {
			(*d)[name] = "service_started"
		}
		return nil
	}
	var m map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	for name, c := range m {
		(*d)[name] = c.Condition
		if c.Condition == "" {
			(*d)[name] = "service_started"
		}
	}
	return nil
}

func (s composeService) mountAt(target string) (volumeSpec, bool) {
	for _, v := range s.Volumes {
		if path.Clean(v.Target) == path.Clean(target) {
			return v, true
		}
	}
	return volumeSpec{}, false
}

func (s composeService) publishes(target int) bool {
	for _, p := range s.Ports {
		if p.Target == target && p.Published != "" {
			return true
		}
	}
	return false
}

// flagValue returns the value of --name in args (either --name=v or --name v), or def.
func flagValue(args []string, name, def string) string {
	for i, a := range args {
		a = strings.TrimLeft(a, "-")
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return def
}

// withFlag returns args with --name set to v (replacing it, or appended).
func withFlag(args []string, name, v string) []string {
	out := make([]string, 0, len(args)+1)
	replaced := false
	for i := 0; i < len(args); i++ {
		a := strings.TrimLeft(args[i], "-")
		switch {
		case strings.HasPrefix(a, name+"="):
			out = append(out, "--"+name+"="+v)
			replaced = true
		case a == name && i+1 < len(args):
			out = append(out, "--"+name+"="+v)
			replaced = true
			i++
		default:
			out = append(out, args[i])
		}
	}
	if !replaced {
		out = append(out, "--"+name+"="+v)
	}
	return out
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	if len(c.Services) == 0 {
		t.Fatal("docker-compose.yml: no services")
	}
	return c
}

// kurrentNodes are the services running the KurrentDB image, by name.
func (c composeFile) kurrentNodes() []string {
	var names []string
	for name, s := range c.Services {
		repo, _, _ := strings.Cut(s.Image, ":")
		if strings.HasSuffix(repo, "/kurrentdb") || strings.Contains(s.Image, "eventstore/eventstore") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// replicas are the services running `leerpad serve`, by name.
func (c composeFile) replicas() []string {
	var names []string
	for name, s := range c.Services {
		if len(s.Command) > 0 && s.Command[0] == "serve" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// nodePort is the HTTP/gRPC port of a KurrentDB service (client and gossip traffic).
func nodePort(t *testing.T, s composeService) int {
	t.Helper()
	p, err := strconv.Atoi(orDefault(s.Environment["KURRENTDB_NODE_PORT"], "2113"))
	if err != nil {
		t.Fatalf("KURRENTDB_NODE_PORT: %v", err)
	}
	return p
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func splitPort(t *testing.T, what, hostPort string) (string, int) {
	t.Helper()
	host, p, err := net.SplitHostPort(hostPort)
	if err != nil {
		t.Fatalf("%s %q: %v", what, hostPort, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("%s %q: %v", what, hostPort, err)
	}
	return host, port
}

// ---- KurrentDB ----

func TestComposeKurrentDBCluster(t *testing.T) {
	c := loadCompose(t)
	nodes := c.kurrentNodes()
	if len(nodes) != 3 {
		t.Fatalf("KurrentDB services %v, want exactly three", nodes)
	}
	// Settings that KurrentDB 25 removed (renamed); a node would refuse them.
	removed := []string{"EXT_IP", "INT_IP", "HTTP_PORT", "INT_TCP_PORT", "EXT_HOST_ADVERTISE_AS",
		"INT_HOST_ADVERTISE_AS", "HTTP_PORT_ADVERTISE_AS", "INT_TCP_PORT_ADVERTISE_AS",
		"ADVERTISE_HTTP_PORT_TO_CLIENT_AS", "INT_TCP_HEARTBEAT_INTERVAL", "INT_TCP_HEARTBEAT_TIMEOUT"}
	dataVolumes := map[string]string{}
	for _, name := range nodes {
		s := c.Services[name]
		env := s.Environment
		if !kurrentImage.MatchString(s.Image) {
			t.Errorf("%s: image %q, want docker.kurrent.io/kurrent-lts/kurrentdb:26.x.y pinned", name, s.Image)
		}
		if s.Image != c.Services[nodes[0]].Image {
			t.Errorf("%s: image %q differs from %s's %q", name, s.Image, nodes[0], c.Services[nodes[0]].Image)
		}
		for k := range env {
			if !strings.HasPrefix(k, "KURRENTDB_") {
				t.Errorf("%s: environment %s: KurrentDB reads KURRENTDB_* settings", name, k)
			}
			if slices.Contains(removed, strings.TrimPrefix(k, "KURRENTDB_")) {
				t.Errorf("%s: %s was removed in KurrentDB 25", name, k)
			}
		}
		if got := env["KURRENTDB_CLUSTER_SIZE"]; got != strconv.Itoa(len(nodes)) {
			t.Errorf("%s: KURRENTDB_CLUSTER_SIZE %q, want %d", name, got, len(nodes))
		}
		if env["KURRENTDB_INSECURE"] != "true" {
			t.Errorf("%s: KURRENTDB_INSECURE %q, want true (the replicas connect with tls=false)", name, env["KURRENTDB_INSECURE"])
		}
		if env["KURRENTDB_DISCOVER_VIA_DNS"] != "false" {
			t.Errorf("%s: KURRENTDB_DISCOVER_VIA_DNS %q, want false: the nodes find each other through gossip seeds", name, env["KURRENTDB_DISCOVER_VIA_DNS"])
		}
		if ip := env["KURRENTDB_REPLICATION_IP"]; ip == "" || strings.HasPrefix(ip, "127.") {
			t.Errorf("%s: KURRENTDB_REPLICATION_IP %q: the default loopback keeps the nodes from replicating", name, ip)
		}
		for _, k := range []string{"KURRENTDB_NODE_HOST_ADVERTISE_AS", "KURRENTDB_REPLICATION_HOST_ADVERTISE_AS", "KURRENTDB_ADVERTISE_HOST_TO_CLIENT_AS"} {
			if v, ok := env[k]; ok && v != name {
				t.Errorf("%s: %s %q, want its own service name", name, k, v)
			}
		}

		// Gossip: with each of the other nodes, at their node port.
		var want []string
		for _, other := range nodes {
			if other != name {
				want = append(want, net.JoinHostPort(other, strconv.Itoa(nodePort(t, c.Services[other]))))
			}
		}
		got := strings.Split(env["KURRENTDB_GOSSIP_SEED"], ",")
		for i := range got {
			got[i] = strings.TrimSpace(got[i])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: KURRENTDB_GOSSIP_SEED %q, want the other two nodes %q", name, env["KURRENTDB_GOSSIP_SEED"], strings.Join(want, ","))
		}

		if s.Healthcheck == nil {
			t.Errorf("%s: no healthcheck (the replicas wait for service_healthy)", name)
		} else {
			test := strings.Join(s.Healthcheck.Test, " ")
			live := fmt.Sprintf("localhost:%d/health/live", nodePort(t, s))
			if !strings.Contains(test, live) || !strings.Contains(test, "curl") {
				t.Errorf("%s: healthcheck %q, want curl (in the image) on %s", name, test, live)
			}
		}
		v, ok := s.mountAt("/var/lib/kurrentdb")
		switch {
		case !ok || v.Source == "":
			t.Errorf("%s: no volume on /var/lib/kurrentdb", name)
		case dataVolumes[v.Source] != "":
			t.Errorf("%s: shares its data volume %s with %s", name, v.Source, dataVolumes[v.Source])
		default:
			dataVolumes[v.Source] = name
			if _, declared := c.Volumes[v.Source]; !v.bindMount() && !declared {
				t.Errorf("%s: volume %s is not declared under volumes:", name, v.Source)
			}
		}
	}
}

// ---- the Leerpad replicas ----

func TestComposeLeerpadReplicas(t *testing.T) {
	c := loadCompose(t)
	replicas := c.replicas()
	if len(replicas) != 2 {
		t.Fatalf("services running leerpad serve: %v, want two replicas", replicas)
	}
	nodes := c.kurrentNodes()
	published := map[string]string{}
	keyStores := map[string]string{} // volume → the first replica mounting it as its key store
	for _, name := range replicas {
		s := c.Services[name]
		f, err := parseServeFlags(s.Command[1:], io.Discard)
		if err != nil {
			t.Errorf("%s: leerpad %s: %v", name, strings.Join(s.Command, " "), err)
			continue
		}
		if s.Build.Context != "." {
			t.Errorf("%s: build %q, want the repository's Dockerfile (build: .)", name, s.Build.Context)
		}

		// The event store: the whole cluster, as a valid connection string.
		if f.store.connection == "" {
			t.Errorf("%s: no --eventstore: the replica would start its own embedded node", name)
		} else if cfg, err := esdb.ParseConnectionString(f.store.connection); err != nil {
			t.Errorf("%s: --eventstore %q: %v", name, f.store.connection, err)
		} else {
			var hosts []string
			for _, ep := range cfg.GossipSeeds {
				hosts = append(hosts, ep.Host)
				if n, ok := c.Services[ep.Host]; !ok {
					t.Errorf("%s: --eventstore names %s, which is no service", name, ep.Host)
				} else if int(ep.Port) != nodePort(t, n) {
					t.Errorf("%s: --eventstore port %d for %s, which listens on %d", name, ep.Port, ep.Host, nodePort(t, n))
				}
			}
			slices.Sort(hosts)
			if !slices.Equal(hosts, nodes) {
				t.Errorf("%s: --eventstore names %v, want all KurrentDB nodes %v", name, hosts, nodes)
			}
			if insecure := c.Services[nodes[0]].Environment["KURRENTDB_INSECURE"] == "true"; cfg.DisableTLS != insecure {
				t.Errorf("%s: --eventstore tls=%v, but the cluster runs insecure=%v", name, !cfg.DisableTLS, insecure)
			}
		}
		for _, n := range nodes {
			if s.DependsOn[n] != "service_healthy" {
				t.Errorf("%s: depends_on %s: %q, want service_healthy", name, n, s.DependsOn[n])
			}
		}

		// The API port is the one published; the admin port is another.
		host, apiPort := splitPort(t, name+": --listen", f.listen)
		if host != "0.0.0.0" && host != "" && host != "::" {
			t.Errorf("%s: --listen %s is not reachable from outside the container", name, f.listen)
		}
		if !s.publishes(apiPort) {
			t.Errorf("%s: --listen port %d is not published (ports: %+v)", name, apiPort, s.Ports)
		}
		for _, p := range s.Ports {
			if p.Target != apiPort {
				t.Errorf("%s: publishes container port %d, which nothing listens on (--listen port %d)", name, p.Target, apiPort)
			}
			if other := published[p.Published]; other != "" {
				t.Errorf("%s: host port %s is also published by %s", name, p.Published, other)
			}
			published[p.Published] = name
		}
		host, adminPort := splitPort(t, name+": --admin-listen", f.adminListen)
		if host != "0.0.0.0" && host != "" && host != "::" {
			t.Errorf("%s: --admin-listen %s cannot be scraped from outside the container", name, f.adminListen)
		}
		if adminPort == apiPort {
			t.Errorf("%s: --admin-listen and --listen share port %d", name, apiPort)
		}
		for _, e := range s.Expose {
			if e != strconv.Itoa(adminPort) && e != strconv.Itoa(apiPort) {
				t.Errorf("%s: exposes %s, which nothing listens on", name, e)
			}
		}

		// Stateless: nothing written to a volume but the key store of the
		// people's data keys, one for all replicas (docs/decisions/0013).
		if f.store.keystore == "" || f.store.kek == "" {
			t.Errorf("%s: no --keystore and --kek-file: each replica would have a key store of its own", name)
		}
		for _, v := range s.Volumes {
			if v.ReadOnly {
				continue
			}
			if v.bindMount() || path.Clean(v.Target) != path.Clean(f.store.keystore) {
				t.Errorf("%s: volume %s:%s is writable; replicas share nothing writable but the key store (--keystore %s)", name, v.Source, v.Target, f.store.keystore)
				continue
			}
			if keyStores[v.Source] == "" {
				keyStores[v.Source] = name
			}
		}
		if ks, ok := s.mountAt(f.store.keystore); !ok {
			t.Errorf("%s: --keystore %s is on no volume: a key store the other replica does not see", name, f.store.keystore)
		} else if !strings.HasPrefix(path.Clean(f.store.kek), path.Clean(ks.Target)+"/") {
			t.Errorf("%s: --kek-file %s is on no volume the replicas share", name, f.store.kek)
		}
		if f.jwksURL != "" {
			if u, err := url.Parse(f.jwksURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
				t.Errorf("%s: --oidc-jwks-url %q is not an http(s) URL", name, f.jwksURL)
			}
			continue
		}
		checkSharedKey(t, c, name, f)
	}
	if len(keyStores) != 1 {
		t.Errorf("key-store volumes of the replicas: %v, want one they share", keyStores)
	}
}

// checkSharedKey checks the token key of a replica without a JWKS URL: the
// file <data>/keys/token-signing.jwk, from a read-only volume that a one-shot
// `leerpad token` service fills, and that a token that service mints is
// accepted by a verifier configured with the replica's flags.
func checkSharedKey(t *testing.T, c composeFile, name string, f serveFlags) {
	t.Helper()
	s := c.Services[name]
	keyDir := path.Dir(filepath.ToSlash(auth.KeyPath(f.store.data)))
	v, ok := s.mountAt(keyDir)
	if !ok {
		t.Errorf("%s: no --oidc-jwks-url and no key volume on %s: it would create a key of its own, and reject the other replica's tokens", name, keyDir)
		return
	}
	if !v.ReadOnly {
		t.Errorf("%s: the key volume on %s must be read-only", name, keyDir)
	}
	var writers []string
	for other, o := range c.Services {
		if w, ok := o.mountAt(keyDir); ok && w.Source == v.Source && !w.ReadOnly {
			writers = append(writers, other)
		}
	}
	if len(writers) != 1 {
		t.Errorf("%s: services writing the key volume %s: %v, want one", name, v.Source, writers)
		return
	}
	keys := writers[0]
	k := c.Services[keys]
	if len(k.Command) == 0 || k.Command[0] != "token" {
		t.Errorf("%s: command %q, want leerpad token (which creates the key)", keys, k.Command)
		return
	}
	if s.DependsOn[keys] != "service_completed_successfully" {
		t.Errorf("%s: depends_on %s: %q, want service_completed_successfully", name, keys, s.DependsOn[keys])
	}
	if k.Build.Context != s.Build.Context || k.Image != s.Image {
		t.Errorf("%s: image %q/build %q differs from %s's %q/%q", keys, k.Image, k.Build.Context, name, s.Image, s.Build.Context)
	}
	if d := flagValue(k.Command[1:], "data", "./data"); path.Dir(filepath.ToSlash(auth.KeyPath(d))) != keyDir {
		t.Errorf("%s: token --data %s keeps its key outside %s", keys, d, keyDir)
	}

	// Run the key service's command on a temporary directory, and verify
	// its token the way the replica would.
	dir := t.TempDir()
	var out strings.Builder
	if err := run(t.Context(), withFlag(k.Command, "data", dir), &out, io.Discard); err != nil {
		t.Errorf("%s: leerpad %s: %v", keys, strings.Join(k.Command, " "), err)
		return
	}
	ver, err := auth.NewVerifier(t.Context(), auth.Config{Issuer: f.issuer, Audience: f.audience,
		RoleClaim: f.roleClaim, SubjectClaim: f.subjectClaim, KeyFile: auth.KeyPath(dir)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ver.Verify(t.Context(), strings.TrimSpace(out.String())); err != nil {
		t.Errorf("%s rejects the token %s mints: %v", name, keys, err)
	}
}

// ---- Prometheus ----

type promConfig struct {
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		Scheme        string `yaml:"scheme"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

// prometheusService returns the Prometheus service, its parsed
// configuration, and its listen port.
func prometheusService(t *testing.T, c composeFile) (string, promConfig, int) {
	t.Helper()
	var name string
	for n, s := range c.Services {
		if strings.HasPrefix(s.Image, "prom/prometheus:") {
			name = n
		}
	}
	if name == "" {
		t.Fatal("no prom/prometheus service")
	}
	s := c.Services[name]
	configFile := flagValue(s.Command, "config.file", "/etc/prometheus/prometheus.yml")
	v, ok := s.mountAt(configFile)
	if !ok || !v.bindMount() {
		t.Fatalf("%s: --config.file %s is not mounted from the repository", name, configFile)
	}
	b, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(v.Source)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var cfg promConfig
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("%s: %v", v.Source, err)
	}
	_, port := splitPort(t, name+": --web.listen-address", flagValue(s.Command, "web.listen-address", "0.0.0.0:9090"))
	return name, cfg, port
}

func TestComposePrometheus(t *testing.T) {
	c := loadCompose(t)
	name, cfg, _ := prometheusService(t, c)
	if s := c.Services[name]; !pinnedTag.MatchString(s.Image) || strings.HasSuffix(s.Image, ":latest") {
		t.Errorf("%s: image %q is not pinned to a version", name, s.Image)
	}
	var want []string
	for _, r := range c.replicas() {
		f, err := parseServeFlags(c.Services[r].Command[1:], io.Discard)
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		_, port := splitPort(t, r+": --admin-listen", f.adminListen)
		want = append(want, net.JoinHostPort(r, strconv.Itoa(port)))
		if c.Services[name].DependsOn[r] == "" {
			t.Errorf("%s: does not depend on %s", name, r)
		}
	}
	var got []string
	for _, sc := range cfg.ScrapeConfigs {
		if p := orDefault(sc.MetricsPath, "/metrics"); p != "/metrics" {
			t.Errorf("job %s: metrics_path %s, but Leerpad serves /metrics on its admin listener", sc.JobName, p)
		}
		if s := orDefault(sc.Scheme, "http"); s != "http" {
			t.Errorf("job %s: scheme %s, but the admin listener speaks plain http", sc.JobName, s)
		}
		for _, st := range sc.StaticConfigs {
			got = append(got, st.Targets...)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("prometheus.yml scrapes %v, want the replicas' admin listeners %v", got, want)
	}
}

// ---- Grafana ----

type grafanaSetup struct {
	service       string
	datasourceUID string
	dashboards    string // directory in the repository with the provisioned dashboards
}

func grafana(t *testing.T, c composeFile) grafanaSetup {
	t.Helper()
	var g grafanaSetup
	for n, s := range c.Services {
		if strings.HasPrefix(s.Image, "grafana/grafana") {
			g.service = n
		}
	}
	if g.service == "" {
		t.Fatal("no grafana/grafana service")
	}
	s := c.Services[g.service]
	if !pinnedTag.MatchString(s.Image) || !strings.Contains(s.Image, ":") {
		t.Errorf("%s: image %q is not pinned to a version", g.service, s.Image)
	}
	provisioning := orDefault(s.Environment["GF_PATHS_PROVISIONING"], "/etc/grafana/provisioning")
	v, ok := s.mountAt(provisioning)
	if !ok || !v.bindMount() {
		t.Fatalf("%s: %s is not mounted from the repository", g.service, provisioning)
	}
	dir := filepath.Join(repoRoot, filepath.FromSlash(v.Source))

	// The Prometheus data source: the Prometheus service, at its port.
	promName, _, promPort := prometheusService(t, c)
	var ds struct {
		Datasources []struct {
			Name, Type, UID, URL string
		} `yaml:"datasources"`
	}
	readYAMLs(t, filepath.Join(dir, "datasources"), &ds)
	for _, d := range ds.Datasources {
		if d.Type != "prometheus" {
			continue
		}
		u, err := url.Parse(d.URL)
		if err != nil {
			t.Errorf("data source %s: %v", d.Name, err)
			continue
		}
		if u.Hostname() != promName || u.Port() != strconv.Itoa(promPort) {
			t.Errorf("data source %s: %s, want http://%s:%d", d.Name, d.URL, promName, promPort)
		}
		if d.UID == "" {
			t.Errorf("data source %s has no uid for the dashboards to name", d.Name)
		}
		g.datasourceUID = d.UID
	}
	if g.datasourceUID == "" {
		t.Fatalf("%s/datasources: no prometheus data source", v.Source)
	}

	// The dashboard provider reads a directory that is mounted from deploy/.
	var dp struct {
		Providers []struct {
			Name, Type string
			Options    struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAMLs(t, filepath.Join(dir, "dashboards"), &dp)
	for _, p := range dp.Providers {
		if p.Type != "file" {
			continue
		}
		m, ok := s.mountAt(p.Options.Path)
		if !ok || !m.bindMount() {
			t.Errorf("dashboard provider %s reads %s, which is not mounted from the repository", p.Name, p.Options.Path)
			continue
		}
		g.dashboards = filepath.Join(repoRoot, filepath.FromSlash(m.Source))
	}
	if g.dashboards == "" {
		t.Fatalf("%s/dashboards: no file provider", v.Source)
	}
	if home := s.Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]; home != "" {
		m, _ := s.mountAt(path.Dir(home))
		if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(m.Source), path.Base(home))); m.Source == "" || err != nil {
			t.Errorf("%s: home dashboard %s is not a mounted dashboard", g.service, home)
		}
	}
	return g
}

// readYAMLs decodes every YAML file of dir into into (later files add to it).
func readYAMLs(t *testing.T, dir string, into any) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext != ".yml" && ext != ".yaml" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, into); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
	}
}

type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Datasource *datasourceRef  `json:"datasource"`
			Query      json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int            `json:"id"`
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	Datasource *datasourceRef `json:"datasource"`
	Targets    []struct {
		Expr       string         `json:"expr"`
		RefID      string         `json:"refId"`
		Datasource *datasourceRef `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // of a collapsed row
}

func loadDashboards(t *testing.T, dir string) map[string]dashboard {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]dashboard{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = d
	}
	if _, ok := out["leerpad.json"]; !ok {
		t.Fatalf("%s: no leerpad.json", dir)
	}
	return out
}

func TestComposeGrafanaDashboard(t *testing.T) {
	c := loadCompose(t)
	g := grafana(t, c)
	_, prom, _ := prometheusService(t, c)
	jobs := map[string]bool{}
	for _, sc := range prom.ScrapeConfigs {
		jobs[sc.JobName] = true
	}
	known := leerpadMetrics(t)

	// What the dashboard must show: the metrics of issue 5's Operations list.
	required := []string{
		"leerpad_http_request_duration_seconds", "leerpad_http_errors_total",
		"leerpad_eventstore_append_duration_seconds",
		"leerpad_projection_lag_positions", "leerpad_projection_unknown_events_total", "leerpad_projection_poisoned_total",
		"leerpad_projection_router_handler_execution_time_seconds",
		"go_goroutines", "go_memstats_heap_inuse_bytes", "go_gc_duration_seconds",
	}
	queried := map[string]bool{}
	uids := map[string]string{}
	for file, d := range loadDashboards(t, g.dashboards) {
		if d.UID == "" || uids[d.UID] != "" {
			t.Errorf("%s: uid %q is empty or also used by %s", file, d.UID, uids[d.UID])
		}
		uids[d.UID] = file
		checkExpr := func(where, expr string) {
			for _, m := range checkPromQL(t, known, jobs, where, expr) {
				queried[m] = true
			}
		}
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				continue
			}
			if v.Datasource == nil || v.Datasource.UID != g.datasourceUID {
				t.Errorf("%s: variable %s: data source %+v, want uid %q", file, v.Name, v.Datasource, g.datasourceUID)
			}
			var q struct {
				Query string `json:"query"`
			}
			if err := json.Unmarshal(v.Query, &q); err != nil {
				_ = json.Unmarshal(v.Query, &q.Query) // a plain string
			}
			checkLabelValues(t, known, jobs, fmt.Sprintf("%s: variable %s", file, v.Name), q.Query)
		}
		ids := map[int]bool{}
		var walk func([]panel)
		walk = func(ps []panel) {
			for _, p := range ps {
				if ids[p.ID] {
					t.Errorf("%s: panel id %d used twice", file, p.ID)
				}
				ids[p.ID] = true
				if p.Type == "row" {
					walk(p.Panels)
					continue
				}
				where := fmt.Sprintf("%s: panel %q", file, p.Title)
				if p.Datasource == nil || p.Datasource.UID != g.datasourceUID {
					t.Errorf("%s: data source %+v, want uid %q", where, p.Datasource, g.datasourceUID)
				}
				if len(p.Targets) == 0 {
					t.Errorf("%s: no queries", where)
				}
				for _, tg := range p.Targets {
					if tg.Datasource != nil && tg.Datasource.UID != g.datasourceUID {
						t.Errorf("%s %s: data source uid %q, want %q", where, tg.RefID, tg.Datasource.UID, g.datasourceUID)
					}
					checkExpr(where+" "+tg.RefID, tg.Expr)
				}
			}
		}
		walk(d.Panels)
	}
	for _, m := range required {
		if !queried[m] {
			t.Errorf("no dashboard panel shows %s", m)
		}
	}
}

// ---- the metrics Leerpad registers ----

type metricInfo struct {
	typ    dto.MetricType
	typed  bool
	labels map[string]bool
}

// recordingRegisterer passes registrations on and remembers the collectors.
type recordingRegisterer struct {
	prometheus.Registerer
	collectors []prometheus.Collector
}

func (r *recordingRegisterer) Register(c prometheus.Collector) error {
	if err := r.Registerer.Register(c); err != nil {
		return err
	}
	r.collectors = append(r.collectors, c)
	return nil
}

func (r *recordingRegisterer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

var (
	descName      = regexp.MustCompile(`fqName: "([^"]*)"`)
	descConst     = regexp.MustCompile(`constLabels: \{([^}]*)\}`)
	descVariable  = regexp.MustCompile(`variableLabels: \{([^}]*)\}`)
	descConstName = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)="`)
)

// leerpadMetrics wires the service as runServe does (an event-store client
// that never connects: nothing is read or written) and returns every metric
// its registry holds: what a scrape shows, and the vectors that are
// registered but have no series until first used.
func leerpadMetrics(t *testing.T) map[string]metricInfo {
	t.Helper()
	ctx := t.Context()
	log := slog.New(slog.DiscardHandler)
	keys := t.TempDir()
	es, err := openEventStore(ctx, eventStoreFlags{connection: "esdb://127.0.0.1:1?tls=false",
		keystore: filepath.Join(keys, "keys"), kek: filepath.Join(keys, "secrets", "kek")}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = es.Close() })
	codec, err := es.codec()
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	// As runServe does.
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	rec := &recordingRegisterer{Registerer: reg}
	store := eventstore.NewStore(es.client, codec)
	if err := store.RegisterMetrics(rec); err != nil {
		t.Fatal(err)
	}
	svc := newServices(store)
	models, err := newProjections(es, codec, rec, log, projectionsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close() })
	verifier, err := auth.NewVerifier(ctx, auth.Config{KeyFile: auth.KeyPath(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	deps, err := apiDeps(svc, models, verifier, reg, log, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	server, err := api.NewServer(api.Config{}, deps)
	if err != nil {
		t.Fatal(err)
	}
	// One request for no route gives the API's vectors their first series.
	server.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/no-such-resource", nil))

	// Prometheus scrapes the admin listener's /metrics.
	w := httptest.NewRecorder()
	server.AdminHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "leerpad_http_requests_in_flight") {
		t.Fatalf("GET /metrics on the admin handler: %d, without the API's metrics", w.Code)
	}

	known := map[string]metricInfo{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		info := metricInfo{typ: mf.GetType(), typed: true, labels: map[string]bool{}}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				info.labels[lp.GetName()] = true
			}
		}
		known[mf.GetName()] = info
	}
	for _, c := range rec.collectors {
		ch := make(chan *prometheus.Desc, 64)
		go func() { c.Describe(ch); close(ch) }()
		for d := range ch {
			m := descName.FindStringSubmatch(d.String())
			if m == nil {
				t.Fatalf("cannot read the name of %s", d)
			}
			info, ok := known[m[1]]
			if !ok {
				info = metricInfo{labels: map[string]bool{}}
				switch c.(type) {
				case *prometheus.HistogramVec:
					info.typ, info.typed = dto.MetricType_HISTOGRAM, true
				case *prometheus.SummaryVec:
					info.typ, info.typed = dto.MetricType_SUMMARY, true
				case *prometheus.CounterVec:
					info.typ, info.typed = dto.MetricType_COUNTER, true
				case *prometheus.GaugeVec:
					info.typ, info.typed = dto.MetricType_GAUGE, true
				}
			}
			if cl := descConst.FindStringSubmatch(d.String()); cl != nil {
				for _, n := range descConstName.FindAllStringSubmatch(cl[1], -1) {
					info.labels[n[1]] = true
				}
			}
			if vl := descVariable.FindStringSubmatch(d.String()); vl != nil && vl[1] != "" {
				for n := range strings.SplitSeq(vl[1], ",") {
					n = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(n), "c("), ")")
					info.labels[n] = true
				}
			}
			known[m[1]] = info
		}
	}
	return known
}

func TestComposeMetricsRegistered(t *testing.T) {
	// The metrics the dashboard's required panels rest on, with their types:
	// a guard that leerpadMetrics really sees the vectors without series.
	known := leerpadMetrics(t)
	for name, typ := range map[string]dto.MetricType{
		"leerpad_http_request_duration_seconds":                    dto.MetricType_HISTOGRAM,
		"leerpad_eventstore_append_duration_seconds":               dto.MetricType_HISTOGRAM,
		"leerpad_projection_router_handler_execution_time_seconds": dto.MetricType_HISTOGRAM,
		"leerpad_projection_lag_positions":                         dto.MetricType_GAUGE,
		"go_gc_duration_seconds":                                   dto.MetricType_SUMMARY,
	} {
		if info, ok := known[name]; !ok || info.typ != typ {
			t.Errorf("%s: registered %v as %v, want %v", name, ok, info.typ, typ)
		}
	}
}

// ---- PromQL, read just enough ----

var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	promMatchers = regexp.MustCompile(`\{[^{}]*\}`)
	promRange    = regexp.MustCompile(`\[[^\[\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)`)
	promIdent    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	promMatcher  = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)`)
	promJob      = regexp.MustCompile(`\bjob\s*=\s*"([^"]*)"`)
	labelValues  = regexp.MustCompile(`^\s*label_values\(\s*(.*?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$`)
	promKeywords = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "group_left": true,
		"group_right": true, "bool": true, "and": true, "or": true, "unless": true, "offset": true, "inf": true, "nan": true}
)

// promRefs returns the metric names and the label names an expression uses.
func promRefs(expr string) (metrics, labels []string) {
	e := promString.ReplaceAllString(expr, `""`)
	for _, m := range promMatchers.FindAllString(e, -1) {
		for _, l := range promMatcher.FindAllStringSubmatch(m, -1) {
			labels = append(labels, l[1])
		}
	}
	e = promMatchers.ReplaceAllString(e, " ")
	e = promRange.ReplaceAllString(e, " ")
	for _, g := range promGrouping.FindAllStringSubmatch(e, -1) {
		for l := range strings.SplitSeq(g[2], ",") {
			if l = strings.TrimSpace(l); l != "" {
				labels = append(labels, l)
			}
		}
	}
	e = promGrouping.ReplaceAllString(e, " ")
	for _, loc := range promIdent.FindAllStringIndex(e, -1) {
		if loc[0] > 0 && strings.ContainsRune("0123456789.$", rune(e[loc[0]-1])) {
			continue // a number's exponent or unit, or a variable
		}
		id := e[loc[0]:loc[1]]
		if promKeywords[strings.ToLower(id)] || strings.HasPrefix(strings.TrimSpace(e[loc[1]:]), "(") {
			continue // a keyword, a function or an aggregation
		}
		metrics = append(metrics, id)
	}
	return metrics, labels
}

// resolveMetric maps a series name to the metric registered: a histogram's
// _bucket, _sum and _count, a summary's _sum and _count, or the name itself.
func resolveMetric(known map[string]metricInfo, name string) (string, metricInfo, bool) {
	if info, ok := known[name]; ok {
		return name, info, !info.typed || (info.typ != dto.MetricType_HISTOGRAM)
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		base, ok := strings.CutSuffix(name, suffix)
		if !ok {
			continue
		}
		info, ok := known[base]
		if ok && info.typed && (info.typ == dto.MetricType_HISTOGRAM || info.typ == dto.MetricType_SUMMARY && suffix != "_bucket") {
			return base, info, true
		}
	}
	return "", metricInfo{}, false
}

// checkPromQL checks that expr queries only registered metrics, with their
// labels (and Prometheus' job and instance), and only scraped jobs; it
// returns the metrics queried.
func checkPromQL(t *testing.T, known map[string]metricInfo, jobs map[string]bool, where, expr string) []string {
	t.Helper()
	if strings.TrimSpace(expr) == "" {
		t.Errorf("%s: empty query", where)
		return nil
	}
	names, labels := promRefs(expr)
	if len(names) == 0 {
		t.Errorf("%s: %q queries no metric", where, expr)
	}
	allowed := map[string]bool{"job": true, "instance": true}
	var bases []string
	for _, n := range names {
		base, info, ok := resolveMetric(known, n)
		if !ok {
			t.Errorf("%s: %s is not a metric Leerpad registers", where, n)
			continue
		}
		bases = append(bases, base)
		maps.Copy(allowed, info.labels)
		switch {
		case info.typ == dto.MetricType_HISTOGRAM && strings.HasSuffix(n, "_bucket"):
			allowed["le"] = true
		case info.typ == dto.MetricType_SUMMARY && n == base:
			allowed["quantile"] = true
		}
	}
	for _, l := range labels {
		if !allowed[l] {
			t.Errorf("%s: label %s is not one of %v", where, l, slices.Sorted(maps.Keys(allowed)))
		}
	}
	for _, j := range promJob.FindAllStringSubmatch(expr, -1) {
		if !jobs[j[1]] {
			t.Errorf("%s: job %q is not scraped (prometheus.yml jobs: %v)", where, j[1], slices.Sorted(maps.Keys(jobs)))
		}
	}
	return bases
}

// checkLabelValues checks a variable's label_values(expr, label) query.
func checkLabelValues(t *testing.T, known map[string]metricInfo, jobs map[string]bool, where, q string) {
	t.Helper()
	m := labelValues.FindStringSubmatch(q)
	if m == nil {
		t.Errorf("%s: %q is not label_values(<series>, <label>)", where, q)
		return
	}
	checkPromQL(t, known, jobs, where, m[1])
	names, _ := promRefs(m[1])
	for _, n := range names {
		if _, info, ok := resolveMetric(known, n); ok && m[2] != "job" && m[2] != "instance" && !info.labels[m[2]] {
			t.Errorf("%s: %s has no label %s", where, n, m[2])
		}
	}
}

func TestComposePromQLReader(t *testing.T) {
	names, labels := promRefs(`histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{job="leerpad", x=~"$i"}[$__rate_interval] offset 5m))) / on(instance) group_left b_total > 1e3`)
	if want := []string{"a_bucket", "b_total"}; !slices.Equal(names, want) {
		t.Errorf("metrics %v, want %v", names, want)
	}
	if want := []string{"job", "x", "le", "route", "instance"}; !slices.Equal(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
}

// ---- Dockerfile and .dockerignore ----

type dockerInstr struct {
	cmd, args string
	stage     string
}

func readDockerfile(t *testing.T, file string) []dockerInstr {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []dockerInstr
	var stage, cont string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cont == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if l, ok := strings.CutSuffix(line, `\`); ok {
			cont += l + " "
			continue
		}
		line, cont = cont+line, ""
		cmd, args, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			f := strings.Fields(args)
			stage = f[0]
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stage = f[2]
			}
		}
		out = append(out, dockerInstr{cmd: cmd, args: strings.TrimSpace(args), stage: stage})
	}
	return out
}

func TestComposeDockerfile(t *testing.T) {
	c := loadCompose(t)
	ins := readDockerfile(t, filepath.Join(repoRoot, "Dockerfile"))
	final := ins[len(ins)-1].stage

	// go build -o <out> ./cmd/leerpad in a build stage, copied into the final one.
	var buildStage, out string
	for _, in := range ins {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") && strings.Contains(in.args, "./cmd/leerpad") {
			f := strings.Fields(in.args)
			if i := slices.Index(f, "-o"); i >= 0 && i+1 < len(f) {
				buildStage, out = in.stage, f[i+1]
			}
		}
	}
	if out == "" {
		t.Fatal("Dockerfile: no RUN go build -o <file> ./cmd/leerpad")
	}
	var binary string
	var chowned []string
	var entrypoint, command []string
	var exposed []string
	for _, in := range ins {
		if in.stage != final {
			continue
		}
		switch in.cmd {
		case "COPY":
			f := strings.Fields(in.args)
			from, own := "", false
			var paths []string
			for _, a := range f {
				switch {
				case strings.HasPrefix(a, "--from="):
					from = strings.TrimPrefix(a, "--from=")
				case strings.HasPrefix(a, "--chown="):
					own = strings.TrimPrefix(a, "--chown=") != "0:0" && !strings.HasPrefix(a, "--chown=root")
				case !strings.HasPrefix(a, "--"):
					paths = append(paths, a)
				}
			}
			if len(paths) == 2 && from == buildStage && paths[0] == out {
				binary = paths[1]
				if strings.HasSuffix(binary, "/") {
					binary += path.Base(out)
				}
			}
			if own && len(paths) == 2 {
				chowned = append(chowned, path.Clean(paths[1]))
			}
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(in.args), &entrypoint); err != nil {
				t.Errorf("ENTRYPOINT %s: want the exec (JSON) form: %v", in.args, err)
			}
		case "CMD":
			if err := json.Unmarshal([]byte(in.args), &command); err != nil {
				t.Errorf("CMD %s: want the exec (JSON) form: %v", in.args, err)
			}
		case "EXPOSE":
			for _, p := range strings.Fields(in.args) {
				p, _, _ = strings.Cut(p, "/")
				exposed = append(exposed, p)
			}
		}
	}
	if binary == "" {
		t.Fatalf("Dockerfile: the final stage does not copy %s from %s", out, buildStage)
	}
	if len(entrypoint) != 1 || entrypoint[0] != binary {
		t.Errorf("ENTRYPOINT %q, want [%q]", entrypoint, binary)
	}
	if len(command) == 0 || command[0] != "serve" {
		t.Fatalf("CMD %q, want serve and its flags", command)
	}
	f, err := parseServeFlags(command[1:], io.Discard)
	if err != nil {
		t.Fatalf("CMD %q: %v", command, err)
	}
	for _, a := range []struct{ flag, addr string }{{"--listen", f.listen}, {"--admin-listen", f.adminListen}} {
		host, port := splitPort(t, "CMD "+a.flag, a.addr)
		if host != "0.0.0.0" && host != "" && host != "::" {
			t.Errorf("CMD %s=%s is not reachable from outside the container", a.flag, a.addr)
		}
		if !slices.Contains(exposed, strconv.Itoa(port)) {
			t.Errorf("CMD %s port %d is not in EXPOSE %v", a.flag, port, exposed)
		}
	}
	if !slices.Contains(chowned, path.Clean(f.store.data)) {
		t.Errorf("CMD --data %s: the image does not create it for its (nonroot) user; COPY --chown dirs: %v", f.store.data, chowned)
	}
	if ks, _, err := f.store.keyStorePaths(); err != nil || !slices.Contains(chowned, path.Clean(ks)) {
		t.Errorf("CMD: the key store %s (%v) is not created by the image for its (nonroot) user; COPY --chown dirs: %v", ks, err, chowned)
	}
	// The replicas keep the image's data directory, so that Docker fills the
	// key volume from it (owned by the image's user).
	for _, r := range c.replicas() {
		rf, err := parseServeFlags(c.Services[r].Command[1:], io.Discard)
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		if rf.jwksURL == "" && path.Clean(rf.store.data) != path.Clean(f.store.data) {
			t.Errorf("%s: --data %s differs from the image's %s, which the key volume is created from", r, rf.store.data, f.store.data)
		}
		ctx := orDefault(c.Services[r].Build.Context, ".")
		df := orDefault(c.Services[r].Build.Dockerfile, "Dockerfile")
		if _, err := os.Stat(filepath.Join(repoRoot, ctx, df)); err != nil {
			t.Errorf("%s: build %s/%s: %v", r, ctx, df, err)
		}
	}
}

func TestComposeDockerignore(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for l := range strings.SplitSeq(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, strings.Trim(l, "/"))
		}
	}
	// The build needs go.mod, go.sum and every package directory.
	needed := []string{"go.mod", "go.sum"}
	err = filepath.WalkDir(repoRoot, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go") {
			needed = append(needed, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range needed {
		for _, pat := range patterns {
			if dockerignored(pat, p) {
				t.Errorf(".dockerignore %q leaves %s out of the build", pat, p)
			}
		}
	}
}

// dockerignored reports whether pattern excludes p or one of its parents.
func dockerignored(pattern, p string) bool {
	if strings.HasPrefix(pattern, "!") {
		return false
	}
	parts := strings.Split(p, "/")
	for i := 1; i <= len(parts); i++ {
		prefix := strings.Join(parts[:i], "/")
		if ok, _ := path.Match(pattern, prefix); ok {
			return true
		}
		if rest, ok := strings.CutPrefix(pattern, "**/"); ok {
			for j := 0; j < i; j++ {
				if ok, _ := path.Match(rest, strings.Join(parts[j:i], "/")); ok {
					return true
				}
			}
		}
	}
	return false
}
