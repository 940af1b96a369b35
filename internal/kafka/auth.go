package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"syscall"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
)

// ErrAuthentication marks an error from Ping that means the broker refused
// our SASL credentials or mechanism. A stage stops at start on it, since
// retrying the same password cannot help, while it keeps retrying a broker
// that is merely unreachable.
var ErrAuthentication = errors.New("kafka: SASL authentication failed")

// Session outcomes the tracker remembers.
const (
	authNone int32 = iota
	authPending
	authDone
)

// trackedMechanism wraps a SASL mechanism to remember whether the last
// session completed. Brokers answer a bad password in two ways: Apache Kafka
// with SASL_AUTHENTICATION_FAILED, others (and kfake) by closing the
// connection, which reaches the caller as a bare EOF that does not say it
// was the password. Knowing that a session started and never finished lets
// Ping say so.
type trackedMechanism struct {
	sasl.Mechanism
	last *atomic.Int32
}

func (m trackedMechanism) Authenticate(ctx context.Context, host string) (sasl.Session, []byte, error) {
	m.last.Store(authPending)
	s, first, err := m.Mechanism.Authenticate(ctx, host)
	if err != nil {
		return nil, nil, err
	}
	return trackedSession{Session: s, last: m.last}, first, nil
}

type trackedSession struct {
	sasl.Session
	last *atomic.Int32
}

func (s trackedSession) Challenge(b []byte) (bool, []byte, error) {
	done, msg, err := s.Session.Challenge(b)
	if done && err == nil {
		s.last.Store(authDone)
	}
	return done, msg, err
}

// Ping asks the cluster for its brokers through cl and, when that fails,
// returns an error that says which setting to look at. An authentication
// failure wraps ErrAuthentication; it names the mechanism and the user
// (when the user name is not itself a file-held secret), never the password.
func Ping(ctx context.Context, cl *kgo.Client, sec *Security) error {
	err := cl.Ping(ctx)
	if err == nil {
		return nil
	}
	if sec == nil || sec.mechanism() == "" {
		return fmt.Errorf("kafka: cannot reach the cluster: %w", err)
	}
	refused := errors.Is(err, kerr.SaslAuthenticationFailed) || errors.Is(err, kerr.UnsupportedSaslMechanism) ||
		errors.Is(err, kerr.IllegalSaslState)
	cutOff := sec.authState.Load() == authPending && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET))
	if !refused && !cutOff {
		return fmt.Errorf("kafka: cannot reach the cluster: %w", err)
	}
	who := "the user in " + EnvSASLUsername + "_FILE"
	if sec.Username != "" {
		who = fmt.Sprintf("user %q", sec.Username)
	}
	how := "refused"
	if cutOff {
		how = "cut off by the broker (it closed the connection during authentication)"
	}
	return fmt.Errorf("%w: %s as %s %s: check %s and %s (or its _FILE), and that the broker offers %s: %v",
		ErrAuthentication, sec.mechanism(), who, how, EnvSASLUsername, EnvSASLPassword, sec.mechanism(), err)
}
