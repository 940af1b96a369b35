package opstest

import (
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/stripemocktest"
)

// StripeMock starts stripe-mock; see stripemocktest.Start.
func StripeMock(t testing.TB) string { return stripemocktest.Start(t) }
