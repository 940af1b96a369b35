// Package e2e runs the end-to-end scenarios through the whole
// pipeline, as in production but on one machine: signed webhooks over HTTP
// into the producer, the embedded Kafka broker (kfake with a data
// directory) and schema registry, the processors, the Infor sink with a
// real redis-server for dedupe, two Infor emulator tenants over HTTP (live,
// and the sandbox that test-mode events must reach) and a fake Stripe API
// (internal/stripefake) serving the scenario's balance transactions.
//
// The scenarios come from internal/scenario; after each, the suite waits
// until the pipeline is quiet (every consumer group caught up, nothing
// held for a retry) and checks the accounting invariants against both
// tenants' state. The package has only tests: go test ./e2e.
//
// Settings: STRIPE_INFOR_REQUIRE_REDIS=1 fails instead of skipping when
// redis-server is not installed; STRIPE_INFOR_REQUIRE_STRIPE_MOCK=1 the same
// for stripe-mock. A failed test prints the reconciliation summary and the
// stages' last log lines.
package e2e
