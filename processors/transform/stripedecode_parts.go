package transform

// Decoders of the parts of Stripe objects: addresses, payment method
// details, lists (refunds, invoice lines) and prices.

func (r *reader) address(a *address) {
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "line1":
			r.strInto(&a.Line1)
		case "line2":
			r.strInto(&a.Line2)
		case "city":
			r.strInto(&a.City)
		case "postal_code":
			r.strInto(&a.PostalCode)
		case "state":
			r.strInto(&a.State)
		case "country":
			r.strInto(&a.Country)
		default:
			r.skip()
		}
	}
}

func (r *reader) billingDetails(b *billingDetails) {
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "name":
			r.strInto(&b.Name)
		case "email":
			r.strInto(&b.Email)
		case "phone":
			r.strInto(&b.Phone)
		case "address":
			r.address(&b.Address)
		default:
			r.skip()
		}
	}
}

func (r *reader) pmDetails(p *pmDetails) {
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "type":
			r.strInto(&p.Type)
		case "card":
			r.card(&p.Card)
		case "card_present":
			r.card(&p.CardPresent)
		default:
			r.skip()
		}
	}
}

func (r *reader) card(c *card) {
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "brand":
			r.strInto(&c.Brand)
		default:
			r.skip()
		}
	}
}

// source reads a charge's old-style source object, or the id string other
// objects have under "source".
func (r *reader) source(s *source) {
	if r.peek() == '"' {
		s.ID = r.str()
		return
	}
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "id":
			r.strInto(&s.ID)
		case "object":
			r.strInto(&s.Object)
		case "type":
			r.strInto(&s.Type)
		case "brand":
			r.strInto(&s.Brand)
		default:
			r.skip()
		}
	}
}

// refundList reads a charge's refunds: a list object, or (API versions
// before 2014) a plain array of refunds.
func (r *reader) refundList(l *refundList) {
	switch r.peek() {
	case '[':
		l.Listed = true
		r.objects(&l.Data)
		return
	case 'n':
		r.literal("null")
		return
	}
	if !r.open('{') {
		return
	}
	l.Listed = true
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "data":
			r.objects(&l.Data)
		case "has_more":
			r.boolInto(&l.HasMore)
		default:
			r.skip()
		}
	}
}

func (r *reader) objects(dst *[]object) { readArray(r, dst, (*reader).object) }

func (r *reader) lineList(l *lineList) {
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "data":
			if r.peek() == 'n' {
				r.literal("null")
				l.Data = nil
				continue
			}
			if !r.open('[') {
				continue
			}
			out := l.Data[:0]
			if out == nil {
				out = []line{}
			}
			for first := true; r.more(first, ']'); first = false {
				out = append(out, line{})
				r.line(&out[len(out)-1])
			}
			l.Data = out
		case "has_more":
			r.boolInto(&l.HasMore)
		default:
			r.skip()
		}
	}
}

func (r *reader) line(l *line) {
	r.peek()
	l.Off = int32(r.i)
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "id":
			r.strInto(&l.ID)
		case "type":
			r.strInto(&l.Type)
		case "description":
			r.strInto(&l.Description)
		case "currency":
			r.strInto(&l.Currency)
		case "amount":
			r.numInto(&l.Amount)
		case "quantity":
			r.numInto(&l.Quantity)
		case "period":
			r.period(&l.Period)
		case "price":
			r.price(&l.Price)
		case "plan":
			r.price(&l.Plan)
		case "metadata":
			r.strMapInto(&l.Metadata)
		case "discount_amounts":
			r.discountAmounts(&l.DiscountAmounts)
		default:
			r.skip()
		}
	}
}

// price reads a price or plan: the object, or (where not expanded) its id.
func (r *reader) price(dst **price) {
	switch r.peek() {
	case 'n':
		r.literal("null")
		*dst = nil
		return
	case '"':
		*dst = &price{ID: r.str()}
		return
	}
	if *dst == nil && r.peek() == '{' {
		*dst = new(price)
	}
	if !r.open('{') {
		return
	}
	p := *dst
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "id":
			r.strInto(&p.ID)
		case "object":
			r.strInto(&p.Object)
		case "nickname":
			r.strInto(&p.Nickname)
		case "lookup_key":
			r.strInto(&p.LookupKey)
		case "interval":
			r.strInto(&p.Interval)
		case "recurring":
			if !r.open('{') {
				continue
			}
			for first := true; r.more(first, '}'); first = false {
				if r.key() == "interval" {
					r.strInto(&p.Recurring.Interval)
				} else {
					r.skip()
				}
			}
		case "product":
			r.product(&p.Product)
		case "metadata":
			r.strMapInto(&p.Metadata)
		default:
			r.skip()
		}
	}
}

func (r *reader) product(p *product) {
	if r.peek() == '"' {
		p.ID = r.str()
		return
	}
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "id":
			r.strInto(&p.ID)
		case "name":
			r.strInto(&p.Name)
		case "metadata":
			r.strMapInto(&p.Metadata)
		default:
			r.skip()
		}
	}
}

func (r *reader) period(p *period) {
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "start":
			r.numInto(&p.Start)
		case "end":
			r.numInto(&p.End)
		default:
			r.skip()
		}
	}
}

func (r *reader) discountAmounts(dst *[]discountAmount) {
	readArray(r, dst, func(r *reader, d *discountAmount) {
		if !r.open('{') {
			return
		}
		for first := true; r.more(first, '}'); first = false {
			if r.key() == "amount" {
				r.numInto(&d.Amount)
			} else {
				r.skip()
			}
		}
	})
}

func (r *reader) statusTransitions(s *statusTransitions) {
	if !r.open('{') {
		return
	}
	for first := true; r.more(first, '}'); first = false {
		switch r.key() {
		case "paid_at":
			r.numInto(&s.PaidAt)
		case "finalized_at":
			r.numInto(&s.FinalizedAt)
		default:
			r.skip()
		}
	}
}
