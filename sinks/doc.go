// Package sinks will apply Infor commands exactly once in effect (Redis
// dedupe, retry topics, DLQ). It is empty until the issue "Infor sink:
// exactly-once effect with Redis dedupe, retries, retry topics, DLQ and
// alerts" lands.
package sinks
