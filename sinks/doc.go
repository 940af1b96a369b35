// Package sinks groups the stages that apply commands to a target system.
// inforsink applies the infor.*.commands topics to Infor exactly once in
// effect (Redis dedupe, in-place retries, retry topics, DLQ, alerts);
// m3apply carries each command out through the M3 adapter.
package sinks
