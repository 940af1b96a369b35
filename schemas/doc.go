// Package schemas holds the Avro schemas of the command topics, the enriched
// events and the customer notifications, and the Serde that writes and reads
// them in the Confluent wire format.
//
// The schemas are .avsc files under avro/, one named type per file; shared
// types (Money, Meta, …) are referred to by full name and assembled into
// self-contained schemas (see Catalog), registered under TopicNameStrategy
// subjects ("<topic>-value"). The data team reads the topics with their own
// tools through the registry, so the schemas evolve only in BACKWARD
// compatible steps; schemas/versions keeps every version that was ever
// released and `make schemas-check` enforces the policy (README.md).
//
// Conventions, shared by every record:
//   - Avro field names are the Go json tag names.
//   - Money is {minor: long, currency: string, exponent: int}: integer minor
//     units, never a float; exponent is written as
//     command.APIExponent(currency) for readers without a currency table and
//     ignored on decode (the currency decides).
//   - time.Time is a timestamp-millis long in UTC; the zero time.Time is
//     written as 0 and 0 is read back as the zero time.Time.
//   - *int64 and *time.Time are unions with null, default null.
//   - Optional strings are plain strings defaulting to "", so readers never
//     meet a null where a string belongs; lists default to [], maps to {}.
//     Empty lists and maps decode as nil.
package schemas
