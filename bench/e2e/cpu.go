package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The machine is shared (other processes, other people's tests), and a
// latency figure means little without knowing whether the CPU was ours.
// So each measured window records how many cores this process used, how
// many the redis-server child used, and how busy the whole machine was;
// the rest of the machine's load is someone else's.

// cpuSample is a reading of the counters at one moment.
type cpuSample struct {
	at         time.Time
	self       time.Duration // this process, user + system
	redis      time.Duration // the redis-server child
	busy, idle uint64        // machine-wide jiffies from /proc/stat
}

// cpuUse is what a window used, in cores (1.0 = one CPU busy throughout).
type cpuUse struct {
	self, redis, machine float64
	ok                   bool
}

func sampleCPU(redisPID int) cpuSample {
	s := cpuSample{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if redisPID > 0 {
		s.redis = procCPU(redisPID)
	}
	s.busy, s.idle = machineJiffies()
	return s
}

func (a cpuSample) until(b cpuSample) cpuUse {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return cpuUse{}
	}
	u := cpuUse{self: (b.self - a.self).Seconds() / wall, redis: (b.redis - a.redis).Seconds() / wall}
	if db, di := b.busy-a.busy, b.idle-a.idle; db+di > 0 {
		u.machine = float64(db) / float64(db+di) * float64(numCPU())
		u.ok = true
	}
	return u
}

func numCPU() int { return runtime.NumCPU() }

// clockTick is USER_HZ, 100 on every Linux the bench runs on.
const clockTick = 100

// procCPU is a process's user + system time from /proc/<pid>/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the ")" closing the command name: state is field 3,
	// utime 14 and stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTick
}

// machineJiffies reads /proc/stat's "cpu" line: busy and idle (idle +
// iowait) time of all CPUs.
func machineJiffies() (busy, idle uint64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		} else if i < 8 { // user nice system . . irq softirq steal; guest is inside user
			busy += n
		}
	}
	return busy, idle
}

// childPID finds this process's child running name (redis-server), or 0.
func childPID(name string) int {
	self := strconv.Itoa(os.Getpid())
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		if open < 0 || end < open || string(b[open+1:end]) != name {
			continue
		}
		f := strings.Fields(string(b[end+1:]))
		if len(f) > 1 && f[1] == self {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			return pid
		}
	}
	return 0
}
