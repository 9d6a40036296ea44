// Package clean is the clean twin of leak/goroutines: the same shapes of
// work, each goroutine given a way to stop and waited for.
package clean

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestServerClosed comes first: the client's connection goroutines finish
// asynchronously after CloseIdleConnections, while the later tests run.
func TestServerClosed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func startWorker(wg *sync.WaitGroup) chan<- int {
	jobs := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range jobs {
		}
	}()
	return jobs
}

func TestWorkerStopped(t *testing.T) {
	var wg sync.WaitGroup
	jobs := startWorker(&wg)
	jobs <- 1
	close(jobs)
	wg.Wait()
}

func TestGrandchildReceived(t *testing.T) {
	done := make(chan int)
	go func() {
		result := make(chan int)
		go func() { result <- 42 }()
		done <- <-result
	}()
	<-done
}

