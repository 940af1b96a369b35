package producer

import "github.com/stripe-infor/stripe-infor/internal/stripefixture"

// benchEvent is a realistic 3–4 KB charge.succeeded body.
func benchEvent() []byte {
	return stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 1})
}
