// Package webhook guards the HTTP endpoints a chat platform calls with
// signed requests (Slack's Events API, commands and buttons today; a web
// chat or a Matrix bridge tomorrow), so that what a hostile client can make
// the bot do is bounded before a platform's code reads a byte: requests
// without a valid-looking signature are refused before their body is read,
// at most MaxReaders bodies are read at once, each within BodyTimeout and
// MaxBody, and rejections are counted and logged at a bounded rate, with
// the path and the reason, never the body.
package webhook

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// Guard checks every request before the handler it wraps sees it. A
// request is refused with 401 when Check or Verify gives a reason, 503
// (with Retry-After) when MaxReaders bodies are being read, 413 when its
// body is too large or too slow.
type Guard struct {
	// Check looks at the headers alone (a missing signature, a stale
	// timestamp); a reason rejects the request before its body is read.
	Check func(r *http.Request) (reason string)
	// Verify checks the signature of the body; a reason rejects it.
	Verify func(h http.Header, body []byte) (reason string)
	// MaxBody bounds a body (default 1 MiB), MaxReaders the bodies read at
	// once (default 32), BodyTimeout the time to read one (default 10 s).
	MaxBody     int64
	MaxReaders  int
	BodyTimeout time.Duration
	// OnRejected, when set, is told of each rejection's reason.
	OnRejected func(reason string)
	Log        *slog.Logger // default slog.Default()
}

// Wrap returns next behind the guard; next reads the body again as it came.
func (g Guard) Wrap(next http.Handler) http.Handler {
	if g.MaxBody <= 0 {
		g.MaxBody = 1 << 20
	}
	if g.MaxReaders <= 0 {
		g.MaxReaders = 32
	}
	if g.BodyTimeout <= 0 {
		g.BodyTimeout = 10 * time.Second
	}
	if g.Log == nil {
		g.Log = slog.Default()
	}
	readers := make(chan struct{}, g.MaxReaders)
	logs := rate.NewLimiter(1, 10) // a flood of bad requests is not a flood of log lines
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse := func(code int, reason string) {
			if g.OnRejected != nil {
				g.OnRejected(reason)
			}
			if logs.Allow() {
				g.Log.Warn("request rejected", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", reason)
			}
			http.Error(w, http.StatusText(code), code)
		}
		if reason := g.Check(r); reason != "" {
			refuse(http.StatusUnauthorized, reason)
			return
		}
		select {
		case readers <- struct{}{}:
		default:
			w.Header().Set("Retry-After", "1")
			refuse(http.StatusServiceUnavailable, "busy")
			return
		}
		// The slot bounds the bodies being read, not the work that follows:
		// a handler waiting on the store must not make Slack's next
		// requests "busy".
		http.NewResponseController(w).SetReadDeadline(time.Now().Add(g.BodyTimeout))
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, g.MaxBody))
		<-readers
		if err != nil {
			refuse(http.StatusRequestEntityTooLarge, "body unreadable, too slow or too large")
			return
		}
		if reason := g.Verify(r.Header, body); reason != "" {
			refuse(http.StatusUnauthorized, reason)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
