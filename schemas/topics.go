package schemas

import (
	"fmt"
	"reflect"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// Topics are the topics whose values are Avro records, in a stable order:
// the five command topics, the enriched events and the customer
// notifications. Do not modify it; it is a variable only because Go has no
// constant slices.
var Topics = []string{
	kafka.CustomerCommands,
	kafka.SalesOrderCommands,
	kafka.PaymentCommands,
	kafka.JournalCommands,
	kafka.BankCommands,
	kafka.EnrichedEvents,
	kafka.CustomerNotifications,
}

// topicRecords are the records each topic carries. A topic with one record
// has that record as its value schema; a topic with several has the union of
// them, in this order (branches may only ever be added at the end).
var topicRecords = map[string][]string{
	kafka.CustomerCommands:      {"stripeinfor.commands.UpsertCustomer"},
	kafka.SalesOrderCommands:    {"stripeinfor.commands.CreateSalesOrder", "stripeinfor.commands.ChangeOrderStatus"},
	kafka.PaymentCommands:       {"stripeinfor.commands.ApplyPayment", "stripeinfor.commands.CreateCreditMemo"},
	kafka.JournalCommands:       {"stripeinfor.commands.PostJournal"},
	kafka.BankCommands:          {"stripeinfor.commands.ReconcilePayout"},
	kafka.EnrichedEvents:        {"stripeinfor.events.EnrichedEvent"},
	kafka.CustomerNotifications: {"stripeinfor.notifications.CustomerNotification"},
}

// goTypes are the Go types of the top-level records: what Encode accepts
// and Decode returns.
var goTypes = map[string]reflect.Type{
	"stripeinfor.commands.UpsertCustomer":            reflect.TypeFor[command.UpsertCustomer](),
	"stripeinfor.commands.CreateSalesOrder":          reflect.TypeFor[command.CreateSalesOrder](),
	"stripeinfor.commands.ChangeOrderStatus":         reflect.TypeFor[command.ChangeOrderStatus](),
	"stripeinfor.commands.ApplyPayment":              reflect.TypeFor[command.ApplyPayment](),
	"stripeinfor.commands.CreateCreditMemo":          reflect.TypeFor[command.CreateCreditMemo](),
	"stripeinfor.commands.PostJournal":               reflect.TypeFor[command.PostJournal](),
	"stripeinfor.commands.ReconcilePayout":           reflect.TypeFor[command.ReconcilePayout](),
	"stripeinfor.events.EnrichedEvent":               reflect.TypeFor[EnrichedEvent](),
	"stripeinfor.notifications.CustomerNotification": reflect.TypeFor[CustomerNotification](),
}

// typeTopics maps each top-level Go type to its topic.
var typeTopics = func() map[reflect.Type]string {
	m := map[reflect.Type]string{}
	for topic, names := range topicRecords {
		for _, n := range names {
			m[goTypes[n]] = topic
		}
	}
	return m
}()

// Subject is the registry subject of a topic's values under
// TopicNameStrategy: "<topic>-value".
func Subject(topic string) string { return topic + "-value" }

// Schema returns the self-contained schema text (compact JSON) of a topic's
// values, assembled from the embedded .avsc files.
func Schema(topic string) (string, error) {
	c, err := Embedded()
	if err != nil {
		return "", err
	}
	return c.TopicSchema(topic)
}

// RecordSchema returns the self-contained schema of one record of the
// embedded .avsc files, by short ("ApplyPayment") or full name.
func RecordSchema(name string) (string, error) {
	c, err := Embedded()
	if err != nil {
		return "", err
	}
	return c.RecordSchema(name)
}

// TopicSchema returns the value schema of a topic: its record, or the union
// of its records.
func (c *Catalog) TopicSchema(topic string) (string, error) {
	names, ok := topicRecords[topic]
	if !ok {
		return "", fmt.Errorf("schemas: topic %q has no Avro values", topic)
	}
	if len(names) == 1 {
		return c.RecordSchema(names[0])
	}
	return c.UnionSchema(names...)
}

// TopicOf returns the topic a value belongs to: a command (value or pointer)
// its entity's command topic, an EnrichedEvent stripe.events.enriched, a
// CustomerNotification notifications.customer.
func TopicOf(v any) (string, error) {
	t := reflect.TypeOf(v)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if topic, ok := typeTopics[t]; ok {
		return topic, nil
	}
	return "", fmt.Errorf("schemas: %T belongs to no Avro topic", v)
}
