package dedupe

import "syscall"

// childSysProcAttr makes the kernel kill a test's redis-server when the test
// binary dies, so a crashed or interrupted test run leaves nothing behind.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
