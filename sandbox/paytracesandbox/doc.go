// Package paytracesandbox is a stateful, persistent stand-in for the PayTrace v1 JSON API
// (OAuth password grant, keyed and vault sales and authorizations, captures, refunds,
// voids, transaction and batch exports, customer profiles), strict like the real one and in
// its wire format. The full reference is being written; see README.md.
package paytracesandbox
