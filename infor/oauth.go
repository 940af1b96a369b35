package infor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// grantedToken is one answer of the token endpoint.
type grantedToken struct {
	access   string
	refresh  string
	lifetime time.Duration // zero when the server did not say
}

// tokenResponse is RFC 6749 §5.1's successful answer.
type tokenResponse struct {
	AccessToken  string      `json:"access_token"`
	TokenType    string      `json:"token_type"`
	ExpiresIn    flexSeconds `json:"expires_in"`
	RefreshToken string      `json:"refresh_token"`
}

// oauthErrorResponse is RFC 6749 §5.2's error answer.
type oauthErrorResponse struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// flexSeconds accepts expires_in as a number or a numeric string: providers
// differ, and rejecting a usable token over it would stop the pipeline.
type flexSeconds int64

func (s *flexSeconds) UnmarshalJSON(b []byte) error {
	v := strings.Trim(string(b), `"`)
	if v == "" || v == "null" {
		*s = 0
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return fmt.Errorf("expires_in is not a number")
	}
	*s = flexSeconds(f)
	return nil
}

// passwordGrant asks for a token with the service-account keys.
func (ts *TokenSource) passwordGrant(ctx context.Context) (*grantedToken, error) {
	form := url.Values{
		"grant_type": {"password"},
		"username":   {ts.cfg.ServiceAccountAccessKey},
		"password":   {ts.cfg.ServiceAccountSecretKey},
	}
	tok, err := ts.tokenRequest(ctx, form)
	if err != nil {
		return nil, fmt.Errorf("password grant: %w", err)
	}
	return tok, nil
}

// refreshGrant exchanges a refresh token for a new access token.
func (ts *TokenSource) refreshGrant(ctx context.Context, refresh string) (*grantedToken, error) {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refresh},
	}
	tok, err := ts.tokenRequest(ctx, form)
	if err != nil {
		return nil, fmt.Errorf("refresh_token grant: %w", err)
	}
	if tok.refresh == "" {
		// RFC 6749 §6: without a new refresh token the old one stays valid.
		tok.refresh = refresh
	}
	return tok, nil
}

// tokenRequest posts a grant to pu+ot. Client credentials go in the form
// body (client_secret_post), which the ION API's provider accepts; RFC 6749
// forbids sending them both there and as HTTP Basic, so only the body is used.
func (ts *TokenSource) tokenRequest(ctx context.Context, form url.Values) (*grantedToken, error) {
	resp, body, err := ts.postForm(ctx, ts.tokenURL, form)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, ts.oauthError(resp, body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		// The json error names a type or offset, never the token.
		return nil, fmt.Errorf("decode token response: %w", err)
	}
	if tr.AccessToken == "" {
		return nil, errors.New("token response has no access_token")
	}
	tok := &grantedToken{access: tr.AccessToken, refresh: tr.RefreshToken}
	if tr.ExpiresIn > 0 {
		tok.lifetime = time.Duration(tr.ExpiresIn) * time.Second
	}
	ts.red.remember(tok.access, tok.refresh)
	return tok, nil
}

// revokeRequest posts one token to pu+or (RFC 7009).
func (ts *TokenSource) revokeRequest(ctx context.Context, token, hint string) error {
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	resp, body, err := ts.postForm(ctx, ts.revokeURL, form)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return ts.oauthError(resp, body)
	}
	return nil
}

// postForm sends an application/x-www-form-urlencoded POST with the client
// credentials added.
func (ts *TokenSource) postForm(ctx context.Context, target string, form url.Values) (*http.Response, []byte, error) {
	form.Set("client_id", ts.cfg.ClientID)
	form.Set("client_secret", ts.cfg.ClientSecret)
	encoded := form.Encode()
	return ts.http.do(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewBufferString(encoded))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
}

// oauthError turns a failed answer into a typed error. 400, 401 and 403 are
// authorization failures whatever the body; 429 and 5xx keep their own
// classes, so a provider outage is retried rather than treated as bad keys.
func (ts *TokenSource) oauthError(resp *http.Response, body []byte) error {
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
	default:
		return ts.http.statusError(resp, body)
	}
	ae := &AuthError{StatusCode: resp.StatusCode}
	var oe oauthErrorResponse
	if err := json.Unmarshal(body, &oe); err == nil && (oe.Error != "" || oe.ErrorDescription != "") {
		ae.Code = ts.red.scrub(strings.TrimSpace(oe.Error))
		ae.Description = ts.red.scrub(strings.TrimSpace(oe.ErrorDescription))
	} else {
		ae.Description = ts.http.excerpt(body)
	}
	return ae
}
