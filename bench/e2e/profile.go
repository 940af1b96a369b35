package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// profiles are the pprof files to write over one measured window.
type profiles struct {
	cpu, block, mutex string
	// blockRate is runtime.SetBlockProfileRate's: about one sample per
	// that many nanoseconds spent blocked.
	blockRate int
}

func (p profiles) any() bool { return p.cpu != "" || p.block != "" || p.mutex != "" }

// start begins the profiles and returns what stops and writes them.
// Block and mutex profiling are on only inside the window: they cost
// enough to change what they measure.
func (p profiles) start() func() {
	var cpuFile *os.File
	if p.cpu != "" {
		f, err := os.Create(p.cpu)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
		} else {
			cpuFile = f
		}
	}
	if p.block != "" {
		runtime.SetBlockProfileRate(p.blockRate)
	}
	if p.mutex != "" {
		runtime.SetMutexProfileFraction(10)
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			cpuFile.Close()
		}
		write := func(name, path string) {
			if path == "" {
				return
			}
			f, err := os.Create(path)
			if err == nil {
				err = pprof.Lookup(name).WriteTo(f, 0)
				f.Close()
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "bench: %s profile: %v\n", name, err)
			}
		}
		write("block", p.block)
		write("mutex", p.mutex)
		runtime.SetBlockProfileRate(0)
		runtime.SetMutexProfileFraction(0)
	}
}

// labeled runs f with the pprof label component=name, which every
// goroutine f starts inherits (accept loops, their connections, client
// goroutines), so `go tool pprof -tags` splits the CPU of the one process
// by component: broker, processor, sink, infor-client, emulator, …
func labeled(name string, f func()) {
	pprof.Do(context.Background(), pprof.Labels("component", name), func(context.Context) { f() })
}
