package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// profilePath is set by -cpuprofile.
var profilePath string

// startProfile starts a CPU profile when -cpuprofile was given.
func startProfile() func() {
	if profilePath == "" {
		return func() {}
	}
	f, err := os.Create(profilePath)
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
