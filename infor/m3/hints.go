package m3

import "sync"

// maxInvoiceHints bounds the hints an adapter keeps (a few hundred KiB).
// Reaching it forgets them all: a hint only saves a call, and a sink
// applies an order's payment within seconds of the order.
const maxInvoiceHints = 8192

// invoiceHints remembers, by order reference (CUOR), the invoice this
// adapter saw an order produce: a charge's ApplyPayment follows its
// CreateSalesOrder within moments, and usually in the same sink, which
// then reads the invoice once (ARS200MI GetInvoice) instead of finding the
// order by CUOR and listing its invoices.
//
// A hint is never trusted: findInvoice uses it only when M3's invoice of
// that number still carries the order's reference, is not a credit note,
// and names its order, so a hint outlived by its data (an emulator reset,
// a refreshed sandbox) costs one read and falls back to the lookup. An
// adapter in another process simply has no hint.
type invoiceHints struct {
	mu sync.Mutex
	m  map[string]string // CUOR → CINO
}

func (h *invoiceHints) get(cuor string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[cuor]
}

func (h *invoiceHints) put(cuor, cino string) {
	if cuor == "" || cino == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil || len(h.m) >= maxInvoiceHints {
		h.m = make(map[string]string)
	}
	h.m[cuor] = cino
}

func (h *invoiceHints) drop(cuor string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.m, cuor)
}
