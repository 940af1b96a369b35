//go:build !linux

package dedupe

import "syscall"

// childSysProcAttr: outside Linux there is no parent-death signal; t.Cleanup
// stops the servers.
func childSysProcAttr() *syscall.SysProcAttr { return nil }
