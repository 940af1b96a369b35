package kafka

// Topic names are part of DESIGN.md's contract: the data team, SRE runbooks
// and the acceptance checks refer to them by name.
const (
	// RawEvents holds every verified Stripe webhook body, byte for byte.
	RawEvents = "stripe.events.raw"
	// EnrichedEvents holds the normalized Avro event for analytics.
	EnrichedEvents = "stripe.events.enriched"

	CustomerCommands   = "infor.customer.commands"
	SalesOrderCommands = "infor.salesorder.commands"
	PaymentCommands    = "infor.payment.commands"
	JournalCommands    = "infor.journal.commands"
	BankCommands       = "infor.bank.commands"

	// CustomerNotifications carries records for customer-facing messages
	// (for example a failed payment).
	CustomerNotifications = "notifications.customer"
)

// CommandTopics lists the per-entity Infor command topics.
var CommandTopics = []string{CustomerCommands, SalesOrderCommands, PaymentCommands, JournalCommands, BankCommands}

// RetryTopic names the delayed-retry topic of a source topic.
func RetryTopic(topic string) string { return topic + ".retry" }

// DLQTopic names the dead-letter topic of a source topic.
func DLQTopic(topic string) string { return topic + ".dlq" }

// DesignTopics returns every topic the pipeline uses today: the raw topic and
// its DLQ, the enriched topic, each command topic with its retry and DLQ
// topics, and the customer notification topic.
func DesignTopics() []string {
	out := []string{RawEvents, DLQTopic(RawEvents), EnrichedEvents, CustomerNotifications}
	for _, t := range CommandTopics {
		out = append(out, t, RetryTopic(t), DLQTopic(t))
	}
	return out
}
