package transform

// Decoders of the structs in stripe.go, one per struct, each reading the
// members it knows and skipping (while validating) the rest.

// decodeEvent reads a whole event text. Text that is not JSON leaves a
// decode *Error in r.err, a value of the wrong kind its offset in r.bad;
// whether the event has what an event needs is checked by the caller.
func decodeEvent(s string) (*event, *reader) {
	r := newReader(s)
	ev := new(event)
	if r.open('{') {
		for first := true; r.more(first, '}'); first = false {
			switch r.key() {
			case "id":
				r.strInto(&ev.ID)
			case "object":
				r.strInto(&ev.Object)
			case "type":
				r.strInto(&ev.Type)
			case "api_version":
				r.strInto(&ev.APIVersion)
			case "account":
				r.strInto(&ev.Account)
			case "created":
				r.numInto(&ev.Created)
			case "livemode":
				r.boolInto(&ev.Livemode)
			case "data":
				r.eventData(&ev.Data)
			default:
				r.skip()
			}
		}
	}
	if r.err == nil {
		r.ws()
		if r.i < len(r.s) {
			r.syntax("data after the JSON value")
		}
	}
	return ev, r
}

func (r *reader) eventData(d *eventData) {
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "object":
			switch r.peek() {
			case '{':
				if d.Object == nil {
					d.Object = new(object)
				}
				r.object(d.Object)
			case 'n':
				r.literal("null")
				d.Object = nil
			case 0:
			default:
				r.mismatch(r.i)
			}
		default:
			r.skip()
		}
	}
}

// object reads any Stripe object (see object in stripe.go).
func (r *reader) object(o *object) {
	r.peek()
	o.Off = int32(r.i)
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "id":
			r.strInto(&o.ID)
		case "object":
			r.strInto(&o.Object)
		case "created":
			r.numInto(&o.Created)
		case "type":
			r.strInto(&o.Type)
		case "status":
			r.strInto(&o.Status)
		case "description":
			r.strInto(&o.Description)
		case "reason":
			r.strInto(&o.Reason)
		case "currency":
			r.strInto(&o.Currency)
		case "amount":
			r.numInto(&o.Amount)
		case "amount_captured":
			r.numInto(&o.AmountCaptured)
		case "amount_refunded":
			r.numInto(&o.AmountRefunded)
		case "amount_due":
			r.numInto(&o.AmountDue)
		case "amount_paid":
			r.numInto(&o.AmountPaid)
		case "amount_remaining":
			r.numInto(&o.AmountRemaining)
		case "fee":
			r.numInto(&o.Fee)
		case "tax":
			// An invoice's tax amount (until API 2024), but a customer's
			// expanded tax details: only the number is read.
			if c := r.peek(); c == '{' || c == '[' {
				r.skip()
			} else {
				r.numInto(&o.Tax)
			}
		case "captured":
			r.boolPtrInto(&o.Captured)
		case "paid_out_of_band":
			r.boolInto(&o.PaidOutOfBand)
		case "failure_code":
			r.strInto(&o.FailureCode)
		case "failure_message":
			r.strInto(&o.FailureMessage)
		case "receipt_email":
			r.strInto(&o.ReceiptEmail)
		case "name":
			r.strInto(&o.Name)
		case "email":
			r.strInto(&o.Email)
		case "phone":
			r.strInto(&o.Phone)
		case "address":
			r.address(&o.Address)
		case "billing_details":
			r.billingDetails(&o.BillingDetails)
		case "customer_name":
			r.strInto(&o.CustomerName)
		case "customer_email":
			r.strInto(&o.CustomerEmail)
		case "customer_phone":
			r.strInto(&o.CustomerPhone)
		case "customer_address":
			r.address(&o.CustomerAddress)
		case "metadata":
			r.strMapInto(&o.Metadata)
		case "customer":
			r.ref(&o.Customer)
		case "charge":
			r.ref(&o.Charge)
		case "invoice":
			r.ref(&o.Invoice)
		case "payment_intent":
			r.ref(&o.PaymentIntent)
		case "subscription":
			r.ref(&o.Subscription)
		case "balance_transaction":
			r.ref(&o.BalanceTransaction)
		case "latest_charge":
			r.ref(&o.LatestCharge)
		case "payment_method_details":
			r.pmDetails(&o.PaymentMethodDetails)
		case "source":
			r.source(&o.Source)
		case "refunds":
			r.refundList(&o.Refunds)
		case "balance_transactions":
			r.refs(&o.BalanceTransactions)
		case "lines":
			r.lineList(&o.Lines)
		case "attempt_count":
			r.numInto(&o.AttemptCount)
		case "next_payment_attempt":
			r.numInto(&o.NextPaymentAttempt)
		case "status_transitions":
			r.statusTransitions(&o.StatusTransitions)
		case "arrival_date":
			r.numInto(&o.ArrivalDate)
		default:
			r.skip()
		}
	}
}

// ref reads an expandable field: an id string or the expanded object.
func (r *reader) ref(f *ref) {
	switch r.peek() {
	case '"':
		f.ID = r.str()
	case '{':
		if f.Obj == nil {
			f.Obj = new(object)
		}
		r.object(f.Obj)
		f.ID = f.Obj.ID
	case 'n':
		r.literal("null")
	case 0:
	default:
		r.mismatch(r.i)
	}
}

// readArray reads a JSON array into *dst, one element with elem each. A
// slice is replaced, as encoding/json replaces it: null makes it nil, []
// an empty slice (not nil), and the old backing array is reused.
func readArray[T any](r *reader, dst *[]T, elem func(*reader, *T)) {
	if r.peek() == 'n' {
		r.literal("null")
		*dst = nil
		return
	}
	if !r.open('[') {
		return
	}
	out := (*dst)[:0]
	if out == nil {
		out = []T{}
	}
	for first := true; r.more(first, ']'); first = false {
		var zero T
		out = append(out, zero)
		elem(r, &out[len(out)-1])
	}
	*dst = out
}

// refs reads an array of expandable values.
func (r *reader) refs(dst *[]ref) { readArray(r, dst, (*reader).ref) }
