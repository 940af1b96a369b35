package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
)

// jsonObj is a decoded JSON object; numbers stay json.Number, so what the
// fixture wrote is re-encoded exactly.
type jsonObj = map[string]any

// template renders an event of type typ from stripefixture for customer
// seq (so the person, card and address are the customer's) and returns
// the envelope and its data.object, to be given the world's ids and
// amounts before it is encoded. Only the fixture's supported types are
// templates; other types are made from one of them (render's callers).
func template(typ string, seq int64, livemode bool, currency string, amount int64, created int64) (jsonObj, jsonObj) {
	body := stripefixture.MustEvent(typ, stripefixture.Options{
		Seq: seq, Livemode: livemode, Currency: currency, Amount: amount,
		Created: time.Unix(created, 0).UTC(),
	})
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var env jsonObj
	if err := dec.Decode(&env); err != nil {
		panic(fmt.Sprintf("scenario: the fixture's %s is not JSON: %v", typ, err))
	}
	return env, object(env)
}

// object is the data.object of an event envelope.
func object(env jsonObj) jsonObj {
	return env["data"].(jsonObj)["object"].(jsonObj)
}

// encode writes an event body as Stripe delivers it (stripefixture.Encode:
// indented with two spaces, "id" and "object" first, then the other keys in
// alphabetical order, no HTML escaping).
func encode(env jsonObj) []byte { return stripefixture.Encode(env) }

// list is a Stripe list object.
func list(url string, data ...any) jsonObj {
	if data == nil {
		data = []any{}
	}
	return jsonObj{"object": "list", "data": data, "has_more": false, "total_count": len(data), "url": url}
}

// sub returns the nested object at key (creating nothing: the fixture's
// shapes have it).
func sub(o jsonObj, key string) jsonObj {
	v, _ := o[key].(jsonObj)
	if v == nil {
		v = jsonObj{}
		o[key] = v
	}
	return v
}
