package transform

import (
	"math/bits"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// maxDeferralDays bounds a deferred service period (ten years): a longer
// one is recognised at once and flagged, rather than turned into hundreds
// of monthly journals.
const maxDeferralDays = 3660

// deferRevenue books, for an invoice that was paid, the revenue of its
// lines whose service period is at least the mapping's MinPeriodDays as
// deferred ("journal:<in>:deferral": revenue Dr / deferred revenue Cr on
// the paid date), and the schedule that recognises it month by month
// ("journal:<in>:recognition:<YYYY-MM>": deferred revenue Dr / revenue Cr
// on the last day of each month, or the period's end). Each line's shares
// are prorated by days in whole minor units with the last month taking the
// remainder, so the schedule sums exactly to the deferred amount.
func (c *ectx) deferRevenue(in *object, cur string) {
	minDays := c.cfg.Deferral().MinPeriodDays
	c.begin()
	lines := c.invoiceLines(in, cur)
	if c.err != nil {
		return
	}
	paid := c.unix(in.StatusTransitions.PaidAt, c.base.OccurredAt.Unix())
	text := "Stripe invoice " + in.ID + " deferred revenue"

	var deferral journal
	var months []monthJournal
	for i := range lines {
		l := &lines[i]
		start, okS := c.int(l.ln.Period.Start, "timestamp_not_integer")
		end, okE := c.int(l.ln.Period.End, "timestamp_not_integer")
		if !okS || !okE || l.net.Minor == 0 || !plausibleUnix(start) || !plausibleUnix(end) {
			continue
		}
		from, to := utcDate(start), utcDate(end)
		days := daysBetween(from, to)
		if days < int64(minDays) || days <= 0 {
			continue
		}
		if days > maxDeferralDays {
			c.flag(command.Flag{Code: "deferral_period_too_long", Field: joinPath(c.path(l.ln.Off), "period"),
				Detail: "a service period of " + itoa(days) + " days is not deferred"})
			continue
		}
		acc := c.accounts(l.facts)
		deferral.add(acc.Revenue, l.net, text)
		deferral.add(acc.DeferredRevenue, command.Money{Minor: -l.net.Minor, Currency: cur}, text)
		for _, s := range schedule(l.net.Minor, from, to) {
			m := monthOf(&months, s.month)
			if s.date > m.date {
				m.date = s.date
			}
			rtext := "Stripe invoice " + in.ID + " revenue recognition " + s.month
			m.j.add(acc.DeferredRevenue, command.Money{Minor: s.amount, Currency: cur}, rtext)
			m.j.add(acc.Revenue, command.Money{Minor: -s.amount, Currency: cur}, rtext)
		}
	}
	c.postJournal("journal:"+in.ID+":deferral", in.ID, ymd(paid), text, &deferral, in.ID, in.Subscription.ID)
	for i := range months {
		m := &months[i]
		c.begin()
		c.postJournal("journal:"+in.ID+":recognition:"+m.month, in.ID, m.date,
			"Stripe invoice "+in.ID+" revenue recognition "+m.month, &m.j, in.ID, in.Subscription.ID)
	}
}

// monthJournal is one month's recognition journal under construction.
type monthJournal struct {
	month string // YYYY-MM
	date  string // accounting date, YYYY-MM-DD
	j     journal
}

// monthOf finds or inserts (keeping months sorted) the journal of month.
func monthOf(months *[]monthJournal, month string) *monthJournal {
	ms := *months
	i := 0
	for i < len(ms) && ms[i].month < month {
		i++
	}
	if i < len(ms) && ms[i].month == month {
		return &ms[i]
	}
	ms = append(ms, monthJournal{})
	copy(ms[i+1:], ms[i:])
	ms[i] = monthJournal{month: month}
	*months = ms
	return &ms[i]
}

// share is one month's part of a deferred amount.
type share struct {
	month  string // YYYY-MM
	date   string // accounting date: the month's last day, or the period's end
	days   int64
	amount int64
}

// schedule splits amount over the calendar months of the period [from, to)
// (UTC dates, to after from) in proportion to the days of each month in
// it. Every share but the last is rounded toward zero; the last takes the
// remainder, so the shares sum to amount exactly.
func schedule(amount int64, from, to time.Time) []share {
	total := daysBetween(from, to)
	if total <= 0 {
		return nil
	}
	var out []share
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		next := m.AddDate(0, 1, 0)
		segFrom, segTo := m, next
		if from.After(segFrom) {
			segFrom = from
		}
		date := next.AddDate(0, 0, -1)
		if to.Before(segTo) {
			segTo = to
			date = to
		}
		d := daysBetween(segFrom, segTo)
		if d <= 0 {
			continue
		}
		out = append(out, share{month: monthString(m), date: dateString(date), days: d})
	}
	var booked int64
	for i := range out {
		if i == len(out)-1 {
			out[i].amount = amount - booked
			break
		}
		out[i].amount = prorate(amount, out[i].days, total)
		booked += out[i].amount
	}
	return out
}

// prorate is amount × part / whole rounded toward zero, exact for any
// int64 amount (128-bit intermediate); 0 ≤ part ≤ whole, whole > 0.
func prorate(amount, part, whole int64) int64 {
	neg := amount < 0
	mag := uint64(amount)
	if neg {
		mag = uint64(-amount) // also right for math.MinInt64
	}
	hi, lo := bits.Mul64(mag, uint64(part))
	q, _ := bits.Div64(hi, lo, uint64(whole)) // hi < whole since part ≤ whole
	if neg {
		return -int64(q)
	}
	return int64(q)
}

// plausibleUnix bounds the timestamps date arithmetic is done with (1970
// to 3000), so that absurd input cannot make it loop for ages.
func plausibleUnix(t int64) bool { return t >= 0 && t <= 32503680000 }

// utcDate is the UTC calendar date of a unix time, at midnight.
func utcDate(unix int64) time.Time {
	t := time.Unix(unix, 0).UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// daysBetween counts the days from a to b (midnight UTC dates).
func daysBetween(a, b time.Time) int64 { return (b.Unix() - a.Unix()) / 86400 }
