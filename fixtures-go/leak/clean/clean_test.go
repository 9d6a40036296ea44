// Package clean is the clean twin of leak/goroutines: the same shapes of
// work, each goroutine given a way to stop and waited for.
package clean

// gate:clean goroutine-leak goroutine-lingering

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestServerClosed comes first: the client's connection goroutines finish
// asynchronously after CloseIdleConnections, while the later tests run.
func TestServerClosed(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	client := srv.Client()
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	client.CloseIdleConnections()
	srv.Close()
	// The connection goroutines end asynchronously after Close: wait for them.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines still running after Close", runtime.NumGoroutine()-before)
		}
		time.Sleep(time.Millisecond)
	}
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
