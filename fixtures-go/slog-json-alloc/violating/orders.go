// Package violating breaks slog-json-alloc: Place logs the whole order
// with slog.Any, so the JSON handler falls back to encoding/json and
// marshals the struct by reflection on every record.
package violating

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
	s.Log.InfoContext(ctx, "order placed", slog.Any("order", o)) // want: slog-json-alloc TestPlace
	return nil
}
