package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/processors"
)

// devSessionTimeout is the processor's group session timeout in dev: after
// a crash of the whole stack the old member is forgotten sooner than with
// Kafka's 45 s default.
const devSessionTimeout = 10 * time.Second

// startProcessor runs the processor in-process against the embedded broker
// and registry, with its metrics on dev's /metrics and its readiness in
// dev's /readyz. It is stopped (its transaction ended, the group left)
// before the broker, because closers run in reverse order. A processor that
// stops on a client error is started again: dev has no Kubernetes to do it.
func (d *devStack) startProcessor(ctx context.Context, brokers, registryURL string, reg prometheus.Registerer, health *observability.Health) error {
	s := processorSettings{
		mappingFile:    d.s.mappingFile,
		group:          processors.DefaultGroup,
		txnID:          processors.DefaultTransactionalID(),
		maxRecords:     processors.DefaultMaxRecordsPerTxn,
		sessionTimeout: devSessionTimeout,
		rebalance:      processors.DefaultRebalanceTimeout,
	}
	st, err := newProcessorStage(s, []string{brokers}, registryURL, d.log, reg, health)
	if err != nil {
		return err
	}
	d.processor = fmt.Sprintf("group %s, mapping %s", s.group, st.mapName)
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			err := st.run(pctx)
			if pctx.Err() != nil {
				return
			}
			d.log.Error("processor stopped; restarting it in 2s", "err", err)
			select {
			case <-pctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
		}
	}()
	d.onClose(func() {
		cancel()
		<-done
		d.log.Info("processor stopped")
	})
	return nil
}
