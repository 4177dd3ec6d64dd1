// Package tclient dials Temporal, waiting for a server that is still starting.
package tclient

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/internal/logging"
)

// Dial connects to hostPort/namespace, retrying for up to wait so that processes started together
// with the dev server do not race it.
func Dial(ctx context.Context, hostPort, namespace string, log *zap.Logger, wait time.Duration) (client.Client, error) {
	deadline := time.Now().Add(wait)
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Namespace: namespace, Logger: logging.Temporal{L: log}})
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", hostPort, namespace, err)
		}
		log.Info("waiting for Temporal", zap.String("address", hostPort), zap.Error(err))
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
