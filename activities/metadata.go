package activities

// Stripe metadata ledgerbridge writes the ERP's IDs under (seed 001: "Update Stripe Metadata with
// Sage 500 ID"), named after the connected ERP: Sage500CustomerID, SageX3CustomerID,
// SageProCustomerID, and so on. Before keys were named per ERP every connector wrote the Sage500*
// keys; those are still read, so existing cross-references keep resolving.

// MetaKeys are the metadata keys of one ERP.
type MetaKeys struct {
	CustomerID, InvoiceNo, PaymentNo, SalesOrder, CreditMemo string
}

// LegacyMetaKeys are the keys every ERP wrote before they were named per ERP.
var LegacyMetaKeys = MetaKeysFor("sage500")

// MetaKeysFor returns the keys of a connector ("sage500", "sagex3", "sagepro").
func MetaKeysFor(erpName string) MetaKeys {
	prefix := map[string]string{"sage500": "Sage500", "sagex3": "SageX3", "sagepro": "SagePro"}[erpName]
	if prefix == "" {
		prefix = "Sage500"
	}
	return MetaKeys{CustomerID: prefix + "CustomerID", InvoiceNo: prefix + "InvoiceNo", PaymentNo: prefix + "PaymentNo",
		SalesOrder: prefix + "SalesOrderNo", CreditMemo: prefix + "CreditMemoNo"}
}

// ERPCustomerID reads the ERP customer ID from metadata: this ERP's key, then the legacy one.
func (k MetaKeys) ERPCustomerID(md map[string]string) string {
	if v := md[k.CustomerID]; v != "" {
		return v
	}
	return md[LegacyMetaKeys.CustomerID]
}

// meta is the metadata keys of the connected ERP.
func (a *Activities) meta() MetaKeys {
	if a.ERP == nil {
		return LegacyMetaKeys
	}
	return MetaKeysFor(a.ERP.Name())
}
