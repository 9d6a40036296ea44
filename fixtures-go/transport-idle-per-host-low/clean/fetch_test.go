package clean

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const shards = 16

func TestFetchShards(t *testing.T) {
	// The backend answers a round once all its shards have been asked, so
	// each round really has 16 requests in flight at once.
	var (
		mu      sync.Mutex
		waiting int
		release = make(chan struct{})
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ch := release
		waiting++
		if waiting == shards {
			close(ch)
			waiting = 0
			release = make(chan struct{})
		}
		mu.Unlock()
		<-ch
		w.Write([]byte(strings.Repeat("x", 512)))
	}))
	defer srv.Close()
	f := NewFetcher(shards)
	defer f.Close()
	urls := make([]string, shards)
	for i := range urls {
		urls[i] = srv.URL + "/shard/" + strconv.Itoa(i)
	}
	for round := 0; round < 10; round++ {
		n, err := f.FetchShards(urls)
		if err != nil || n != shards*512 {
			t.Fatalf("FetchShards = %d, %v", n, err)
		}
		time.Sleep(50 * time.Millisecond) // let the Transport file the idle connections
	}
}
