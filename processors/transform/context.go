package transform

import (
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// ectx is the state of one Transform call: the decoded event, what the
// handler has produced so far, the flags raised and the first error.
type ectx struct {
	cfg *mapping.Config
	s   string // the event text; paths are computed from it on demand
	ev  *event
	obj *object // ev.Data.Object

	base command.Meta // the Meta fields every command of the event shares

	cmds    []Output
	notes   []Output
	cmdIDs  []string
	flags   []command.Flag // every flag of the event, without repeats
	cur     []command.Flag // the flags of the command being built
	glRules []string
	err     *Error
}

// fail records the first error; the handler may go on, its output is
// discarded.
func (c *ectx) fail(class, code, field, msg string) {
	if c.err == nil {
		c.err = &Error{Class: class, Code: code, Field: field, Message: msg}
	}
}

// begin starts a command: flags raised from here until meta() are its own.
func (c *ectx) begin() { c.cur = c.cur[:0] }

// flag raises a flag on the event and on the command being built.
func (c *ectx) flag(f command.Flag) {
	if !hasFlag(c.flags, f) {
		c.flags = append(c.flags, f)
	}
	if !hasFlag(c.cur, f) {
		c.cur = append(c.cur, f)
	}
}

// flagp raises a flag the mapping returned, if any.
func (c *ectx) flagp(f *command.Flag) {
	if f != nil {
		c.flag(*f)
	}
}

func hasFlag(list []command.Flag, f command.Flag) bool {
	for _, g := range list {
		if g.Code == f.Code && g.Field == f.Field {
			return true
		}
	}
	return false
}

// meta is the Meta of the command being built, with the Stripe ids it is
// about (most specific first; empty and repeated ids dropped).
func (c *ectx) meta(ids ...string) command.Meta {
	m := c.base
	m.StripeObjectIDs = objectIDs(ids)
	m.Flags = append([]command.Flag{}, c.cur...)
	return m
}

func objectIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == id
		}
		if !dup {
			out = append(out, id)
		}
	}
	return out
}

// emit appends a command to the outputs.
func (c *ectx) emit(topic, key string, cmd command.Command) {
	c.cmds = append(c.cmds, Output{Topic: topic, Key: key, Value: cmd})
	c.cmdIDs = append(c.cmdIDs, cmd.ID())
}

// path is the JSON path of the value at off.
func (c *ectx) path(off int32) string { return pathAt(c.s, int(off)) }

// fieldPath is the path of field name of the object at off (which may be
// absent, so it cannot be looked up itself).
func (c *ectx) fieldPath(off int32, name string) string { return joinPath(c.path(off), name) }
