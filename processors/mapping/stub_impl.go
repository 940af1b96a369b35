package mapping

// TEMPORARY stand-in so that dependants compile while the mapping engine is
// written; the engine's implementation replaces this whole file.

import (
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

type config struct {
	xrefKey       string
	testMode      string
	unknownEvents string
	deferral      Deferral
}

func load(path string) (*Config, error)              { return defaultConfig(), nil }
func parse(data []byte, name string) (*Config, error) { return defaultConfig(), nil }
func defaultConfig() *Config {
	return &Config{impl: &config{xrefKey: "erp_customer_id", testMode: TestModeSandbox, unknownEvents: UnknownSkip, deferral: Deferral{Enabled: true, MinPeriodDays: 32}}}
}
func (c *config) accounts(f Facts) (Accounts, string) {
	return Accounts{Clearing: "1930", Receivable: "1510", Revenue: "3010", DeferredRevenue: "2970", Refunds: "3090", Disputes: "6390", Fees: "6570", Bank: "1940", FXGainLoss: "7960"}, "default"
}
func (c *config) orderAttributes(f Facts) OrderAttributes { return OrderAttributes{} }
func (c *config) paymentMethod(typ, brand string) (string, *command.Flag) {
	return strings.ToUpper(typ), nil
}
func (c *config) item(product, price, lookupKey string, md map[string]string) (string, *command.Flag) {
	return "STRIPE-ITEM", nil
}
func (c *config) chargeItem(f Facts) string { return "STRIPE-SALE" }
func (c *config) normalizeAddress(a command.Address) (command.Address, []command.Flag) {
	return a, nil
}
func (c *config) normalizeName(name string) (string, *command.Flag) { return name, nil }
func (c *config) checkAmount(m command.Money, purpose string) error  { return nil }
