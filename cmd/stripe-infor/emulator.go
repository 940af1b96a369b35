package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/internal/observability"
)

// emulatorSettings configure the Infor emulator, alone or inside dev.
type emulatorSettings struct {
	addr     string
	dataDir  string
	tenant   string
	seedFile string
	tokenTTL time.Duration
	// Faults at start, as flags, so a demo or a test can begin degraded.
	faults emulator.Faults
}

func bindEmulatorFlags(fs *flag.FlagSet, s *emulatorSettings, prefix, defAddr string) {
	fs.StringVar(&s.addr, prefix+"addr", defAddr, "Infor emulator listen address")
	fs.StringVar(&s.tenant, prefix+"tenant", "DEV", "Infor emulator tenant id (ti)")
	fs.StringVar(&s.seedFile, prefix+"seed", "", "Infor emulator seed file (items, order types, GL accounts, currencies…); default built in")
	fs.DurationVar(&s.tokenTTL, prefix+"token-ttl", 2*time.Hour, "Infor emulator access-token lifetime")
	fs.IntVar(&s.faults.LatencyMS, prefix+"latency-ms", 0, "Infor emulator: added latency per MI call")
	fs.IntVar(&s.faults.JitterMS, prefix+"jitter-ms", 0, "Infor emulator: random extra latency up to this")
	fs.Float64Var(&s.faults.ErrorRate, prefix+"error-rate", 0, "Infor emulator: fraction of MI calls answered 5xx")
	fs.Float64Var(&s.faults.TimeoutRate, prefix+"timeout-rate", 0, "Infor emulator: fraction of MI calls never answered")
	fs.Float64Var(&s.faults.ResetRate, prefix+"reset-rate", 0, "Infor emulator: fraction of MI calls whose connection is reset")
	fs.Float64Var(&s.faults.RateLimitRPS, prefix+"rate-limit-rps", 0, "Infor emulator: above this many MI calls/s answer 429 with Retry-After")
}

// runningEmulator is an emulator served on its own listener.
type runningEmulator struct {
	emu        *emulator.Emulator
	srv        *http.Server
	url        string
	ionapiPath string
	done       chan error
}

// startEmulator serves the emulator and writes its .ionapi file under the
// data dir, so the client is configured exactly as for a real tenant.
func startEmulator(s emulatorSettings, log *slog.Logger) (*runningEmulator, error) {
	emu, err := emulator.New(emulator.Config{
		Tenant: s.tenant, DataDir: s.dataDir, TokenTTL: s.tokenTTL, SeedFile: s.seedFile,
		Logger: log.With("component", "infor-emulator"),
	})
	if err != nil {
		return nil, fmt.Errorf("infor emulator: %w", err)
	}
	emu.SetFaults(s.faults)
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		_ = emu.Close()
		return nil, fmt.Errorf("infor emulator: cannot listen on %s: %w", s.addr, err)
	}
	r := &runningEmulator{
		emu:  emu,
		srv:  &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second},
		url:  "http://" + ln.Addr().String(),
		done: make(chan error, 1),
	}
	if s.dataDir != "" {
		r.ionapiPath = filepath.Join(s.dataDir, s.tenant+".ionapi")
		if err := emu.WriteIONAPI(r.ionapiPath, r.url); err != nil {
			ln.Close()
			_ = emu.Close()
			return nil, fmt.Errorf("infor emulator: write .ionapi: %w", err)
		}
	}
	go func() { r.done <- r.srv.Serve(ln) }()
	return r, nil
}

// stop ends hung (fault-injected) requests first, then the server.
func (r *runningEmulator) stop() error {
	cerr := r.emu.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		_ = r.srv.Close()
		return err
	}
	if err := <-r.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return cerr
}

// runEmulator is `stripe-infor infor-emulator`: the emulator on its own.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("infor-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s emulatorSettings
	bindEmulatorFlags(fs, &s, "", "127.0.0.1:8090")
	fs.StringVar(&s.dataDir, "data-dir", "./.data/infor", "where the emulator keeps its state, credentials and .ionapi file (\"\" = memory only)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := observability.NewLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	r, err := startEmulator(s, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Infor emulator (ION API + M3 MI REST) on %s, tenant %s\n", r.url, s.tenant)
	if r.ionapiPath != "" {
		fmt.Fprintf(stdout, ".ionapi file: %s  (INFOR_IONAPI_FILE)\n", r.ionapiPath)
	}
	fmt.Fprintf(stdout, "State: GET %s/_emulator/state   Faults: GET|POST %s/_emulator/faults   Reset: POST %s/_emulator/reset\n", r.url, r.url, r.url)
	<-ctx.Done()
	return r.stop()
}
