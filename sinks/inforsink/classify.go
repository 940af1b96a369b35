package inforsink

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/m3"
)

// Codes the sink gives in error.code when the upstream gave none.
const (
	// CodeInvalidCommand: the adapter refused the command as it is
	// (m3.ErrInvalidCommand), e.g. an order without lines.
	CodeInvalidCommand = "invalid_command"
	// CodePermanent: a failure that no retry fixes and that is not a
	// business NOK: an unexpected 4xx, a malformed answer, an error the
	// sink does not recognise (parked rather than retried forever).
	CodePermanent = "permanent"
	// CodeDecode: the record value is not a command in the Confluent wire
	// format the registry knows.
	CodeDecode = "decode"
	// CodeNotACommand: the value decoded, but to something that is not a
	// command (a record written to the wrong topic).
	CodeNotACommand = "not_a_command"
	// CodeNoCommandID: the command has no command id, so it cannot be
	// deduplicated.
	CodeNoCommandID = "no_command_id"
)

// ClassTransient is error.class on retry-topic records whose last failure
// was transient (timeouts, 5xx, 429, auth); it becomes transient-exhausted
// when the record reaches the DLQ.
const ClassTransient = "transient"

// failKind is what the sink does with a failed Apply.
type failKind int

const (
	// failTransient: retried in place, then through the retry tiers, then
	// the DLQ (transient-exhausted).
	failTransient failKind = iota + 1
	// failDependency: a prerequisite is not in Infor yet; the retry topic
	// until the dependency deadline, then the DLQ.
	failDependency
	// failValidation: the DLQ at once.
	failValidation
	// failCanceled: our own shutdown or revoke; the record is left
	// unfinished for the next owner.
	failCanceled
)

// failure is a classified Apply error.
type failure struct {
	kind failKind
	// code, field and message go into error.code, error.field and
	// error.message: Infor's own for a NOK.
	code, field, message string
	// hint is the upstream's Retry-After (0: none).
	hint time.Duration
	// rateLimited is an Infor 429: it closes the shared gate for hint.
	rateLimited bool
	// auth is an Infor credentials or permission failure: retried as
	// transient (someone fixes the keys), logged loudly.
	auth bool
}

// transientError is what the Stripe API client's errors satisfy.
type transientError interface{ Transient() bool }

// retryAfterHinter gives a Retry-After hint, e.g. the Stripe API client's
// errors on 429.
type retryAfterHinter interface {
	RetryAfterHint() (time.Duration, bool)
}

// classify decides what a failed Apply means. The order matters: the
// adapter's own sentinels first (a dependency is retried, never
// dead-lettered early), then Infor's NOK (its message, code and field
// verbatim), then errors that say themselves whether they are transient
// (the Stripe API client's), then the rest of Infor's classes.
func classify(err error) failure {
	if errors.Is(err, context.Canceled) {
		return failure{kind: failCanceled, message: safeMessage(err)}
	}
	if errors.Is(err, m3.ErrDependency) {
		return failure{kind: failDependency, message: safeMessage(err)}
	}
	if errors.Is(err, m3.ErrInvalidCommand) {
		return failure{kind: failValidation, code: CodeInvalidCommand, message: safeMessage(err)}
	}
	var nok *infor.NOKError
	if errors.As(err, &nok) {
		return failure{kind: failValidation, code: nok.Code, field: nok.Field, message: nok.Message}
	}
	var te transientError
	if errors.As(err, &te) {
		f := failure{kind: failValidation, code: CodePermanent, message: safeMessage(err)}
		if te.Transient() {
			f = failure{kind: failTransient, code: ClassTransient, message: safeMessage(err)}
			var h retryAfterHinter
			if errors.As(err, &h) {
				if d, ok := h.RetryAfterHint(); ok && d > 0 {
					f.hint = d
				}
			}
		}
		return f
	}
	switch c := infor.Classify(err); c {
	case infor.ClassValidation: // a NOK, caught above; kept for completeness
		return failure{kind: failValidation, code: c.String(), message: safeMessage(err)}
	case infor.ClassRateLimited, infor.ClassTransient, infor.ClassAuth:
		f := failure{kind: failTransient, code: c.String(), message: safeMessage(err),
			rateLimited: c == infor.ClassRateLimited, auth: c == infor.ClassAuth}
		if d, ok := infor.RetryAfter(err); ok {
			f.hint = d
		}
		return f
	case infor.ClassCanceled:
		return failure{kind: failCanceled, message: safeMessage(err)}
	}
	return failure{kind: failValidation, code: CodePermanent, message: safeMessage(err)}
}

// safeMessage is err's text with the query string and credentials of any
// URL it quotes removed: net/http's *url.Error quotes the whole request
// URL, and MI calls carry customer data in the query.
func safeMessage(err error) string {
	msg := err.Error()
	var ue *url.Error
	for e := err; errors.As(e, &ue); e = ue.Err {
		if u, perr := url.Parse(ue.URL); perr == nil && (u.RawQuery != "" || u.User != nil) {
			u.RawQuery, u.User, u.Fragment = "", nil, ""
			msg = strings.ReplaceAll(msg, ue.URL, u.String())
		}
	}
	return msg
}
