package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
)

// progressEvery is how often verify reports progress on a long run.
const progressEvery = time.Second

// newVerifyCommand returns `ordergraph verify`: check every order's and
// page's money against the ledger, print each discrepancy, and fail if
// there is any. It reads one page at a time in one snapshot, in batches,
// so it runs in constant memory on any database, and beside running
// servers.
func newVerifyCommand() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that every order's and page's money reconciles; exit non-zero on any discrepancy",
		Long: "verify checks, for every order, that captured − refunded − fees − chargebacks = net and that\n" +
			"each shipment, refund and chargeback is posted exactly once; and, for every page, that the nets\n" +
			"of its transactions equal what its payouts paid out plus its unpaid balance. It prints each\n" +
			"discrepancy on stdout, progress on stderr, and exits 1 if it found any.",
		Example: "  ordergraph verify --db ordergraph.db\n  ordergraph verify --db postgres://ordergraph@db.internal/ordergraph",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openStore(cmd.Context(), dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			engine := lifecycle.NewEngine(db, ordergraph.SystemClock{}, nil)
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			found, err := engine.Verify(cmd.Context(), progressPrinter(stderr))
			for _, d := range found {
				fmt.Fprintln(stdout, d)
			}
			if err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			if len(found) > 0 {
				return fmt.Errorf("verify: %d discrepancies in %s", len(found), redactDSN(dsn))
			}
			fmt.Fprintf(stdout, "%s: every order and page reconciles\n", redactDSN(dsn))
			return nil
		},
	}
	cmd.Flags().StringVar(&dsn, "db", "ordergraph.db", "SQLite database file, or a postgres:// URL")
	return cmd
}

// progressPrinter reports Verify's progress on w at most once every
// progressEvery, and always once it is done.
func progressPrinter(w io.Writer) func(ordergraph.VerifyProgress) {
	var last time.Time
	return func(p ordergraph.VerifyProgress) {
		now := time.Now()
		if p.PagesDone < p.Pages && now.Sub(last) < progressEvery {
			return
		}
		last = now
		fmt.Fprintf(w, "verify: %d/%d pages, %d orders, %d transactions, %d discrepancies\n",
			p.PagesDone, p.Pages, p.Orders, p.Transactions, p.Discrepancies)
	}
}
