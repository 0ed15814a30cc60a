package chat

import (
	"sync"
	"time"
)

// Wait waits for wg until grace has passed and reports whether it finished:
// how adapters let the replies in flight finish on shutdown.
func Wait(wg *sync.WaitGroup, grace time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
