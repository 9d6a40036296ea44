package clean

import (
	"context"
	"testing"
)

func TestImport(t *testing.T) {
	records := make([]Record, 200)
	for i := range records {
		records[i] = Record{ID: i, Name: "r"}
	}
	stored := 0
	err := Import(context.Background(), records, func(ctx context.Context, r Record) error {
		if RecordID(ctx) != r.ID {
			t.Errorf("record %d stored under id %d", r.ID, RecordID(ctx))
		}
		stored++
		return nil
	})
	if err != nil || stored != len(records) {
		t.Fatalf("Import: %v, stored %d of %d", err, stored, len(records))
	}
}

func TestPoll(t *testing.T) {
	calls := 0
	err := Poll(context.Background(), 100, func(ctx context.Context) error {
		calls++
		if calls < 80 {
			return ErrNotReady
		}
		return nil
	})
	if err != nil || calls != 80 {
		t.Fatalf("Poll: %v after %d calls, want nil after 80", err, calls)
	}
}

type tagKey int

func TestMiddlewareChain(t *testing.T) {
	var mws []Middleware
	for i := 0; i < 40; i++ {
		mws = append(mws, Tag(tagKey(i), i))
	}
	ctx := Chain(context.Background(), mws)
	if got := ctx.Value(tagKey(7)); got != 7 {
		t.Fatalf("tag 7 = %v", got)
	}
}
