package stripefixture

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"math/bits"
	"strings"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// pow62_5 and pow62_8 are 62^5 and 62^8.
const (
	pow62_5 = 916132832
	pow62_8 = 218340105584896
)

// tailMul is coprime to 62^8 (= 2^8·31^8): odd and not a multiple of 31, so
// x -> (tailMul·x + salt) mod 62^8 is a bijection and distinct sequence
// numbers give distinct id tails.
const tailMul = 0x5DEECE66D3A1F7 // odd; 0x5DEECE66D3A1F7 % 31 != 0 (checked in tests)

// encode62 writes v in base 62 using exactly width digits (v is reduced
// modulo 62^width).
func encode62(v uint64, width int) string {
	buf := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		buf[i] = base62[v%62]
		v /= 62
	}
	return string(buf)
}

// hash64 is FNV-1a over the parts, separated by NUL.
func hash64(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return h.Sum64()
}

// mix64 is the splitmix64 finaliser, a bijection on uint64.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// rng is a small deterministic generator (splitmix64).
type rng struct{ s uint64 }

func newRNG(parts ...string) *rng { return &rng{s: hash64(parts...)} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func (r *rng) b62(n int) string {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = base62[r.next()%62]
	}
	return string(buf)
}

func (r *rng) digits(n int) string {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = byte('0' + r.next()%10)
	}
	return string(buf)
}

func (r *rng) bytes(n int) []byte {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = byte(r.next())
	}
	return buf
}

// uuid4 returns a random (version 4) UUID, the shape of the idempotency keys
// Stripe.js and the official libraries send.
func (r *rng) uuid4() string {
	b := r.bytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ids makes Stripe-shaped identifiers. Long ids (ch_, pi_, evt_, …) look like
// Stripe's: prefix + 24 base62 characters = a version digit, 5 time-derived
// characters, 10 characters shared by every object of the same account, and an
// 8-character tail that is a bijection of the sequence number (so distinct Seq
// values never collide). Short ids (cus_, prod_, si_, req_) are 14 characters,
// as Stripe's are.
type ids struct {
	seq      uint64
	unix     int64
	acctPart string // 10 chars
	salt     string // account + mode
}

// long returns prefix_<24 chars>. kind distinguishes objects that share a
// prefix (e.g. the balance transactions of a charge and of its refund);
// chain selects version digit 3, which Stripe uses for objects created through
// a PaymentIntent (pi_3…, ch_3…, txn_3…, re_3…).
func (x ids) long(prefix, kind string, chain bool) string {
	ver := "1"
	if chain {
		ver = "3"
	}
	salt := hash64(prefix, kind, x.salt) % pow62_8
	hi, lo := bits.Mul64(tailMul, x.seq%pow62_8)
	tail := (bits.Rem64(hi, lo, pow62_8) + salt) % pow62_8
	t := uint64(x.unix) % pow62_5
	return prefix + "_" + ver + encode62(t, 5) + x.acctPart + encode62(tail, 8)
}

// short returns prefix_<14 chars>: 3 characters that drift slowly with time
// (as real ids do) and 11 characters that are a bijection of the sequence
// number.
func (x ids) short(prefix, kind string) string {
	salt := hash64(prefix, kind, x.salt)
	body := mix64(x.seq ^ salt)
	t := uint64(x.unix) / 100000
	// 62^11 > 2^64, so the first digit is only 0..21: rotate it by a
	// salt-derived amount (still injective) so ids do not all start alike.
	b := []byte(encode62(body, 11))
	b[0] = base62[(strings.IndexByte(base62, b[0])+int(salt%62))%62]
	return prefix + "_" + encode62(t+salt, 3) + string(b)
}

// accountPart returns the 10 characters shared by ids created on an account.
// A real-looking account id (acct_ + 16 base62) contributes its own last 10
// characters, exactly as on Stripe; anything else is hashed.
func accountPart(account string) string {
	if strings.HasPrefix(account, "acct_") && len(account) == 21 && isBase62(account[5:]) {
		return account[11:]
	}
	return encode62(hash64("acct", account), 10)
}

// platformAccount is the (fictional) account the fixtures belong to when no
// Connect account is set.
var platformAccount = "acct_1" + encode62(hash64("stripe-infor platform time"), 5) +
	encode62(hash64("stripe-infor platform"), 10)

func isBase62(s string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(base62, rune(s[i])) {
			return false
		}
	}
	return s != ""
}

// receiptURL builds a pay.stripe.com receipt URL whose token has the shape of
// Stripe's (base64url of a small protobuf carrying the account id and a time).
func receiptURL(account string, unix int64, r *rng) string {
	b := []byte{0x08, 0x07, 0x1a, byte(len(account) + 2), 0x0a, byte(len(account))}
	b = append(b, account...)
	b = append(b, 0x28)
	for v := uint64(unix); ; v >>= 7 {
		if v < 0x80 {
			b = append(b, byte(v))
			break
		}
		b = append(b, byte(v)|0x80)
	}
	b = append(b, 0x32, 0x06)
	b = append(b, r.bytes(6+42)...)
	return "https://pay.stripe.com/receipts/payment/" + base64.RawURLEncoding.EncodeToString(b)
}

// invoiceToken builds the path token of hosted invoice / PDF URLs.
func invoiceToken(account string, livemode bool, r *rng) string {
	mode := "test_"
	if livemode {
		mode = "live_"
	}
	inner := account + ",_" + r.b62(24) + "," + r.digits(8)
	return mode + base64.RawURLEncoding.EncodeToString([]byte(inner)) + "0200" + r.b62(6)
}
