package emulator

import (
	"strings"
	"testing"
)

func TestJournalBalancedPosts(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	bchn := te.ok("GLS840MI", "AddBatchHead", map[string]string{"ACDT": "20250301", "TX40": "payout po_1"})[0]["BCHN"]
	for _, l := range []map[string]string{
		{"AIT1": "1930", "ACAM": "97.10", "CUCD": "USD", "VTXT": "payout po_1"},
		{"AIT1": "6570", "ACAM": "2.90", "CUCD": "USD", "TX40": "fees"},
		{"AIT1": "1580", "ACAM": "-100.00", "CUCD": "USD"},
		{"AIT1": "1580", "ACAM": "1000", "CUCD": "JPY"},
		{"AIT1": "3010", "ACAM": "-1000", "CUCD": "JPY"},
	} {
		l["BCHN"] = bchn
		te.ok("GLS840MI", "AddBatchLine", l)
	}
	// UpdBatch needs a passed CtrlBatch.
	if res := te.fail("GLS840MI", "UpdBatch", map[string]string{"BCHN": bchn}); res.ErrorCode != "WBC0106" || !strings.Contains(res.ErrorMessage, "CtrlBatch") {
		t.Fatalf("post before check: %+v", res)
	}
	te.ok("GLS840MI", "CtrlBatch", map[string]string{"BCHN": bchn})
	te.ok("GLS840MI", "UpdBatch", map[string]string{"BCHN": bchn})
	if res := te.fail("GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "1930", "ACAM": "1", "CUCD": "USD"}); res.ErrorCode != "WBC0106" {
		t.Fatalf("line on a posted batch: %+v", res)
	}
	if res := te.fail("GLS840MI", "UpdBatch", map[string]string{"BCHN": bchn}); res.ErrorCode != "WBC0106" {
		t.Fatalf("posting twice: %+v", res)
	}

	st := te.state()
	b := st.GLBatches[0]
	if b.STAT != "posted" || len(b.Lines) != 5 || b.Lines[0].AIT1 != "1930" || b.Lines[0].ACAM != "97.10" ||
		b.Lines[0].CUCD != "USD" || b.Lines[0].VTXT != "payout po_1" || b.Lines[2].ACAM != "-100.00" || b.Lines[0].ACDT != "20250301" {
		t.Fatalf("state batch %+v", b)
	}
	if st.GLBalances["1580"]["USD"] != "-100.00" || st.GLBalances["1580"]["JPY"] != "1000" || st.GLBalances["6570"]["USD"] != "2.90" {
		t.Fatalf("GL balances %v", st.GLBalances)
	}
}

func TestJournalUnbalancedRefused(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	bchn := te.ok("GLS840MI", "AddBatchHead", nil)[0]["BCHN"]
	if res := te.fail("GLS840MI", "CtrlBatch", map[string]string{"BCHN": bchn}); !strings.Contains(res.ErrorMessage, "no lines") {
		t.Fatalf("empty batch: %+v", res)
	}
	// Balanced in total, but not per currency.
	for _, l := range []map[string]string{
		{"AIT1": "1580", "ACAM": "10.00", "CUCD": "USD"},
		{"AIT1": "3010", "ACAM": "-10.00", "CUCD": "EUR"},
		{"AIT1": "3010", "ACAM": "-0.10", "CUCD": "USD"},
	} {
		l["BCHN"] = bchn
		te.ok("GLS840MI", "AddBatchLine", l)
	}
	res := te.fail("GLS840MI", "CtrlBatch", map[string]string{"BCHN": bchn})
	if res.ErrorCode != "WAC0108" || res.ErrorField != "ACAM" ||
		!strings.Contains(res.ErrorMessage, "EUR lines sum to -10.00, USD lines sum to 9.90") {
		t.Fatalf("unbalanced: %+v", res)
	}
	if res := te.fail("GLS840MI", "UpdBatch", map[string]string{"BCHN": bchn}); res.ErrorCode != "WBC0106" {
		t.Fatalf("posting an unchecked batch: %+v", res)
	}
	// Fix it; a check passes; a new line voids the check.
	for _, l := range []map[string]string{
		{"AIT1": "1580", "ACAM": "10.00", "CUCD": "EUR"},
		{"AIT1": "3010", "ACAM": "-9.90", "CUCD": "USD"},
	} {
		l["BCHN"] = bchn
		te.ok("GLS840MI", "AddBatchLine", l)
	}
	te.ok("GLS840MI", "CtrlBatch", map[string]string{"BCHN": bchn})
	te.ok("GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "1930", "ACAM": "0.01", "CUCD": "USD"})
	if res := te.fail("GLS840MI", "UpdBatch", map[string]string{"BCHN": bchn}); res.ErrorCode != "WBC0106" {
		t.Fatalf("posting after a change without a new check: %+v", res)
	}
	if st := te.state(); st.GLBatches[0].STAT != "open" || len(st.GLBalances) != 0 {
		t.Fatalf("an unposted batch moved balances: %+v", st)
	}
}
