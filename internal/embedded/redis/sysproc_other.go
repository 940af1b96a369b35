//go:build !linux

package redis

import "syscall"

// sysProcAttr is a no-op outside Linux: there is no parent-death signal, so
// the child stays in the parent's process group, where at least a terminal
// Ctrl-C stops it together with the parent.
func sysProcAttr() *syscall.SysProcAttr { return nil }
