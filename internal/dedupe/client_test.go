package dedupe

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const secret = "s3cr/3t@pw"

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		addrs   []string
		db      int
		master  string
		cluster bool
		tls     bool
		user    string
		pass    string
		check   func(*testing.T, *redis.UniversalOptions)
	}{
		{url: "redis://localhost", addrs: []string{"localhost:6379"}},
		{url: "redis://127.0.0.1:6380/3", addrs: []string{"127.0.0.1:6380"}, db: 3},
		{url: "redis://:s3cr%2F3t%40pw@redis.internal:6379/0", addrs: []string{"redis.internal:6379"}, pass: secret},
		{url: "rediss://sink:s3cr%2F3t%40pw@[::1]:6390/1", addrs: []string{"[::1]:6390"}, db: 1, tls: true, user: "sink", pass: secret},
		{
			url:   "redis-sentinel://:s3cr%2F3t%40pw@[::1]:26379,s2/2?master=mymaster&sentinel_password=sp",
			addrs: []string{"[::1]:26379", "s2:26379"}, db: 2, master: "mymaster", pass: secret,
			check: func(t *testing.T, o *redis.UniversalOptions) {
				if o.SentinelPassword != "sp" {
					t.Errorf("SentinelPassword = %q", o.SentinelPassword)
				}
			},
		},
		{url: "rediss-sentinel://s1:26380?master=m", addrs: []string{"s1:26380"}, master: "m", tls: true},
		{url: "redis-cluster://:pw@h1:7000,h2:7001,h3", addrs: []string{"h1:7000", "h2:7001", "h3:6379"}, cluster: true, pass: "pw"},
		{url: "rediss-cluster://h1:7000/0", addrs: []string{"h1:7000"}, cluster: true, tls: true},
		{
			url: "redis://h?dial_timeout=500ms&read_timeout=3s&write_timeout=2s&max_retries=0&pool_size=64&client_name=sink-1", addrs: []string{"h:6379"},
			check: func(t *testing.T, o *redis.UniversalOptions) {
				if o.DialTimeout != 500*time.Millisecond || o.ReadTimeout != 3*time.Second || o.WriteTimeout != 2*time.Second {
					t.Errorf("timeouts = %s %s %s", o.DialTimeout, o.ReadTimeout, o.WriteTimeout)
				}
				if o.MaxRetries != -1 || o.PoolSize != 64 || o.ClientName != "sink-1" {
					t.Errorf("max retries %d, pool size %d, client name %q", o.MaxRetries, o.PoolSize, o.ClientName)
				}
			},
		},
		{
			url: "redis://h", addrs: []string{"h:6379"},
			check: func(t *testing.T, o *redis.UniversalOptions) {
				if o.DialTimeout != 2*time.Second || o.ReadTimeout != time.Second || o.WriteTimeout != time.Second ||
					o.MaxRetries != 1 || !o.ContextTimeoutEnabled {
					t.Errorf("defaults: dial %s read %s write %s retries %d ctx %v",
						o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.MaxRetries, o.ContextTimeoutEnabled)
				}
			},
		},
	} {
		t.Run(RedactURL(tc.url), func(t *testing.T) {
			o, err := parseURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.Addrs, tc.addrs) || o.DB != tc.db || o.MasterName != tc.master || o.IsClusterMode != tc.cluster {
				t.Errorf("addrs %v db %d master %q cluster %v", o.Addrs, o.DB, o.MasterName, o.IsClusterMode)
			}
			if (o.TLSConfig != nil) != tc.tls || o.Username != tc.user || o.Password != tc.pass {
				t.Errorf("tls %v user %q password %q", o.TLSConfig != nil, o.Username, o.Password)
			}
			if tc.check != nil {
				tc.check(t, o)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, raw := range []string{
		"localhost:6379",
		"http://:s3cr%2F3t%40pw@h",
		"redis://:s3cr/3t@pw@h:6379",     // '/' not encoded
		"redis://:s3cr?3t@h:6379",        // '?' not encoded
		"redis://:s3cr#3t@h:6379",        // '#' not encoded
		"redis://s3cr%2F3t%40pw@h:6379",  // password written as user name
		"redis://:s3cr%zz3t%40pw@h:6379", // bad escape
		"redis://:s3cr%2F3t%40pw@h1,h2",
		"redis://:s3cr%2F3t%40pw@h:port",
		"redis://:s3cr%2F3t%40pw@h:0",
		"redis://:s3cr%2F3t%40pw@:6379",
		"redis://:s3cr%2F3t%40pw@h/x",
		"redis://:s3cr%2F3t%40pw@h?password=s3cr%2F3t%40pw",
		"redis://:s3cr%2F3t%40pw@h?master=m",
		"redis://:s3cr%2F3t%40pw@h?dial_timeout=-1s",
		"redis://:s3cr%2F3t%40pw@h?max_retries=x",
		"redis-sentinel://:s3cr%2F3t%40pw@h",
		"redis-sentinel://h?master=m&sentinel_password=s3cr%2F3t%40pw&bogus=1",
		"redis-cluster://:s3cr%2F3t%40pw@h1,h2/1",
		"redis-cluster://:s3cr%2F3t%40pw@h1,,h2",
	} {
		_, err := NewClient(raw)
		if err == nil {
			t.Errorf("NewClient(%s) accepted it", RedactURL(raw))
			continue
		}
		for _, s := range []string{secret, "s3cr", "3t@pw", "%2F3t"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error for %s reveals %q: %v", RedactURL(raw), s, err)
			}
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"redis://:s3cr%2F3t%40pw@h:6379/0":                "redis://:xxxxx@h:6379/0",
		"rediss://user:pw@h1,h2?client_name=x":            "rediss://user:xxxxx@h1,h2?client_name=x",
		"redis://lonely@h":                                "redis://xxxxx:xxxxx@h",
		"redis-sentinel://h?master=m&sentinel_password=p": "redis-sentinel://h?master=m&sentinel_password=xxxxx",
		"redis://h:6379":                                  "redis://h:6379",
		"redis://:s3cr/3t@pw@h":                           "<unparsable URL>",
		"no scheme :pw@h":                                 "<unparsable URL>",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewClientKinds(t *testing.T) {
	for url, want := range map[string]string{
		"redis://127.0.0.1:1":                          "*redis.Client",
		"redis-sentinel://127.0.0.1:1?master=mymaster": "*redis.Client",
		"redis-cluster://127.0.0.1:1,127.0.0.1:2":      "*redis.ClusterClient",
	} {
		c := newTestClient(t, url)
		var got string
		switch c.(type) {
		case *redis.Client:
			got = "*redis.Client"
		case *redis.ClusterClient:
			got = "*redis.ClusterClient"
		default:
			got = "other"
		}
		if got != want {
			t.Errorf("NewClient(%s) is %s, want %s", url, got, want)
		}
	}
}

// A server with a password: the right one works, and the error for a wrong
// one does not repeat it.
func TestPasswordNeverInErrors(t *testing.T) {
	srv := startServer(t, "--requirepass", secret)
	ctx := testCtx(t)

	good := newStore(t, newTestClient(t, "redis://:s3cr%2F3t%40pw@"+srv.addr()), Options{})
	if err := good.Ping(ctx); err != nil {
		t.Fatalf("Ping with the right password: %v", err)
	}
	mustAcquire(t, good, "customer:cus_auth", "a", Acquired)

	const wrong = "wr0ng-s3cr3t"
	bad := newStore(t, newTestClient(t, "redis://:"+wrong+"@"+srv.addr()), Options{})
	err := bad.Ping(ctx)
	if err == nil {
		t.Fatal("Ping with a wrong password succeeded")
	}
	mustNotReveal(t, err, wrong)
	_, err = bad.Acquire(ctx, "customer:cus_auth", "b")
	if err == nil {
		t.Fatal("Acquire with a wrong password succeeded")
	}
	mustNotReveal(t, err, wrong)

	// A stopped server: the dial error names the address, not the password.
	srv.stop()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err = good.Ping(pctx)
	if err == nil {
		t.Fatal("Ping of a stopped server succeeded")
	}
	mustNotReveal(t, err, secret)
	mustNotReveal(t, err, "s3cr%2F3t")
}
