package stripefake

import (
	"encoding/json"
)

// object is a balance_transaction as Stripe renders it (API version
// 2023-10-16, plus balance_type, which Stripe added later to every
// version and stripe-mock's spec has). exchange_rate and source are raw
// JSON: the rate is the exact number token loaded, the source an id or
// the expanded object.
type object struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Amount            int64           `json:"amount"`
	AvailableOn       int64           `json:"available_on"`
	BalanceType       string          `json:"balance_type"`
	Created           int64           `json:"created"`
	Currency          string          `json:"currency"`
	Description       *string         `json:"description"`
	ExchangeRate      json.RawMessage `json:"exchange_rate"`
	Fee               int64           `json:"fee"`
	FeeDetails        []feeObject     `json:"fee_details"`
	Net               int64           `json:"net"`
	ReportingCategory string          `json:"reporting_category"`
	Source            json.RawMessage `json:"source"`
	Status            string          `json:"status"`
	Type              string          `json:"type"`
}

// feeObject is one fee_details line; application is the Connect
// application that took an application fee, which the ledger does not
// model: null.
type feeObject struct {
	Amount      int64   `json:"amount"`
	Application *string `json:"application"`
	Currency    string  `json:"currency"`
	Description string  `json:"description"`
	Type        string  `json:"type"`
}

var jsonNull = json.RawMessage("null")

// render makes the Stripe object of e; expand puts the source object in
// place of the id when the entry has one. now tells available from
// pending, as Stripe's status does.
func (e *entry) render(expand bool, now int64) object {
	bt := &e.bt
	o := object{
		ID: bt.ID, Object: "balance_transaction", Amount: bt.Amount, AvailableOn: bt.AvailableOn,
		BalanceType: "payments", Created: bt.Created, Currency: bt.Currency, ExchangeRate: jsonNull,
		Fee: bt.Fee, FeeDetails: make([]feeObject, 0, len(bt.FeeDetails)), Net: bt.Net,
		ReportingCategory: bt.ReportingCategory, Source: jsonNull, Status: "available", Type: bt.Type,
	}
	if bt.Description != "" {
		d := bt.Description
		o.Description = &d
	}
	if bt.ExchangeRate != "" {
		o.ExchangeRate = json.RawMessage(bt.ExchangeRate) // checked to be a number token by Add
	}
	for _, fd := range bt.FeeDetails {
		o.FeeDetails = append(o.FeeDetails, feeObject{Amount: fd.Amount, Currency: fd.Currency, Description: fd.Description, Type: fd.Type})
	}
	if o.ReportingCategory == "" {
		o.ReportingCategory = defaultReportingCategory(bt.Type)
	}
	switch {
	case expand && e.sourceRaw != nil:
		o.Source = e.sourceRaw
	case bt.Source != "":
		o.Source, _ = json.Marshal(bt.Source)
	}
	if bt.AvailableOn > now {
		o.Status = "pending"
	}
	return o
}
