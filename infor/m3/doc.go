// Package m3 carries out the ERP-neutral commands of package command
// against Infor M3, through the MI REST API of package infor.
//
// # Idempotent by lookup
//
// The sink delivers every command at least once, and may crash between any
// two MI transactions. Every method therefore starts by looking up the
// external reference of what it is about to create and continues from what
// it finds: nothing is created twice, and a command interrupted half way is
// completed by applying it again.
//
//	command           reference (field)                   full Stripe id kept in   lookup
//	UpsertCustomer    CUNO  "S"+9 base32 chars   (10)      YREF (30)                CRS610MI GetBasicData (probing, below)
//	                  version "V<unix>"          YRE2 (30)
//	CreateSalesOrder  CUOR  "O"+19 base32 chars  (20)      YREF (30) of the head    OIS100MI LstHead, then LstBatchHead/LstBatchLine
//	ApplyPayment      REFE  "P"+29 base32 chars  (30)      TX40 (40), line REFE     ABS100MI LstStatmt, LstStatmtLine (NODT)
//	                  line TX40 "inv <CINO> …": the invoice paid (read by CreateCreditMemo)
//	PostJournal       REFE  "J"+29 base32 chars  (30)      TX40 (40)                GLS840MI LstBatch (STAT, NOLN)
//	ReconcilePayout   REFE  "Y"+29 base32 chars  (30)      TX40 (40), line REFE     ABS100MI LstStatmt, LstStatmtLine
//	  failed payout   REFE  "F"+29 base32 chars  (30)      TX40 (40), line REFE     ABS100MI LstStatmt, LstStatmtLine
//	CreateCreditMemo  YREF  "R"+29 base32 chars  (30)      TX40 (40)                ARS200MI LstInvoices by YREF
//	ChangeOrderStatus (none: setting the stop code OBLC it already has is a no-op)  OIS100MI GetHead
//
// A reference is the kind letter followed by the first characters of the
// unpadded RFC 4648 base32 of SHA-256(business key), where the business key
// is the command's identity: "customer:<cus_id>", "order:<ch_ or in_ id>",
// "payment:<ch_id>", the journal's CommandID, "payout:<po_id>",
// "payout:<po_id>:failed", "refund:<re_id>". It is
// deterministic (a retry computes the same reference without any state of
// its own; losing Redis changes nothing), fits M3's field lengths (a Stripe
// id of 27+ characters fits neither CUNO 10 nor CUOR 20), uses only
// upper-case letters and digits 2-7 (safe in every M3 field and query
// string), and the kind letter keeps the kinds apart and makes the origin
// visible to a person in M3. The full Stripe id goes into a longer text field
// so that a person (and the adapter's collision check) can read it.
//
// # Collisions
//
// Base32 carries 5 bits a character. For n references of one kind the
// birthday bound gives a collision probability of about n²/2^(b+1):
//
//   - CUOR, 19 characters = 95 bits: for 10^9 orders about 10^18/2^96 ≈ 10^-11.
//   - REFE, 29 characters = 145 bits: negligible for any volume.
//   - CUNO, 9 characters = 45 bits: for 10^6 customers about 10^12/2^46 ≈ 1.4%.
//     Not negligible, so customer numbers are probed: candidate i (0..4) is
//     "S" + characters [9i, 9i+9) of the 51-character hash. The adapter
//     reads candidate 0 with GetBasicData; a customer whose YREF holds a
//     different Stripe id is a collision and the next candidate is tried; an
//     absent candidate is where the customer is created. Customers are never
//     deleted, so the first absent candidate ends the search deterministically.
//     Five independent 45-bit probes all colliding is beyond any real
//     customer base; should it happen, the command fails with a clear error
//     and a person sets metadata.erp_customer_id.
//
// Orders and journals also verify the full Stripe id (YREF of the order
// head) when they find a match, so a collision would be an error, never a
// silent merge. Generated CUNOs start with "S" and so never clash with M3's
// numeric customer number series.
//
// An ERP customer number given by the command (Stripe
// metadata.erp_customer_id) is authoritative and used as is.
//
// # Multi-step commands
//
// A sales order is built with OIS100MI AddBatchHead → AddBatchLine per line
// → Confirm. If a confirmed order with the CUOR exists, the command is done.
// Otherwise the adapter looks for a batch (temporary) order with the CUOR
// (LstBatchHead): if there is one, its lines are compared with the
// command's (LstBatchLine; lines are always added in the command's order, so
// the existing lines must be a prefix of the command's), the missing ones are
// added and the order is confirmed; if there is none, a new batch order is
// started. A Confirm whose answer was lost is recognised on the next attempt
// by LstHead. Journals (GLS840MI) and bank statements (ABS100MI) resume the
// same way from the number of lines already there (NOLN, NODT).
//
// Only concurrent execution of one command (which the sink's Redis lease
// prevents) could start two batch heads for one CUOR; the adapter then
// continues with the lowest temporary number and the other stays an
// unconfirmed batch order, never a second order.
//
// # Refunds of an invoice's charge
//
// A refund names its charge; the order and the payment of an invoice's
// charge belong to the invoice (order "order:<in_id>"). CreateCreditMemo
// therefore falls back, when no order exists for the object it names, to
// the charge's payment statement (REFE PaymentReference(ch)), whose line
// text names the invoice the payment was allocated to, and credits that
// invoice. Neither an order nor a payment is a *DependencyError.
//
// # Failed payouts
//
// A failed or canceled payout (ReconcilePayout with that status) writes a
// reversal statement (REFE "F…") that negates every line the paid
// statement has in M3, or no line when nothing was booked; a paid command
// that finds the reversal books nothing. So paid and failed sum to zero in
// either order, and a payout that failed before it was paid books nothing.
// The money comes back to the Stripe balance as a payout_failure balance
// transaction and is booked with the payout that later carries it.
//
// # Fewer calls
//
// Every MI call is a round trip through the gateway, so the adapter makes
// no call whose answer it knows. Lookups ask only for the fields they read
// (returncols). A customer this call has just created has no address to
// list; Confirm answers the order's final number, so the order is not
// looked up again; a credit note this call has just made has no settlement
// to look for; ChangeOrderStatus reads the stop code from the lookup that
// found the order; and a payment reads the invoice its order produced
// through a hint the adapter kept when it saw the order (see invoiceHints:
// a hint is checked against M3 before it is used). Each shortcut applies
// only where this call made or saw the record itself: a retry after a crash
// at any step takes the general path and looks everything up.
// TestMICallsPerCommand counts the calls of each command.
//
// # Errors
//
// A missing prerequisite (an order or customer not yet in M3 when a payment
// or order arrives first: Stripe does not order events) is a
// *DependencyError, errors.Is(err, ErrDependency): the sink sends the
// command to a retry topic. A command that can never succeed as it is
// (unbalanced journal, mixed currencies, no lines) wraps ErrInvalidCommand.
// Everything else is an error of package infor (NOK, transport, auth, rate
// limit) wrapped with the command's context, for infor.Classify.
//
// # Emulator transactions
//
// OIS100MI LstBatchHead/LstBatchLine/ChgOrderStatus, ABS100MI
// LstStatmt/LstStatmtLine, GLS840MI LstBatch with the batch head's REFE and
// ARS200MI AddCrdtNote with LstInvoices by YREF are the emulator's own
// (see package emulator); against a real tenant they map to what
// that tenant offers for the same lookups.
package m3
