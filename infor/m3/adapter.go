package m3

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stripe-infor/stripe-infor/infor"
)

// Config is the M3 side of the mapping: which bank accounts and defaults
// the adapter uses.
type Config struct {
	// DefaultCustomer is the CUNO of orders whose command names no customer
	// (a guest charge); empty makes such an order an invalid command.
	DefaultCustomer string
	// CustomerTemplate is the CUTM new customers are created from; empty
	// uses M3's default template.
	CustomerTemplate string
	// PaymentBank is the BKID of the bank account payments are booked on,
	// the Stripe balance (default "STRIPE").
	PaymentBank string
	// PayoutBank is the BKID of the bank account payouts arrive on
	// (default "BANK1").
	PayoutBank string
	// StatusCodes maps ChangeOrderStatus statuses to M3 order stop codes
	// (OBLC); nil uses DefaultStatusCodes.
	StatusCodes map[string]string
	// Division is the DIVI sent where M3 takes one (optional).
	Division string
	// Now is the clock for default dates (default time.Now).
	Now func() time.Time
	// NotFoundCodes are the endings of M3 message ids (errorCode) that mean
	// "record does not exist" on a lookup; NotFoundTexts are lower-case
	// fragments of such messages. A tenant whose messages are translated or
	// whose ids differ sets its own. Defaults: the emulator's "0103" and
	// "does not exist".
	NotFoundCodes []string
	NotFoundTexts []string
}

// Adapter carries out commands against M3. It is safe for concurrent use
// by different commands; one command must not run twice at the same time
// (the sink's lease sees to that).
type Adapter struct {
	c     *infor.Client
	cfg   Config
	hints invoiceHints
}

// New returns an Adapter calling M3 through c.
func New(c *infor.Client, cfg Config) *Adapter {
	if cfg.PaymentBank == "" {
		cfg.PaymentBank = "STRIPE"
	}
	if cfg.PayoutBank == "" {
		cfg.PayoutBank = "BANK1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NotFoundCodes == nil && cfg.NotFoundTexts == nil {
		cfg.NotFoundCodes, cfg.NotFoundTexts = []string{"0103"}, []string{"does not exist"}
	}
	return &Adapter{c: c, cfg: cfg}
}

// ErrDependency is matched (errors.Is) by every *DependencyError.
var ErrDependency = errors.New("m3: prerequisite not in M3 yet")

// ErrInvalidCommand is wrapped by errors for commands that can never
// succeed as they are; retrying them is pointless.
var ErrInvalidCommand = errors.New("m3: invalid command")

// DependencyError says a command's prerequisite is not in M3 yet (a payment
// before its order or invoice, an order before its customer). The sink
// retries such a command later.
type DependencyError struct {
	Command string // the command id
	Missing string // what is missing: "customer", "order", "invoice"
	Ref     string // how it was looked for, e.g. "CUOR OABC…" or "CUNO 10001"
}

func (e *DependencyError) Error() string {
	return fmt.Sprintf("m3: %s: %s not in M3 yet (%s)", e.Command, e.Missing, e.Ref)
}

// Is makes errors.Is(err, ErrDependency) true.
func (e *DependencyError) Is(target error) bool { return target == ErrDependency }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidCommand}, args...)...)
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// hash32 is the 52-character base32 of SHA-256(key).
func hash32(key string) string {
	sum := sha256.Sum256([]byte(key))
	return b32.EncodeToString(sum[:])
}

// Reference returns the deterministic short reference for business key
// key: kind followed by base32 characters of SHA-256(key), n characters in
// all. See the package documentation.
func Reference(kind byte, key string, n int) string {
	return string(kind) + hash32(key)[:n-1]
}

// Field lengths of the reference fields.
const (
	lenCUNO = 10
	lenCUOR = 20
	lenREFE = 30
)

// customerCandidates is the probe sequence of generated CUNOs.
func customerCandidates(stripeCustomerID string) []string {
	h := hash32("customer:" + stripeCustomerID)
	out := make([]string, 0, 5)
	for i := 0; i+9 <= len(h) && len(out) < 5; i += 9 {
		out = append(out, "S"+h[i:i+9])
	}
	return out
}

// OrderReference is the CUOR of the order for Stripe object id (ch_ or
// in_): the key is "order:<id>", the order's command id.
func OrderReference(stripeObjectID string) string {
	return Reference('O', "order:"+stripeObjectID, lenCUOR)
}

// PaymentReference is the REFE of the bank statement of a payment.
func PaymentReference(stripeChargeID string) string {
	return Reference('P', "payment:"+stripeChargeID, lenREFE)
}

// JournalReference is the REFE of the GL batch of a journal command.
func JournalReference(commandID string) string {
	return Reference('J', commandID, lenREFE)
}

// PayoutReference is the REFE of the bank statement of a payout.
func PayoutReference(stripePayoutID string) string {
	return Reference('Y', "payout:"+stripePayoutID, lenREFE)
}

// CustomerNumber is the first CUNO candidate for a Stripe customer; the
// adapter moves to the next candidates only on a collision.
func CustomerNumber(stripeCustomerID string) string {
	return customerCandidates(stripeCustomerID)[0]
}

// isNotFound reports whether err is M3's "record does not exist" on field,
// by the tenant's message ids or texts (Config.NotFoundCodes, NotFoundTexts).
func (a *Adapter) isNotFound(err error, field string) bool {
	var nok *infor.NOKError
	if !errors.As(err, &nok) || (field != "" && nok.Field != field) {
		return false
	}
	for _, c := range a.cfg.NotFoundCodes {
		if c != "" && strings.HasSuffix(nok.Code, c) {
			return true
		}
	}
	msg := strings.ToLower(nok.Message)
	for _, t := range a.cfg.NotFoundTexts {
		if t != "" && strings.Contains(msg, strings.ToLower(t)) {
			return true
		}
	}
	return false
}

// cut shortens s to at most n characters (runes), for free text only.
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}

// fits returns s when it fits n characters and "" otherwise: for values a
// cut would falsify (e-mail addresses, phone numbers, ids).
func fits(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > n {
		return ""
	}
	return s
}

// m3Date turns YYYY-MM-DD (or YYYYMMDD) into M3's YYYYMMDD; empty stays
// empty.
func m3Date(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{"2006-01-02", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("20060102"), nil
		}
	}
	return "", invalidf("date %q is not YYYY-MM-DD", s)
}

func (a *Adapter) today() string { return a.cfg.Now().UTC().Format("20060102") }

// exec runs one transaction and returns its records.
func (a *Adapter) exec(ctx context.Context, prog, trans string, fields map[string]string) ([]map[string]string, error) {
	return a.read(ctx, prog, trans, fields)
}

// read runs a transaction and returns its records with only the fields
// cols (M3's returncols), or all of them when cols is empty. Most lookups
// need two or three fields of records that have fifteen to twenty-five, and
// each field left out is one M3 does not encode and the client does not
// decode. A tenant that ignores returncols sends every field, which
// changes nothing for the caller.
func (a *Adapter) read(ctx context.Context, prog, trans string, fields map[string]string, cols ...string) ([]map[string]string, error) {
	for k, v := range fields {
		if v == "" {
			delete(fields, k)
		}
	}
	res, err := a.c.ExecuteWith(ctx, prog, trans, fields, infor.ExecuteOptions{MaxRecs: infor.AllRecords, ReturnCols: cols})
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// one runs a transaction expected to answer one record.
func (a *Adapter) one(ctx context.Context, prog, trans string, fields map[string]string) (map[string]string, error) {
	return a.readOne(ctx, prog, trans, fields)
}

// readOne is one with only the fields cols (see read).
func (a *Adapter) readOne(ctx context.Context, prog, trans string, fields map[string]string, cols ...string) (map[string]string, error) {
	recs, err := a.read(ctx, prog, trans, fields, cols...)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return map[string]string{}, nil
	}
	return recs[0], nil
}
