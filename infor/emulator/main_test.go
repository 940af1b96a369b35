package emulator

import (
	"os"
	"testing"
)

// TestMain turns the transaction self-check on for every emulator the tests
// create (see selfcheck.go): each test then also proves that its NOKs leave
// no trace and that its changes reach the journal.
func TestMain(m *testing.M) {
	checkTransactionsDefault = true
	os.Exit(m.Run())
}
