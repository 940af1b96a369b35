// Package infor talks to Infor's ION API Gateway the way a customer's own
// backend integration must: it reads the tenant's .ionapi file, obtains OAuth
// 2.0 tokens with the service-account keys (password grant), and calls Infor
// M3 through its MI REST API (m3api-rest/v2).
//
// The package is deliberately small and standard-library only. Its errors are
// typed so that the sink can decide what to do with a failed command without
// parsing strings: see Classify and RetryAfter. Secrets from the .ionapi file
// (cs, saak, sask) and bearer or refresh tokens never appear in an error
// message or a log line produced here.
package infor
