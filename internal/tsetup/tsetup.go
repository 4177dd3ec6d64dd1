// Package tsetup makes sure a Temporal namespace is ready for ledgerbridge: the namespace exists
// and carries the search attributes the workflows set. The worker runs it at start-up (and
// `worker setup` runs it alone, as the deploy job does), so a fresh cluster needs no CLI step;
// the worker's /readyz reports what is still missing.
package tsetup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Types maps the search attribute type names used in workflows.SearchAttributeTypes.
var Types = map[string]enumspb.IndexedValueType{
	"Keyword": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "Text": enumspb.INDEXED_VALUE_TYPE_TEXT,
	"Bool": enumspb.INDEXED_VALUE_TYPE_BOOL, "Double": enumspb.INDEXED_VALUE_TYPE_DOUBLE,
	"Int": enumspb.INDEXED_VALUE_TYPE_INT, "Datetime": enumspb.INDEXED_VALUE_TYPE_DATETIME,
	"KeywordList": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}

// Want is what a namespace must have.
type Want struct {
	Namespace string
	// Retention is the history retention of a namespace this package creates.
	Retention time.Duration
	// SearchAttributes are name → type name ("Keyword", "Bool", "Double", …).
	SearchAttributes [][2]string
}

// Missing lists what the namespace lacks: "namespace X" and/or "search attribute Name (Type)".
func Missing(ctx context.Context, c client.Client, w Want) ([]string, error) {
	if _, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: w.Namespace}); err != nil {
		var nf *serviceerror.NamespaceNotFound
		if errors.As(err, &nf) {
			return []string{"namespace " + w.Namespace}, nil
		}
		return nil, err
	}
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: w.Namespace})
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, sa := range w.SearchAttributes {
		if _, ok := have.GetCustomAttributes()[sa[0]]; !ok {
			missing = append(missing, fmt.Sprintf("search attribute %s (%s)", sa[0], sa[1]))
		}
	}
	if len(missing) == 0 && len(w.SearchAttributes) > 0 {
		// Listed is not yet usable: a cluster's frontends map custom search attributes through
		// their namespace cache, refreshed every few seconds, and until then every start that sets
		// one fails ("has no mapping defined"). A visibility query naming them all goes through
		// the same mapping.
		if _, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: w.Namespace, Query: probeQuery(w)}); err != nil {
			var invalid *serviceerror.InvalidArgument
			if errors.As(err, &invalid) {
				return []string{notUsable + invalid.Message}, nil
			}
			return nil, err
		}
	}
	return missing, nil
}

// notUsable prefixes the Missing entry of search attributes that exist but cannot be used yet.
const notUsable = "search attributes not usable yet: "

// probeQuery is a visibility query that names every wanted search attribute.
func probeQuery(w Want) string {
	var terms []string
	for _, sa := range w.SearchAttributes {
		v := "'ledgerbridge-probe'"
		switch sa[1] {
		case "Bool":
			v = "true"
		case "Double", "Int":
			v = "0"
		case "Datetime":
			v = "'2000-01-01T00:00:00Z'"
		}
		terms = append(terms, sa[0]+" = "+v)
	}
	return strings.Join(terms, " OR ")
}

// Ensure creates what is missing, retrying transient failures until ctx ends (a namespace just
// created takes a few seconds to be usable). A refusal (permission denied, as on Temporal Cloud
// with a namespace-scoped key) is returned at once, naming what must be created by hand.
func Ensure(ctx context.Context, c client.Client, w Want, log *zap.Logger) error {
	if log == nil {
		log = zap.NewNop()
	}
	var last error
	for attempt := 0; ; attempt++ {
		missing, err := Missing(ctx, c, w)
		if err == nil && len(missing) == 0 {
			return nil
		}
		if err == nil {
			err = create(ctx, c, w, missing)
			if err == nil {
				continue
			}
		}
		var denied *serviceerror.PermissionDenied
		if errors.As(err, &denied) {
			return fmt.Errorf("the Temporal cluster refused to create %s (%v): create it on the cluster, e.g. `temporal operator namespace create %s` and `temporal operator search-attribute create --namespace %s --name … --type …`",
				strings.Join(missing, ", "), denied.Message, w.Namespace, w.Namespace)
		}
		last = err
		if attempt == 0 || attempt%10 == 0 {
			log.Info("preparing the Temporal namespace", zap.String("namespace", w.Namespace), zap.Strings("missing", missing), zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("namespace %s is not ready (%s): %w", w.Namespace, strings.Join(missing, ", "), last)
		case <-time.After(time.Second):
		}
	}
}

func create(ctx context.Context, c client.Client, w Want, missing []string) error {
	if len(missing) > 0 && strings.HasPrefix(missing[0], "namespace ") {
		_, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: w.Namespace, WorkflowExecutionRetentionPeriod: durationpb.New(w.Retention),
			Description: "ledgerbridge: payments into the ERP"})
		var exists *serviceerror.NamespaceAlreadyExists
		if err != nil && !errors.As(err, &exists) {
			return err
		}
		return errNotYet
	}
	add := map[string]enumspb.IndexedValueType{}
	for _, sa := range w.SearchAttributes {
		t, ok := Types[sa[1]]
		if !ok {
			return fmt.Errorf("search attribute %s: unknown type %q", sa[0], sa[1])
		}
		add[sa[0]] = t
	}
	// Adding one that exists fails the whole request: add only the missing ones.
	for _, m := range missing {
		if strings.HasPrefix(m, notUsable) {
			return errNotYet // created; the cluster has yet to pick them up
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(m, "search attribute "), " ")
		if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace: w.Namespace, SearchAttributes: map[string]enumspb.IndexedValueType{name: add[name]}}); err != nil {
			var exists *serviceerror.AlreadyExists
			if !errors.As(err, &exists) {
				return err
			}
		}
	}
	return nil
}

// errNotYet says a namespace or its search attributes were just created and need a moment
// before they can be used.
var errNotYet = errors.New("just created; waiting for the cluster to make it usable")
