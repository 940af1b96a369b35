package alert

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of Config.
const (
	DefaultMinInterval = time.Minute
	DefaultTimeout     = 5 * time.Second
	DefaultQueueSize   = 256
)

// Config configures a Notifier. Only URL matters; the rest have defaults.
type Config struct {
	// URL is ALERT_WEBHOOK_URL. It is a secret (a Slack webhook URL is its
	// own credential): the Notifier never logs it or puts it in an error.
	// Empty: alerts are off and Notify does nothing.
	URL string
	// MinInterval: at most one post per (stage, topic, class) per interval;
	// default DefaultMinInterval. Alerts in between are counted and told in
	// the key's next post.
	MinInterval time.Duration
	// Timeout bounds one POST; default DefaultTimeout.
	Timeout time.Duration
	// QueueSize is how many posts may wait for the webhook; default
	// DefaultQueueSize. Beyond it, alerts are counted and dropped: a slow
	// webhook must never slow the stage down.
	QueueSize int
	// HTTPClient posts the alerts; default a plain client (Timeout above
	// bounds each request).
	HTTPClient *http.Client
	// Logger receives failures (without the URL); nil discards them.
	Logger *slog.Logger
	// Registerer receives stripe_infor_alerts_total; nil leaves it
	// unregistered.
	Registerer prometheus.Registerer
	// Now is the clock of the rate limit (default time.Now); tests move it.
	Now func() time.Time
}

// withDefaults checks c and fills in the defaults. Its errors never quote
// the URL: url.Parse's would.
func (c Config) withDefaults() (Config, error) {
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, errors.New("alert: ALERT_WEBHOOK_URL is not an http(s) URL")
		}
	}
	if c.MinInterval < 0 || c.Timeout < 0 || c.QueueSize < 0 {
		return c, errors.New("alert: MinInterval, Timeout and QueueSize must not be negative")
	}
	if c.MinInterval == 0 {
		c.MinInterval = DefaultMinInterval
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.QueueSize == 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}
