package emulator

import (
	"fmt"
	"strings"
)

// nok is a business failure: M3 answers it as HTTP 200 with the result's
// errorMessage, errorCode, errorField and errorType "ServerReturnedNOK", and
// the caller has to read the body to notice. Messages say what to change,
// naming the value and the field, as M3's do ("Customer number XYZ does not
// exist"). It deliberately does not implement error: a nil *nok stored in
// an error interface would read as a failure.
type nok struct {
	Code    string
	Field   string
	Message string
}

// Error codes follow M3's message-id shape, W + two letters of the field +
// four digits (WCU0103: customer number does not exist). The digits are
// the emulator's own, stable, so tests and people can rely on them:
const (
	codeInvalid      = "0101" // value has the wrong form
	codeMandatory    = "0102" // must be entered
	codeNotFound     = "0103" // does not exist
	codeExists       = "0104" // already exists
	codeTooLong      = "0105" // longer than the field
	codeState        = "0106" // not allowed in the record's status
	codeExceeds      = "0107" // amount above what is open
	codeUnbalanced   = "0108" // journal does not sum to zero
	codeUnknownField = "0109" // not an input field of the transaction
	codeExhausted    = "0110" // number series used up
)

// codeFor builds the message id for field (or a pseudo-field such as
// "PROGRAM").
func codeFor(field, num string) string {
	p := strings.ToUpper(field)
	for len(p) < 2 {
		p += "X"
	}
	return "W" + p[:2] + num
}

func mandatory(field string) *nok {
	return &nok{Code: codeFor(field, codeMandatory), Field: field,
		Message: fmt.Sprintf("%s (%s) must be entered", describe(field), field)}
}

// notFound says value does not exist; known, when short, lists what does,
// which is what a person fixing a mapping needs next.
func notFound(field, value string, known []string) *nok {
	msg := fmt.Sprintf("%s %s does not exist", describe(field), value)
	if len(known) > 0 && len(known) <= 20 {
		msg += "; known: " + strings.Join(known, ", ")
	}
	return &nok{Code: codeFor(field, codeNotFound), Field: field, Message: msg}
}

func exists(field, value string) *nok {
	return &nok{Code: codeFor(field, codeExists), Field: field,
		Message: fmt.Sprintf("%s %s already exists", describe(field), value)}
}

func invalid(field, msg string) *nok {
	return &nok{Code: codeFor(field, codeInvalid), Field: field, Message: msg}
}

func wrongState(field, msg string) *nok {
	return &nok{Code: codeFor(field, codeState), Field: field, Message: msg}
}
