package infor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls Infor M3's MI REST API (v2) through the ION API gateway. It
// adds the bearer token, renews it once on a 401, reads the body of every
// 200 (M3 reports business failures there) and returns typed errors.
type Client struct {
	base   string // iu/ti/M3/m3api-rest/v2
	http   *httpDoer
	tokens *TokenSource
	log    *slog.Logger
}

// NewClient returns a Client for the tenant described by cfg.
func NewClient(cfg *IONAPI, opts ...Option) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("infor: ION API configuration: %w", err)
	}
	s := newSettings(opts)
	ts := s.tokens
	if ts == nil {
		ts = newTokenSource(cfg, s)
	}
	return &Client{
		base: cfg.M3BaseURL(),
		// Sharing the token source's redactor means tokens it issued are
		// scrubbed from MI error bodies as well.
		http:   &httpDoer{hc: s.httpClient, timeout: s.timeout, userAgent: s.userAgent, now: s.now, red: ts.red},
		tokens: ts,
		log:    s.logger,
	}, nil
}

// TokenSource returns the client's token source, e.g. to share it.
func (c *Client) TokenSource() *TokenSource { return c.tokens }

// Close revokes the client's tokens (when the .ionapi file has "or"). Call
// it at shutdown; the Client must not be used afterwards.
func (c *Client) Close(ctx context.Context) error { return c.tokens.Revoke(ctx) }

// AllRecords as ExecuteOptions.MaxRecs asks M3 for every record (maxrecs=0);
// without maxrecs M3 returns at most 100.
const AllRecords = -1

// ExecuteOptions are the optional query parameters of a single MI call.
type ExecuteOptions struct {
	// MaxRecs limits the records returned: 0 leaves M3's default (100),
	// AllRecords sends maxrecs=0 (no limit), n > 0 sends maxrecs=n.
	MaxRecs int
	// ReturnCols restricts the returned fields (returncols=A,B,C).
	ReturnCols []string
}

// Result is the outcome of a successful MI transaction.
type Result struct {
	Program     string
	Transaction string
	// Records hold M3's output fields; values are strings as M3 sends them,
	// with the trailing blanks M3 pads fields with removed.
	Records []map[string]string
}

// Transaction is one transaction of a bulk call.
type Transaction struct {
	Transaction string            `json:"transaction"`
	Record      map[string]string `json:"record"`
}

// BulkResult is the outcome of a bulk call, one TransactionResult per
// transaction M3 answered, in order.
type BulkResult struct {
	Program       string
	Results       []TransactionResult
	WasTerminated bool // M3 stopped before running every transaction
	Successful    int  // nrOfSuccessfullTransactions (sic)
	Failed        int  // nrOfFailedTransactions
}

// TransactionResult is one transaction's outcome; NOK is nil when it
// succeeded.
type TransactionResult struct {
	Transaction string
	Records     []map[string]string
	NOK         *NOKError
}

// Execute runs one MI transaction: GET {base}/execute/{program}/{transaction}
// with fields as query parameters. A NOK answer is returned as *NOKError.
func (c *Client) Execute(ctx context.Context, program, transaction string, fields map[string]string) (*Result, error) {
	return c.ExecuteWith(ctx, program, transaction, fields, ExecuteOptions{})
}

// ExecuteWith is Execute with maxrecs and returncols.
func (c *Client) ExecuteWith(ctx context.Context, program, transaction string, fields map[string]string, o ExecuteOptions) (*Result, error) {
	op := "M3 " + program + "/" + transaction
	if err := checkName("program", program); err != nil {
		return nil, fmt.Errorf("infor: %s: %w", op, err)
	}
	if err := checkName("transaction", transaction); err != nil {
		return nil, fmt.Errorf("infor: %s: %w", op, err)
	}
	target := c.base + "/execute/" + url.PathEscape(program) + "/" + url.PathEscape(transaction)
	if q := encodeQuery(fields, o); q != "" {
		target += "?" + q
	}

	body, err := c.call(ctx, op, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return nil, err
		}
		if !isRead(transaction) {
			notReplayable(req)
		}
		return req, nil
	})
	if err != nil {
		return nil, fmt.Errorf("infor: %s: %w", op, err)
	}
	resp, err := decodeMIResponse(body)
	if err != nil {
		return nil, fmt.Errorf("infor: %s: %w", op, err)
	}
	results, noks := resp.results(program, []string{transaction}, c.http.red)
	if len(noks) > 0 {
		return nil, noks[0]
	}
	res := &Result{Program: program, Transaction: transaction}
	if len(results) > 0 {
		res.Records = results[0].Records
	}
	return res, nil
}

// ExecuteBulk runs several transactions of one program in one request:
// POST {base}/execute. M3 runs them in order; the result is returned even
// when some failed, together with an error joining their *NOKError (so
// errors.As finds the first and Classify says validation).
func (c *Client) ExecuteBulk(ctx context.Context, program string, txs []Transaction) (*BulkResult, error) {
	op := "M3 " + program + " bulk"
	if err := checkName("program", program); err != nil {
		return nil, fmt.Errorf("infor: %s: %w", op, err)
	}
	if len(txs) == 0 {
		return nil, fmt.Errorf("infor: %s: no transactions", op)
	}
	names := make([]string, len(txs))
	sent := make([]Transaction, len(txs)) // a copy: the caller's slice is not touched
	for i, tx := range txs {
		if err := checkName("transaction", tx.Transaction); err != nil {
			return nil, fmt.Errorf("infor: %s: transaction %d: %w", op, i, err)
		}
		names[i] = tx.Transaction
		sent[i] = tx
		if sent[i].Record == nil {
			sent[i].Record = map[string]string{} // M3 wants {}, not null
		}
	}
	payload, err := json.Marshal(struct {
		Program      string        `json:"program"`
		Transactions []Transaction `json:"transactions"`
	}{program, sent})
	if err != nil {
		return nil, fmt.Errorf("infor: %s: encode request: %w", op, err)
	}
	target := c.base + "/execute"
	body, err := c.call(ctx, op, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		return req, nil
	})
	if err != nil {
		return nil, fmt.Errorf("infor: %s: %w", op, err)
	}
	resp, err := decodeMIResponse(body)
	if err != nil {
		return nil, fmt.Errorf("infor: %s: %w", op, err)
	}
	results, noks := resp.results(program, names, c.http.red)
	br := &BulkResult{
		Program:       program,
		Results:       results,
		WasTerminated: resp.WasTerminated,
		Successful:    resp.NrOfSuccessfull,
		Failed:        resp.NrOfFailed,
	}
	errs := make([]error, len(noks))
	for i, n := range noks {
		errs[i] = n
	}
	return br, errors.Join(errs...)
}

// call sends an authenticated request and returns the body of a 2xx answer.
// On a 401 the token is invalidated and the request is sent once more with a
// fresh one (tokens can be revoked or expire early at the gateway); a second
// 401 is returned as an auth failure rather than looping.
func (c *Client) call(ctx context.Context, op string, build func(ctx context.Context) (*http.Request, error)) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		token, err := c.tokens.token(ctx)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		resp, body, err := c.http.do(ctx, func(ctx context.Context) (*http.Request, error) {
			req, err := build(ctx)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "application/json")
			return req, nil
		})
		if err != nil {
			c.log.LogAttrs(ctx, slog.LevelDebug, "infor: M3 call failed", slog.String("op", op),
				slog.Int("attempt", attempt), slog.Duration("elapsed", time.Since(start)), slog.String("error", err.Error()))
			return nil, err
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "infor: M3 call", slog.String("op", op),
			slog.Int("attempt", attempt), slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))
		if resp.StatusCode == http.StatusUnauthorized && attempt == 1 {
			c.log.LogAttrs(ctx, slog.LevelWarn, "infor: ION API rejected the bearer token; renewing it and retrying once",
				slog.String("op", op))
			c.tokens.Invalidate(token)
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return nil, c.http.statusError(resp, body)
		}
		return body, nil
	}
}

// checkName refuses names that would change the URL's shape: M3 program and
// transaction names are short alphanumeric identifiers.
func checkName(what, name string) error {
	if name == "" {
		return fmt.Errorf("empty %s name", what)
	}
	for _, r := range name {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Errorf("invalid %s name %q", what, name)
		}
	}
	return nil
}

// isRead reports whether an M3 transaction only reads, by M3's naming:
// Get…, Lst…, Sel…, Search….
func isRead(transaction string) bool {
	for _, p := range []string{"Get", "Lst", "Sel", "Search"} {
		if strings.HasPrefix(transaction, p) {
			return true
		}
	}
	return false
}

// notReplayable stops net/http from silently resending a request. MI writes
// travel as GET, and the transport resends a GET on its own when a reused
// connection drops before the answer — after M3 may have carried it out,
// adding an order line or a statement line twice. A body that cannot be
// rewound (no GetBody) makes the request non-replayable; it is empty, so
// nothing is sent on the wire. A lost answer then surfaces as a transient
// error, and the adapter's lookup decides what is left to do.
func notReplayable(req *http.Request) {
	req.Body = io.NopCloser(strings.NewReader(""))
	req.GetBody = nil
	req.ContentLength = 0
}
