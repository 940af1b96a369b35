package mapping

// This file is the contract between the mapping engine and its users (the
// transform package, `stripe-infor mapping`). Signatures here are fixed;
// the bodies are filled in by the mapping engine's implementation.

import (
	"github.com/stripe-infor/stripe-infor/internal/command"
)

// TestMode values: what happens to livemode=false events.
const (
	// TestModeSandbox: commands are made and carry livemode=false; the sink
	// applies them to the sandbox tenant (INFOR_SANDBOX_IONAPI_FILE).
	TestModeSandbox = "sandbox"
	// TestModeDrop: no commands; only the enriched event is written.
	TestModeDrop = "drop"
)

// UnknownEvents values: what happens to event types the processors do not
// know.
const (
	UnknownSkip = "skip"
	UnknownDLQ  = "dlq"
)

// Facts are what rule conditions may test. The transform fills what the
// event has; empty strings never match a condition other than "exists:
// false".
type Facts struct {
	EventType  string // "charge.succeeded"
	ObjectType string // "charge"
	Currency   string // upper case ISO 4217
	Livemode   bool
	Product    string // prod_… of the line / price
	Price      string // price_… (or plan_… for old API versions)
	LookupKey  string // the price's lookup_key
	Plan       string // the price's nickname (a plan's nickname or id for old API versions)
	// Interval is the recurring interval of the price ("month", "year"),
	// empty for one-off prices and charges.
	Interval    string
	Description string
	// PaymentMethod is payment_method_details.type ("card", "sepa_debit").
	PaymentMethod string
	CardBrand     string // "visa", "mastercard", …
	// Metadata is the object's metadata merged over its customer's,
	// product's and price's where the transform has them (the object's own
	// keys win).
	Metadata map[string]string
}

// Accounts are the GL accounts of one posting context, by role. The
// default rule sets every role; a matching rule overrides some.
type Accounts struct {
	Clearing        string // Stripe clearing (the balance Stripe holds for us)
	Receivable      string // accounts receivable
	Revenue         string
	DeferredRevenue string
	Refunds         string // refunds and returns (contra revenue)
	Disputes        string // disputed amounts lost
	Fees            string // Stripe fees expense
	Bank            string // the bank account payouts arrive in
	FXGainLoss      string // realized FX gain/loss
}

// OrderAttributes are the order fields conditional rules decide.
type OrderAttributes struct {
	OrderType    string
	PaymentTerms string
	// Rules names the rules that set a field, in order, for tracing.
	Rules []string
}

// Deferral says how subscription revenue is deferred.
type Deferral struct {
	// Enabled: invoice lines with a service period get a deferral journal
	// at payment and a monthly recognition schedule.
	Enabled bool
	// MinPeriodDays: lines whose period is shorter are recognised at once.
	MinPeriodDays int
}

// Config is a loaded, validated mapping. It is immutable and safe for
// concurrent use.
type Config struct {
	impl *config
}

// Load reads and validates the mapping file at path (YAML). Errors name the
// file, the line and the entry at fault.
func Load(path string) (*Config, error) { return load(path) }

// Parse validates a mapping held in memory; name is used in errors.
func Parse(data []byte, name string) (*Config, error) { return parse(data, name) }

// Default returns the built-in mapping (DefaultYAML), used when MAPPING_FILE
// is not set.
func Default() *Config { return defaultConfig() }

// Accounts derives the GL accounts for f: the first GL rule whose
// conditions all hold, over the default rule's accounts. It returns the
// rule's name.
func (c *Config) Accounts(f Facts) (Accounts, string) { return c.impl.accounts(f) }

// OrderAttributes applies the conditional order rules to f: each field
// takes its value from the first matching rule that sets it, else from the
// order defaults.
func (c *Config) OrderAttributes(f Facts) OrderAttributes { return c.impl.orderAttributes(f) }

// PaymentMethod maps payment_method_details.type (and the card brand, when
// the mapping has brand-specific codes) to the Infor payment method code.
// An unmapped type gets the configured default and a flag
// ("payment_method_unmapped").
func (c *Config) PaymentMethod(typ, brand string) (string, *command.Flag) {
	return c.impl.paymentMethod(typ, brand)
}

// Item maps a Stripe product/price to an Infor item number: the product's
// (or price's) metadata key (items.metadata_key, default "erp_item"), then
// the items table by price id, lookup key and product id, then the default
// item with a flag ("item_unmapped"). productMetadata may be nil.
func (c *Config) Item(product, price, lookupKey string, productMetadata map[string]string) (string, *command.Flag) {
	return c.impl.item(product, price, lookupKey, productMetadata)
}

// ChargeItem is the item of a charge that has no invoice (no product):
// the items table's charge rules by description/metadata, else the default
// charge item (never flagged: a one-off charge has no product by nature).
func (c *Config) ChargeItem(f Facts) string { return c.impl.chargeItem(f) }

// NormalizeAddress fits an address into the ERP's fields and lengths
// (address.* in the mapping, M3's by default): trimmed, spaces collapsed,
// overflow moved to spare lines at a word boundary, country upper-cased and
// checked against ISO 3166-1, state fitted. Whatever still does not fit is
// cut and flagged ("truncated", Field "address.line1", …), never silently.
// The street fills at most CarriedAddressLines lines, the lines
// command.Address has; AddressLines uses all of the ERP's.
func (c *Config) NormalizeAddress(a command.Address) (command.Address, []command.Flag) {
	return c.impl.normalizeAddress(a)
}

// NormalizeName fits a customer name into the ERP's name length (M3 CUNM,
// 36); a cut is flagged.
func (c *Config) NormalizeName(name string) (string, *command.Flag) {
	return c.impl.normalizeName(name)
}

// CustomerXRefKey is the metadata key holding the ERP customer number on a
// Stripe customer or charge (default "erp_customer_id").
func (c *Config) CustomerXRefKey() string { return c.impl.xrefKey }

// TestMode is TestModeSandbox or TestModeDrop.
func (c *Config) TestMode() string { return c.impl.testMode }

// UnknownEvents is UnknownSkip or UnknownDLQ.
func (c *Config) UnknownEvents() string { return c.impl.unknownEvents }

// Deferral is the subscription revenue deferral setting.
func (c *Config) Deferral() Deferral { return c.impl.deferral }

// CheckAmount validates an amount for a purpose ("charge", "refund",
// "payout", …) against the currency rules: the currency must be known
// (ISO 4217, upper case); ISK/UGX amounts must have 00 API decimals; HUF and
// TWD payouts must be whole units. A violation is an error naming the rule:
// an *AmountError whose Rule is a stable code (RuleUnknownCurrency, …).
func (c *Config) CheckAmount(m command.Money, purpose string) error {
	return c.impl.checkAmount(m, purpose)
}
