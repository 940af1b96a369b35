package dedupe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/stripe-infor/stripe-infor/internal/tlsconfig"
)

// Client defaults. Short, so that an outage shows within seconds: the sink
// pauses, reports not ready and retries on its own, which beats go-redis'
// default of retrying each command for many seconds.
const (
	DefaultDialTimeout  = 2 * time.Second
	DefaultReadTimeout  = time.Second
	DefaultWriteTimeout = time.Second
	// DefaultMaxRetries is one retry, enough to get past a pooled connection
	// that died with a Redis restart or failover.
	DefaultMaxRetries = 1
)

type topology int

const (
	single topology = iota
	sentinel
	cluster
)

// schemes maps each accepted URL scheme to its topology and TLS use.
var schemes = map[string]struct {
	topo        topology
	tls         bool
	defaultPort string
}{
	"redis":           {single, false, "6379"},
	"rediss":          {single, true, "6379"},
	"redis-sentinel":  {sentinel, false, "26379"},
	"rediss-sentinel": {sentinel, true, "26379"},
	"redis-cluster":   {cluster, false, "6379"},
	"rediss-cluster":  {cluster, true, "6379"},
}

// NewClient builds a go-redis client from a REDIS_URL in one of the forms
// the package documentation lists: a *redis.Client for redis:// and
// redis-sentinel:// (the latter follows the master through failovers), a
// *redis.ClusterClient for redis-cluster://. It does not connect; the first
// command (e.g. Store.Ping) does. Errors never contain the password.
func NewClient(rawURL string) (redis.UniversalClient, error) {
	return NewClientWith(rawURL, ClientOptions{})
}

// ClientOptions are the connection settings Kubernetes keeps apart from the
// URL: the password in its own Secret, and the CA of a server with a private
// one (cert-manager, a cloud provider's CA).
type ClientOptions struct {
	// Password, when set and returning a non-empty value, replaces the URL's
	// password (REDIS_PASSWORD, REDIS_PASSWORD_FILE). It is called for every
	// new connection, so a rotated Secret (config.Watched.Get) applies to
	// the next connection without a restart. The URL's user name, if any,
	// is kept; Sentinel's own sentinel_password is not affected.
	Password func() string
	// TLSCAFile is a PEM bundle of the CAs that sign the server's
	// certificate (REDIS_TLS_CA_FILE), instead of the system roots; only
	// with a rediss scheme. It is re-read, when it changed, at most every
	// TLSReloadInterval (default tlsconfig.DefaultReloadInterval), so a
	// rotated CA applies to new connections.
	TLSCAFile         string
	TLSReloadInterval time.Duration
	// Logger receives CA reload notices; nil uses slog.Default.
	Logger *slog.Logger
}

// NewClientWith is NewClient with the settings of ClientOptions.
func NewClientWith(rawURL string, co ClientOptions) (redis.UniversalClient, error) {
	o, err := parseURLWith(rawURL, co.Password != nil)
	if err != nil {
		return nil, err
	}
	if err := co.apply(o); err != nil {
		return nil, err
	}
	if o.IsClusterMode {
		// NewUniversalClient would also choose a cluster client, but only
		// because IsClusterMode is set; say it outright.
		return redis.NewClusterClient(o.Cluster()), nil
	}
	return redis.NewUniversalClient(o), nil
}

// parseURL turns a REDIS_URL into UniversalOptions with this package's
// defaults. The authority is split by hand because net/url refuses a comma
// separated host list whose first host is an IPv6 literal.
func parseURL(raw string) (*redis.UniversalOptions, error) { return parseURLWith(raw, false) }

// parseURLWith is parseURL; passwordElsewhere accepts a user name without a
// password (redis://user@host), the password coming from REDIS_PASSWORD.
func parseURLWith(raw string, passwordElsewhere bool) (*redis.UniversalOptions, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("dedupe: invalid REDIS_URL %s: %s", RedactURL(raw), fmt.Sprintf(format, a...))
	}
	scheme, userinfo, hostlist, tail, err := splitURL(raw)
	if err != nil {
		return nil, bad("%v", err)
	}
	sc, ok := schemes[strings.ToLower(scheme)]
	if !ok {
		return nil, bad("unsupported scheme %q (want redis, rediss, redis-sentinel, rediss-sentinel, redis-cluster or rediss-cluster)", scheme)
	}

	o := &redis.UniversalOptions{
		DialTimeout:           DefaultDialTimeout,
		ReadTimeout:           DefaultReadTimeout,
		WriteTimeout:          DefaultWriteTimeout,
		MaxRetries:            DefaultMaxRetries,
		DialerRetries:         1,
		ContextTimeoutEnabled: true,
		IsClusterMode:         sc.topo == cluster,
		// Maintenance notifications (Redis Enterprise/Cloud connection
		// hand-offs) need RESP3 support on the server; the sink copes with a
		// dropped connection anyway, so keep the handshake predictable.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if userinfo != "" {
		// Parsed on its own so that a parse error cannot quote any of it.
		u, err := url.Parse("x://" + userinfo + "@h")
		if err != nil || u.User == nil {
			return nil, bad("invalid user name or password (percent-encode reserved characters)")
		}
		var hasPass bool
		o.Username = u.User.Username()
		o.Password, hasPass = u.User.Password()
		if !hasPass && !passwordElsewhere {
			return nil, bad("user name without password: write redis://:password@host for a server with requirepass, redis://user:password@host for an ACL user")
		}
	}

	for _, h := range strings.Split(hostlist, ",") {
		addr, err := hostPort(strings.TrimSpace(h), sc.defaultPort)
		if err != nil {
			return nil, bad("%v", err)
		}
		o.Addrs = append(o.Addrs, addr)
	}
	if sc.topo == single && len(o.Addrs) > 1 {
		return nil, bad("%s:// takes one host; use redis-cluster:// or redis-sentinel:// for several", scheme)
	}

	u, err := url.Parse("x://h" + tail)
	if err != nil {
		return nil, bad("invalid path or query string")
	}
	if u.Fragment != "" {
		return nil, bad("unexpected fragment")
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		db, err := strconv.Atoi(p)
		if err != nil || db < 0 {
			return nil, bad("path %q is not a database number", u.Path)
		}
		if sc.topo == cluster && db != 0 {
			return nil, bad("Redis Cluster has database 0 only")
		}
		o.DB = db
	}
	if err := applyQuery(o, u.Query(), sc.topo); err != nil {
		return nil, bad("%v", err)
	}
	if sc.tls {
		// ServerName stays empty: crypto/tls then checks each node's
		// certificate against the host it dialled, which is what a cluster
		// or a Sentinel-managed set of servers needs.
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return o, nil
}

// apply sets the password provider and the TLS dialer on o.
func (co ClientOptions) apply(o *redis.UniversalOptions) error {
	if co.Password != nil {
		urlUser, urlPass, pass := o.Username, o.Password, co.Password
		o.CredentialsProviderContext = func(context.Context) (string, string, error) {
			if p := pass(); p != "" {
				return urlUser, p, nil
			}
			return urlUser, urlPass, nil
		}
	}
	if co.TLSCAFile == "" {
		return nil
	}
	if o.TLSConfig == nil {
		return errors.New("dedupe: REDIS_TLS_CA_FILE is set but REDIS_URL does not use TLS (write rediss://, rediss-sentinel:// or rediss-cluster://)")
	}
	tc, err := tlsconfig.New(tlsconfig.Settings{
		Prefix:         "REDIS_TLS",
		CAFile:         co.TLSCAFile,
		ReloadInterval: co.TLSReloadInterval,
		Logger:         co.Logger,
	})
	if err != nil {
		return fmt.Errorf("dedupe: %w", err)
	}
	// A dialer rather than o.TLSConfig: each connection gets the CA pool
	// current when it is made, and the host it dials is the name verified
	// (every node of a cluster, every server behind Sentinel). TLSConfig
	// stays set: go-redis reads it to know the connection is encrypted.
	o.Dialer = tc.Dialer(&net.Dialer{Timeout: o.DialTimeout, KeepAlive: 5 * time.Minute})
	return nil
}

// hostPort validates one host of the list and adds the default port.
func hostPort(h, defaultPort string) (string, error) {
	if h == "" {
		return "", errors.New("empty host")
	}
	if !strings.Contains(h, ":") || (strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]")) {
		h += ":" + defaultPort
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		return "", fmt.Errorf("host %q: %v", h, err)
	}
	if host == "" {
		return "", fmt.Errorf("host %q: empty host name", h)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("host %q: invalid port", h)
	}
	return net.JoinHostPort(host, port), nil
}

// applyQuery reads the query options; unknown names are an error so a typo
// does not silently fall back to a default.
func applyQuery(o *redis.UniversalOptions, q url.Values, topo topology) error {
	var unknown []string
	for name := range q {
		v := q.Get(name)
		if n := len(q[name]); n > 0 {
			v = q[name][n-1]
		}
		var err error
		switch name {
		case "master":
			if topo != sentinel {
				return errors.New("master= is for redis-sentinel:// URLs")
			}
			o.MasterName = v
		case "sentinel_username", "sentinel_password":
			if topo != sentinel {
				return fmt.Errorf("%s= is for redis-sentinel:// URLs", name)
			}
			if name == "sentinel_username" {
				o.SentinelUsername = v
			} else {
				o.SentinelPassword = v
			}
		case "dial_timeout":
			o.DialTimeout, err = positiveDuration(name, v)
		case "read_timeout":
			o.ReadTimeout, err = positiveDuration(name, v)
		case "write_timeout":
			o.WriteTimeout, err = positiveDuration(name, v)
		case "max_retries":
			var n int
			n, err = strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("max_retries=%q: want a number >= 0", v)
			}
			o.MaxRetries = n
			if n == 0 {
				o.MaxRetries = -1 // go-redis reads 0 as "default (3)"
			}
		case "pool_size":
			var n int
			n, err = strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("pool_size=%q: want a number >= 1", v)
			}
			o.PoolSize = n
		case "client_name":
			o.ClientName = v
		default:
			unknown = append(unknown, name)
		}
		if err != nil {
			return err
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("unknown option(s) %s (known: master, sentinel_username, sentinel_password, dial_timeout, read_timeout, write_timeout, max_retries, pool_size, client_name)",
			strings.Join(unknown, ", "))
	}
	if topo == sentinel && o.MasterName == "" {
		return errors.New("redis-sentinel:// needs ?master=<name>")
	}
	return nil
}

func positiveDuration(name, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive Go duration such as 500ms or 2s", name, v)
	}
	return d, nil
}

// RedactURL returns rawURL with its password and any query option whose
// name contains "password" replaced by "xxxxx" (a user name given without a
// password is hidden as well), for logs and errors. Input it cannot take apart is
// not echoed at all, since it may hold a password.
func RedactURL(rawURL string) string {
	scheme, userinfo, hostlist, tail, err := splitURL(rawURL)
	if err != nil {
		return "<unparsable URL>"
	}
	authority := hostlist
	if userinfo != "" {
		// Without a ':' the lone name is most likely a password written
		// in the wrong place (parseURL refuses it), so hide it too.
		user, _, _ := strings.Cut(userinfo, ":")
		if !strings.Contains(userinfo, ":") {
			user = "xxxxx"
		}
		userinfo = user + ":xxxxx"
		authority = userinfo + "@" + hostlist
	}
	if path, query, hasQuery := strings.Cut(tail, "?"); hasQuery {
		query, frag, hasFrag := strings.Cut(query, "#")
		parts := strings.Split(query, "&")
		for i, p := range parts {
			name, _, _ := strings.Cut(p, "=")
			if n, err := url.QueryUnescape(name); err != nil || strings.Contains(strings.ToLower(n), "password") {
				parts[i] = name + "=xxxxx"
			}
		}
		tail = path + "?" + strings.Join(parts, "&")
		if hasFrag {
			tail += "#" + frag
		}
	}
	return scheme + "://" + authority + tail
}

// splitURL cuts scheme://[userinfo@]hostlist[tail] apart, tail being the
// path, query and fragment. An '@' after the first '/', '?' or '#' is
// refused: it means a password with one of those characters was not
// percent-encoded, and guessing where it ends could leak part of it.
func splitURL(raw string) (scheme, userinfo, hostlist, tail string, err error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" {
		return "", "", "", "", errors.New("missing scheme (want redis://, rediss://, redis-sentinel:// or redis-cluster://)")
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	if strings.Contains(tail, "@") {
		return "", "", "", "", errors.New("'@' after the host list: percent-encode '/', '?', '#' and '@' in the password and options (%2F, %3F, %23, %40)")
	}
	hostlist = authority
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo, hostlist = authority[:at], authority[at+1:]
	}
	return scheme, userinfo, hostlist, tail, nil
}
