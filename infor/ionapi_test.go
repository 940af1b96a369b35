package infor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func ionapiJSON(t *testing.T, drop ...string) map[string]any {
	t.Helper()
	m := map[string]any{
		"ti": "ACME_TST", "cn": "stripe-infor", "dt": "12", "ci": testCI, "cs": testCS,
		"iu": "https://mingle-ionapi.eu1.inforcloudsuite.com",
		"pu": "https://mingle-sso.eu1.inforcloudsuite.com:443/ACME_TST/as/",
		"oa": "authorization.oauth2", "ot": "token.oauth2", "or": "revoke_token.oauth2",
		"ev": "U1486592017", "v": "1.0", "saak": testSAAK, "sask": testSASK,
	}
	for _, k := range drop {
		delete(m, k)
	}
	return m
}

func writeIONAPI(t *testing.T, m map[string]any) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ACME_TST.ionapi")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func assertNoTenantSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{testCS, testSAAK, testSASK, "SECRET"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks %q: %s", what, secret, s)
		}
	}
}

func TestLoadIONAPIReadsTheShortKeysAndIgnoresUnknownOnes(t *testing.T) {
	cfg, err := LoadIONAPI(writeIONAPI(t, ionapiJSON(t)))
	if err != nil {
		t.Fatal(err)
	}
	want := IONAPI{
		TenantID: "ACME_TST", ClientName: "stripe-infor", ClientID: testCI, ClientSecret: testCS,
		IONAPIURL:     "https://mingle-ionapi.eu1.inforcloudsuite.com",
		ProviderURL:   "https://mingle-sso.eu1.inforcloudsuite.com:443/ACME_TST/as/",
		AuthorizePath: "authorization.oauth2", TokenPath: "token.oauth2", RevokePath: "revoke_token.oauth2",
		ServiceAccountAccessKey: testSAAK, ServiceAccountSecretKey: testSASK,
	}
	if *cfg != want {
		t.Fatalf("got %#v", cfg) // GoString redacts, so this is safe to print
	}
	if got, want := cfg.TokenURL(), "https://mingle-sso.eu1.inforcloudsuite.com:443/ACME_TST/as/token.oauth2"; got != want {
		t.Errorf("TokenURL = %s, want %s", got, want)
	}
	if got, want := cfg.RevokeURL(), "https://mingle-sso.eu1.inforcloudsuite.com:443/ACME_TST/as/revoke_token.oauth2"; got != want {
		t.Errorf("RevokeURL = %s, want %s", got, want)
	}
	if got, want := cfg.M3BaseURL(), "https://mingle-ionapi.eu1.inforcloudsuite.com/ACME_TST/M3/m3api-rest/v2"; got != want {
		t.Errorf("M3BaseURL = %s, want %s", got, want)
	}
}

func TestParseIONAPIAcceptsAByteOrderMark(t *testing.T) {
	b, _ := json.Marshal(ionapiJSON(t))
	if _, err := ParseIONAPI(append([]byte("\xef\xbb\xbf"), b...)); err != nil {
		t.Fatal(err)
	}
}

func TestURLJoinNeverDoublesOrDropsTheSlash(t *testing.T) {
	for _, tc := range []struct{ pu, ot, iu string }{
		{"https://sso.example/T/as/", "token.oauth2", "https://ion.example/"},
		{"https://sso.example/T/as", "/token.oauth2", "https://ion.example"},
		{"https://sso.example/T/as/", "/token.oauth2", "https://ion.example//"},
		{"https://sso.example/T/as", "token.oauth2", "https://ion.example"},
	} {
		c := &IONAPI{ProviderURL: tc.pu, TokenPath: tc.ot, IONAPIURL: tc.iu, TenantID: "T"}
		if got := c.TokenURL(); got != "https://sso.example/T/as/token.oauth2" {
			t.Errorf("pu=%q ot=%q: TokenURL = %s", tc.pu, tc.ot, got)
		}
		if got := c.M3BaseURL(); got != "https://ion.example/T/M3/m3api-rest/v2" {
			t.Errorf("iu=%q: M3BaseURL = %s", tc.iu, got)
		}
	}
	if got := (&IONAPI{ProviderURL: "https://sso.example/"}).RevokeURL(); got != "" {
		t.Errorf("RevokeURL without or = %q, want empty", got)
	}
}

func TestLoadIONAPIMissingKeyIsNamed(t *testing.T) {
	for _, key := range []string{"ti", "ci", "cs", "iu", "pu", "ot", "saak", "sask"} {
		t.Run(key, func(t *testing.T) {
			path := writeIONAPI(t, ionapiJSON(t, key))
			_, err := LoadIONAPI(path)
			if err == nil {
				t.Fatalf("no error without %q", key)
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("%q", key)) {
				t.Errorf("error does not name key %q: %s", key, msg)
			}
			if !strings.Contains(msg, path) {
				t.Errorf("error does not name the file: %s", msg)
			}
			assertNoTenantSecrets(t, "error", msg)
		})
	}
	t.Run("blank value counts as missing", func(t *testing.T) {
		m := ionapiJSON(t)
		m["sask"] = "   "
		_, err := LoadIONAPI(writeIONAPI(t, m))
		if err == nil || !strings.Contains(err.Error(), `"sask"`) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("all missing keys at once", func(t *testing.T) {
		_, err := LoadIONAPI(writeIONAPI(t, ionapiJSON(t, "cs", "saak", "ot")))
		for _, key := range []string{`"cs"`, `"saak"`, `"ot"`} {
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("error does not name %s: %v", key, err)
			}
		}
	})
	t.Run("or, oa and cn are optional", func(t *testing.T) {
		cfg, err := LoadIONAPI(writeIONAPI(t, ionapiJSON(t, "or", "oa", "cn")))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.RevokeURL() != "" {
			t.Errorf("RevokeURL = %q", cfg.RevokeURL())
		}
	})
}

func TestLoadIONAPIRejectsBadFilesWithoutEchoingThem(t *testing.T) {
	m := ionapiJSON(t)
	m["iu"] = "mingle-ionapi.example.com/no-scheme"
	_, err := LoadIONAPI(writeIONAPI(t, m))
	if err == nil || !strings.Contains(err.Error(), `"iu"`) {
		t.Fatalf("relative iu: got %v", err)
	}

	path := filepath.Join(t.TempDir(), "broken.ionapi")
	_ = os.WriteFile(path, []byte(`{"ti":"T","cs":"`+testCS+`",`), 0o600)
	_, err = LoadIONAPI(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("truncated JSON: got %v", err)
	}
	assertNoTenantSecrets(t, "error", err.Error())

	m = ionapiJSON(t)
	m["cs"] = 12345 // wrong type
	_, err = LoadIONAPI(writeIONAPI(t, m))
	if err == nil {
		t.Fatal("numeric cs accepted")
	}
	assertNoTenantSecrets(t, "error", err.Error())

	if _, err := LoadIONAPI(filepath.Join(t.TempDir(), "missing.ionapi")); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestIONAPIPrintingAndLoggingRedactSecrets(t *testing.T) {
	cfg, err := ParseIONAPI(mustJSON(t, ionapiJSON(t)))
	if err != nil {
		t.Fatal(err)
	}
	var outputs []string
	for _, v := range []any{cfg, *cfg} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
			outputs = append(outputs, fmt.Sprintf(verb, v))
		}
		outputs = append(outputs, fmt.Sprint(v), fmt.Sprintln(v))
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("loaded", "ionapi", v)
			outputs = append(outputs, buf.String())
		}
	}
	outputs = append(outputs, cfg.String(), cfg.GoString())
	for _, out := range outputs {
		assertNoTenantSecrets(t, "output", out)
		if !strings.Contains(out, "ACME_TST") {
			t.Errorf("output lost the tenant: %s", out)
		}
	}
	if !strings.Contains(cfg.String(), "sask="+redacted) {
		t.Errorf("String does not show that sask is set: %s", cfg)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "ionapi", cfg)
	var rec struct {
		IONAPI map[string]string `json:"ionapi"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.IONAPI["cs"] != redacted || rec.IONAPI["ci"] != testCI || rec.IONAPI["pu"] != cfg.ProviderURL {
		t.Errorf("LogValue group = %v", rec.IONAPI)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
