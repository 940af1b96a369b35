// Package emulator is an Infor ION API gateway with Infor M3's MI REST API
// behind it, served over real HTTP, faithful enough that the whole pipeline
// is developed, tested and demonstrated against it instead of a customer's
// tenant. It is what `stripe-infor infor-emulator` and the dev stack run.
//
// Faithful means a client configured for a real tenant works unchanged: it
// reads the .ionapi file WriteIONAPI writes, gets tokens with the password
// grant at pu+ot, refreshes them, and calls
// {iu}/{ti}/M3/m3api-rest/v2/execute/{PROGRAM}/{TRANSACTION}. It also means
// the emulator is as strict as M3 where a client can get M3 wrong: business
// failures come back as HTTP 200 with nrOfFailedTransactions > 0, values
// longer than M3's field lengths are refused rather than cut, unknown
// customers, items, currencies and accounts are refused, amounts must fit
// their currency's decimals, and journals must balance. And it behaves
// rather than echoes: customers get numbers, orders a temporary and then a
// final number, confirmed prepaid orders an invoice, payments lower the
// invoice's open amount, journals post only when balanced.
//
// # HTTP surface
//
//	POST /{tenant}/as/token.oauth2          grant_type=password (username=saak, password=sask)
//	                                        or refresh_token; client by client_id/client_secret
//	                                        or HTTP Basic. 401 invalid_client, 400 invalid_grant,
//	                                        400 unsupported_grant_type, 400 invalid_request.
//	POST /{tenant}/as/revoke_token.oauth2   token=…; revoking a refresh token revokes its access tokens
//	GET  /{tenant}/M3/m3api-rest/v2/execute/{PROGRAM}/{TRANSACTION}?FIELD=…[&maxrecs=N&returncols=A,B]
//	POST /{tenant}/M3/m3api-rest/v2/execute  {"program":"…","transactions":[{"transaction":"…","record":{…}}]}
//	GET  /_emulator/state                   the whole state (State), with GL balances
//	POST /_emulator/reset                   back to the seed state
//	GET  /_emulator/faults, POST /_emulator/faults   injected faults (Faults)
//	GET  /healthz
//
// MI calls need "Authorization: Bearer <access_token>"; a missing, unknown,
// revoked or expired token is 401 with {"error":"invalid_token",…}. Their
// answer is M3's:
//
//	{"results":[{"transaction":"Add","records":[{"CUNO":"10001"}]}],
//	 "wasTerminated":false,"nrOfSuccessfullTransactions":1,"nrOfFailedTransactions":0}
//
// and a business failure (NOK) is HTTP 200 with, in its result,
// errorMessage (what to change, e.g. "Customer number 999 does not exist"),
// errorField (the M3 field), errorCode (see nok.go: W + two letters of the
// field + 0101 invalid, 0102 mandatory, 0103 does not exist, 0104 already
// exists, 0105 too long, 0106 wrong status, 0107 more than is open, 0108
// unbalanced, 0109 not an input field, 0110 number series exhausted) and
// errorType "ServerReturnedNOK". Field values are strings both ways. List
// transactions return at most 100 records unless maxrecs (GET) or
// maxReturnedRecords (bulk) says otherwise; 0 means no limit.
//
// # Programs
//
// CRS610MI customers, CRS055MI currencies, MMS200MI items, OIS100MI customer
// orders, ARS200MI invoices, ABS100MI bank statements, GLS840MI GL journals;
// each file (crs610mi.go, …) lists its transactions with their input and
// output fields. An input field a transaction does not have is a NOK naming
// it, so a misspelt field never passes silently: in the GET form every query
// parameter but maxrecs, returncols and excludeEmptyValues is an input
// field, whatever its case or length. A transaction is atomic: one that
// ends in a NOK leaves the state as it was before it ran.
//
// # Data
//
// Master data (items, currencies with decimals, customer templates, order
// types, payment terms and methods, GL and bank accounts, number series)
// comes from the seed: see Seed for the JSON format of Config.SeedFile and
// DefaultSeed for the built-in dev defaults. Business data (State) is kept in
// Config.DataDir as state.json plus state.journal: a changing request
// appends one line holding the records it created or changed (fsynced)
// before it is answered, so a restart (or a crash) keeps every acknowledged
// change at a cost that does not grow with the state; the two files are
// compacted into state.json at start, at Close, at a reset and when the
// journal outgrows state.json (journal.go has the format). The client keys
// are kept in Config.DataDir/credentials.json (0600). Tokens and faults
// live in memory only.
//
// Every transaction costs what it reads and changes, not the size of the
// state: a NOK is undone from an undo journal of the records it touched
// (txn.go), and the look-ups a client makes before it creates (LstHead and
// LstBatchHead by CUOR or CUNO, LstInvoices by CUNO, ORNO or YREF,
// LstStatmt and LstBatch by REFE) use indexes (index.go). Only lists
// without a filter and /_emulator/state read everything.
//
// # Faults
//
// Faults (latency and jitter, a 5xx rate, timeouts, connection resets, a
// rate limit answered 429 with Retry-After, lost answers, optionally per
// program) apply to MI calls only, drawn from a math/rand source seeded by
// Faults.Seed, so a test run is repeatable. All but one strike before M3
// runs the call, so nothing changes; a lost answer (lost_answer_rate) is
// the other case: the call is carried out and persisted as normal, then the
// connection is closed without an answer, so the client cannot tell whether
// it happened and must look (by CUOR, REFE, …) before it retries.
//
// # Not emulated
//
// Companies and divisions (CONO/DIVI are accepted where listed and ignored),
// automatic accounting of invoices and payments (only GLS840MI batches move
// GL balances).
//
// # The emulator's own transactions
//
// A client that is idempotent by lookup must find what it created by its
// external reference. Where M3's MI for that differs between versions or is
// not a plain MI transaction, the emulator adds one of its own, named and
// shaped in M3's style, documented in the program's file as the emulator's
// choice: OIS100MI LstBatchHead and LstBatchLine (batch orders not yet
// confirmed), ABS100MI LstStatmt and LstStatmtLine (statements by REFE),
// GLS840MI LstBatch and the REFE field of AddBatchHead (journal batches by
// reference), and for what M3 does through panels or setup-dependent
// programs rather than one MI transaction: OIS100MI ChgOrderStatus (the
// order stop code OBLC) and ARS200MI AddCrdtNote (a credit note against an
// invoice). CRS610MI LstAddress and ChgAddress are M3's transactions, but
// LstAddress filters by address type instead of starting a key range (see
// crs610mi.go). An adapter for a real tenant maps these to what that tenant
// offers.
package emulator
