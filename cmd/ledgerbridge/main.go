// Command ledgerbridge is the operator's CLI: find parked runs, explain them, retry them with
// corrections or abandon them, one by one or by visibility query; start reconciliations and
// backfills with a progress bar; read reconciliation reports.
//
// It reads the same environment as the worker (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, the TLS and
// API key settings, LEDGERBRIDGE_CODEC_KEYS so payloads decode, LEDGERBRIDGE_TASK_QUEUE …) and
// talks to Temporal through the SDK. Every error is one line on stderr; the exit code is 1 for an
// error and 2 for a usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	if err := run(); err != nil {
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return execute(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// execute runs the CLI with args and prints the error, if any, as one line on stderr.
func execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	a := newApp(stdin, stdout, stderr)
	defer a.close()
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "ledgerbridge: "+oneLine(err.Error()))
	}
	return err
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
