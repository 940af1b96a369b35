package schemas

import (
	"fmt"

	"github.com/hamba/avro/v2"
)

// BackwardCompatible returns nil when data written with the older schema can
// be read with the newer one (Avro schema resolution; the registry's
// BACKWARD level), and otherwise an error saying why. It uses hamba/avro's
// SchemaCompatibility because the embedded registry's compatibility endpoint
// is a stub that always answers "compatible".
//
// For union topics each writer branch is paired with the reader branch of
// the same name, so the error names the record at fault rather than saying
// only that the union lacks a branch.
func BackwardCompatible(newer, older string) error {
	reader, err := parseHamba(newer)
	if err != nil {
		return fmt.Errorf("newer schema: %w", err)
	}
	writer, err := parseHamba(older)
	if err != nil {
		return fmt.Errorf("older schema: %w", err)
	}
	compat := avro.NewSchemaCompatibility()
	ru, rok := reader.(*avro.UnionSchema)
	wu, wok := writer.(*avro.UnionSchema)
	if rok && wok {
		for _, w := range wu.Types() {
			wn, ok := w.(avro.NamedSchema)
			if !ok {
				continue // unnamed branches: left to the whole-union check below
			}
			var match avro.Schema
			for _, r := range ru.Types() {
				if rn, ok := r.(avro.NamedSchema); ok && rn.FullName() == wn.FullName() {
					match = r
				}
			}
			if match == nil {
				return fmt.Errorf("union branch %s was removed or renamed", wn.FullName())
			}
			if err := compat.Compatible(match, w); err != nil {
				return fmt.Errorf("union branch %s: %w", wn.FullName(), err)
			}
		}
	}
	if err := compat.Compatible(reader, writer); err != nil {
		return err
	}
	return nil
}
