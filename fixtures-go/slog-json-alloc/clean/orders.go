// Package clean is the clean twin of slog-json-alloc/violating: Place logs
// the order's identifying fields as typed attributes with LogAttrs, which
// the JSON handler writes into its pooled buffer without reflection.
//
// gate:clean slog-json-alloc
package clean

import (
	"context"
	"errors"
	"log/slog"
)

// Item is one line of an order.
type Item struct {
	SKU        string `json:"sku"`
	Quantity   int    `json:"quantity"`
	PriceCents int64  `json:"price_cents"`
}

// Order is a customer's order.
type Order struct {
	ID       string            `json:"id"`
	Customer string            `json:"customer"`
	Items    []Item            `json:"items"`
	Tags     map[string]string `json:"tags"`
}

// Total is the order's value in cents.
func (o Order) Total() int64 {
	var total int64
	for _, it := range o.Items {
		total += int64(it.Quantity) * it.PriceCents
	}
	return total
}

// Service places orders and logs each one.
type Service struct {
	Log    *slog.Logger
	placed int
}

// Place accepts o and logs it.
func (s *Service) Place(ctx context.Context, o Order) error {
	if len(o.Items) == 0 {
		return errors.New("empty order")
	}
	s.placed++
	s.Log.LogAttrs(ctx, slog.LevelInfo, "order placed",
		slog.String("order_id", o.ID),
		slog.String("customer", o.Customer),
		slog.Int("items", len(o.Items)),
		slog.Int64("total_cents", o.Total()),
		slog.String("channel", o.Tags["channel"]),
	)
	return nil
}
