package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/config"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/connectors"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

// preview prints the ERP documents a Stripe event or object would become, without posting:
//
//	worker preview --file event.json     (a webhook payload or a bare Stripe object; - is stdin)
//	worker preview --id ch_…|po_…         (fetched from the Stripe API)
func preview(args []string) error {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	file := fs.String("file", "", "Stripe event or object JSON (- for stdin)")
	id := fs.String("id", "", "Stripe charge (ch_…) or payout (po_…) ID to fetch")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*file == "") == (*id == "") {
		return fmt.Errorf("give exactly one of --file or --id")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	m, gl, err := cfg.LoadMapping()
	if err != nil {
		return err
	}
	render, err := connectors.Renderer(cfg.ERP, m.Extra)
	if err != nil {
		return err
	}
	a := &activities.Activities{Stripe: &stripeapi.API{SC: stripeapi.NewClient(cfg.StripeAPIURL, cfg.StripeAPIKey)}, GL: gl, ERP: render,
		Settings: activities.Settings{Mapping: m, CreateSalesOrder: cfg.CreateSalesOrder}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var p *activities.Preview
	if *id != "" {
		p, err = activities.PreviewID(ctx, a, *id)
	} else {
		var raw []byte
		if *file == "-" {
			raw, err = io.ReadAll(os.Stdin)
		} else {
			raw, err = os.ReadFile(*file)
		}
		if err != nil {
			return err
		}
		p, err = activities.PreviewEvent(ctx, a, raw)
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}
