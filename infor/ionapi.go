package infor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
)

// redacted replaces a secret wherever configuration is printed or logged.
const redacted = "[REDACTED]"

// IONAPI is the content of a tenant's .ionapi file, the credentials file a
// customer downloads from Infor ION API (Authorized Apps → backend service).
// Using the file as-is means the client is configured exactly like any other
// integration of that tenant, and the emulator can hand out the same format.
//
// ClientSecret, ServiceAccountAccessKey and ServiceAccountSecretKey are
// secrets: String, GoString, Format and LogValue print them as [REDACTED].
type IONAPI struct {
	TenantID                string // ti
	ClientName              string // cn
	ClientID                string // ci
	ClientSecret            string // cs (secret)
	IONAPIURL               string // iu: ION API gateway base URL
	ProviderURL             string // pu: OAuth 2.0 provider base URL
	AuthorizePath           string // oa
	TokenPath               string // ot
	RevokePath              string // or (optional)
	ServiceAccountAccessKey string // saak (secret): the password grant's username
	ServiceAccountSecretKey string // sask (secret): the password grant's password
}

// ionapiFile maps the file's short keys; unknown keys (ev, v, …) are ignored
// because Infor adds fields over time and the client needs none of them.
type ionapiFile struct {
	TI   string `json:"ti"`
	CN   string `json:"cn"`
	CI   string `json:"ci"`
	CS   string `json:"cs"`
	IU   string `json:"iu"`
	PU   string `json:"pu"`
	OA   string `json:"oa"`
	OT   string `json:"ot"`
	OR   string `json:"or"`
	SAAK string `json:"saak"`
	SASK string `json:"sask"`
}

// LoadIONAPI reads and validates a .ionapi file. Errors name the file and
// every missing key, so a bad download is fixed in one go; they never carry a
// secret value.
func LoadIONAPI(path string) (*IONAPI, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("infor: read .ionapi file: %w", err)
	}
	cfg, err := parseIONAPI(data)
	if err != nil {
		return nil, fmt.Errorf("infor: .ionapi file %s: %w", path, err)
	}
	return cfg, nil
}

// ParseIONAPI parses and validates the JSON content of a .ionapi file.
func ParseIONAPI(data []byte) (*IONAPI, error) {
	cfg, err := parseIONAPI(data)
	if err != nil {
		return nil, fmt.Errorf("infor: .ionapi: %w", err)
	}
	return cfg, nil
}

func parseIONAPI(data []byte) (*IONAPI, error) {
	// Files saved by Windows tools may start with a UTF-8 byte order mark,
	// which encoding/json rejects.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var f ionapiFile
	if err := json.Unmarshal(data, &f); err != nil {
		// json errors report offsets and types, never the values, so no
		// secret can leak through them.
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	cfg := &IONAPI{
		TenantID:                strings.TrimSpace(f.TI),
		ClientName:              f.CN,
		ClientID:                f.CI,
		ClientSecret:            f.CS,
		IONAPIURL:               strings.TrimSpace(f.IU),
		ProviderURL:             strings.TrimSpace(f.PU),
		AuthorizePath:           strings.TrimSpace(f.OA),
		TokenPath:               strings.TrimSpace(f.OT),
		RevokePath:              strings.TrimSpace(f.OR),
		ServiceAccountAccessKey: f.SAAK,
		ServiceAccountSecretKey: f.SASK,
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Validate reports every missing required key (ti, ci, cs, iu, pu, ot, saak,
// sask) and malformed URLs, by key name. It is exported so configurations
// built in code (tests, the emulator) get the same checks as loaded files.
func (c *IONAPI) Validate() error {
	if c == nil {
		return errors.New("no ION API configuration")
	}
	required := []struct{ key, what, val string }{
		{"ti", "tenant id", c.TenantID},
		{"ci", "client id", c.ClientID},
		{"cs", "client secret", c.ClientSecret},
		{"iu", "ION API URL", c.IONAPIURL},
		{"pu", "OAuth provider URL", c.ProviderURL},
		{"ot", "token path", c.TokenPath},
		{"saak", "service account access key", c.ServiceAccountAccessKey},
		{"sask", "service account secret key", c.ServiceAccountSecretKey},
	}
	var errs []error
	for _, r := range required {
		if strings.TrimSpace(r.val) == "" {
			errs = append(errs, fmt.Errorf("missing required key %q (%s)", r.key, r.what))
		}
	}
	for _, u := range []struct{ key, val string }{{"iu", c.IONAPIURL}, {"pu", c.ProviderURL}} {
		if u.val == "" {
			continue
		}
		// The value is left out of the message: a URL may carry userinfo.
		if p, err := url.Parse(u.val); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("key %q is not an absolute http(s) URL", u.key))
		}
	}
	return errors.Join(errs...)
}

// TokenURL is where tokens are obtained: pu + ot.
func (c *IONAPI) TokenURL() string { return joinURL(c.ProviderURL, c.TokenPath) }

// RevokeURL is where tokens are revoked (pu + or), or "" when the file has no
// "or" key, in which case revocation is skipped.
func (c *IONAPI) RevokeURL() string {
	if c.RevokePath == "" {
		return ""
	}
	return joinURL(c.ProviderURL, c.RevokePath)
}

// M3BaseURL is the root of M3's MI REST API v2 for this tenant:
// iu/ti/M3/m3api-rest/v2.
func (c *IONAPI) M3BaseURL() string {
	return strings.TrimRight(c.IONAPIURL, "/") + "/" + url.PathEscape(c.TenantID) + "/M3/m3api-rest/v2"
}

// joinURL joins a base URL and a path with exactly one slash between them:
// .ionapi files are inconsistent about trailing and leading slashes (pu
// usually ends in "/as/", ot is usually "token.oauth2").
func joinURL(base, path string) string {
	if strings.Contains(path, "://") {
		return path
	}
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/")
}

// mask shows whether a secret is set without showing it.
func mask(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// String prints the configuration with its secrets redacted. Value receivers
// are used on purpose: both IONAPI and *IONAPI are then safe to print.
func (c IONAPI) String() string {
	return fmt.Sprintf("IONAPI{ti=%s cn=%s ci=%s cs=%s iu=%s pu=%s oa=%s ot=%s or=%s saak=%s sask=%s}",
		c.TenantID, c.ClientName, c.ClientID, mask(c.ClientSecret), c.IONAPIURL, c.ProviderURL,
		c.AuthorizePath, c.TokenPath, c.RevokePath, mask(c.ServiceAccountAccessKey), mask(c.ServiceAccountSecretKey))
}

// GoString keeps %#v from dumping the struct fields, secrets included.
func (c IONAPI) GoString() string { return "infor." + c.String() }

// Format routes every fmt verb (%d, %x, %q, …) through String, since fmt
// prints struct fields for verbs that do not consult Stringer.
func (c IONAPI) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = fmt.Fprint(f, c.GoString())
		return
	}
	_, _ = fmt.Fprint(f, c.String())
}

// LogValue makes slog log the configuration as a group with secrets redacted.
func (c IONAPI) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("ti", c.TenantID),
		slog.String("cn", c.ClientName),
		slog.String("ci", c.ClientID),
		slog.String("cs", mask(c.ClientSecret)),
		slog.String("iu", c.IONAPIURL),
		slog.String("pu", c.ProviderURL),
		slog.String("oa", c.AuthorizePath),
		slog.String("ot", c.TokenPath),
		slog.String("or", c.RevokePath),
		slog.String("saak", mask(c.ServiceAccountAccessKey)),
		slog.String("sask", mask(c.ServiceAccountSecretKey)),
	)
}
