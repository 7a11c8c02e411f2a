// Package ordergraph is the domain vocabulary of ordergraph, a self-hosted
// commerce order management platform that serves a Graph-API-compatible
// Order Management API.
//
// The root package holds only what every layer shares: orders, their lines
// and units, shipments, cancellations, refunds, pages and tokens, money in
// minor units, the clock, and the one error type. It performs no I/O; the
// rules that move orders between states live in internal/lifecycle, storage
// in internal/store, and the HTTP surface in internal/graphapi.
package ordergraph

// Version is the ordergraph release, set at build time with
// -ldflags "-X github.com/ordergraph/ordergraph.Version=...".
var Version = "dev"
