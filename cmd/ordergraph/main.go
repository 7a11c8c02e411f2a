// Command ordergraph runs the ordergraph server and its tools: serve (the
// Graph API and the sandbox API), migrate and verify. Each subcommand lives
// in its own file; this package is the only one that reads flags and
// environment.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/postgres"
	"github.com/ordergraph/ordergraph/internal/store/sqlite"
)

func main() {
	// SIGINT or SIGTERM cancels ctx, which every subcommand treats as "shut
	// down gracefully"; a second signal kills the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	err := newRootCommand(os.Stdout, os.Stderr, os.Getenv).ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ordergraph:", errorText(err))
		os.Exit(1)
	}
}

// errorText is what a user sees of err: only the message of a domain error.
func errorText(err error) string {
	var e *ordergraph.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// newRootCommand returns the ordergraph command tree writing to stdout and
// stderr and reading the environment through getenv.
func newRootCommand(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	root := &cobra.Command{
		Use:   "ordergraph",
		Short: "A self-hosted emulator of the Facebook/Instagram Shops Order Management Graph API",
		Long: "ordergraph serves the Order Management Graph API (orders, acknowledgement, shipments,\n" +
			"cancellations, refunds) with the platform's side driven through a sandbox API.",
		Version:       ordergraph.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newServeCommand(getenv), newMigrateCommand(), newVerifyCommand())
	return root
}

// openStore opens the database named by dsn, with its migrations applied:
// a postgres:// (or postgresql://) URL opens PostgreSQL, which several
// servers may share; anything else is a SQLite file path, created when
// missing.
func openStore(ctx context.Context, dsn string) (store.Store, error) {
	switch {
	case dsn == "":
		return nil, errors.New("--db is required: a SQLite file path such as ordergraph.db, or a postgres:// URL")
	case isPostgres(dsn):
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", redactDSN(dsn), err)
		}
		return db, nil
	}
	db, err := sqlite.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", dsn, err)
	}
	return db, nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// redactDSN hides the password of a database URL, for messages and logs.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		if isPostgres(dsn) {
			return "postgres://(unparsable URL)"
		}
		return dsn
	}
	return u.Redacted()
}
