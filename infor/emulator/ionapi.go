package emulator

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ionAPIFile is the .ionapi JSON a tenant admin downloads from Infor's ION
// API Gateway for a backend-service client. The emulator writes one for
// itself so a client is configured exactly as for a real tenant.
type ionAPIFile struct {
	TI   string `json:"ti"`   // tenant
	CN   string `json:"cn"`   // client name
	DT   string `json:"dt"`   // client type (12: backend service)
	CI   string `json:"ci"`   // OAuth client id
	CS   string `json:"cs"`   // OAuth client secret
	IU   string `json:"iu"`   // ION API base URL
	PU   string `json:"pu"`   // authorization server base URL
	OA   string `json:"oa"`   // authorization endpoint, relative to pu
	OT   string `json:"ot"`   // token endpoint, relative to pu
	OR   string `json:"or"`   // revocation endpoint, relative to pu
	EV   string `json:"ev"`   // environment version
	V    string `json:"v"`    // file version
	SAAK string `json:"saak"` // service account access key
	SASK string `json:"sask"` // service account secret key
}

// WriteIONAPI writes a .ionapi file at path (mode 0600: it holds secrets)
// for a client reaching the emulator at baseURL, e.g.
// "http://127.0.0.1:8090": iu is baseURL, pu is baseURL/{tenant}/as/.
func (e *Emulator) WriteIONAPI(path, baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("infor emulator: ionapi: base URL %q must be an absolute http(s) URL", baseURL)
	}
	base := strings.TrimRight(baseURL, "/")
	c := e.auth.creds
	f := ionAPIFile{
		TI: e.cfg.Tenant, CN: "stripe-infor emulator", DT: "12",
		CI: c.ClientID, CS: c.ClientSecret,
		IU: base, PU: base + "/" + e.cfg.Tenant + "/as/",
		OA: "authorization.oauth2", OT: "token.oauth2", OR: "revoke_token.oauth2",
		EV: "U1", V: "1.0",
		SAAK: c.ServiceAccountKey, SASK: c.ServiceAccountSecret,
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("infor emulator: ionapi: %w", err)
		}
	}
	if err := writeJSONAtomic(path, f, 0o600); err != nil {
		return fmt.Errorf("infor emulator: ionapi: %w", err)
	}
	return nil
}
