package stripefixture

import (
	"fmt"
	"strconv"
	"time"
)

const day = 24 * 60 * 60

// Merchant-side constants of the fictional platform.
const (
	accountName          = "Acme Supply Co."
	statementDescriptor  = "ACME SUPPLY CO"
	disputeFee           = 1500
	declineMessage       = "Your card was declined."
	declineSellerMessage = "The bank did not return any further details with this decline."
)

func (g *gen) orderNumber() string { return strconv.FormatInt(100000+g.o.Seq, 10) }

func (g *gen) metadata() obj {
	return obj{"order_id": "ORD-" + g.orderNumber()}
}

// receiptEmail: Checkout and Payment Element send receipts to the address the
// buyer typed, guest or not.
func (g *gen) receiptEmail() any { return g.person.email }

type chargeState int

const (
	chargeSucceeded chargeState = iota
	chargeFailed
	chargeRefunded
)

// charge is a card charge created by a PaymentIntent.
func (g *gen) charge(state chargeState, created int64) obj {
	amt := g.amount
	c := obj{
		"id":                              g.chargeID(),
		"object":                          "charge",
		"amount":                          amt,
		"amount_captured":                 amt,
		"amount_refunded":                 int64(0),
		"application":                     nil,
		"application_fee":                 nil,
		"application_fee_amount":          nil,
		"balance_transaction":             g.txnID("ch"),
		"billing_details":                 g.person.billingDetails(),
		"calculated_statement_descriptor": statementDescriptor,
		"captured":                        true,
		"created":                         created,
		"currency":                        g.currency,
		"customer":                        g.customer,
		"description":                     "Order #" + g.orderNumber(),
		"disputed":                        false,
		"failure_balance_transaction":     nil,
		"failure_code":                    nil,
		"failure_message":                 nil,
		"fraud_details":                   obj{},
		"invoice":                         nil,
		"livemode":                        g.o.Livemode,
		"metadata":                        g.metadata(),
		"on_behalf_of":                    nil,
		"outcome": obj{
			"network_status": "approved_by_network",
			"reason":         nil,
			"risk_level":     "normal",
			"risk_score":     g.riskScore(),
			"seller_message": "Payment complete.",
			"type":           "authorized",
		},
		"paid":                        true,
		"payment_intent":              g.piID(),
		"payment_method":              g.pmID(),
		"payment_method_details":      g.paymentMethodDetails(state != chargeFailed),
		"radar_options":               obj{},
		"receipt_email":               g.receiptEmail(),
		"receipt_number":              nil,
		"receipt_url":                 receiptURL(g.account, g.t, newRNG("receipt", g.chargeID())),
		"refunded":                    false,
		"refunds":                     list("/v1/charges/" + g.chargeID() + "/refunds"),
		"review":                      nil,
		"shipping":                    nil,
		"source":                      nil,
		"source_transfer":             nil,
		"statement_descriptor":        nil,
		"statement_descriptor_suffix": nil,
		"status":                      "succeeded",
		"transfer_data":               nil,
		"transfer_group":              nil,
	}
	switch state {
	case chargeFailed:
		c["amount_captured"] = int64(0)
		c["balance_transaction"] = nil
		c["captured"] = false
		c["failure_code"] = "card_declined"
		c["failure_message"] = declineMessage
		c["outcome"] = obj{
			"network_status": "declined_by_network",
			"reason":         "generic_decline",
			"risk_level":     "normal",
			"risk_score":     g.riskScore(),
			"seller_message": declineSellerMessage,
			"type":           "issuer_declined",
		}
		c["paid"] = false
		c["receipt_url"] = nil
		c["status"] = "failed"
	case chargeRefunded:
		c["amount_refunded"] = amt
		c["refunded"] = true
		c["refunds"] = list("/v1/charges/"+g.chargeID()+"/refunds", g.refund(g.t))
	}
	return c
}

func (g *gen) riskScore() int { return 8 + int(hash64("risk", g.chargeID())%50) }

func (g *gen) paymentMethodDetails(authorized bool) obj {
	c := g.card
	var amountAuthorized any
	if authorized {
		amountAuthorized = g.amount
	}
	return obj{
		"card": obj{
			"amount_authorized":         amountAuthorized,
			"brand":                     c.brand,
			"checks":                    c.checks(),
			"country":                   c.country,
			"exp_month":                 c.expMonth,
			"exp_year":                  c.expYear,
			"extended_authorization":    obj{"status": "disabled"},
			"fingerprint":               c.fingerprint,
			"funding":                   c.funding,
			"incremental_authorization": obj{"status": "unavailable"},
			"installments":              nil,
			"last4":                     c.last4,
			"mandate":                   nil,
			"multicapture":              obj{"status": "unavailable"},
			"network":                   c.brand,
			"network_token":             obj{"used": false},
			"overcapture":               obj{"maximum_amount_capturable": g.amount, "status": "unavailable"},
			"three_d_secure":            nil,
			"wallet":                    nil,
		},
		"type": "card",
	}
}

func (g *gen) paymentMethod(created int64) obj {
	c := g.card
	return obj{
		"id":              g.pmID(),
		"object":          "payment_method",
		"billing_details": g.person.billingDetails(),
		"card": obj{
			"brand":                c.brand,
			"checks":               c.checks(),
			"country":              c.country,
			"exp_month":            c.expMonth,
			"exp_year":             c.expYear,
			"fingerprint":          c.fingerprint,
			"funding":              c.funding,
			"generated_from":       nil,
			"last4":                c.last4,
			"networks":             obj{"available": []string{c.brand}, "preferred": nil},
			"three_d_secure_usage": obj{"supported": true},
			"wallet":               nil,
		},
		"created":  created,
		"customer": g.customer,
		"livemode": g.o.Livemode,
		"metadata": obj{},
		"type":     "card",
	}
}

func (g *gen) refund(created int64) obj {
	return obj{
		"id":                  g.refundID(),
		"object":              "refund",
		"amount":              g.amount,
		"balance_transaction": g.txnID("re"),
		"charge":              g.chargeID(),
		"created":             created,
		"currency":            g.currency,
		"destination_details": obj{
			"card": obj{
				"reference":        nil,
				"reference_status": "pending",
				"reference_type":   "acquirer_reference_number",
				"type":             "refund",
			},
			"type": "card",
		},
		"metadata":                 obj{},
		"payment_intent":           g.piID(),
		"reason":                   "requested_by_customer",
		"receipt_number":           nil,
		"source_transfer_reversal": nil,
		"status":                   "succeeded",
		"transfer_reversal":        nil,
	}
}

func (g *gen) paymentIntent(succeeded bool, created int64) obj {
	pi := g.piID()
	p := obj{
		"id":                        pi,
		"object":                    "payment_intent",
		"amount":                    g.amount,
		"amount_capturable":         int64(0),
		"amount_details":            obj{"tip": obj{}},
		"amount_received":           g.amount,
		"application":               nil,
		"application_fee_amount":    nil,
		"automatic_payment_methods": obj{"allow_redirects": "always", "enabled": true},
		"canceled_at":               nil,
		"cancellation_reason":       nil,
		"capture_method":            "automatic",
		"client_secret":             pi + "_secret_" + newRNG("secret", pi).b62(25),
		"confirmation_method":       "automatic",
		"created":                   created,
		"currency":                  g.currency,
		"customer":                  g.customer,
		"description":               "Order #" + g.orderNumber(),
		"invoice":                   nil,
		"last_payment_error":        nil,
		"latest_charge":             g.chargeID(),
		"livemode":                  g.o.Livemode,
		"metadata":                  g.metadata(),
		"next_action":               nil,
		"on_behalf_of":              nil,
		"payment_method":            g.pmID(),
		"payment_method_configuration_details": obj{
			"id":     g.accountID("pmc", "default"),
			"parent": nil,
		},
		"payment_method_options": obj{
			"card": obj{
				"installments":           nil,
				"mandate_options":        nil,
				"network":                nil,
				"request_three_d_secure": "automatic",
			},
		},
		"payment_method_types":        []string{"card"},
		"processing":                  nil,
		"receipt_email":               g.receiptEmail(),
		"review":                      nil,
		"setup_future_usage":          nil,
		"shipping":                    nil,
		"source":                      nil,
		"statement_descriptor":        nil,
		"statement_descriptor_suffix": nil,
		"status":                      "succeeded",
		"transfer_data":               nil,
		"transfer_group":              nil,
	}
	if !succeeded {
		p["amount_received"] = int64(0)
		p["last_payment_error"] = obj{
			"charge":         g.chargeID(),
			"code":           "card_declined",
			"decline_code":   "generic_decline",
			"doc_url":        "https://stripe.com/docs/error-codes/card-declined",
			"message":        declineMessage,
			"payment_method": g.paymentMethod(created),
			"type":           "card_error",
		}
		p["payment_method"] = nil
		p["status"] = "requires_payment_method"
	}
	return p
}

func (g *gen) dispute(lost bool, created int64) obj {
	evidence := obj{}
	for _, k := range []string{
		"access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure",
		"cancellation_rebuttal", "customer_communication", "customer_email_address", "customer_name",
		"customer_purchase_ip", "customer_signature", "duplicate_charge_documentation",
		"duplicate_charge_explanation", "duplicate_charge_id", "product_description", "receipt",
		"refund_policy", "refund_policy_disclosure", "refund_refusal_explanation", "service_date",
		"service_documentation", "shipping_address", "shipping_carrier", "shipping_date",
		"shipping_documentation", "shipping_tracking_number", "uncategorized_file", "uncategorized_text",
	} {
		evidence[k] = nil
	}
	dueBy := (created/day+21)*day + day - 1
	details := obj{"due_by": dueBy, "has_evidence": false, "past_due": false, "submission_count": 0}
	status := "needs_response"
	if lost {
		status = "lost"
		evidence["customer_email_address"] = g.person.email
		evidence["customer_name"] = g.person.name
		evidence["product_description"] = "Order #" + g.orderNumber() + ", shipped to the billing address."
		evidence["uncategorized_text"] = "The customer signed for the delivery."
		details = obj{"due_by": dueBy, "has_evidence": true, "past_due": false, "submission_count": 1}
	}
	withdrawal := obj{
		"id":            g.txnID("dp"),
		"object":        "balance_transaction",
		"amount":        -g.amount,
		"available_on":  created,
		"created":       created,
		"currency":      g.currency,
		"description":   "Chargeback withdrawal for " + g.chargeID(),
		"exchange_rate": nil,
		"fee":           int64(disputeFee),
		"fee_details": []any{obj{
			"amount":      int64(disputeFee),
			"application": nil,
			"currency":    g.currency,
			"description": "Dispute fee",
			"type":        "stripe_fee",
		}},
		"net":                -(g.amount + disputeFee),
		"reporting_category": "dispute",
		"source":             g.disputeID(),
		"status":             "available",
		"type":               "adjustment",
	}
	return obj{
		"id":                   g.disputeID(),
		"object":               "dispute",
		"amount":               g.amount,
		"balance_transactions": []any{withdrawal},
		"charge":               g.chargeID(),
		"created":              created,
		"currency":             g.currency,
		"evidence":             evidence,
		"evidence_details":     details,
		"is_charge_refundable": false,
		"livemode":             g.o.Livemode,
		"metadata":             obj{},
		"payment_intent":       g.piID(),
		"payment_method_details": obj{
			"card": obj{"brand": g.card.brand, "network_reason_code": disputeReasonCode(g.card.brand)},
			"type": "card",
		},
		"reason": "fraudulent",
		"status": status,
	}
}

func disputeReasonCode(brand string) string {
	switch brand {
	case "mastercard":
		return "4837"
	case "amex":
		return "F29"
	case "discover":
		return "UA02"
	default:
		return "10.4"
	}
}

func (g *gen) customerObj(created int64, updated bool) obj {
	cus := g.customerID()
	c := obj{
		"id":             cus,
		"object":         "customer",
		"address":        g.person.addr.obj(),
		"balance":        int64(0),
		"created":        created,
		"currency":       nil,
		"default_source": nil,
		"delinquent":     false,
		"description":    nil,
		"discount":       nil,
		"email":          g.person.email,
		"invoice_prefix": fmt.Sprintf("%08X", uint32(hash64("invoice_prefix", cus))),
		"invoice_settings": obj{
			"custom_fields":          nil,
			"default_payment_method": nil,
			"footer":                 nil,
			"rendering_options":      nil,
		},
		"livemode":              g.o.Livemode,
		"metadata":              obj{},
		"name":                  g.person.name,
		"next_invoice_sequence": 1,
		"phone":                 g.person.phone,
		"preferred_locales":     []string{},
		"shipping":              nil,
		"tax_exempt":            "none",
		"test_clock":            nil,
	}
	if updated {
		c["currency"] = g.currency
		c["invoice_settings"].(obj)["default_payment_method"] = g.pmID()
		c["metadata"] = obj{"erp_customer_id": "C" + strconv.FormatInt(700000+g.o.Seq, 10)}
		c["next_invoice_sequence"] = 2
	}
	return c
}

var plans = []string{"Starter", "Growth", "Scale"}

func (g *gen) invoice(paid bool) obj {
	in := g.invoiceID()
	cus := g.customerID()
	created := g.t - 3600 // subscription cycle at the period boundary, paid an hour later
	periodStart := time.Unix(created, 0).UTC().AddDate(0, -1, 0).Unix()
	lineEnd := time.Unix(created, 0).UTC().AddDate(0, 1, 0).Unix()
	planIdx := int(uint64(g.o.Seq) % uint64(len(plans)))
	productIDs := g.ids // one product per plan and account, whatever the Seq
	productIDs.seq, productIDs.unix = uint64(planIdx), 1700000000
	product := productIDs.short("prod", "plan")
	price := g.ids.long("price", "", false)
	priceCreated := created - 180*day
	amt := g.amount
	amtDec := strconv.FormatInt(amt, 10)
	sub := g.ids.long("sub", "", false)
	line := obj{
		"id":                   g.ids.long("il", "", false),
		"object":               "line_item",
		"amount":               amt,
		"amount_excluding_tax": amt,
		"currency":             g.currency,
		"description":          fmt.Sprintf("1 × %s (at %s / month)", plans[planIdx], money(amt, g.currency)),
		"discount_amounts":     []any{},
		"discountable":         true,
		"discounts":            []any{},
		"livemode":             g.o.Livemode,
		"metadata":             obj{},
		"period":               obj{"end": lineEnd, "start": created},
		"plan": obj{
			"id":                price,
			"object":            "plan",
			"active":            true,
			"aggregate_usage":   nil,
			"amount":            amt,
			"amount_decimal":    amtDec,
			"billing_scheme":    "per_unit",
			"created":           priceCreated,
			"currency":          g.currency,
			"interval":          "month",
			"interval_count":    1,
			"livemode":          g.o.Livemode,
			"metadata":          obj{},
			"nickname":          nil,
			"product":           product,
			"tiers_mode":        nil,
			"transform_usage":   nil,
			"trial_period_days": nil,
			"usage_type":        "licensed",
		},
		"price": obj{
			"id":                 price,
			"object":             "price",
			"active":             true,
			"billing_scheme":     "per_unit",
			"created":            priceCreated,
			"currency":           g.currency,
			"custom_unit_amount": nil,
			"livemode":           g.o.Livemode,
			"lookup_key":         nil,
			"metadata":           obj{},
			"nickname":           nil,
			"product":            product,
			"recurring": obj{
				"aggregate_usage":   nil,
				"interval":          "month",
				"interval_count":    1,
				"trial_period_days": nil,
				"usage_type":        "licensed",
			},
			"tax_behavior":        "unspecified",
			"tiers_mode":          nil,
			"transform_quantity":  nil,
			"type":                "recurring",
			"unit_amount":         amt,
			"unit_amount_decimal": amtDec,
		},
		"proration":                 false,
		"proration_details":         obj{"credited_items": nil},
		"quantity":                  1,
		"subscription":              sub,
		"subscription_item":         g.ids.short("si", ""),
		"tax_amounts":               []any{},
		"tax_rates":                 []any{},
		"type":                      "subscription",
		"unit_amount_excluding_tax": amtDec,
	}
	r := newRNG("invoice", in)
	token := invoiceToken(g.account, g.o.Livemode, r)
	prefix := fmt.Sprintf("%08X", uint32(hash64("invoice_prefix", cus)))
	inv := obj{
		"id":                      in,
		"object":                  "invoice",
		"account_country":         "US",
		"account_name":            accountName,
		"account_tax_ids":         nil,
		"amount_due":              amt,
		"amount_paid":             amt,
		"amount_remaining":        int64(0),
		"amount_shipping":         int64(0),
		"application":             nil,
		"application_fee_amount":  nil,
		"attempt_count":           1,
		"attempted":               true,
		"auto_advance":            false,
		"automatic_tax":           obj{"enabled": false, "liability": nil, "status": nil},
		"billing_reason":          "subscription_cycle",
		"charge":                  g.chargeID(),
		"collection_method":       "charge_automatically",
		"created":                 created,
		"currency":                g.currency,
		"custom_fields":           nil,
		"customer":                cus,
		"customer_address":        nil,
		"customer_email":          g.person.email,
		"customer_name":           g.person.name,
		"customer_phone":          nil,
		"customer_shipping":       nil,
		"customer_tax_exempt":     "none",
		"customer_tax_ids":        []any{},
		"default_payment_method":  nil,
		"default_source":          nil,
		"default_tax_rates":       []any{},
		"description":             nil,
		"discount":                nil,
		"discounts":               []any{},
		"due_date":                nil,
		"effective_at":            created + 3599,
		"ending_balance":          int64(0),
		"footer":                  nil,
		"from_invoice":            nil,
		"hosted_invoice_url":      "https://invoice.stripe.com/i/" + g.account + "/" + token + "?s=ap",
		"invoice_pdf":             "https://pay.stripe.com/invoice/" + g.account + "/" + token + "/pdf?s=ap",
		"issuer":                  obj{"type": "self"},
		"last_finalization_error": nil,
		"latest_revision":         nil,
		"lines":                   list("/v1/invoices/"+in+"/lines", line),
		"livemode":                g.o.Livemode,
		"metadata":                obj{},
		"next_payment_attempt":    nil,
		"number":                  fmt.Sprintf("%s-%04d", prefix, 1+uint64(g.o.Seq)%9999),
		"on_behalf_of":            nil,
		"paid":                    true,
		"paid_out_of_band":        false,
		"payment_intent":          g.piID(),
		"payment_settings": obj{
			"default_mandate":        nil,
			"payment_method_options": nil,
			"payment_method_types":   nil,
		},
		"period_end":                       created,
		"period_start":                     periodStart,
		"post_payment_credit_notes_amount": int64(0),
		"pre_payment_credit_notes_amount":  int64(0),
		"quote":                            nil,
		"receipt_number":                   nil,
		"rendering":                        nil,
		"rendering_options":                nil,
		"shipping_cost":                    nil,
		"shipping_details":                 nil,
		"starting_balance":                 int64(0),
		"statement_descriptor":             nil,
		"status":                           "paid",
		"status_transitions": obj{
			"finalized_at":            created + 3599,
			"marked_uncollectible_at": nil,
			"paid_at":                 g.t,
			"voided_at":               nil,
		},
		"subscription":           sub,
		"subscription_details":   obj{"metadata": obj{}},
		"subtotal":               amt,
		"subtotal_excluding_tax": amt,
		"tax":                    nil,
		"test_clock":             nil,
		"total":                  amt,
		"total_discount_amounts": []any{},
		"total_excluding_tax":    amt,
		"total_tax_amounts":      []any{},
		"transfer_data":          nil,
		"webhooks_delivered_at":  created + 2,
	}
	if !paid {
		inv["amount_paid"] = int64(0)
		inv["amount_remaining"] = amt
		inv["auto_advance"] = true
		inv["next_payment_attempt"] = g.t + 3*day
		inv["paid"] = false
		inv["status"] = "open"
		inv["status_transitions"].(obj)["paid_at"] = nil
	}
	return inv
}

func (g *gen) payout(failed bool) obj {
	created := g.t - 2*day
	p := obj{
		"id":                          g.payoutID(),
		"object":                      "payout",
		"amount":                      g.amount,
		"arrival_date":                g.t / day * day,
		"automatic":                   true,
		"balance_transaction":         g.txnID("po"),
		"created":                     created,
		"currency":                    g.currency,
		"description":                 "STRIPE PAYOUT",
		"destination":                 g.accountID("ba", "bank"),
		"failure_balance_transaction": nil,
		"failure_code":                nil,
		"failure_message":             nil,
		"livemode":                    g.o.Livemode,
		"metadata":                    obj{},
		"method":                      "standard",
		"original_payout":             nil,
		"reconciliation_status":       "completed",
		"reversed_by":                 nil,
		"source_type":                 "card",
		"statement_descriptor":        nil,
		"status":                      "paid",
		"type":                        "bank_account",
	}
	if failed {
		p["failure_balance_transaction"] = g.txnID("po_failure")
		p["failure_code"] = "account_closed"
		p["failure_message"] = "The bank account has been closed."
		p["status"] = "failed"
	}
	return p
}

func (g *gen) balance() obj {
	pending := g.amount*3 + int64(hash64("pending", g.txnID("ch"))%100000)
	b := obj{
		"object": "balance",
		"available": []any{obj{
			"amount":       g.amount,
			"currency":     g.currency,
			"source_types": obj{"card": g.amount},
		}},
		"livemode": g.o.Livemode,
		"pending": []any{obj{
			"amount":       pending,
			"currency":     g.currency,
			"source_types": obj{"card": pending},
		}},
	}
	if g.o.Account == "" { // only platforms have Connect reserves
		b["connect_reserved"] = []any{obj{"amount": int64(0), "currency": g.currency}}
	}
	return b
}

// Builders. Times: the event is at g.t; the objects it is about are dated
// back as they would be in Stripe (a refund comes days after its charge, a
// dispute weeks after, a payout arrives two days after it was created).

func buildChargeSucceeded(g *gen) (obj, obj) { return g.charge(chargeSucceeded, g.t), nil }
func buildChargeCaptured(g *gen) (obj, obj)  { return g.charge(chargeSucceeded, g.t-2*day), nil }
func buildChargeFailed(g *gen) (obj, obj)    { return g.charge(chargeFailed, g.t), nil }

func buildChargeRefunded(g *gen) (obj, obj) {
	return g.charge(chargeRefunded, g.t-2*day-(g.t%7200)), obj{
		"amount_refunded": int64(0),
		"refunded":        false,
	}
}

func buildRefundCreated(g *gen) (obj, obj) { return g.refund(g.t), nil }

func buildDisputeCreated(g *gen) (obj, obj) { return g.dispute(false, g.t), nil }
func buildDisputeClosed(g *gen) (obj, obj)  { return g.dispute(true, g.t-40*day), nil }

func buildCustomerCreated(g *gen) (obj, obj) { return g.customerObj(g.t, false), nil }

func buildCustomerUpdated(g *gen) (obj, obj) {
	old := pickPerson(newRNG("previous email", g.customerID()), g.country).email
	return g.customerObj(g.t-30*day, true), obj{
		"email":            old,
		"invoice_settings": obj{"default_payment_method": nil},
		"metadata":         obj{"erp_customer_id": nil},
	}
}

func buildPaymentIntentSucceeded(g *gen) (obj, obj) { return g.paymentIntent(true, g.t-4), nil }
func buildPaymentIntentFailed(g *gen) (obj, obj)    { return g.paymentIntent(false, g.t-4), nil }

func buildInvoicePaid(g *gen) (obj, obj)          { return g.invoice(true), nil }
func buildInvoicePaymentFailed(g *gen) (obj, obj) { return g.invoice(false), nil }

func buildPayoutPaid(g *gen) (obj, obj)   { return g.payout(false), nil }
func buildPayoutFailed(g *gen) (obj, obj) { return g.payout(true), nil }

func buildBalanceAvailable(g *gen) (obj, obj) { return g.balance(), nil }
