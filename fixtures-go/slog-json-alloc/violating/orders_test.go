package violating

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestPlace(t *testing.T) {
	var buf bytes.Buffer
	s := &Service{Log: slog.New(slog.NewJSONHandler(&buf, nil))}
	o := Order{
		ID:       "A-1001",
		Customer: "ada@example.com",
		Items: []Item{
			{SKU: "widget", Quantity: 2, PriceCents: 1250},
			{SKU: "gadget", Quantity: 1, PriceCents: 4999},
			{SKU: "gizmo", Quantity: 5, PriceCents: 199},
		},
		Tags: map[string]string{"channel": "web", "region": "eu"},
	}
	ctx := context.Background()
	for i := 0; i < 200; i++ {
		buf.Reset()
		if err := s.Place(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(buf.String(), `"A-1001"`) {
		t.Fatalf("log %s", buf.String())
	}
}
