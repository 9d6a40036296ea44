package goroutines

// Watch calls fn with every value sent on updates until stop is closed. It
// returns at once: the watching runs in its own goroutine.
func Watch(updates <-chan int, stop <-chan struct{}, fn func(int)) {
	go func() { // want: goroutine-leak TestSubscribers/unsubscribed
		for {
			select {
			case v := <-updates:
				fn(v)
			case <-stop:
				return
			}
		}
	}()
}
