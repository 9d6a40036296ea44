package violating

import (
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestWorkersCountHits crashes the test binary: the workers write the map at
// the same time. They keep going until the runtime notices, which on two or
// more CPUs takes well under a second; GOMAXPROCS is raised to 4 so that a
// one-CPU runner still runs the writers on several threads.
// gate:fails TestWorkersCountHits
func TestWorkersCountHits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	h := NewHits()
	deadline := time.Now().Add(30 * time.Second)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				h.Add("/api/" + strconv.Itoa(i%64))
			}
		}()
	}
	wg.Wait()
	t.Fatal("the concurrent writes were not detected")
}
