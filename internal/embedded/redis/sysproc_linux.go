//go:build linux

package redis

import "syscall"

// sysProcAttr makes the kernel send SIGTERM to redis-server when the parent
// dies (redis-server then shuts down cleanly), and puts it in its own process
// group so a terminal Ctrl-C reaches only the parent, which stops Redis last.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Pdeathsig: syscall.SIGTERM,
		Setpgid:   true,
	}
}
