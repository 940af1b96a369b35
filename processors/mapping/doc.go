// Package mapping is the mapping engine: it loads the merchant's mapping
// file (MAPPING_FILE, YAML; docs/mapping.md) and answers, for each Stripe
// event, the ERP codes the processors put on commands: payment method
// codes, item numbers, order type and terms, GL accounts, and addresses
// fitted to the ERP's fields.
//
// The file is validated completely at load, with every problem reported by
// file, line and entry (*Error), because a mapping that half-works books
// money to the wrong accounts silently, while one that does not load is
// fixed in minutes. After load a Config is immutable: the processors share
// one between goroutines, and the per-event calls (Accounts,
// OrderAttributes, PaymentMethod, Item, ChargeItem) do not allocate on
// their usual paths.
//
// Currency rules (CheckAmount) are Stripe's and ISO's rather than the
// merchant's, but live here so that every check of an amount is in one
// place.
package mapping
